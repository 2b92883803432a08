"""SQLAlchemy setup shared by the apps that keep state in SQLite or PostgreSQL.

``make_session_factory(url, Base)`` creates the engine, sets SQLite's pragmas on every
new connection (WAL so readers never block the writer, with fewer disk syncs; a busy
timeout so concurrent writers wait instead of failing; foreign keys so cascades work),
and creates the tables.
``UTCDateTime`` stores times as UTC and gives them back timezone-aware, whatever the
database. ``turn_lock`` is the per-conversation lock that keeps two turns apart.
"""

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, create_engine, event, make_url, or_, text, update
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

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


def make_engine(url: str) -> Engine:
    location = make_url(url)
    if location.get_backend_name() != "sqlite":
        # A server closes idle connections (on a restart, or a proxy's timeout): test each one before use.
        return create_engine(location, pool_pre_ping=True)
    if location.database and location.database != ":memory:":
        Path(location.database).parent.mkdir(parents=True, exist_ok=True)
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
    if engine.dialect.name == "postgresql":
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


def make_session_factory(url: str, base: type[DeclarativeBase]) -> sessionmaker[Session]:
    engine = make_engine(url)
    create_tables(engine, base)
    return sessionmaker(engine, expire_on_commit=False)


def claim_turn(session: Session, key_column: Any, key: Any, *, stale_after: timedelta, where: Any = True) -> bool:
    """Set ``busy_since`` on the row whose ``key_column`` is ``key``, unless another turn holds it.

    Returns True when this call got the row.

    One UPDATE decides, so two requests (in threads or processes) cannot both win. A claim
    older than ``stale_after`` counts as abandoned (a crashed worker), so it never locks forever.
    """
    now = utc_now()
    model = key_column.class_
    result = session.execute(
        update(model)
        .where(key_column == key, where, or_(model.busy_since.is_(None), model.busy_since < now - stale_after))
        .values(busy_since=now)
        # The lock's UPDATEs run in transactions of their own, where no row is loaded as an object:
        # nothing for the ORM to bring up to date, so it is told not to look (a third of their cost).
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def renew_claim(sessions: sessionmaker[Session], key_column: Any, key: Any) -> None:
    """Move a held claim's ``busy_since`` to now; a released row (``busy_since`` unset) is left alone."""
    model = key_column.class_
    try:
        with sessions.begin() as session:
            session.execute(
                update(model)
                .where(key_column == key, model.busy_since.is_not(None))
                .values(busy_since=utc_now())
                .execution_options(synchronize_session=False)
            )
    except SQLAlchemyError as error:  # the next beat tries again; the claim stays valid until stale_after
        log.warning("Could not refresh the turn lock of %s: %s", key, error)


class Heartbeat:
    """One thread per process that renews every turn lock the process holds, each at its own pace.

    A thread per turn would cost a start and a join on every message; this one sleeps until
    the next renewal is due and is woken when a lock is taken.
    """

    def __init__(self) -> None:
        self._held: dict[int, tuple[Callable[[], None], float, float]] = {}  # token -> (renew, every, due)
        self._tokens = itertools.count()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, renew: Callable[[], None], every: float) -> int:
        with self._lock:
            token = next(self._tokens)
            self._held[token] = (renew, every, time.monotonic() + every)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="turn-lock-heartbeat", daemon=True)
                self._thread.start()
        self._wake.set()
        return token

    def release(self, token: int) -> None:
        with self._lock:
            del self._held[token]

    def _run(self) -> None:
        while True:
            self._wake.wait(self._seconds_to_next_renewal())
            self._wake.clear()
            self._renew_those_due()

    def _seconds_to_next_renewal(self) -> float | None:
        with self._lock:
            due = min((due for _, _, due in self._held.values()), default=None)
        return None if due is None else max(due - time.monotonic(), 0)

    def _renew_those_due(self) -> None:
        now = time.monotonic()
        with self._lock:
            ready = [renew for renew, every, due in self._held.values() if due <= now]
            self._held = {
                token: (renew, every, now + every if due <= now else due)
                for token, (renew, every, due) in self._held.items()
            }
        for renew in ready:
            renew()


HEARTBEAT = Heartbeat()


@contextmanager
def turn_lock(
    sessions: sessionmaker[Session],
    key_column: Any,
    key: Any,
    *,
    stale_after: timedelta,
    busy: Callable[[], Exception],
    where: Any = True,
) -> Iterator[None]:
    """Hold the row's turn for the length of the block: claimed on enter, released on exit, error or not.

    Raises ``busy()`` when another turn holds it (or the row no longer matches ``where``). The
    claim and the release are each a short transaction of their own, so no transaction stays
    open while the block calls OpenAI. While the block runs, the process's ``HEARTBEAT`` renews
    the claim every third of ``stale_after``: a turn may take as long as it needs, yet the lock of
    a worker that crashed (kill -9) is free again ``stale_after`` later.
    """
    with sessions.begin() as session:
        claimed = claim_turn(session, key_column, key, stale_after=stale_after, where=where)
    if not claimed:
        raise busy()
    token = HEARTBEAT.hold(lambda: renew_claim(sessions, key_column, key), stale_after.total_seconds() / 3)
    try:
        yield
    finally:
        HEARTBEAT.release(token)
        with sessions.begin() as session:
            session.execute(
                update(key_column.class_)
                .where(key_column == key)
                .values(busy_since=None)
                .execution_options(synchronize_session=False)
            )
