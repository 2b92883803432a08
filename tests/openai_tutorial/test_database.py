"""The shared SQLAlchemy setup on SQLite and PostgreSQL: UTC times, pragmas, schema creation, opening a URL."""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, insert, inspect, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from openai_tutorial import database
from openai_tutorial.database import create_tables, init_database, make_database, make_engine, open_database
from openai_tutorial.errors import UsageError
from openai_tutorial.web import create_json_app, serve
from tests.conftest import REPO_ROOT
from tests.openai_tutorial.conftest import NOON, Base, Room
from tests.support import optional
from tests.support.helpers import PATIENCE, server_refused, sqlite_url


@pytest.fixture
def local_zone_new_york(monkeypatch):
    """This process's local time zone set to New York, whatever the machine's: a time handled without its zone
    would be stored in local time, and show."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_times_are_stored_in_utc_and_come_back_timezone_aware(engine, local_zone_new_york):
    paris_evening = datetime(2026, 11, 22, 19, 30, tzinfo=timezone(timedelta(hours=1)))
    with engine.begin() as connection:
        connection.execute(update(Room).where(Room.name == "a").values(opened_at=paris_evening))

    with engine.connect() as connection:
        stored = connection.scalar(select(Room.opened_at).where(Room.name == "a"))

    assert stored == paris_evening
    assert stored.tzinfo is UTC
    assert stored.hour == 18


def test_the_folder_of_the_default_file_is_created_and_a_second_start_works(tmp_path):
    default = tmp_path / "new" / "folder" / "app.db"

    first = open_database(f"sqlite:///{default}", Base, default=default)
    second = open_database(f"sqlite:///{default}", Base, default=default)

    assert default.is_file()
    for engine in (first, second):
        engine.dispose()


def test_an_in_memory_database_needs_no_folder():
    engine = make_database("sqlite://", Base)

    with engine.begin() as connection:
        connection.execute(insert(Room).values(name="a", opened_at=NOON))
    with engine.connect() as connection:
        assert connection.scalar(select(Room.opened_at).where(Room.name == "a")) == NOON
    engine.dispose()


def test_only_a_server_database_tests_each_connection_before_use():
    # What this buys is shown on a real server just below; this says it is asked for.
    optional.require_module("psycopg", "production")
    server, sqlite = make_engine("postgresql+psycopg://localhost/app"), make_engine("sqlite://")

    assert (server.pool._pre_ping, sqlite.pool._pre_ping) == (True, False)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_connection_the_server_closed_is_replaced_before_use(engine, database_url):
    with engine.connect() as connection:
        backend = connection.scalar(text("SELECT pg_backend_pid()"))
    admin = create_engine(database_url)
    with admin.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    admin.dispose()

    with engine.connect() as connection:
        assert connection.scalar(text("SELECT pg_backend_pid()")) != backend
        assert connection.scalar(select(Room.opened_at).where(Room.name == "a")) == NOON


def test_creating_the_tables_tries_again_when_another_worker_created_one_meanwhile(tmp_path, monkeypatch):
    engine = make_engine(sqlite_url(tmp_path))
    real_create_all, attempts = Base.metadata.create_all, []

    def create_all_racing(bind):
        attempts.append(1)
        if len(attempts) == 1:
            raise OperationalError("CREATE TABLE rooms", {}, Exception("table rooms already exists"))
        real_create_all(bind)

    monkeypatch.setattr(Base.metadata, "create_all", create_all_racing)
    create_tables(engine, Base)

    assert len(attempts) == 2
    assert inspect(engine).get_table_names() == ["rooms"]
    engine.dispose()


def test_a_race_that_lasts_until_the_last_try_ends_with_the_tables_after_growing_pauses(tmp_path, monkeypatch):
    engine = make_engine(sqlite_url(tmp_path))
    real_create_all, attempts, pauses = Base.metadata.create_all, [], []

    def create_all_racing(bind):
        attempts.append(1)
        if len(attempts) < database.SCHEMA_ATTEMPTS:
            raise OperationalError("CREATE TABLE rooms", {}, Exception("table rooms already exists"))
        real_create_all(bind)

    monkeypatch.setattr(Base.metadata, "create_all", create_all_racing)
    monkeypatch.setattr(database.time, "sleep", pauses.append)
    create_tables(engine, Base)

    assert len(attempts) == database.SCHEMA_ATTEMPTS == 5
    assert pauses == pytest.approx([0.05, 0.1, 0.15, 0.2])
    assert inspect(engine).get_table_names() == ["rooms"]
    engine.dispose()


def test_other_schema_errors_and_a_race_that_never_ends_are_raised(tmp_path, monkeypatch):
    engine = make_engine(sqlite_url(tmp_path))
    monkeypatch.setattr(database, "SCHEMA_ATTEMPTS", 2)
    monkeypatch.setattr(database.time, "sleep", lambda seconds: None)

    def raising(message):
        def create_all(bind):
            raise OperationalError("CREATE TABLE rooms", {}, Exception(message))

        return create_all

    monkeypatch.setattr(Base.metadata, "create_all", raising("disk I/O error"))
    with pytest.raises(OperationalError, match="disk I/O error"):
        create_tables(engine, Base)
    monkeypatch.setattr(Base.metadata, "create_all", raising("table rooms already exists"))
    with pytest.raises(OperationalError, match="already exists"):
        create_tables(engine, Base)
    engine.dispose()


RACE = """
import sys
import Conversation_API.multi_user_app as app_module
print("ready", flush=True)
sys.stdin.readline()  # the test says "go" to every worker at once
app_module.create_app({"DATABASE_URL": sys.argv[1]})
"""


def test_four_workers_starting_together_on_a_new_database_all_start(database_url):
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", RACE, database_url],
            cwd=REPO_ROOT,
            env={**os.environ, "OPENAI_OFFLINE": "1"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    # A barrier, not a clock: each worker has imported the app before any of them creates its tables.
    ready = [worker.stdout.readline() for worker in workers]
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    outcomes = [(worker.communicate(timeout=PATIENCE)[1], worker.returncode) for worker in workers]

    assert ready == ["ready\n"] * 4
    assert [stderr for stderr, status in outcomes if status != 0] == []


# --- the Flask side: init_database ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "not a url",
            "DATABASE_URL 'not a url' is not a database URL such as sqlite:////absolute/path.db "
            "or postgresql+psycopg://user:password@host/db.",
        ),
        (
            "mysql+nodriver://x/y",
            "DATABASE_URL 'mysql+nodriver://x/y' cannot be used: Can't load plugin: sqlalchemy.dialects:mysql.nodriver",
        ),
        ("sqlite:///{tmp}", "DATABASE_URL 'sqlite:///{tmp}' cannot be used: unable to open database file"),
        (
            "sqlite:///{tmp}/corrupt.db",
            "DATABASE_URL 'sqlite:///{tmp}/corrupt.db' cannot be used: file is not a database",
        ),
        (
            "sqlite:///{tmp}/file.txt/app.db",
            "DATABASE_URL 'sqlite:///{tmp}/file.txt/app.db' names a file in {tmp}/file.txt, which is not a folder.",
        ),
        (
            "sqlite:///{tmp}/no/such/folder/app.db",
            "DATABASE_URL 'sqlite:///{tmp}/no/such/folder/app.db' names a file in {tmp}/no/such/folder, "
            "which is not a folder.",
        ),
        (
            "sqlite:///tmp/x/y.db",
            "DATABASE_URL 'sqlite:///tmp/x/y.db' names the relative path tmp/x/y.db, which would be "
            "{cwd}/tmp/x/y.db: write sqlite:///{cwd}/tmp/x/y.db (an absolute path after sqlite:///) instead.",
        ),
        (
            "postgresql+pg8000://ada:hunter2pw@127.0.0.1/db",
            "DATABASE_URL 'postgresql+pg8000://ada:***@127.0.0.1/db' needs the Python package pg8000, which is not "
            "installed: for PostgreSQL write postgresql+psycopg://… and run 'uv sync --group production'.",
        ),
        (
            "postgresql+psycopg://ada:hunter2pw@127.0.0.1:1/db",
            server_refused("postgresql+psycopg://ada:***@127.0.0.1:1/db"),
        ),
        (
            "postgresql+psycopg://ada:hunter2pw@127.0.0.1:notaport/db",
            "DATABASE_URL 'postgresql+psycopg://ada:***@127.0.0.1:notaport/db' is not a database URL such as "
            "sqlite:////absolute/path.db or postgresql+psycopg://user:password@host/db.",
        ),
    ],
)
def test_a_database_that_cannot_be_opened_stops_the_app_with_one_line_and_no_password(
    tmp_path, monkeypatch, capsys, url, message
):
    (tmp_path / "corrupt.db").write_bytes(b"this is not sqlite" * 100)
    (tmp_path / "file.txt").write_text("x")
    monkeypatch.chdir(tmp_path)
    url = url.format(tmp=tmp_path)

    with pytest.raises(SystemExit) as exited:
        serve(lambda: database_app(url))

    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert error == message.format(tmp=tmp_path, cwd=tmp_path) + "\n"
    assert "hunter2pw" not in error
    assert not (tmp_path / "tmp").exists()


def test_a_server_database_without_its_driver_names_the_group_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the production group were not installed

    with pytest.raises(SystemExit) as exited:
        serve(lambda: database_app("postgresql+psycopg://ada:hunter2pw@db-host/tutorial"))

    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "DATABASE_URL 'postgresql+psycopg://ada:***@db-host/tutorial' needs the Python package psycopg, which is not "
        "installed: run 'uv sync --group production'.\n"
    )


def test_only_the_default_file_gets_its_folder_created(tmp_path):
    default = tmp_path / "instance" / "app.db"

    app = database_app(f"sqlite:///{default}", default=default)

    assert default.is_file()
    app.extensions["database"].dispose()


def database_app(url: str, default: Path = Path("/nowhere/app.db")) -> Flask:
    app = create_json_app(__name__, "test_app")
    app.config["DATABASE_URL"] = url
    init_database(app, DatabaseBase, default=default)
    return app


class DatabaseBase(DeclarativeBase):
    pass


class Note(DatabaseBase):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (
            "postgresql+psycopg://ada:hunter2@db-host:5432/tutorial",
            "postgresql+psycopg://ada:***@db-host:5432/tutorial",
        ),
        ("postgresql://ada:p/w@db-host/tutorial", "postgresql://ada:***@db-host/tutorial"),  # a "/" in the password
        ("not a url://ada:hunter2@db-host", "not a url://ada:***@db-host"),  # what does not parse is masked too
        ("sqlite:////srv/app.db", "sqlite:////srv/app.db"),
    ],
    ids=["server", "slash in the password", "not a url", "no password"],
)
def test_a_url_is_shown_with_its_password_masked(url, masked):
    assert database.shown(url) == masked


def test_storing_an_answered_turn_tries_again_while_the_database_is_busy_and_says_so(monkeypatch, caplog):
    monkeypatch.setattr(database, "STORE_ATTEMPTS", 3)
    tries = iter([OperationalError("INSERT", {}, Exception("database is locked"))] * 2 + ["stored"])

    def store():
        outcome = next(tries)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert database.store_answered(store) == "stored"
    assert caplog.messages == [
        "Could not store an answered turn (database is locked); trying again (2 of 3)",
        "Could not store an answered turn (database is locked); trying again (3 of 3)",
    ]


def test_now_is_timezone_aware_utc():
    assert database.utc_now().tzinfo is UTC


@pytest.mark.parametrize(
    "url",
    ["sqlite://", "sqlite:///", "sqlite:///:memory:", "postgresql+psycopg://db-host/app"],
    ids=["no path", "empty path", "in memory", "server"],
)
def test_an_in_memory_or_server_database_names_no_file(url):
    assert database.sqlite_path(url) is None


def test_a_driver_that_is_not_installed_is_named_with_the_way_to_postgresql(tmp_path):
    with pytest.raises(UsageError) as refused:
        open_database("mysql://ada:hunter2pw@db-host/app", Base, default=tmp_path / "app.db")

    assert refused.value.message == (
        "DATABASE_URL 'mysql://ada:***@db-host/app' needs the Python package MySQLdb, which is not installed: "
        "for PostgreSQL write postgresql+psycopg://… and run 'uv sync --group production'."
    )


def test_a_password_the_driver_repeats_in_its_error_is_masked(monkeypatch, tmp_path):
    def refuse(url, base):
        raise OperationalError("connect", {}, Exception("password 'hunter2pw' was rejected for ada"))

    monkeypatch.setattr(database, "make_database", refuse)
    with pytest.raises(UsageError) as refused:
        open_database("postgresql+psycopg://ada:hunter2pw@db-host/app", Base, default=tmp_path / "app.db")

    assert refused.value.message == (
        "DATABASE_URL 'postgresql+psycopg://ada:***@db-host/app' cannot be used: password '***' was rejected for ada"
    )
