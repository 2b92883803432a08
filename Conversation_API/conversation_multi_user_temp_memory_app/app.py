"""A multi-user chat backend on the Conversations API, whose conversations expire when idle.

OpenAI keeps each conversation's messages (``conversations.create`` once, then
``responses.create(conversation=id)`` every turn); this backend keeps what OpenAI does not
know: which user owns which conversation, its status, and a log of every turn, in SQLite.
It has to keep its own index of a user's conversations: the Conversations API has no
endpoint that lists conversations.

Endpoints (every error is ``{"error": {"type", "message"}}``):
- ``POST /chat`` ``{"user_id", "message", "conversation_id"?}``: without an id, start a
  conversation (201); with one, continue it (200). Answers ``{"conversation_id", "response_id", "reply"}``.
- ``GET /conversations?user_id=…&status=…&limit=…&after=…``: the user's conversations,
  latest activity first, a page at a time.
- ``POST /chat/stream``: the same body, rules and errors as ``POST /chat``, but the reply
  arrives as server-sent events while the model writes it: ``delta`` ``{"text"}`` events,
  then ``done`` ``{"conversation_id", "response_id", "usage"}``, or ``error`` ``{"error"}``
  (the turn then wrote nothing). A stream that fails before its first piece of text is a
  JSON 502 instead, like ``POST /chat``.
- ``GET /``: a chat page on top of these endpoints (``page/``: HTML, CSS and a small script).
- ``POST /conversations/<id>/close`` ``{"user_id"}``: close it; chatting on it is then a 409.
- ``GET /responses/<id>?user_id=…&limit=…&after=…``: the conversation's turns, oldest first.

Lists are pages in the shape of OpenAI's own: ``{"object": "list", "data", "first_id",
"last_id", "has_more"}``; ``limit`` is 1 to 100 (default 50) and ``after`` the ``last_id`` of
the previous page. Each page is one keyset query on an index that matches its filter and
order, so a page costs the same at the first conversation and at the ten-thousandth.
- ``GET /healthz``.

Rules worth reading the code for: a conversation idle for longer than
``CONVERSATION_TTL_MINUTES`` is marked ``expired`` when next touched; only its owner may
use it (``user_id`` is trusted input here: see README.md for real authentication); a
turn is stored only once OpenAI has answered, so a failed turn leaves no turn behind;
and two turns on one conversation never overlap (the second gets a 409 "busy").

A first turn records its new conversation as ``pending`` before it sends the message, and
deletes it on OpenAI's side again if the turn fails: should that delete fail too, ``purge``
finds the pending row and finishes it, so no conversation is ever left on OpenAI's side
without a row here. A pending conversation is nobody's to see or use.

Turns are not retried by the SDK: a request that timed out may have reached OpenAI, and a
retry would add the user's message to the conversation a second time. A turn that OpenAI
finished but this backend could not (a stream cut off, a reply without its usage, a
database that stayed locked) answers an error and stores nothing; OpenAI's conversation
keeps it, so the model may see a message the user sends again twice. Storing a finished
turn waits out a busy database three times (``store_answered``) before it gives up.

What OpenAI keeps: closing a conversation deletes it on OpenAI's side, with its items and
the responses made in it; the local row keeps its status and transcript. Expired
conversations, and any whose remote delete failed, are deleted by
``flask --app Conversation_API/conversation_multi_user_temp_memory_app/app.py purge``
(run it from cron). OpenAI is told only a hash of the user id, never the id itself.

Run: uv run python Conversation_API/conversation_multi_user_temp_memory_app/app.py
(serves http://127.0.0.1:5000, the chat page included; README.md has curl commands for a whole session)
API reference: https://developers.openai.com/api/reference/resources/conversations
"""

