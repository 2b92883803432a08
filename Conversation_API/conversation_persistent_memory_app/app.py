"""A chat backend where each user has one conversation that lasts, across restarts.

The first message of a user creates their conversation on OpenAI's side; every later
message continues it, so the model remembers everything the user said, even after this
server restarts: the user → conversation id mapping and a full transcript (both sides,
with response ids and times) live in SQLite. The transcript is ours to page through and
show; the conversation is what the model reads. The backend must remember which
conversation is whose: the Conversations API cannot list conversations.

Endpoints (every error is ``{"error": {"type", "message"}}``):
- ``POST /chat`` ``{"user_id", "message"}`` → ``{"conversation_id", "response_id", "reply"}``.
- ``GET /users/<user_id>/history?limit=…&after=…``: the transcript oldest first, a page at a
  time in the shape of OpenAI's lists (``object``, ``data``, ``first_id``, ``last_id``,
  ``has_more``): ``limit`` messages (1 to 100, default 50) after the message whose id is
  ``after`` (the ``last_id`` of the previous page). Both are whole numbers in ASCII digits,
  else a 400.
- ``DELETE /users/<user_id>/memory``: forget the user, on OpenAI's side and here (204).
- ``GET /healthz``.

"Forget me" deletes everything OpenAI keeps of the user: the conversation's items (deleting
a conversation does not delete them), every response made in it (kept 30 days otherwise),
and the conversation; only then the local rows. If OpenAI fails half-way, nothing local is
lost and the user is told to repeat the request; ``flask --app
Conversation_API/conversation_persistent_memory_app/app.py purge`` (from cron) finishes
any forget left half-done. OpenAI is told only a hash of the user id.

A user's row is written before their first message is sent, holding the new conversation's
id, and held for that turn: if the turn fails and deleting the conversation again fails too,
``purge`` finds the row (a user with no messages) and finishes the delete, so no
conversation is left on OpenAI's side without a row here. Turns are not retried by the
SDK: a request that timed out may have reached OpenAI, and a retry would add the message
to the conversation twice. A turn OpenAI answered is stored waiting out a busy database
(``store_answered``); one the database never takes is a 503 and stored nowhere here, while
OpenAI's conversation keeps it.

Run: uv run python Conversation_API/conversation_persistent_memory_app/app.py
(serves http://127.0.0.1:5000; README.md has curl commands for a whole session)
API reference: https://developers.openai.com/api/reference/resources/conversations
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click
import openai
from flask import Blueprint, Flask
from flask.cli import with_appcontext
from openai.types.responses import Response
from sqlalchemy import ForeignKey, Index, String, Text, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from openai_tutorial.client import get_client, get_model, setting
from openai_tutorial.conversations import RemoteConversation, delete_remotely, new_conversation, safety_identifier
from openai_tutorial.database import TurnLock, UTCDateTime, store_answered, utc_now
from openai_tutorial.web import (
    APIProblem,
    after_number,
    create_json_app,
    db_engine,
    db_sessions,
    fail,
    init_database,
    json_body,
    list_page,
    message_from,
    page_size,
    serve,
    user_id_from,
)

DEFAULT_DATABASE = Path(__file__).parent / "instance" / "memory.db"
# A live turn renews its lock every 10 s (see TurnLock); one not renewed for 30 s died with its worker
# (kill -9, a crash), and the user is free again.
TURN_LOCK_STALE_AFTER = timedelta(seconds=30)


class Base(DeclarativeBase):
    pass


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


bp = Blueprint("memory", __name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = create_json_app(__name__)
    app.config.from_mapping(DATABASE_URL=setting("DATABASE_URL", f"sqlite:///{DEFAULT_DATABASE}"))
    app.config.from_mapping(test_config or {})
    init_database(app, Base, default=DEFAULT_DATABASE)
    app.register_blueprint(bp)
    app.cli.add_command(purge_command)
    return app


def user_busy() -> APIProblem:
    return APIProblem(409, "user_busy", "This user's previous message is still being answered; retry shortly.")


# One message (or one forget) at a time per user.
USER_TURNS = TurnLock(User.user_id, stale_after=TURN_LOCK_STALE_AFTER)


def holding_turn(user_id: str):
    return USER_TURNS.held(db_engine(), user_id, busy=user_busy)


# A turn's two messages (and a new or moved user's row) are rows it never reads back: statements on
# the tables, built once, run on the engine. The ORM session stays with the routes that work with
# objects; through it, these writes cost a turn about 0.3 ms more.
USERS = User.__table__
NEW_USER = insert(USERS)
MOVE_USER = update(USERS).where(USERS.c.user_id == bindparam("user")).values(conversation_id=bindparam("conversation"))
STORE_MESSAGES = insert(Message.__table__)


@contextmanager
def users_conversation(user_id: str) -> Iterator[RemoteConversation]:
    """The user's conversation, held for one turn: a new one on the first message (deleted again if the turn
    fails), else theirs, locked."""
    with db_sessions().begin() as session:
        user = session.get(User, user_id)
        conversation_id, forgetting = (user.conversation_id, user.forget_requested_at) if user else (None, None)
    if forgetting is not None:
        fail(
            409, "user_being_forgotten", f"Forgetting this user did not finish; repeat DELETE /users/{user_id}/memory."
        )
    if conversation_id is None:
        with new_conversation(user_id, undone=forget_new_user) as conversation:
            # Recorded before the turn is sent, and held by it: if the turn fails and so does deleting the
            # conversation again, purge finds the user.
            now = utc_now()
            try:
                with db_engine().begin() as connection:
                    connection.execute(
                        NEW_USER,
                        {"user_id": user_id, "conversation_id": conversation.id, "created_at": now, "busy_since": now},
                    )
            except IntegrityError:
                # Another first message of this user is being answered: keep its conversation, undo ours.
                raise user_busy() from None
            with USER_TURNS.kept(db_engine(), user_id):
                yield conversation
        return
    with holding_turn(user_id):
        yield RemoteConversation(conversation_id)


def forget_new_user(conversation_id: str) -> None:
    """Drop the row of a user whose first turn failed, once its conversation is deleted on OpenAI's side."""
    with db_engine().begin() as connection:
        connection.execute(delete(USERS).where(USERS.c.conversation_id == conversation_id))


