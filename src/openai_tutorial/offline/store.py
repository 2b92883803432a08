"""Where the stand-in keeps what the API would keep: one SQLite file of JSON objects.

Scripts, backends and several processes at once share it, so ``conversation_api_basic.py
--keep`` prints an id that ``retrieve_metadata.py`` can read in another process. Each
request runs in one ``BEGIN IMMEDIATE`` transaction on its own connection: requests from
threads and processes take turns, and none sees another's half-done work.
"""

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from openai_tutorial.sqlite_wal import use_wal

BUSY_TIMEOUT_SECONDS = 30

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS objects (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
    " kind TEXT NOT NULL, owner TEXT, body TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS objects_by_owner ON objects (kind, owner, seq)",
)
SELECT_ONE = "SELECT body FROM objects WHERE kind = ? AND id = ?"
UPSERT = (
    "INSERT INTO objects (id, kind, owner, body) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, body = excluded.body"
)
DELETE_ONE = "DELETE FROM objects WHERE kind = ? AND id = ?"
SELECT_OWNED = "SELECT body FROM objects WHERE kind = ? AND owner = ? ORDER BY seq"


class Transaction:
    """Reads and writes of one request; objects are JSON bodies keyed by id, of a ``kind``."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def get(self, kind: str, object_id: str) -> dict[str, Any] | None:
        row = self._connection.execute(SELECT_ONE, (kind, object_id)).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, kind: str, object_id: str, body: dict[str, Any], *, owner: str | None = None) -> None:
        """Insert, or replace the body of an object that exists (it keeps its place in its owner's list)."""
        self._connection.execute(UPSERT, (object_id, kind, owner, json.dumps(body)))

    def delete(self, kind: str, object_id: str) -> bool:
        cursor = self._connection.execute(DELETE_ONE, (kind, object_id))
        return cursor.rowcount == 1

    def owned_by(self, kind: str, owner: str) -> list[dict[str, Any]]:
        """Every object of ``kind`` owned by ``owner``, in the order they were added."""
        rows = self._connection.execute(SELECT_OWNED, (kind, owner))
        return [json.loads(body) for (body,) in rows]


class StateFileError(Exception):
    """The state file cannot be the stand-in's database: not one, unreadable, or not writable."""


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path

    def check(self) -> None:
        """Open the file (creating it), as every request will, or raise ``StateFileError`` saying why not."""
        try:
            with self.transaction():
                pass
        except (sqlite3.Error, OSError) as error:
            raise StateFileError(getattr(error, "strerror", None) or str(error)) from None

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        try:
            use_wal(connection)
            connection.execute("BEGIN IMMEDIATE")
            try:
                for statement in SCHEMA:
                    connection.execute(statement)
                yield Transaction(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        finally:
            connection.close()