import json
from collections.abc import Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import click
import openai
from flask import Blueprint, Flask, current_app, request, send_from_directory, stream_with_context
from flask import Response as FlaskResponse
from flask.cli import with_appcontext
from openai import Stream
from openai.types.responses import Response, ResponseStreamEvent, ResponseUsage
from sqlalchemy import ForeignKey, Index, String, Text, bindparam, delete, func, insert, select, tuple_, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from openai_tutorial.client import UpstreamError, get_client, get_model, number_setting, setting
from openai_tutorial.conversations import RemoteConversation, delete_remotely, new_conversation, safety_identifier
from openai_tutorial.database import TurnLock, UTCDateTime, store_answered, utc_now
from openai_tutorial.web import (
    APIProblem,
    create_json_app,
    db_engine,
    db_sessions,
    fail,
    init_database,
    json_body,
    list_page,
    message_from,
    page_size,
    public,
    serve,
    text_field,
    user_id_from,
)

DEFAULT_DATABASE = Path(__file__).parent / "instance" / "conversations.db"
PAGE_FOLDER = Path(__file__).parent / "page"
# The page may load only its own files and talk only to this app: no CDN, no inline script.
PAGE_POLICY = "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
STATUSES = ("active", "closed", "expired")  # what users see; "pending" is a first turn not finished yet
MAX_CONVERSATION_ID_CHARS = 80
# A live turn renews its lock every 10 s (see TurnLock); one not renewed for 30 s died with its worker
# (kill -9, a crash), and the conversation is free again.
TURN_LOCK_STALE_AFTER = timedelta(seconds=30)


class Base(DeclarativeBase):
    pass


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


