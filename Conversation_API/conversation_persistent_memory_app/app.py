"""A chat backend where each user has one conversation that lasts, across restarts.

The first message of a user creates their conversation on OpenAI's side; every later
message continues it, so the model remembers everything the user said, even after this
server restarts: the user → conversation id mapping and a full transcript (both sides,
with response ids and times) live in SQLite. The transcript is ours to page through and
show; the conversation is what the model reads.

Endpoints (every error is ``{"error": {"type", "message"}}``):
- ``POST /chat`` ``{"user_id", "message"}`` → ``{"conversation_id", "response_id", "reply"}``.
- ``GET /users/<user_id>/history?limit=…&after=…``: the transcript oldest first; pass the
  ``next_after`` of one page as ``after`` to get the next.
- ``DELETE /users/<user_id>/memory``: forget the user, on OpenAI's side and here (204).
- ``GET /healthz``.

Run: uv run python Conversation_API/conversation_persistent_memory_app/app.py
(serves http://127.0.0.1:5000; README.md has curl commands for a whole session)
API reference: https://platform.openai.com/docs/api-reference/conversations
"""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import openai
from flask import Blueprint, Flask, request
from sqlalchemy import ForeignKey, Index, String, Text, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from openai_tutorial.client import get_client, get_model
from openai_tutorial.database import UTCDateTime, claim_turn, utc_now
from openai_tutorial.web import (
    create_database_app,
    db_sessions,
    delete_conversation_quietly,
    fail,
    json_body,
    message_from,
    safety_identifier,
    serve,
    user_id_from,
)

DEFAULT_DATABASE = Path(__file__).parent / "instance" / "memory.db"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# A turn that has held its user this long died with its worker: let the next one in.
TURN_LOCK_STALE_AFTER = timedelta(minutes=5)
BUSY_MESSAGE = "This user's previous message is still being answered; retry shortly."


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    busy_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_user_order", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.user_id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    response_id: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


bp = Blueprint("memory", __name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    return create_database_app(__name__, bp, Base, DEFAULT_DATABASE, {}, test_config)


def release(user_id: str) -> None:
    with db_sessions().begin() as session:
        session.execute(update(User).where(User.user_id == user_id).values(busy_since=None))


def ask_openai(conversation_id: str, user_id: str, message: str):
    return get_client().responses.create(
        model=get_model(),
        conversation=conversation_id,
        input=message,
        safety_identifier=safety_identifier(user_id),
    )


def transcript(user_id: str, message: str, response, now: datetime) -> list[Message]:
    return [
        Message(user_id=user_id, role="user", content=message, response_id=response.id, created_at=now),
        Message(
            user_id=user_id, role="assistant", content=response.output_text, response_id=response.id, created_at=now
        ),
    ]


@bp.post("/chat")
def chat():
    body = json_body()
    user_id = user_id_from(body)
    message = message_from(body)
    with db_sessions().begin() as session:
        user = session.get(User, user_id)
        conversation_id = user.conversation_id if user else None
        got_turn = user is None or claim_turn(session, User.user_id, user_id, stale_after=TURN_LOCK_STALE_AFTER)
    if not got_turn:
        fail(409, "user_busy", BUSY_MESSAGE)
    if conversation_id is None:
        return first_turn(user_id, message)

    try:
        response = ask_openai(conversation_id, user_id, message)
    except Exception:
        release(user_id)
        raise
    with db_sessions().begin() as session:
        session.add_all(transcript(user_id, message, response, utc_now()))
        session.execute(update(User).where(User.user_id == user_id).values(busy_since=None))
    return {"conversation_id": conversation_id, "response_id": response.id, "reply": response.output_text}


def first_turn(user_id: str, message: str) -> dict[str, str]:
    remote = get_client().conversations.create(metadata={"user_id": user_id})
    try:
        response = ask_openai(remote.id, user_id, message)
    except Exception:
        delete_conversation_quietly(remote.id)
        raise
    now = utc_now()
    try:
        with db_sessions().begin() as session:
            session.add(User(user_id=user_id, conversation_id=remote.id, created_at=now))
            session.flush()
            session.add_all(transcript(user_id, message, response, now))
    except IntegrityError:
        # Another first message of this user won the race: keep its conversation, drop ours.
        delete_conversation_quietly(remote.id)
        fail(409, "user_busy", BUSY_MESSAGE)
    return {"conversation_id": remote.id, "response_id": response.id, "reply": response.output_text}


def page_argument(name: str, default: int | None, low: int, high: int | None) -> int | None:
    text = request.args.get(name)
    if text is None:
        return default
    if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
        limits = f"from {low} to {high}" if high is not None else f"of at least {low}"
        fail(400, "invalid_request", f"'{name}' must be a whole number {limits}.")
    return int(text)


@bp.get("/users/<user_id>/history")
def history(user_id: str):
    user_id = user_id_from({"user_id": user_id})
    limit = page_argument("limit", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    after = page_argument("after", None, 0, None)
    with db_sessions().begin() as session:
        user = session.get(User, user_id)
        if user is None:
            fail(404, "not_found", f"No memory for user {user_id!r}.")
        query = select(Message).where(Message.user_id == user_id).order_by(Message.id).limit(limit + 1)
        if after is not None:
            query = query.where(Message.id > after)
        messages = session.scalars(query).all()
    page = messages[:limit]
    return {
        "user_id": user_id,
        "conversation_id": user.conversation_id,
        "messages": [
            {
                "id": message.id,
                "role": message.role,
                "content": message.content,
                "response_id": message.response_id,
                "created_at": message.created_at.isoformat(),
            }
            for message in page
        ],
        "next_after": page[-1].id if len(messages) > limit else None,
    }


@bp.delete("/users/<user_id>/memory")
def forget(user_id: str):
    user_id = user_id_from({"user_id": user_id})
    with db_sessions().begin() as session:
        user = session.get(User, user_id)
        conversation_id = user.conversation_id if user else None
        got_turn = user is not None and claim_turn(session, User.user_id, user_id, stale_after=TURN_LOCK_STALE_AFTER)
    if conversation_id is None:
        fail(404, "not_found", f"No memory for user {user_id!r}.")
    if not got_turn:
        fail(409, "user_busy", BUSY_MESSAGE)

    try:
        get_client().conversations.delete(conversation_id)
    except openai.NotFoundError:
        pass  # already gone on OpenAI's side: forgetting it here is all that is left
    except Exception:
        release(user_id)
        raise
    with db_sessions().begin() as session:
        session.delete(session.get(User, user_id))
    return "", 204


if __name__ == "__main__":
    serve(create_app)
