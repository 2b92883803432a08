"""SQLAlchemy setup shared by the apps that keep state in SQLite or PostgreSQL.

``open_database(url, Base, default=...)`` opens a ``DATABASE_URL`` a user set, or says in one
line (a ``UsageError``, its password masked) what to fix: a malformed URL, a relative SQLite
path, a missing folder or driver, a file that is not a database.
``make_session_factory(url, Base)`` creates the engine, sets SQLite's pragmas on every
new connection (WAL so readers never block the writer, with fewer disk syncs; a busy
timeout so concurrent writers wait instead of failing; foreign keys so cascades work),
and creates the tables.
``UTCDateTime`` stores times as UTC and gives them back timezone-aware, whatever the
database. ``TurnLock`` is the per-conversation lock that keeps two turns apart.
"""

import itertools
import logging
import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, DateTime, Engine, bindparam, create_engine, event, make_url, or_, text, update
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from openai_tutorial.errors import UsageError
from openai_tutorial.sqlite_wal import use_wal

SQLITE_BUSY_TIMEOUT_MS = 5000

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
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


def open_database(url: str, base: type[DeclarativeBase], *, default: Path) -> sessionmaker[Session]:
    """``make_session_factory`` for a URL a user set: what stops it is one line saying what to fix.

    Only the app's ``default`` file gets its folder created; any other path must be in a folder that exists.
    """
    path = sqlite_path(url)
    if path == default:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif path is not None and not path.parent.is_dir():
        raise UsageError(f"DATABASE_URL {shown(url)!r} names a file in {path.parent}, which is not a folder.")
    try:
        return make_session_factory(url, base)
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
    # Not mutated: this branch is tested on a PostgreSQL server, which the mutation run leaves out.
    if engine.dialect.name == "postgresql":  # pragma: no mutate block
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


def make_session_factory(url: str | URL, base: type[DeclarativeBase]) -> sessionmaker[Session]:
    engine = make_engine(url)
    create_tables(engine, base)
    # No route reads a row after its transaction; should one, its values are still there. Not mutated, as
    # nothing here would show the difference.
    return sessionmaker(engine, expire_on_commit=False)  # pragma: no mutate


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


class Heartbeat:
    """One thread per process that renews every turn lock the process holds, each at its own pace.

    A thread per turn would cost a start and a join on every message; this one sleeps until
    the next renewal is due. Taking a lock wakes it only when that lock is due before it would
    wake anyway: waking it on every turn cost each turn a third of a millisecond, as the two
    threads took turns at Python's interpreter lock.
    """

    def __init__(self) -> None:
        self._held: dict[int, tuple[Callable[[], None], float, float]] = {}  # token -> (renew, every, due)
        self._tokens = itertools.count()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._wakes_at = math.inf  # when the thread will next look, by time.monotonic()
        self._thread: threading.Thread | None = None

    def hold(self, renew: Callable[[], None], every: float) -> int:
        due = time.monotonic() + every
        with self._lock:
            token = next(self._tokens)
            self._held[token] = (renew, every, due)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="turn-lock-heartbeat", daemon=True)
                self._thread.start()
            sooner = due < self._wakes_at  # pragma: no mutate: `<=` differs only when two clocks tie
        if sooner:
            self._wake.set()
        return token

    def release(self, token: int) -> None:
        with self._lock:
            del self._held[token]

    def stop(self) -> None:
        """End the thread once no lock is held (a test's clean-up; a server's thread ends with its process)."""
        with self._lock:
            if self._held:
                raise RuntimeError(f"{len(self._held)} turn lock(s) still held")
            thread, self._thread = self._thread, None
        if thread is not None:
            self._wake.set()  # it finds nothing held and no thread of its own: it returns
            thread.join()

    def _run(self) -> None:
        while True:
            self._wake.wait(self._seconds_to_next_renewal())
            self._wake.clear()
            with self._lock:
                if self._thread is not threading.current_thread():
                    return
            self._renew_those_due()

    def _seconds_to_next_renewal(self) -> float | None:
        with self._lock:
            self._wakes_at = wakes_at = min((due for _, _, due in self._held.values()), default=math.inf)
        return None if wakes_at == math.inf else max(wakes_at - time.monotonic(), 0)

    def _renew_those_due(self) -> None:
        now = time.monotonic()
        with self._lock:
            ready = [renew for renew, every, due in self._held.values() if due <= now]  # pragma: no mutate: ties
            self._held = {
                token: (renew, every, now + every if due <= now else due)
                for token, (renew, every, due) in self._held.items()
            }
        for renew in ready:
            try:
                renew()
            except Exception as error:  # one lock's failure must not stop the renewal of the others
                log.warning("A turn lock's renewal failed: %s: %s", type(error).__name__, error)