bp = Blueprint("chat", __name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = create_json_app(__name__)
    app.config.from_mapping(
        DATABASE_URL=setting("DATABASE_URL", f"sqlite:///{DEFAULT_DATABASE}"),
        CONVERSATION_TTL_MINUTES=number_setting("CONVERSATION_TTL_MINUTES", float, 30.0, low=0.1, high=525_600),
    )
    app.config.from_mapping(test_config or {})
    init_database(app, Base, default=DEFAULT_DATABASE)
    app.register_blueprint(bp)
    app.cli.add_command(purge_command)
    return app


def idle_cutoff() -> datetime:
    return utc_now() - timedelta(minutes=current_app.config["CONVERSATION_TTL_MINUTES"])


def owned_conversation(session: Session, conversation_id: str, user_id: str) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.status == "pending":
        fail(404, "not_found", f"No conversation {conversation_id!r}.")
    if conversation.user_id != user_id:
        fail(403, "forbidden", "You do not have access to this conversation.")
    if conversation.status == "active" and conversation.last_active_at < idle_cutoff() and not_busy_row(conversation):
        conversation.status = "expired"
    return conversation


def not_busy_row(conversation: Conversation) -> bool:
    """No turn holds it: a conversation with a turn in flight is never expired under it."""
    busy_since = conversation.busy_since
    return busy_since is None or busy_since < utc_now() - TURN_LOCK_STALE_AFTER


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


def conversation_busy() -> APIProblem:
    return APIProblem(
        409, "conversation_busy", "A message in this conversation is still being answered; retry shortly."
    )


# One turn (or a close) at a time per conversation, and only while it is active.
CONVERSATION_TURNS = TurnLock(Conversation.id, stale_after=TURN_LOCK_STALE_AFTER, where=Conversation.status == "active")


def holding_turn(conversation_id: str):
    return CONVERSATION_TURNS.held(db_engine(), conversation_id, busy=conversation_busy)


def describe(conversation: Conversation, turns: int) -> dict[str, Any]:
    return {
        "conversation_id": conversation.id,
        "user_id": conversation.user_id,
        "status": conversation.status,
        "created_at": conversation.created_at.isoformat(),
        "last_active_at": conversation.last_active_at.isoformat(),
        "turns": turns,
    }


# What a turn stores (a new conversation's pending row; the turn's log and the conversation active
# now) is rows it never reads back: statements on the tables, built once, run on the engine. The ORM
# session stays with the routes that work with objects; through it, these writes cost a turn about 0.4 ms more.
CONVERSATIONS = Conversation.__table__
NEW_CONVERSATION = insert(CONVERSATIONS)
MARK_ACTIVE = (
    update(CONVERSATIONS)
    .where(CONVERSATIONS.c.id == bindparam("conversation_id"))
    .values(status="active", last_active_at=bindparam("now"))  # a first turn's pending row becomes active
)
LOG_TURN = insert(Turn.__table__)


@contextmanager
def conversation_for_turn(user_id: str, conversation_id: str | None) -> Iterator[RemoteConversation]:
    """Where this turn goes, held for the turn: a new conversation (deleted again if the turn fails), or one of the
    user's own, active and locked."""
    if conversation_id is None:
        with new_conversation(user_id, undone=forget_pending) as conversation:
            # Recorded before the turn is sent, and held by it: if the turn fails and so does deleting it again,
            # purge finds it.
            now = utc_now()
            pending = {"id": conversation.id, "user_id": user_id, "status": "pending", "busy_since": now}
            with db_engine().begin() as connection:
                connection.execute(NEW_CONVERSATION, {**pending, "created_at": now, "last_active_at": now})
            with CONVERSATION_TURNS.kept(db_engine(), conversation.id):
                yield conversation
        return
    with db_sessions().begin() as session:
        status = owned_conversation(session, conversation_id, user_id).status
    refuse_unless_active(status)
    with holding_turn(conversation_id):
        yield RemoteConversation(conversation_id)


def forget_pending(conversation_id: str) -> None:
    """Drop the row of a first turn that failed, once its conversation is deleted on OpenAI's side."""
    with db_engine().begin() as connection:
        connection.execute(delete(CONVERSATIONS).where(CONVERSATIONS.c.id == conversation_id))


@bp.get("/")
@public
def chat_page():
    return page_file("index.html")


@bp.get("/page/<name>")
@public
def page_file(name: str):
    response = send_from_directory(PAGE_FOLDER, name)
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/chat")
def chat():
    body = json_body()
    user_id = user_id_from(body)
    message = message_from(body)
    conversation_id = text_field(body, "conversation_id", max_chars=MAX_CONVERSATION_ID_CHARS, optional=True)
    # No retries: a request that timed out may have reached OpenAI, and a retry would add the message twice.
    no_retries = get_client().with_options(max_retries=0)
    with conversation_for_turn(user_id, conversation_id) as conversation:
        try:
            response = no_retries.responses.create(
                model=get_model(),
                conversation=conversation.id,  # OpenAI adds this turn to the conversation and reads it all
                input=message,
                safety_identifier=safety_identifier(user_id),
            )
        except openai.NotFoundError:
            if conversation.created:
                raise
            conversation_gone(conversation.id)
        conversation.made(response)
        record_turn(conversation, message, response)
    reply = {"conversation_id": conversation.id, "response_id": response.id, "reply": response.output_text}
    return reply, 201 if conversation.created else 200


def record_turn(conversation: RemoteConversation, message: str, response: Response) -> None:
    """Store a turn OpenAI has answered, in one transaction: its log, and the conversation active now."""
    usage = response.usage
    if usage is None:
        raise UpstreamError("OpenAI's reply came without its token usage; send the message again.")
    store_answered(lambda: store_turn(conversation, message, response, usage))


def store_turn(conversation: RemoteConversation, message: str, response: Response, usage: ResponseUsage) -> None:
    now = utc_now()
    with db_engine().begin() as connection:
        connection.execute(MARK_ACTIVE, {"conversation_id": conversation.id, "now": now})
        connection.execute(
            LOG_TURN,
            {
                "response_id": response.id,
                "conversation_id": conversation.id,
                "user_message": message,
                "reply": response.output_text,
                "input_tokens": usage.input_tokens,
                "output_tokens": usage.output_tokens,
                "total_tokens": usage.total_tokens,
                "created_at": now,
            },
        )


@bp.post("/chat/stream")
def chat_stream():
    """``POST /chat``, with the reply sent as server-sent events while the model writes it."""
    body = json_body()
    user_id = user_id_from(body)
    message = message_from(body)
    conversation_id = text_field(body, "conversation_id", max_chars=MAX_CONVERSATION_ID_CHARS, optional=True)
    events = streamed_turn(user_id, message, conversation_id)
    # Run the turn up to its first event now: the checks, the turn lock and OpenAI's answer up to its
    # first piece of text. Their errors, and a stream that fails before that, are then ordinary JSON
    # errors with their status, as for POST /chat.
    first = next(events)
    # Werkzeug closes the events when the client goes away: the generator then stops at its yield,
    # and its with-blocks close OpenAI's stream and release the turn.
    # stream_with_context keeps the request's context (the app, its database) for the rest of the turn.
    return FlaskResponse(
        stream_with_context(sent_after(first, events)),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-store"},
    )


def sent_after(first: str, events: Iterator[str]) -> Iterator[str]:
    """``first``, then the rest of ``events``; closing it closes ``events``, wherever it stopped."""
    with closing(events):
        yield first
        yield from events


class StreamFailed(Exception):
    """OpenAI's stream ended without a completed reply, or with one this backend cannot use."""


def streamed_turn(user_id: str, message: str, conversation_id: str | None) -> Iterator[str]:
    """A turn as server-sent events: ``delta`` events with the reply's text, then ``done`` or ``error``.

    Rows are written once OpenAI's stream completes; a stream that fails writes nothing, and a
    conversation made for it is deleted again. A failure before the first piece of text is
    raised as a 502 (the first ``next()`` has sent nothing yet); after it, it is an ``error``
    event. ``done`` and ``error`` are sent after the turn lock is released, so the client may
    send its next message as soon as it sees them.
    """
    relayed = Relayed()
    no_retries = get_client().with_options(max_retries=0)  # as for POST /chat: a retry could add the message twice
    try:
        with conversation_for_turn(user_id, conversation_id) as conversation:
            try:
                stream = no_retries.responses.create(
                    model=get_model(),
                    conversation=conversation.id,
                    input=message,
                    safety_identifier=safety_identifier(user_id),
                    stream=True,
                )
            except openai.NotFoundError:
                if conversation.created:
                    raise
                conversation_gone(conversation.id)
            with stream:  # closing it closes the connection to OpenAI, whatever ends the turn
                response = yield from relay_text(stream, conversation, relayed)
            record_turn(conversation, message, response)
    except (StreamFailed, UpstreamError) as failure:
        if not relayed.text:
            raise APIProblem(502, "upstream_error", str(failure)) from None
        yield server_sent_event("error", {"error": {"type": "upstream_error", "message": str(failure)}})
        return
    except OperationalError:
        if not relayed.text:
            raise
        problem = {"type": "database_unavailable", "message": "The reply could not be stored; send it again."}
        yield server_sent_event("error", {"error": problem})
        return
    except Exception:  # a bug: before the first text, the JSON 500 of every route; after it, the same words
        if not relayed.text:
            raise
        current_app.logger.exception("Unhandled error in a streamed turn")
        problem = {"type": "internal_error", "message": "Something went wrong on the server."}
        yield server_sent_event("error", {"error": problem})
        return
    usage = response.usage
    yield server_sent_event(
        "done",
        {
            "conversation_id": conversation.id,
            "response_id": response.id,
            "usage": {
                "input_tokens": usage.input_tokens,
                "output_tokens": usage.output_tokens,
                "total_tokens": usage.total_tokens,
            },
        },
    )


@dataclass
class Relayed:
    text: bool = False  # a piece of the reply was sent to the client


def relay_text(
    stream: Stream[ResponseStreamEvent], conversation: RemoteConversation, relayed: Relayed
) -> Generator[str, None, Response]:
    """Send each text delta on as it arrives; return the completed response, or raise ``StreamFailed``."""
    try:
        for event in stream:
            if event.type == "response.created":
                conversation.made(event.response)  # so that undoing a new conversation deletes it too
            elif event.type == "response.output_text.delta":
                if not isinstance(event.delta, str):  # the SDK builds events without checking them
                    raise TypeError(f"a text delta whose text is {event.delta!r}")
                relayed.text = True
                yield server_sent_event("delta", {"text": event.delta})
            elif event.type in ("response.completed", "response.incomplete"):
                return event.response
            elif event.type == "response.failed":
                error = event.response.error
                raise StreamFailed(
                    f"OpenAI could not finish the reply: {error.message if error else 'no reason given'}"
                )
            elif event.type == "error":
                raise StreamFailed(f"OpenAI's stream failed: {event.message}")
    except StreamFailed:
        raise
    except openai.OpenAIError as error:  # the SDK wraps a broken connection as APIConnectionError
        current_app.logger.warning("OpenAI's stream broke off: %s: %s", type(error).__name__, error)
        raise StreamFailed("The connection to OpenAI broke off before the reply was complete; send it again.") from None
    except Exception as error:  # an event that is not JSON, or that the SDK cannot read (a proxy's, a newer API's)
        current_app.logger.warning("OpenAI's stream could not be read: %s: %s", type(error).__name__, error)
        raise StreamFailed("OpenAI's stream could not be read; send the message again.") from None
    raise StreamFailed("OpenAI's stream ended before the reply was complete; send it again.")


def server_sent_event(name: str, data: dict[str, Any]) -> str:
    # JSON keeps a reply's own newlines from ending the event early.
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


def conversation_gone(conversation_id: str) -> NoReturn:
    """OpenAI no longer has the conversation (deleted outside this app): close it here and say so."""
    with db_sessions().begin() as session:
        session.get(Conversation, conversation_id).status = "closed"
    fail(
        410,
        "conversation_gone",
        "This conversation no longer exists on OpenAI's side; start a new one without a conversation_id.",
    )


def expire_idle(session: Session, *conditions: Any) -> None:
    """Mark idle active conversations expired; never one with a turn in flight."""
    session.execute(
        update(Conversation)
        .where(
            *conditions,
            Conversation.status == "active",
            Conversation.last_active_at < idle_cutoff(),
            CONVERSATION_TURNS.not_held(),
        )
        .values(status="expired")
    )


@bp.get("/conversations")
def list_conversations():
    user_id = user_id_from(request.args)
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        fail(400, "invalid_request", f"'status' must be one of {', '.join(STATUSES)}.")
    limit = page_size()
    after = text_field(request.args, "after", max_chars=MAX_CONVERSATION_ID_CHARS, optional=True)
    turns = select(func.count(Turn.id)).where(Turn.conversation_id == Conversation.id).scalar_subquery()
    query = select(Conversation, turns).where(Conversation.user_id == user_id, Conversation.status != "pending")
    if status is not None:
        query = query.where(Conversation.status == status)
    with db_sessions().begin() as session:
        expire_idle(session, Conversation.user_id == user_id)
        if after is not None:
            cursor = session.get(Conversation, after)
            if cursor is None or cursor.user_id != user_id:
                fail(400, "invalid_request", f"'after' must be the id of one of your conversations, not {after!r}.")
            query = query.where(tuple_(Conversation.last_active_at, Conversation.id) < (cursor.last_active_at, after))
        newest_first = query.order_by(Conversation.last_active_at.desc(), Conversation.id.desc()).limit(limit + 1)
        rows = session.execute(newest_first).all()
        return list_page(rows, limit, lambda row: describe(*row), key="conversation_id")


def delete_on_openai(conversation_id: str) -> bool:
    """Delete the conversation, its items and its responses on OpenAI's side; False if OpenAI failed.

    A failure is not the user's problem: the conversation stays marked (``deleted_on_openai_at``
    unset) and the next ``flask purge`` tries again.
    """
    with db_sessions().begin() as session:
        response_ids = session.scalars(select(Turn.response_id).where(Turn.conversation_id == conversation_id)).all()
    try:
        delete_remotely(conversation_id, response_ids)
    except openai.OpenAIError as error:
        current_app.logger.warning("Could not delete %s on OpenAI's side; purge will retry: %s", conversation_id, error)
        return False
    with db_sessions().begin() as session:
        session.get(Conversation, conversation_id).deleted_on_openai_at = utc_now()
    return True


def delete_unfinished(conversation_id: str) -> bool:
    """Delete on OpenAI's side a conversation whose first turn failed, then its pending row; False if OpenAI failed."""
    try:
        delete_remotely(conversation_id, [])
    except openai.OpenAIError as error:
        current_app.logger.warning("Could not delete %s on OpenAI's side; purge will retry: %s", conversation_id, error)
        return False
    forget_pending(conversation_id)
    return True


@bp.post("/conversations/<conversation_id>/close")
def close_conversation(conversation_id: str):
    user_id = user_id_from(json_body())
    with db_sessions().begin() as session:
        status = owned_conversation(session, conversation_id, user_id).status
    if status == "expired":
        refuse_unless_active("expired")
    if status == "active":
        with holding_turn(conversation_id), db_sessions().begin() as session:
            session.get(Conversation, conversation_id).status = "closed"
        delete_on_openai(conversation_id)
    with db_sessions().begin() as session:
        turns = session.scalar(select(func.count(Turn.id)).where(Turn.conversation_id == conversation_id))
        return describe(session.get(Conversation, conversation_id), turns)


@bp.get("/responses/<conversation_id>")
def list_responses(conversation_id: str):
    user_id = user_id_from(request.args)
    limit = page_size()
    after = text_field(request.args, "after", max_chars=MAX_CONVERSATION_ID_CHARS, optional=True)
    with db_sessions().begin() as session:
        owned_conversation(session, conversation_id, user_id)
        query = select(Turn).where(Turn.conversation_id == conversation_id)
        if after is not None:
            cursor = session.scalar(select(Turn).where(Turn.response_id == after))
            if cursor is None or cursor.conversation_id != conversation_id:
                fail(400, "invalid_request", "'after' must be the response_id of a turn of this conversation.")
            query = query.where(Turn.id > cursor.id)
        turns = session.scalars(query.order_by(Turn.id).limit(limit + 1)).all()
        return list_page(turns, limit, describe_turn, key="response_id")


def describe_turn(turn: Turn) -> dict[str, Any]:
    return {
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


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete on OpenAI's side every conversation that is closed, expired or left by a failed first turn, and
    not deleted there yet."""
    with db_sessions().begin() as session:
        expire_idle(session)
        ended = session.scalars(
            select(Conversation.id).where(
                Conversation.status.in_(("closed", "expired")),
                Conversation.deleted_on_openai_at.is_(None),
                CONVERSATION_TURNS.not_held(),
            )
        ).all()
        # First turns that failed, and whose undo failed too: a first turn still running holds its row.
        unfinished = session.scalars(
            select(Conversation.id).where(Conversation.status == "pending", CONVERSATION_TURNS.not_held())
        ).all()
    failed = [conversation_id for conversation_id in ended if not delete_on_openai(conversation_id)]
    failed += [conversation_id for conversation_id in unfinished if not delete_unfinished(conversation_id)]
    deleted = len(ended) + len(unfinished) - len(failed)
    click.echo(f"Deleted {deleted} conversation(s) on OpenAI's side; {len(failed)} failed.")
    for conversation_id in failed:
        click.echo(f"  failed: {conversation_id} (the next purge tries again)")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    serve(create_app)
