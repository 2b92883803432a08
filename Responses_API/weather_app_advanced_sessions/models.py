"""The advanced weather app's tables: its sessions, and every item of every turn, stored as it is sent back.

``busy_since`` is the session's turn lock (``SESSION_TURNS``): one turn, or a delete, at a time.
"""

import json
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, Index, String, Table, Text, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from openai_tutorial.database import UTCDateTime
from openai_tutorial.turn_lock import TurnLock


class Base(DeclarativeBase):
    # A declarative class's table is a Table; SQLAlchemy types it as any FROM clause, which insert() refuses.
    __table__: ClassVar[Table]


class ChatSession(Base):
    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_created", "created_at", "id"),)  # the operator's list, newest first

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    busy_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Item(Base):
    """One input or output item, stored exactly as it is sent back to the API."""

    __tablename__ = "items"
    __table_args__ = (
        Index("ix_items_session_order", "session_id", "id"),
        Index("ix_items_session_turn", "session_id", "turn"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    turn: Mapped[int]
    type: Mapped[str] = mapped_column(String(32))
    role: Mapped[str | None] = mapped_column(String(16))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


SESSIONS = ChatSession.__table__
ITEMS = Item.__table__
# One turn (or a delete) at a time per session.
SESSION_TURNS = TurnLock(ChatSession.id)


def message_counts() -> Any:
    """A session's number of messages, for a query on ``SESSIONS``."""
    return (
        select(func.count(ITEMS.c.id))
        .where(ITEMS.c.session_id == SESSIONS.c.id, ITEMS.c.type == "message")
        .correlate(SESSIONS)
        .scalar_subquery()
    )


def readable(payload: str) -> str:
    """What a stored item says, in one line: for people reading the history, not for the API."""
    item = json.loads(payload)
    match item.get("type", "message"):
        case "message":
            content = item["content"]
            if isinstance(content, str):
                return content
            return " ".join(part.get("text", "") for part in content)
        case "function_call":
            return f"{item['name']}({item['arguments']})"
        case "function_call_output":
            output: str = item["output"]
            return output
        case other:
            return f"({other})"
