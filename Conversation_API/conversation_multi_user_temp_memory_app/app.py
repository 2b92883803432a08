"""A multi-user chat backend on the Conversations API, whose conversations expire when idle.

OpenAI keeps each conversation's messages (``conversations.create`` once, then
``responses.create(conversation=id)`` every turn); this backend keeps what OpenAI does not
know: which user owns which conversation, its status, and a log of every turn, in SQLite.

Endpoints (every error is ``{"error": {"type", "message"}}``):
- ``POST /chat`` ``{"user_id", "message", "conversation_id"?}``: without an id, start a
  conversation (201); with one, continue it (200). Answers ``{"conversation_id", "response_id", "reply"}``.
- ``GET /conversations?user_id=…&status=…``: the user's conversations, latest activity first.
- ``POST /conversations/<id>/close`` ``{"user_id"}``: close it; chatting on it is then a 409.
- ``GET /responses/<id>?user_id=…``: the conversation's turns, oldest first.
- ``GET /healthz``.

Rules worth reading the code for: a conversation idle for longer than
``CONVERSATION_TTL_MINUTES`` is marked ``expired`` when next touched; only its owner may
use it (``user_id`` is trusted input here: see README.md for real authentication); a
row is written only once OpenAI has answered, so a failed turn leaves nothing behind;
and two turns on one conversation never overlap (the second gets a 409 "busy").

Run: uv run python Conversation_API/conversation_multi_user_temp_memory_app/app.py
(serves http://127.0.0.1:5000; README.md has curl commands for a whole session)
API reference: https://platform.openai.com/docs/api-reference/conversations
"""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, request
from sqlalchemy import ForeignKey, Index, String, Text, func, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from openai_tutorial.client import get_client, get_model, number_setting
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
    text_field,
    user_id_from,
)

DEFAULT_DATABASE = Path(__file__).parent / "instance" / "conversations.db"
STATUSES = ("active", "closed", "expired")
MAX_CONVERSATION_ID_CHARS = 80
# A turn that has held its conversation this long died with its worker: let the next one in.
TURN_LOCK_STALE_AFTER = timedelta(minutes=5)