HEARTBEAT = Heartbeat()
# A forked worker (gunicorn --preload) inherits the heartbeat but not its thread, nor the parent's
# locks: it starts afresh, with a thread of its own once it takes a lock.
os.register_at_fork(after_in_child=HEARTBEAT.__init__)


class TurnLock:
    """A lock per row, kept in its ``busy_since`` column, that keeps two turns on the row apart.

    Defined once per model (``TURNS = TurnLock(Conversation.id, stale_after=...)``); a turn
    holds it with ``with TURNS.held(engine, key, busy=...):``.

    One UPDATE claims it, so two requests (in threads or processes) cannot both win. The claim
    and the release are each a short transaction of their own, so no transaction stays open
    while the block calls OpenAI. While the block runs, the process's ``HEARTBEAT`` renews the
    claim every third of ``stale_after``: a turn may take as long as it needs, yet the lock of a
    worker that crashed (kill -9) is free again ``stale_after`` later.

    The three statements are built once, here, and run on the engine: each turn then only binds
    its values, and skips the ORM, which has nothing to do for one column of a row no session has
    loaded. Building them and passing them through the ORM on every turn cost more than the
    database's own work (about 0.4 ms a turn on SQLite).
    """

    def __init__(self, key_column: Any, *, stale_after: timedelta, where: Any = None) -> None:
        key = key_column.property.columns[0]
        self._busy_since = busy_since = key.table.c.busy_since
        self.stale_after = stale_after
        # ``where``: what else the row must be for a turn to start (for example, still active).
        claimable = [key == bindparam("lock_key"), or_(busy_since.is_(None), busy_since < bindparam("stale_before"))]
        if where is not None:
            claimable.append(where)
        self._claim = update(key.table).where(*claimable).values(busy_since=bindparam("claimed_at"))
        self._renew = (
            update(key.table)
            .where(key == bindparam("lock_key"), busy_since.is_not(None))
            .values(busy_since=bindparam("claimed_at"))
        )
        self._release = update(key.table).where(key == bindparam("lock_key")).values(busy_since=None)

    def not_held(self) -> Any:
        """A condition on the row, for a query: no turn holds it (or the one that did died long ago)."""
        return self._busy_since.is_(None) | (self._busy_since < utc_now() - self.stale_after)

    def claim(self, connection: Connection, key: Any) -> bool:
        """Take the row's turn unless another holds it (or held it less than ``stale_after`` ago); True if taken."""
        now = utc_now()
        values = {"lock_key": key, "claimed_at": now, "stale_before": now - self.stale_after}
        return connection.execute(self._claim, values).rowcount == 1

    def renew(self, engine: Engine, key: Any) -> None:
        """Move a held claim to now; a released row (``busy_since`` unset) is left alone."""
        try:
            with engine.begin() as connection:
                connection.execute(self._renew, {"lock_key": key, "claimed_at": utc_now()})
        except SQLAlchemyError as error:  # the next beat tries again; the claim stays valid until stale_after
            log.warning("Could not refresh the turn lock of %s: %s", key, error)

    @contextmanager
    def held(self, engine: Engine, key: Any, *, busy: Callable[[], Exception]) -> Iterator[None]:
        """Hold the row's turn for the length of the block, released on exit, error or not; raises ``busy()`` when
        another turn holds it (or the row does not match ``where``)."""
        with engine.begin() as connection:
            claimed = self.claim(connection, key)
        if not claimed:
            raise busy()
        with self.kept(engine, key):
            yield

    @contextmanager
    def kept(self, engine: Engine, key: Any) -> Iterator[None]:
        """Keep a claim already taken for the length of the block, released on exit: for a row inserted with
        ``busy_since`` set, which no other turn could take between its insert and a claim."""
        token = HEARTBEAT.hold(lambda: self.renew(engine, key), self.stale_after.total_seconds() / 3)
        try:
            yield
        finally:
            HEARTBEAT.release(token)
            with engine.begin() as connection:
                connection.execute(self._release, {"lock_key": key})
