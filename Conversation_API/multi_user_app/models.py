"""The multi-user app's tables: which user owns which conversation, its status, and a log of its turns.

OpenAI keeps the messages; these rows keep what OpenAI does not know. ``busy_since`` is the
conversation's turn lock (``CONVERSATION_TURNS``): one turn, or a close, at a time.
"""

from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from openai_tutorial.database import UTCDateTime
from openai_tutorial.turn_lock import TurnLock

STATUSES = ("active", "closed", "expired")  # what users see; "pending" is a first turn not finished yet
MAX_CONVERSATION_ID_CHARS = 80


class Base(DeclarativeBase):
    # A declarative class's table is a Table; SQLAlchemy types it as any FROM clause, which insert() refuses.
    __table__: ClassVar[Table]


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        # One index for each list's filter and order (latest activity first), and the expiry update.
        Index("ix_conversations_user_activity", "user_id", "last_active_at", "id"),
        Index("ix_conversations_user_status_activity", "user_id", "status", "last_active_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(MAX_CONVERSATION_ID_CHARS), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_active_at: Mapped[datetime] = mapped_column(UTCDateTime)
    busy_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once the conversation, its items and its responses are deleted on OpenAI's side.
    deleted_on_openai_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Turn(Base):
    __tablename__ = "turns"
    __table_args__ = (Index("ix_turns_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[str] = mapped_column(String(80), unique=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    user_message: Mapped[str] = mapped_column(Text)
    reply: Mapped[str] = mapped_column(Text)
    input_tokens: Mapped[int]
    output_tokens: Mapped[int]
    total_tokens: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


CONVERSATIONS = Conversation.__table__
TURNS = Turn.__table__
# One turn (or a close) at a time per conversation, and only while it is active.
CONVERSATION_TURNS = TurnLock(Conversation.id, where=CONVERSATIONS.c.status == "active")
