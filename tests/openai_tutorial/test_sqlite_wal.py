"""Switching a new SQLite file to WAL when several connections do it at once (the first requests, the workers)."""

import sqlite3
import threading

import pytest

from openai_tutorial import sqlite_wal
from openai_tutorial.sqlite_wal import use_wal
from tests.support.helpers import PATIENCE


def test_connections_that_switch_a_new_file_at_the_same_moment_all_succeed(tmp_path):
    failures = []
    for trial in range(20):
        path = tmp_path / f"new{trial}.sqlite3"
        together = threading.Barrier(6)

        def first_request(path=path, together=together):
            connection = sqlite3.connect(path, timeout=PATIENCE, isolation_level=None)
            try:
                together.wait()
                use_wal(connection)
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("CREATE TABLE IF NOT EXISTS objects (id TEXT)")
                connection.execute("COMMIT")
            except sqlite3.Error as error:
                failures.append(str(error))
            finally:
                connection.close()

        threads = [threading.Thread(target=first_request) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert failures == []
    with sqlite3.connect(tmp_path / "new0.sqlite3") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    connection.close()


class Refusing:
    """A connection whose every statement fails with ``message``."""

    def __init__(self, message: str) -> None:
        self.message, self.calls = message, 0

    def execute(self, statement: str):
        self.calls += 1
        raise sqlite3.OperationalError(self.message)


def test_other_errors_and_a_lock_that_never_ends_are_raised(monkeypatch):
    monkeypatch.setattr(sqlite_wal.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(sqlite_wal, "WAL_ATTEMPTS", 3)
    broken, locked = Refusing("disk I/O error"), Refusing("database is locked")

    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        use_wal(broken)
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        use_wal(locked)

    assert (broken.calls, locked.calls) == (1, 3)


class LockedAtFirst:
    """A real connection whose first ``refusals`` statements fail with "database is locked"."""

    def __init__(self, path, refusals: int) -> None:
        self.connection, self.refusals, self.statements = sqlite3.connect(path), refusals, []

    def execute(self, statement: str):
        self.statements.append(statement)
        if len(self.statements) <= self.refusals:
            raise sqlite3.OperationalError("database is locked")
        return self.connection.execute(statement)


def test_a_locked_switch_is_asked_again_after_a_growing_pause_and_the_last_try_still_counts(tmp_path, monkeypatch):
    pauses = []
    monkeypatch.setattr(sqlite_wal.time, "sleep", pauses.append)
    monkeypatch.setattr(sqlite_wal, "WAL_ATTEMPTS", 4)
    connection = LockedAtFirst(tmp_path / "busy.sqlite3", refusals=3)  # every try but the last one

    use_wal(connection)

    assert pauses == [0.01, 0.02, 0.03]
    assert connection.statements == ["PRAGMA journal_mode=WAL"] * 4
    assert connection.connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    connection.connection.close()
