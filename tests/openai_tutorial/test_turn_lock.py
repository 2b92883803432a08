"""The turn lock: one claim wins, a held claim is renewed by the heartbeat thread, a dead holder's goes stale."""

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from openai_tutorial.turn_lock import Heartbeat, TurnLock
from tests.conftest import REPO_ROOT
from tests.openai_tutorial.conftest import NOON, Room
from tests.support.helpers import PATIENCE


def room_turns(where=None) -> TurnLock:
    # Made inside each test, as an app makes its lock when it is loaded: a mutation run credits the test.
    return TurnLock(Room.name, where=where, stale_after=timedelta(minutes=5))


def claim(lock, engine, key) -> bool:
    with engine.begin() as connection:
        return lock.claim(connection, key)


def test_only_one_claim_wins_until_released_or_stale(engine):
    with time_machine.travel(NOON, tick=False) as clock:
        first = claim(room_turns(), engine, "a")
        second = claim(room_turns(), engine, "a")
        clock.shift(timedelta(minutes=5))
        at_the_limit = claim(room_turns(), engine, "a")
        clock.shift(timedelta(seconds=1))
        after_stale = claim(room_turns(), engine, "a")

    assert (first, second, at_the_limit, after_stale) == (True, False, False, True)
    assert holder(engine) == NOON + timedelta(minutes=5, seconds=1)


def test_a_claim_respects_its_extra_condition_and_unknown_keys(engine):
    locked = claim(room_turns(where=Room.kind == "open"), engine, "b")
    open_room = claim(room_turns(where=Room.kind == "open"), engine, "a")
    missing = claim(room_turns(), engine, "zzz")
    other_kind = claim(room_turns(), engine, "b")

    assert (locked, open_room, missing, other_kind) == (False, True, False, True)


class Busy(Exception):
    pass


def holder(engine, key="a") -> datetime | None:
    with engine.connect() as connection:
        return connection.scalar(select(Room.busy_since).where(Room.name == key))


def test_renewing_moves_a_held_claim_to_now_and_leaves_a_released_row_alone(engine):
    engine, lock = engine, room_turns()
    with time_machine.travel(NOON, tick=False) as clock:
        claim(lock, engine, "a")
        clock.shift(timedelta(minutes=1))
        lock.renew(engine, "a")
        lock.renew(engine, "b")
        released_after_renewing = holder(engine, "b")
        claim(lock, engine, "b")
        clock.shift(timedelta(minutes=1))
        lock.renew(engine, "b")

    assert released_after_renewing is None
    assert (holder(engine, "a"), holder(engine, "b")) == (NOON + timedelta(minutes=1), NOON + timedelta(minutes=2))


def test_the_turn_lock_holds_the_row_for_the_block_and_releases_it_on_exit_error_or_not(engine):
    engine = engine

    def lock():
        return room_turns().held(engine, "a", busy=Busy)

    with time_machine.travel(NOON, tick=False):
        with lock():
            held, other = holder(engine), holder(engine, "b")
            with pytest.raises(Busy), lock():
                pass
            still_held = holder(engine)
        released = holder(engine)
        with pytest.raises(ValueError, match="boom"), lock():
            raise ValueError("boom")
        after_error = holder(engine)

    assert (held, other, still_held, released, after_error) == (NOON, None, NOON, None, None)


def test_the_turn_lock_claims_only_rows_that_match_its_condition(engine):
    with pytest.raises(Busy), room_turns(where=Room.kind == "open").held(engine, "b", busy=Busy):
        pass
    assert holder(engine, "b") is None


def test_a_held_lock_is_renewed_while_its_block_runs_and_a_dead_holders_lock_goes_stale(engine, monkeypatch):
    """The stored times follow a clock the test moves; the heartbeat's pace is real, and waited for, not guessed."""
    quick_turns = TurnLock(Room.name, stale_after=timedelta(seconds=0.3))  # renewed every 0.1 s
    renewed = threading.Event()
    renew = quick_turns.renew

    def renew_and_say(engine, key):
        renew(engine, key)
        renewed.set()

    monkeypatch.setattr(quick_turns, "renew", renew_and_say)

    def lock():
        return quick_turns.held(engine, "a", busy=Busy)

    with time_machine.travel(NOON, tick=False) as clock:
        with lock():
            clock.shift(timedelta(seconds=0.2))
            while holder(engine) != NOON + timedelta(seconds=0.2):  # until the heartbeat renews it at this time
                assert renewed.wait(PATIENCE)
                renewed.clear()
            clock.shift(timedelta(seconds=0.2))  # claimed 0.4 s ago, but renewed 0.2 s ago: still held
            with pytest.raises(Busy), lock():
                pass
        assert claim(quick_turns, engine, "a")  # a holder that dies right after claiming: no heartbeat
        clock.shift(timedelta(seconds=0.29))
        with pytest.raises(Busy), lock():
            pass
        clock.shift(timedelta(seconds=0.02))  # 0.31 s without a renewal: stale
        with lock():
            taken_over = holder(engine)

    assert taken_over == NOON + timedelta(seconds=0.71)


class CountingHeartbeat(Heartbeat):
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
def heartbeat() -> Iterator[Heartbeat]:
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
from openai_tutorial.turn_lock import HEARTBEAT

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


def test_a_heartbeat_that_cannot_write_is_logged_and_the_block_goes_on(engine, monkeypatch, caplog):
    engine = engine
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
    assert holder(engine) is None


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
    assert set(caplog.messages) == {"A turn lock's renewal failed: ValueError: mutated"}
