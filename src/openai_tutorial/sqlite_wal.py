"""Switching an SQLite file to write-ahead logging, safely when several connections do it at once."""

import sqlite3
import time

WAL_ATTEMPTS = 50
SWITCH_TO_WAL = "PRAGMA journal_mode=WAL"


def use_wal(connection: sqlite3.Connection) -> None:
    """Put the connection's database in WAL mode (readers never wait for the writer).

    The first switch of a new file needs the file to itself, and SQLite answers "database is
    locked" at once instead of waiting as it does for writes: so when the first requests or
    workers arrive together, all but one fail. Asking again soon finds it done.
    """
    for attempt in range(1, WAL_ATTEMPTS):
        try:
            connection.execute(SWITCH_TO_WAL)
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.01 * attempt)
    connection.execute(SWITCH_TO_WAL)  # the last try: whatever it raises is the answer
