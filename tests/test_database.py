"""The shared SQLAlchemy setup on SQLite and PostgreSQL: UTC times, pragmas, the turn lock, schema creation."""

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import String, create_engine, inspect, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from openai_tutorial import database
from openai_tutorial.database import (
    TurnLock,
    UTCDateTime,
    create_tables,
    make_engine,
    make_session_factory,
    open_database,
)
from tests import optional
from tests.conftest import REPO_ROOT
from tests.helpers import PATIENCE, sqlite_url

NOON = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class Room(Base):
    __tablename__ = "rooms"
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="open")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    busy_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


@pytest.fixture
def sessions(database_url):
    factory = make_session_factory(database_url, Base)
    with factory.begin() as session:
        session.add_all([Room(name="a", opened_at=NOON), Room(name="b", kind="locked", opened_at=NOON)])
    yield factory
    factory.kw["bind"].dispose()


@pytest.fixture
def local_zone_new_york(monkeypatch):
    """This process's local time zone set to New York, whatever the machine's: a time handled without its zone
    would be stored in local time, and show."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_times_are_stored_in_utc_and_come_back_timezone_aware(sessions, local_zone_new_york):
    paris_evening = datetime(2026, 11, 22, 19, 30, tzinfo=timezone(timedelta(hours=1)))
    with sessions.begin() as session:
        session.get(Room, "a").opened_at = paris_evening

    with sessions() as session:
        stored = session.get(Room, "a").opened_at

    assert stored == paris_evening
    assert stored.tzinfo is UTC
    assert stored.hour == 18


def room_turns(where=None) -> TurnLock:
    # Made inside each test, as an app makes its lock when it is loaded: a mutation run credits the test.
    return TurnLock(Room.name, stale_after=timedelta(minutes=5), where=where)


def claim(lock, sessions, key) -> bool:
    with sessions.kw["bind"].begin() as connection:
        return lock.claim(connection, key)


def test_only_one_claim_wins_until_released_or_stale(sessions):
    with time_machine.travel(NOON, tick=False) as clock:
        first = claim(room_turns(), sessions, "a")
        second = claim(room_turns(), sessions, "a")
        clock.shift(timedelta(minutes=5))
        at_the_limit = claim(room_turns(), sessions, "a")
        clock.shift(timedelta(seconds=1))
        after_stale = claim(room_turns(), sessions, "a")

    assert (first, second, at_the_limit, after_stale) == (True, False, False, True)
    assert holder(sessions) == NOON + timedelta(minutes=5, seconds=1)


def test_a_claim_respects_its_extra_condition_and_unknown_keys(sessions):
    locked = claim(room_turns(where=Room.kind == "open"), sessions, "b")
    open_room = claim(room_turns(where=Room.kind == "open"), sessions, "a")
    missing = claim(room_turns(), sessions, "zzz")
    other_kind = claim(room_turns(), sessions, "b")

    assert (locked, open_room, missing, other_kind) == (False, True, False, True)


class Busy(Exception):
    pass


def holder(sessions, key="a") -> datetime | None:
    with sessions() as session:
        return session.get(Room, key).busy_since


def test_renewing_moves_a_held_claim_to_now_and_leaves_a_released_row_alone(sessions):
    engine, lock = sessions.kw["bind"], room_turns()
    with time_machine.travel(NOON, tick=False) as clock:
        claim(lock, sessions, "a")
        clock.shift(timedelta(minutes=1))
        lock.renew(engine, "a")
        lock.renew(engine, "b")
        released_after_renewing = holder(sessions, "b")
        claim(lock, sessions, "b")
        clock.shift(timedelta(minutes=1))
        lock.renew(engine, "b")

    assert released_after_renewing is None
    assert (holder(sessions, "a"), holder(sessions, "b")) == (NOON + timedelta(minutes=1), NOON + timedelta(minutes=2))


def test_the_turn_lock_holds_the_row_for_the_block_and_releases_it_on_exit_error_or_not(sessions):
    engine = sessions.kw["bind"]

    def lock():
        return room_turns().held(engine, "a", busy=Busy)

    with time_machine.travel(NOON, tick=False):
        with lock():
            held, other = holder(sessions), holder(sessions, "b")
            with pytest.raises(Busy), lock():
                pass
            still_held = holder(sessions)
        released = holder(sessions)
        with pytest.raises(ValueError, match="boom"), lock():
            raise ValueError("boom")
        after_error = holder(sessions)

    assert (held, other, still_held, released, after_error) == (NOON, None, NOON, None, None)


def test_the_turn_lock_claims_only_rows_that_match_its_condition(sessions):
    with pytest.raises(Busy), room_turns(where=Room.kind == "open").held(sessions.kw["bind"], "b", busy=Busy):
        pass
    assert holder(sessions, "b") is None


def test_the_folder_of_the_default_file_is_created_and_a_second_start_works(tmp_path):
    default = tmp_path / "new" / "folder" / "app.db"

    first = open_database(f"sqlite:///{default}", Base, default=default)
    second = open_database(f"sqlite:///{default}", Base, default=default)

    assert default.is_file()
    for factory in (first, second):
        factory.kw["bind"].dispose()


def test_an_in_memory_database_needs_no_folder():
    factory = make_session_factory("sqlite://", Base)

    with factory.begin() as session:
        session.add(Room(name="a", opened_at=NOON))
    with factory() as session:
        assert session.get(Room, "a").opened_at == NOON
    factory.kw["bind"].dispose()


def test_a_held_lock_is_renewed_while_its_block_runs_and_a_dead_holders_lock_goes_stale(sessions, monkeypatch):
    """The stored times follow a clock the test moves; the heartbeat's pace is real, and waited for, not guessed."""
    quick_turns = TurnLock(Room.name, stale_after=timedelta(seconds=0.3))  # renewed every 0.1 s
    renewed = threading.Event()
    renew = quick_turns.renew

    def renew_and_say(engine, key):
        renew(engine, key)
        renewed.set()

    monkeypatch.setattr(quick_turns, "renew", renew_and_say)

    def lock():
        return quick_turns.held(sessions.kw["bind"], "a", busy=Busy)

    with time_machine.travel(NOON, tick=False) as clock:
        with lock():
            clock.shift(timedelta(seconds=0.2))
            while holder(sessions) != NOON + timedelta(seconds=0.2):  # until the heartbeat renews it at this time
                assert renewed.wait(PATIENCE)
                renewed.clear()
            clock.shift(timedelta(seconds=0.2))  # claimed 0.4 s ago, but renewed 0.2 s ago: still held
            with pytest.raises(Busy), lock():
                pass
        assert claim(quick_turns, sessions, "a")  # a holder that dies right after claiming: no heartbeat
        clock.shift(timedelta(seconds=0.29))
        with pytest.raises(Busy), lock():
            pass
        clock.shift(timedelta(seconds=0.02))  # 0.31 s without a renewal: stale
        with lock():
            taken_over = holder(sessions)

    assert taken_over == NOON + timedelta(seconds=0.71)


