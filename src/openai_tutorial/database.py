"""SQLAlchemy setup shared by the apps that keep state in SQLite or PostgreSQL.

``open_database(url, Base, default=...)`` opens a ``DATABASE_URL`` a user set, or says in one
line (a ``UsageError``, its password masked) what to fix: a malformed URL, a relative SQLite
path, a missing folder or driver, a file that is not a database.
``make_database(url, Base)`` creates the engine, sets SQLite's pragmas on every
new connection (WAL so readers never block the writer, with fewer disk syncs; a busy
timeout so concurrent writers wait instead of failing; foreign keys so cascades work),
and creates the tables.
``UTCDateTime`` stores times as UTC and gives them back timezone-aware, whatever the
database. ``store_answered`` keeps a turn OpenAI has answered, waiting out a busy database.

The Flask side, as in Flask's tutorial (``flaskr/db.py``): ``init_database(app, Base, default=...)``
in the factory opens the app's database once, and a request gets its engine with ``db_engine()``.
Every app uses one idiom on it: SQLAlchemy Core statements run in a short transaction of their
own (``with db_engine().begin() as connection:``), never held across a call to OpenAI. The
tables are declared as ORM classes for their columns and types; no ORM session is used.
The turn lock is in ``turn_lock.py``.
"""

import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import URL, DateTime, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from openai_tutorial.errors import UsageError
from openai_tutorial.sqlite_wal import use_wal

SQLITE_BUSY_TIMEOUT_MS = 5000

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def shown(url: str) -> str:
    """``url`` fit for a message or a log: its password masked, even when the URL does not parse."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"(//[^/@]*?:)[^/@]*@", r"\1***@", url)


def sqlite_path(url: str) -> Path | None:
    """The file an SQLite ``DATABASE_URL`` names (None for a server or an in-memory database).

    A relative path is refused: it would depend on the folder the app was started from.
    """
    try:
        location = make_url(url)
    except (ArgumentError, ValueError):
        raise UsageError(
            f"DATABASE_URL {shown(url)!r} is not a database URL such as sqlite:////absolute/path.db "
            "or postgresql+psycopg://user:password@host/db."
        ) from None
    if location.get_backend_name() != "sqlite" or location.database in (None, "", ":memory:"):
        return None
    path = Path(location.database)
    if not path.is_absolute():
        raise UsageError(
            f"DATABASE_URL {shown(url)!r} names the relative path {path}, which would be {path.resolve()}: "
            f"write sqlite:///{path.resolve()} (an absolute path after sqlite:///) instead."
        )
    return path


def open_database(url: str, base: type[DeclarativeBase], *, default: Path) -> Engine:
    """``make_database`` for a URL a user set: what stops it is one line saying what to fix.

    Only the app's ``default`` file gets its folder created; any other path must be in a folder that exists.
    """
    path = sqlite_path(url)
    if path == default:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif path is not None and not path.parent.is_dir():
        raise UsageError(f"DATABASE_URL {shown(url)!r} names a file in {path.parent}, which is not a folder.")
    try:
        return make_database(url, base)
    except ImportError as error:  # the dialect imports its driver only now
        hint = "run 'uv sync --group production'"
        if error.name != "psycopg":
            hint = f"for PostgreSQL write postgresql+psycopg://… and {hint}"
        raise UsageError(
            f"DATABASE_URL {shown(url)!r} needs the Python package {error.name}, which is not installed: {hint}."
        ) from None
    except (SQLAlchemyError, OSError) as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        password = make_url(url).password
        if password:
            reason = reason.replace(str(password), "***")
        raise UsageError(f"DATABASE_URL {shown(url)!r} cannot be used: {reason}") from None


def make_engine(url: str | URL) -> Engine:
    location = make_url(url)
    if location.get_backend_name() != "sqlite":
        # A server closes idle connections (on a restart, or a proxy's timeout): test each one before use.
        return create_engine(location, pool_pre_ping=True)
    engine = create_engine(location)

    @event.listens_for(engine, "connect")
    def set_sqlite_pragmas(connection: Any, _record: Any) -> None:
        use_wal(connection)
        cursor = connection.cursor()
        # With WAL this cannot corrupt the database; a power cut may lose only the last commits.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


SCHEMA_ATTEMPTS = 5


SCHEMA_LOCK = 0x7475746F  # any number the app's other advisory locks do not use


def create_tables(engine: Engine, base: type[DeclarativeBase]) -> None:
    """Create the missing tables, also when several workers start at once on a new database.

    ``create_all`` checks which tables exist, then creates the others: a worker that starts at
    the same instant may create one in between, and this one's CREATE then fails with "already
    exists". On PostgreSQL the workers take turns: an advisory lock held for the transaction
    that creates the tables (PostgreSQL's DDL is transactional). SQLite has no such lock, so
    there a worker tries again: that is safe (what exists is skipped) and soon finds nothing to do.
    """
    if engine.dialect.name == "postgresql":  # pragma: no mutate block, postgresql
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
            base.metadata.create_all(connection)
        return
    for attempt in range(1, SCHEMA_ATTEMPTS):
        try:
            base.metadata.create_all(engine)
            return
        except (OperationalError, ProgrammingError, IntegrityError) as error:
            if "already exists" not in str(error):
                raise
            time.sleep(0.05 * attempt)
    base.metadata.create_all(engine)  # the last try: whatever it raises is the answer


def make_database(url: str | URL, base: type[DeclarativeBase]) -> Engine:
    """The engine, with ``base``'s tables created."""
    engine = make_engine(url)
    create_tables(engine, base)
    return engine


# What a turn OpenAI has answered is worth waiting for: each try first waits out the busy timeout.
STORE_ATTEMPTS = 3


def store_answered[T](store: Callable[[], T]) -> T:
    """Run ``store``, the transaction that keeps a turn OpenAI has already answered, trying again while the
    database is busy or unreachable (up to ``STORE_ATTEMPTS`` tries, 15 s on SQLite): OpenAI's side holds
    the turn already, and a turn given up here is one the two sides disagree on."""
    for attempt in range(1, STORE_ATTEMPTS):
        try:
            return store()
        except OperationalError as error:
            log.warning(
                "Could not store an answered turn (%s); trying again (%d of %d)",
                error.orig,
                attempt + 1,
                STORE_ATTEMPTS,
            )
    return store()  # the last try: what it raises is the answer


def init_database(app: Flask, base: type[DeclarativeBase], *, default: Path) -> None:
    """Open ``app.config["DATABASE_URL"]`` and create ``base``'s tables; requests use ``db_engine()``.

    A database that cannot be opened stops the app at start with one line saying why; ``default``
    is the app's own file, the only one whose folder is created.
    """
    app.extensions["database"] = open_database(app.config["DATABASE_URL"], base, default=default)


def db_engine() -> Engine:
    """The current app's engine: ``with db_engine().begin() as connection: connection.execute(...)``."""
    engine: Engine = current_app.extensions["database"]
    return engine
