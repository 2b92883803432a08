"""The persistent-memory app's tables: each user's conversation id, and the transcript of both sides.

``busy_since`` is the user's turn lock (``USER_TURNS``): one message, or one forget, at a time.
"""

from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from openai_tutorial.database import UTCDateTime
from openai_tutorial.turn_lock import TurnLock


class Base(DeclarativeBase):
    # A declarative class's table is a Table; SQLAlchemy types it as any FROM clause, which insert() refuses.
    __table__: ClassVar[Table]


class User(Base):
    __tablename__ = "users"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    busy_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when "forget me" starts; the rows go once OpenAI's side is deleted.
    forget_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_user_order", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.user_id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    response_id: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


USERS = User.__table__
MESSAGES = Message.__table__
# One message (or one forget) at a time per user.
USER_TURNS = TurnLock(User.user_id)
