"""What the tests of the shared package's database helpers share: a table of rooms with a turn lock column."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import String, insert
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from openai_tutorial.database import UTCDateTime, make_database

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
def engine(database_url):
    """A database with two rooms: "a" (open) and "b" (locked)."""
    engine = make_database(database_url, Base)
    with engine.begin() as connection:
        connection.execute(
            insert(Room),
            [{"name": "a", "kind": "open", "opened_at": NOON}, {"name": "b", "kind": "locked", "opened_at": NOON}],
        )
    yield engine
    engine.dispose()
