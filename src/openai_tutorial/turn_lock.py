"""The turn lock: one turn at a time on a row (a conversation, a user, a session), across threads and processes.

``TURNS = TurnLock(Conversation.id)`` once per table, with a ``busy_since`` column on it; a
turn holds it with ``with TURNS.held(engine, key, busy=...):``. One UPDATE claims it, so two
requests cannot both win; the claim and the release are each a short transaction of their
own, so no transaction stays open while the block calls OpenAI. While the block runs, the
process's ``HEARTBEAT`` thread renews the claim every third of ``STALE_AFTER``, so a turn may
take as long as it needs, yet the lock of a worker that crashed (kill -9) is free again
``STALE_AFTER`` later. That rule (free when unclaimed, or claimed and not renewed for
``STALE_AFTER``) is written once, in ``TurnLock.free_before``; queries that must leave a
busy row alone (expiry, purge) use it through ``TurnLock.not_held()``.
"""

import itertools
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, bindparam, or_, update
from sqlalchemy.exc import SQLAlchemyError

from openai_tutorial.database import utc_now

# A live turn renews its claim every 10 s; one not renewed for 30 s died with its worker, and the row is free again.
STALE_AFTER = timedelta(seconds=30)

log = logging.getLogger(__name__)


class Heartbeat:
    """One thread per process that renews every turn lock the process holds, each at its own pace.

    A thread per turn would cost a start and a join on every message; this one sleeps until
    the next renewal is due. Taking a lock wakes it only when that lock is due before it would
    wake anyway: waking it on every turn cost each turn a third of a millisecond, as the two
    threads took turns at Python's interpreter lock.
    """

    def __init__(self) -> None:
        self.start_afresh()

    def start_afresh(self) -> None:
        """Hold nothing and have no thread: a new heartbeat, or one a forked worker inherited."""
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
            sooner = due < self._wakes_at  # pragma: no mutate: tie
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
            ready = [renew for renew, every, due in self._held.values() if due <= now]  # pragma: no mutate: tie
            self._held = {
                token: (renew, every, now + every if due <= now else due)  # pragma: no mutate: tie
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
os.register_at_fork(after_in_child=HEARTBEAT.start_afresh)


class TurnLock:
    """A lock per row, kept in its ``busy_since`` column, that keeps two turns on the row apart.

    Its three statements are built once, here, and run on the engine: each turn only binds its values.
    """

    def __init__(self, key_column: Any, *, where: Any = None, stale_after: timedelta = STALE_AFTER) -> None:
        key = key_column.property.columns[0]
        self._busy_since = key.table.c.busy_since
        self.stale_after = stale_after
        # ``where``: what else the row must be for a turn to start (for example, still active).
        claimable = [key == bindparam("lock_key"), self.free_before(bindparam("stale_before"))]
        if where is not None:
            claimable.append(where)
        self._claim = update(key.table).where(*claimable).values(busy_since=bindparam("claimed_at"))
        self._renew = (
            update(key.table)
            .where(key == bindparam("lock_key"), self._busy_since.is_not(None))
            .values(busy_since=bindparam("claimed_at"))
        )
        self._release = update(key.table).where(key == bindparam("lock_key")).values(busy_since=None)

    def free_before(self, stale_before: Any) -> ColumnElement[bool]:
        """The rule, once: the row is free if no turn claimed it, or the turn that did last renewed before then."""
        return or_(self._busy_since.is_(None), self._busy_since < stale_before)

    def not_held(self) -> ColumnElement[bool]:
        """A condition on the row, for a query: no turn holds it (or the one that did died long ago)."""
        return self.free_before(utc_now() - self.stale_after)

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