class CountingHeartbeat(database.Heartbeat):
    """Counts the thread's looks (each wake-up that renews what is due), and says when one happened."""

    def __init__(self) -> None:
        super().__init__()
        self.looks = 0
        self.looked = threading.Semaphore(0)

    def _renew_those_due(self) -> None:
        self.looks += 1
        super()._renew_those_due()
        self.looked.release()


@pytest.fixture
def heartbeat() -> Iterator[database.Heartbeat]:
    """A heartbeat of the test's own, its thread stopped at the end."""
    beat = CountingHeartbeat()
    yield beat
    beat.stop()


def test_a_heartbeat_renews_each_held_claim_at_its_own_pace_until_released(heartbeat):
    fast, slow = threading.Semaphore(0), threading.Semaphore(0)

    fast_token = heartbeat.hold(fast.release, 0.02)
    slow_token = heartbeat.hold(slow.release, 1.0)  # a second: two fast renewals never take that long
    assert fast.acquire(timeout=PATIENCE)
    assert fast.acquire(timeout=PATIENCE)  # renewed again, long before the slow one is due
    assert not slow.acquire(timeout=0)
    heartbeat.release(fast_token)
    assert slow.acquire(timeout=PATIENCE)
    heartbeat.release(slow_token)
    while fast.acquire(timeout=0):  # a renewal already under way when it was released
        pass

    time.sleep(0.1)
    assert not fast.acquire(timeout=0)


def test_each_held_lock_is_renewed_at_its_own_pace_while_both_are_held(heartbeat):
    renewals = {"fast": 0, "slow": 0}

    def renewing(name):
        def renew():
            renewals[name] += 1

        return renew

    tokens = [heartbeat.hold(renewing("fast"), 0.02), heartbeat.hold(renewing("slow"), 0.1)]
    time.sleep(1.0)
    for token in tokens:
        heartbeat.release(token)

    # About 50 and 10: neither renewed again at once (a busy loop), nor held back by the other. The
    # lower bounds leave room for a machine so busy that the thread runs half as often as it asks.
    assert 10 <= renewals["fast"] <= 60
    assert 4 <= renewals["slow"] <= 12


def test_taking_a_lock_wakes_the_heartbeat_only_when_it_is_due_before_the_next_look(heartbeat):
    renewed = threading.Semaphore(0)

    first = heartbeat.hold(renewed.release, 60)
    assert heartbeat.looked.acquire(timeout=PATIENCE)  # woken by the first lock, it looked once
    looks_after_first = heartbeat.looks
    later = [heartbeat.hold(renewed.release, 60) for _ in range(20)]  # due after the first: no wake
    time.sleep(0.05)  # time for a wrongly woken thread to look (the check is weaker, never wrong, when slow)
    looks_after_later = heartbeat.looks
    sooner = heartbeat.hold(renewed.release, 0.05)

    assert renewed.acquire(timeout=PATIENCE)
    assert (looks_after_first, looks_after_later) == (1, 1)
    for token in [first, *later, sooner]:
        heartbeat.release(token)