@bp.post("/chat")
def chat():
    body = json_body()
    user_id = user_id_from(body)
    message = message_from(body)
    with users_conversation(user_id) as conversation:
        try:
            response = answer(conversation, user_id, message)
        except openai.NotFoundError:
            if conversation.created:
                raise
            # The conversation was deleted on OpenAI's side, outside this app: start the user afresh, noting the
            # new conversation before the turn is sent, so that "forget me" finds it whatever happens next.
            with new_conversation(user_id) as conversation:
                with db_engine().begin() as connection:
                    connection.execute(MOVE_USER, {"user": user_id, "conversation": conversation.id})
                response = answer(conversation, user_id, message)
    return {"conversation_id": conversation.id, "response_id": response.id, "reply": response.output_text}


def answer(conversation: RemoteConversation, user_id: str, message: str) -> Response:
    """One turn in the user's conversation: OpenAI's reply, then both messages stored in one transaction
    (waiting out a busy database: OpenAI's conversation holds the turn already)."""
    # No retries: a request that timed out may have reached OpenAI, and a retry would add the message twice.
    no_retries = get_client().with_options(max_retries=0)
    response = no_retries.responses.create(
        model=get_model(),
        conversation=conversation.id,  # everything this user ever said is in it, across restarts
        input=message,
        safety_identifier=safety_identifier(user_id),
    )
    conversation.made(response)
    store_answered(lambda: store_messages(user_id, message, response))
    return response


def store_messages(user_id: str, message: str, response: Response) -> None:
    turn_fields = {"user_id": user_id, "response_id": response.id, "created_at": utc_now()}
    with db_engine().begin() as connection:
        connection.execute(
            STORE_MESSAGES,
            [
                {"role": "user", "content": message, **turn_fields},
                {"role": "assistant", "content": response.output_text, **turn_fields},
            ],
        )


@bp.get("/users/<user_id>/history")
def history(user_id: str):
    user_id = user_id_from({"user_id": user_id})
    limit = page_size()
    after = after_number()
    with db_sessions().begin() as session:
        if session.get(User, user_id) is None:
            fail(404, "not_found", f"No memory for user {user_id!r}.")
        query = select(Message).where(Message.user_id == user_id, Message.id > after).order_by(Message.id)
        messages = session.scalars(query.limit(limit + 1)).all()
        return list_page(messages, limit, describe_message, key="id")


def describe_message(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "role": message.role,
        "content": message.content,
        "response_id": message.response_id,
        "created_at": message.created_at.isoformat(),
    }


def forget_user(user_id: str) -> None:
    """Delete the user's conversation, its items and responses on OpenAI's side, then their rows here.

    Raises ``openai.OpenAIError`` if OpenAI fails: then nothing local is deleted, and a retry
    (or ``flask purge``) takes it up again.
    """
    with db_sessions().begin() as session:
        user = session.get(User, user_id)
        user.forget_requested_at = user.forget_requested_at or utc_now()
        conversation_id = user.conversation_id
        response_ids = session.scalars(
            select(Message.response_id).where(Message.user_id == user_id, Message.role == "assistant")
        ).all()
    delete_remotely(conversation_id, response_ids)
    with db_sessions().begin() as session:
        session.delete(session.get(User, user_id))


@bp.delete("/users/<user_id>/memory")
def forget(user_id: str):
    user_id = user_id_from({"user_id": user_id})
    with db_sessions().begin() as session:
        if session.get(User, user_id) is None:
            fail(404, "not_found", f"No memory for user {user_id!r}.")
    with holding_turn(user_id):
        try:
            forget_user(user_id)
        except openai.OpenAIError as error:
            raise APIProblem(
                502,
                "upstream_error",
                "OpenAI failed while deleting this user's data; nothing was deleted here. Repeat the request.",
            ) from error
    return "", 204


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Finish every "forget me" that OpenAI failed half-way, and delete what failed first messages left."""
    never_answered = ~select(Message.id).where(Message.user_id == User.user_id).exists()
    with db_sessions().begin() as session:
        pending = session.scalars(
            select(User.user_id).where(User.forget_requested_at.is_not(None) | (never_answered & USER_TURNS.not_held()))
        ).all()
    failed = []
    for user_id in pending:
        try:
            with holding_turn(user_id):
                forget_user(user_id)
        except (openai.OpenAIError, APIProblem) as error:
            failed.append(user_id)
            click.echo(f"  failed: {user_id} ({error}); the next purge tries again")
    click.echo(f"Forgot {len(pending) - len(failed)} user(s) on OpenAI's side and here; {len(failed)} failed.")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    serve(create_app)
