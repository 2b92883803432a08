"""The lesson: ``POST /chat`` and ``POST /chat/stream``, one turn each in a conversation that OpenAI keeps.

Both routes read the same request (``turn_request``), find where the turn goes
(``conversation_for_turn``: a new conversation, or one of the user's own, locked for the
turn) and make the same call (``ask``): ``responses.create(conversation=id, input=message)``,
the message alone, since OpenAI adds it to the conversation and reads the whole chat.
A turn is stored once OpenAI has answered (``record_turn``); a failed turn stores nothing.

What a turn costs stays bounded: each turn is billed for the whole conversation as input,
so once a turn's input passes ``COMPACT_AFTER_TOKENS``, the conversation is compacted
before the turn lets go of it (``bound_cost``: its items become one sealed compaction item,
in the same conversation). The user keeps the conversation id and what they said early on;
the turn that compacts takes one request longer, and the model keeps the gist rather than
every word of the oldest turns.
"""

from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import Literal, overload

import openai
from flask import Blueprint, current_app, stream_with_context
from flask import Response as FlaskResponse
from flask.typing import ResponseReturnValue
from openai import Omit, Stream, omit
from openai.types.responses import Response, ResponseStreamEvent, ResponseUsage
from sqlalchemy import bindparam, delete, insert, update

from openai_tutorial.client import UpstreamError, get_client, get_model
from openai_tutorial.conversations import RemoteConversation, bound_cost, new_conversation, safety_identifier
from openai_tutorial.database import db_engine, store_answered, utc_now
from openai_tutorial.web import json_body, message_from, text_field, user_id_from

from .models import CONVERSATION_TURNS, CONVERSATIONS, MAX_CONVERSATION_ID_CHARS, TURNS
from .ownership import conversation_gone, holding_turn, owned_status, refuse_unless_active
from .relay import Relayed, failed_after, relay_text, sent_after, server_sent_event, turn_summary
from .rendering import reply_html

bp = Blueprint("chat", __name__)


@overload
def ask(conversation: RemoteConversation, user_id: str, message: str) -> Response: ...
@overload
def ask(
    conversation: RemoteConversation, user_id: str, message: str, *, stream: Literal[True]
) -> Stream[ResponseStreamEvent]: ...
def ask(
    conversation: RemoteConversation, user_id: str, message: str, *, stream: Literal[True] | Omit = omit
) -> Response | Stream[ResponseStreamEvent]:
    """The turn's one call to OpenAI: the new message, in the conversation that holds the rest.

    ``POST /chat/stream`` adds ``stream=True``: the same request, answered as events.
    """
    # No retries: a request that timed out may have reached OpenAI, and a retry would add the message twice.
    no_retries = get_client().with_options(max_retries=0)
    try:
        return no_retries.responses.create(
            model=get_model(),
            conversation=conversation.id,  # OpenAI adds this turn to the conversation and reads it all
            input=message,
            safety_identifier=safety_identifier(user_id),  # a hash: OpenAI never sees the user id itself
            stream=stream,
        )
    except openai.NotFoundError:
        if conversation.created:
            raise
        conversation_gone(conversation.id)


@bp.post("/chat")
def chat() -> ResponseReturnValue:
    user_id, message, conversation_id = turn_request()
    with conversation_for_turn(user_id, conversation_id) as conversation:
        response = ask(conversation, user_id, message)
        conversation.made(response)
        record_turn(conversation, message, response)
        bound_cost_of(conversation, response)
    reply = {"conversation_id": conversation.id, "response_id": response.id, "reply": response.output_text}
    return reply, 201 if conversation.created else 200


@bp.post("/chat/stream")
def chat_stream() -> ResponseReturnValue:
    """``POST /chat``, with the reply sent as server-sent events while the model writes it (``relay.py``)."""
    events = streamed_turn(*turn_request())
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


def streamed_turn(user_id: str, message: str, conversation_id: str | None) -> Generator[str]:
    """A turn as server-sent events: ``delta`` events with the reply's text, then ``done`` or ``error``.

    Rows are written once OpenAI's stream completes; a stream that fails writes nothing, and a
    conversation made for it is deleted again. A failure before the first piece of text is
    raised as a 502 (the first ``next()`` has sent nothing yet); after it, it is an ``error``
    event. ``done`` and ``error`` are sent after the turn lock is released, so the client may
    send its next message as soon as it sees them.
    """
    relayed = Relayed()
    try:
        with conversation_for_turn(user_id, conversation_id) as conversation:
            stream = ask(conversation, user_id, message, stream=True)
            with stream:  # closing it closes the connection to OpenAI, whatever ends the turn
                response = yield from relay_text(stream, conversation, relayed)
            record_turn(conversation, message, response)
            bound_cost_of(conversation, response)
    except Exception as failure:
        yield from failed_after(relayed, failure)
        return
    done = {
        "conversation_id": conversation.id,
        **turn_summary(response),
        "reply_html": reply_html(response.output_text),
    }
    yield server_sent_event("done", done)


def turn_request() -> tuple[str, str, str | None]:
    """What both chat routes are sent: the user, the message, and the conversation to continue (if any)."""
    body = json_body()
    user_id = user_id_from(body)
    message = message_from(body)
    conversation_id = text_field(body, "conversation_id", max_chars=MAX_CONVERSATION_ID_CHARS, optional=True)
    return user_id, message, conversation_id


# Built once: each turn binds only its values.
NEW_CONVERSATION = insert(CONVERSATIONS)
MARK_ACTIVE = (
    update(CONVERSATIONS)
    .where(CONVERSATIONS.c.id == bindparam("conversation_id"))
    .values(status="active", last_active_at=bindparam("now"))  # a first turn's pending row becomes active
)
LOG_TURN = insert(TURNS)


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
    with db_engine().begin() as connection:
        status = owned_status(connection, conversation_id, user_id)
    refuse_unless_active(status)
    with holding_turn(conversation_id):
        yield RemoteConversation(conversation_id)


def forget_pending(conversation_id: str) -> None:
    """Drop the row of a first turn that failed, once its conversation is deleted on OpenAI's side."""
    with db_engine().begin() as connection:
        connection.execute(delete(CONVERSATIONS).where(CONVERSATIONS.c.id == conversation_id))


def record_turn(conversation: RemoteConversation, message: str, response: Response) -> None:
    """Store a turn OpenAI has answered, in one transaction: its log, and the conversation active now."""
    usage = response.usage
    if usage is None:
        raise UpstreamError("OpenAI's reply came without its token usage; send the message again.")
    store_answered(lambda: store_turn(conversation, message, response, usage))


def bound_cost_of(conversation: RemoteConversation, response: Response) -> None:
    """Compact the conversation, still held by this turn, if the turn's input passed the budget."""
    bound_cost(conversation.id, response.usage, current_app.config["COMPACT_AFTER_TOKENS"])


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