def test_the_heartbeat_thread_is_named_and_never_keeps_a_process_from_exiting(heartbeat):
    token = heartbeat.hold(lambda: None, 60)

    assert (heartbeat._thread.name, heartbeat._thread.daemon) == ("turn-lock-heartbeat", True)
    heartbeat.release(token)


def test_a_forked_worker_renews_its_own_locks():
    script = """
import os, signal, sys, threading
from openai_tutorial.database import HEARTBEAT

patience = float(sys.argv[1])
HEARTBEAT.hold(lambda: None, 60)  # the parent's heartbeat thread is running
child = os.fork()
if child == 0:
    signal.alarm(int(patience))  # a child stuck on a lock its parent held at the fork dies, and says so
    renewed = threading.Event()
    HEARTBEAT.hold(renewed.set, 0.05)
    os._exit(0 if renewed.wait(patience) else 1)
_, status = os.waitpid(child, 0)
print(os.waitstatus_to_exitcode(status))
"""
    completed = subprocess.run(
        [sys.executable, "-W", "ignore::DeprecationWarning", "-c", script, str(PATIENCE / 2)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )

    assert (completed.stdout, completed.stderr) == ("0\n", "")  # -14 would be the alarm: the child hung


def test_a_heartbeat_that_cannot_write_is_logged_and_the_block_goes_on(sessions, monkeypatch, caplog):
    engine = sessions.kw["bind"]
    real_begin, failing = engine.begin, threading.Event()

    def begin():
        if failing.is_set():
            raise OperationalError("UPDATE", {}, Exception("database is locked"))
        return real_begin()

    monkeypatch.setattr(engine, "begin", begin)
    with TurnLock(Room.name, stale_after=timedelta(seconds=0.15)).held(engine, "a", busy=Busy):
        failing.set()
        time.sleep(0.2)
        failing.clear()

    assert caplog.messages[0].startswith(
        "Could not refresh the turn lock of a: (builtins.Exception) database is locked"
    )
    assert holder(sessions) is None


def test_only_a_server_database_tests_each_connection_before_use():
    # What this buys is shown on a real server just below; this says it is asked for.
    optional.require_module("psycopg", "production")
    server, sqlite = make_engine("postgresql+psycopg://localhost/app"), make_engine("sqlite://")

    assert (server.pool._pre_ping, sqlite.pool._pre_ping) == (True, False)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_connection_the_server_closed_is_replaced_before_use(sessions, database_url):
    with sessions() as session:
        backend = session.scalar(text("SELECT pg_backend_pid()"))
    admin = create_engine(database_url)
    with admin.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    admin.dispose()

    with sessions() as session:
        assert session.scalar(text("SELECT pg_backend_pid()")) != backend
        assert session.get(Room, "a").opened_at == NOON


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
from tests.helpers import load_module
app_module = load_module("Conversation_API/conversation_multi_user_temp_memory_app/app.py")
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


def test_stopping_the_heartbeat_ends_its_thread_and_a_new_lock_starts_another(heartbeat):
    renewed = threading.Event()
    heartbeat.release(heartbeat.hold(lambda: None, 60))
    first = heartbeat._thread

    heartbeat.stop()
    token = heartbeat.hold(renewed.set, 0.01)

    assert not first.is_alive()
    assert renewed.wait(PATIENCE)
    heartbeat.release(token)


def test_the_heartbeat_refuses_to_stop_while_a_lock_is_held_and_keeps_renewing_it(heartbeat):
    renewed = threading.Event()
    token = heartbeat.hold(renewed.set, 0.01)

    with pytest.raises(RuntimeError, match=r"^1 turn lock\(s\) still held$"):
        heartbeat.stop()
    renewed.clear()

    assert renewed.wait(PATIENCE)
    assert heartbeat._thread.is_alive()
    heartbeat.release(token)


def test_a_renewal_that_fails_is_logged_and_the_other_locks_are_still_renewed(heartbeat, caplog):
    renewed = threading.Event()

    def broken() -> None:
        raise ValueError("mutated")

    tokens = [heartbeat.hold(broken, 0.01), heartbeat.hold(renewed.set, 0.01)]

    assert renewed.wait(PATIENCE)
    renewed.clear()
    assert renewed.wait(PATIENCE)  # renewed again after the broken one failed: the thread lives on
    for token in tokens:
        heartbeat.release(token)
    assert "A turn lock's renewal failed: ValueError: mutated" in caplog.text
