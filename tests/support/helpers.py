"""Small helpers the example tests share: what was sent, and how an API failure looks."""

import importlib.util
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import httpx
import pytest
import respx
from sqlalchemy import event, insert, select, update

from tests.conftest import PATIENCE
from tests.support import payloads

__all__ = ["PATIENCE"]  # for the tests, with the helpers they import from here

# When the clock fixtures stop time.
START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)

API_FAILURES = {
    401: ("invalid_request_error", "Incorrect API key provided: sk-test-***6789."),
    429: ("requests", "Rate limit reached for requests per minute."),
    500: ("server_error", "The server had an error while processing your request."),
}


def sent_json(route: respx.Route, call: int = -1) -> dict:
    """The JSON body of one call a route received (the last by default)."""
    return json.loads(route.calls[call].request.content)


def api_failure(status: int) -> httpx.Response:
    error_type, message = API_FAILURES[status]
    return httpx.Response(status, json=payloads.api_error(message, type=error_type), headers={"x-request-id": "req_f4"})


def api_failure_line(status: int) -> str:
    """The one line a script prints on stderr when the API answers ``api_failure(status)``."""
    error_type, message = API_FAILURES[status]
    return f"OpenAI API error {status} ({error_type}): {message} [request id: req_f4]\n"


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'test.db'}"


def fresh_replies(text: str = "Hello!", **fields) -> Callable[[httpx.Request], httpx.Response]:
    """A respx side effect answering every call with a new response (new ids), as the API does."""
    return lambda request: httpx.Response(200, json=payloads.response(text, **fields))


def dispose(app) -> None:
    """Close the app's pooled database connections, so no test leaves a file handle open."""
    app.extensions["database"].dispose()


def rows(app, model) -> list:
    """Every row of a table, in primary-key order, as the app stored it."""
    table = model.__table__
    with app.extensions["database"].connect() as connection:
        return connection.execute(select(table).order_by(*table.primary_key.columns)).all()


def set_row(app, model, key, **values) -> None:
    """Change one row as another process could have (a turn in flight, time gone by)."""
    table = model.__table__
    (primary_key,) = table.primary_key.columns
    with app.extensions["database"].begin() as connection:
        assert connection.execute(update(table).where(primary_key == key).values(**values)).rowcount == 1


def add_row(app, model, **values) -> None:
    with app.extensions["database"].begin() as connection:
        connection.execute(insert(model.__table__).values(**values))


class TurnInFlight:
    """Holds OpenAI's reply until released, so a test can act while a turn is in flight.

    Mock a route with it as side effect, ``start`` the request (in a thread; it returns once
    OpenAI has been asked), do what the test is about, then ``finish`` to release the reply
    and get the held request's result.
    """

    def __init__(self, reply: httpx.Response) -> None:
        self.reply = reply
        self._asked, self._released = threading.Event(), threading.Event()
        self._outcome: dict[str, object] = {}
        self._thread: threading.Thread | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self._asked.set()
        assert self._released.wait(PATIENCE)
        return self.reply

    def start(self, call: Callable[[], object]) -> None:
        self._thread = threading.Thread(target=lambda: self._outcome.update(result=call()))
        self._thread.start()
        assert self._asked.wait(PATIENCE)

    def finish(self) -> object:
        self._released.set()
        self._thread.join(PATIENCE)
        return self._outcome["result"]


# For what only SQLite has (its pragmas, EXPLAIN QUERY PLAN): the test runs on SQLite alone.
on_sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def database_app_fixtures(module: ModuleType):
    """The ``app`` and ``client`` fixtures of a database-backed example: each test gets a fresh database,
    once on SQLite and once on PostgreSQL (the ``database_url`` fixture).

    In a test module: ``app, client = database_app_fixtures(app_module)``.
    """

    @pytest.fixture
    def app(database_url):
        app = module.create_app({"DATABASE_URL": database_url})
        yield app
        dispose(app)

    @pytest.fixture
    def client(app):
        return app.test_client()

    return app, client


def query_plans(app, make_request: Callable[[], object]) -> dict[str, list[str]]:
    """SQLite's plan of every SELECT the app runs during ``make_request()``: SQL -> plan lines."""
    engine = app.extensions["database"]
    statements = []

    def record(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        make_request()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    with engine.connect() as connection:
        return {
            sql: [row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parameters).all()]
            for sql, parameters in statements
        }


def assert_served_by_an_index(plans: dict[str, list[str]], table: str) -> None:
    """The list query on ``table`` reads it through an index, in index order: no full scan, no temporary sort."""
    lists = {sql: plan for sql, plan in plans.items() if f"FROM {table}" in sql and "LIMIT" in sql}
    assert lists, f"no list query on {table} among {list(plans)}"
    for sql, plan in lists.items():
        assert not any(line.startswith(f"SCAN {table}") for line in plan), (sql, plan)
        assert not any("TEMP B-TREE" in line for line in plan), (sql, plan)
        assert any(line.startswith(f"SEARCH {table} USING") for line in plan), (sql, plan)


def server_refused(shown_url: str) -> str:
    """What a backend says of a PostgreSQL ``DATABASE_URL`` whose port nothing listens on: the refused connection,
    or, where the production group is not installed, the driver to install first."""
    if importlib.util.find_spec("psycopg") is None:
        return (
            f"DATABASE_URL {shown_url!r} needs the Python package psycopg, which is not installed: "
            "run 'uv sync --group production'."
        )
    return (
        f"DATABASE_URL {shown_url!r} cannot be used: connection failed: "
        'connection to server at "127.0.0.1", port 1 failed: Connection refused'
    )