class Base(DeclarativeBase):
    pass


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_user_status_activity", "user_id", "status", "last_active_at"),)

    id: Mapped[str] = mapped_column(String(MAX_CONVERSATION_ID_CHARS), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_active_at: Mapped[datetime] = mapped_column(UTCDateTime)
    busy_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Turn(Base):
    __tablename__ = "responses"
    __table_args__ = (Index("ix_responses_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[str] = mapped_column(String(80), unique=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    user_message: Mapped[str] = mapped_column(Text)
    reply: Mapped[str] = mapped_column(Text)
    input_tokens: Mapped[int]
    output_tokens: Mapped[int]
    total_tokens: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


bp = Blueprint("chat", __name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    ttl = {"CONVERSATION_TTL_MINUTES": number_setting("CONVERSATION_TTL_MINUTES", float, 30.0)}
    return create_database_app(__name__, bp, Base, DEFAULT_DATABASE, ttl, test_config)


def idle_cutoff() -> datetime:
    return utc_now() - timedelta(minutes=current_app.config["CONVERSATION_TTL_MINUTES"])


def owned_conversation(session: Session, conversation_id: str, user_id: str) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        fail(404, "not_found", f"No conversation {conversation_id!r}.")
    if conversation.user_id != user_id:
        fail(403, "forbidden", "You do not have access to this conversation.")
    if conversation.status == "active" and conversation.last_active_at < idle_cutoff():
        conversation.status = "expired"
    return conversation


def refuse_unless_active(status: str) -> None:
    if status == "expired":
        fail(
            409,
            "conversation_expired",
            f"This conversation expired after {current_app.config['CONVERSATION_TTL_MINUTES']:g} idle minutes; "
            "start a new one by sending a message without a conversation_id.",
        )
    if status == "closed":
        fail(409, "conversation_closed", "This conversation is closed; start a new one without a conversation_id.")


def describe(conversation: Conversation, turns: int) -> dict[str, Any]:
    return {
        "conversation_id": conversation.id,
        "user_id": conversation.user_id,
        "status": conversation.status,
        "created_at": conversation.created_at.isoformat(),
        "last_active_at": conversation.last_active_at.isoformat(),
        "turns": turns,
    }


def ask_openai(conversation_id: str, user_id: str, message: str):
    return get_client().responses.create(
        model=get_model(),
        conversation=conversation_id,
        input=message,
        safety_identifier=safety_identifier(user_id),
    )


def turn_row(conversation_id: str, message: str, response, now: datetime) -> Turn:
    usage = response.usage
    return Turn(
        response_id=response.id,
        conversation_id=conversation_id,
        user_message=message,
        reply=response.output_text,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        total_tokens=usage.total_tokens,
        created_at=now,
    )


@bp.post("/chat")
def chat():
    body = json_body()
    user_id = user_id_from(body)
    message = message_from(body)
    conversation_id = text_field(body, "conversation_id", max_chars=MAX_CONVERSATION_ID_CHARS, optional=True)
    if conversation_id is None:
        return start_conversation(user_id, message), 201
    return continue_conversation(conversation_id, user_id, message), 200


def start_conversation(user_id: str, message: str) -> dict[str, str]:
    remote = get_client().conversations.create(metadata={"user_id": user_id})
    try:
        response = ask_openai(remote.id, user_id, message)
    except Exception:
        delete_conversation_quietly(remote.id)
        raise
    now = utc_now()
    with db_sessions().begin() as session:
        session.add(Conversation(id=remote.id, user_id=user_id, status="active", created_at=now, last_active_at=now))
        session.add(turn_row(remote.id, message, response, now))
    return {"conversation_id": remote.id, "response_id": response.id, "reply": response.output_text}


def continue_conversation(conversation_id: str, user_id: str, message: str) -> dict[str, str]:
    with db_sessions().begin() as session:
        status = owned_conversation(session, conversation_id, user_id).status
        got_turn = status == "active" and claim_turn(
            session,
            Conversation.id,
            conversation_id,
            stale_after=TURN_LOCK_STALE_AFTER,
            where=Conversation.status == "active",
        )
    refuse_unless_active(status)
    if not got_turn:
        fail(409, "conversation_busy", "A message in this conversation is still being answered; retry shortly.")

    try:
        response = ask_openai(conversation_id, user_id, message)
    except Exception:
        with db_sessions().begin() as session:
            session.execute(update(Conversation).where(Conversation.id == conversation_id).values(busy_since=None))
        raise
    now = utc_now()
    with db_sessions().begin() as session:
        session.add(turn_row(conversation_id, message, response, now))
        session.execute(
            update(Conversation).where(Conversation.id == conversation_id).values(busy_since=None, last_active_at=now)
        )
    return {"conversation_id": conversation_id, "response_id": response.id, "reply": response.output_text}


@bp.get("/conversations")
def list_conversations():
    user_id = user_id_from(request.args)
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        fail(400, "invalid_request", f"'status' must be one of {', '.join(STATUSES)}.")
    turns = select(func.count(Turn.id)).where(Turn.conversation_id == Conversation.id).scalar_subquery()
    query = select(Conversation, turns).where(Conversation.user_id == user_id)
    if status is not None:
        query = query.where(Conversation.status == status)
    with db_sessions().begin() as session:
        session.execute(
            update(Conversation)
            .where(
                Conversation.user_id == user_id,
                Conversation.status == "active",
                Conversation.last_active_at < idle_cutoff(),
            )
            .values(status="expired")
        )
        rows = session.execute(query.order_by(Conversation.last_active_at.desc())).all()
        return {"conversations": [describe(conversation, count) for conversation, count in rows]}


@bp.post("/conversations/<conversation_id>/close")
def close_conversation(conversation_id: str):
    user_id = user_id_from(json_body())
    with db_sessions().begin() as session:
        conversation = owned_conversation(session, conversation_id, user_id)
        if conversation.status == "active":
            conversation.status = "closed"
        turns = session.scalar(select(func.count(Turn.id)).where(Turn.conversation_id == conversation_id))
        view = describe(conversation, turns)
    if view["status"] == "expired":
        refuse_unless_active("expired")
    return view


@bp.get("/responses/<conversation_id>")
def list_responses(conversation_id: str):
    user_id = user_id_from(request.args)
    with db_sessions().begin() as session:
        owned_conversation(session, conversation_id, user_id)
        turns = session.scalars(select(Turn).where(Turn.conversation_id == conversation_id).order_by(Turn.id))
        return {
            "conversation_id": conversation_id,
            "responses": [
                {
                    "response_id": turn.response_id,
                    "message": turn.user_message,
                    "reply": turn.reply,
                    "usage": {
                        "input_tokens": turn.input_tokens,
                        "output_tokens": turn.output_tokens,
                        "total_tokens": turn.total_tokens,
                    },
                    "created_at": turn.created_at.isoformat(),
                }
                for turn in turns
            ],
        }


if __name__ == "__main__":
    serve(create_app)
