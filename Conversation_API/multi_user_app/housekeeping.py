"""Everything around the chat: a user's lists, closing a conversation, and ``purge``, which cron runs.

Closing deletes the conversation on OpenAI's side with its items and responses; the rows
here keep its status and transcript. A remote delete that fails is not the user's problem:
``deleted_on_openai_at`` stays unset, and the next ``purge`` tries again.
"""

from typing import Any

import click
import openai
from flask import Blueprint, current_app, request
from flask.cli import with_appcontext
from flask.typing import ResponseReturnValue
from sqlalchemy import Connection, Update, func, select, tuple_, update

from openai_tutorial.conversations import delete_remotely
from openai_tutorial.database import db_engine, utc_now
from openai_tutorial.web import fail, json_body, list_page, page_size, text_field, user_id_from

from .chat import forget_pending
from .models import CONVERSATION_TURNS, CONVERSATIONS, MAX_CONVERSATION_ID_CHARS, STATUSES, TURNS
from .ownership import expire_idle, having_status, holding_turn, owned_status, refuse_unless_active, shown_status
from .rendering import reply_html

bp = Blueprint("housekeeping", __name__)


FIRST_MESSAGE_CHARS = 60


def turn_counts() -> Any:
    return select(func.count(TURNS.c.id)).where(TURNS.c.conversation_id == CONVERSATIONS.c.id).scalar_subquery()


def first_messages() -> Any:
    """The first message of each listed conversation, so that a list can tell them apart (the turns' index)."""
    first = select(TURNS.c.user_message).where(TURNS.c.conversation_id == CONVERSATIONS.c.id)
    return first.order_by(TURNS.c.id).limit(1).scalar_subquery()


def listed() -> Any:
    """Conversations as a list shows them: their status as a reader sees it, turn count and first message."""
    conversations = CONVERSATIONS.c
    return select(
        conversations.id,
        conversations.user_id,
        shown_status().label("status"),
        conversations.created_at,
        conversations.last_active_at,
        turn_counts().label("turns"),
        first_messages().label("first_message"),
    )


def describe(conversation: Any) -> dict[str, Any]:
    first = " ".join((conversation.first_message or "").split())
    return {
        "conversation_id": conversation.id,
        "user_id": conversation.user_id,
        "status": conversation.status,
        "created_at": conversation.created_at.isoformat(),
        "last_active_at": conversation.last_active_at.isoformat(),
        "turns": conversation.turns,
        "first_message": first if len(first) <= FIRST_MESSAGE_CHARS else first[: FIRST_MESSAGE_CHARS - 1] + "…",
    }


@bp.get("/conversations")
def list_conversations() -> ResponseReturnValue:
    user_id = user_id_from(request.args)
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        fail(400, "invalid_request", f"'status' must be one of {', '.join(STATUSES)}.")
    limit = page_size()
    after = text_field(request.args, "after", max_chars=MAX_CONVERSATION_ID_CHARS, optional=True)
    conversations = CONVERSATIONS.c
    query = listed().where(conversations.user_id == user_id, conversations.status != "pending")
    if status is not None:
        query = query.where(having_status(status))
    # Read only: a conversation due to expire is shown expired, and made so by the turn or purge that finds it.
    with db_engine().connect() as connection:
        if after is not None:
            cursor = connection.execute(
                select(conversations.user_id, conversations.last_active_at).where(conversations.id == after)
            ).one_or_none()
            if cursor is None or cursor.user_id != user_id:
                fail(400, "invalid_request", f"'after' must be the id of one of your conversations, not {after!r}.")
            query = query.where(tuple_(conversations.last_active_at, conversations.id) < (cursor.last_active_at, after))
        newest_first = query.order_by(conversations.last_active_at.desc(), conversations.id.desc()).limit(limit + 1)
        rows = connection.execute(newest_first).all()
    return list_page(rows, limit, describe, key="conversation_id")


@bp.post("/conversations/<conversation_id>/close")
def close_conversation(conversation_id: str) -> ResponseReturnValue:
    user_id = user_id_from(json_body())
    with db_engine().begin() as connection:
        status = owned_status(connection, conversation_id, user_id)
    if status == "expired":
        refuse_unless_active("expired")
    if status == "active":
        with holding_turn(conversation_id), db_engine().begin() as connection:
            connection.execute(set_status(conversation_id, status="closed"))
        delete_on_openai(conversation_id)
    with db_engine().connect() as connection:
        return describe(connection.execute(listed().where(CONVERSATIONS.c.id == conversation_id)).one())


@bp.get("/responses/<conversation_id>")
def list_responses(conversation_id: str) -> ResponseReturnValue:
    user_id = user_id_from(request.args)
    limit = page_size()
    after = text_field(request.args, "after", max_chars=MAX_CONVERSATION_ID_CHARS, optional=True)
    with db_engine().connect() as connection:
        owned_status(connection, conversation_id, user_id, durable=False)
        query = select(TURNS).where(TURNS.c.conversation_id == conversation_id)
        if after is not None:
            cursor = connection.execute(
                select(TURNS.c.id, TURNS.c.conversation_id).where(TURNS.c.response_id == after)
            ).one_or_none()
            if cursor is None or cursor.conversation_id != conversation_id:
                fail(400, "invalid_request", "'after' must be the response_id of a turn of this conversation.")
            query = query.where(TURNS.c.id > cursor.id)
        turns = connection.execute(query.order_by(TURNS.c.id).limit(limit + 1)).all()
    return list_page(turns, limit, describe_turn, key="response_id")


def describe_turn(turn: Any) -> dict[str, Any]:
    return {
        "response_id": turn.response_id,
        "message": turn.user_message,
        "reply": turn.reply,
        "reply_html": reply_html(turn.reply),
        "usage": {
            "input_tokens": turn.input_tokens,
            "output_tokens": turn.output_tokens,
            "total_tokens": turn.total_tokens,
        },
        "created_at": turn.created_at.isoformat(),
    }


def set_status(conversation_id: str, **values: Any) -> Update:
    return update(CONVERSATIONS).where(CONVERSATIONS.c.id == conversation_id).values(**values)


def delete_on_openai(conversation_id: str) -> bool:
    """Delete the conversation, its items and its responses on OpenAI's side; False if OpenAI failed."""
    with db_engine().begin() as connection:
        response_ids = connection.scalars(
            select(TURNS.c.response_id).where(TURNS.c.conversation_id == conversation_id)
        ).all()
    try:
        delete_remotely(conversation_id, response_ids)
    except openai.OpenAIError as error:
        current_app.logger.warning("Could not delete %s on OpenAI's side; purge will retry: %s", conversation_id, error)
        return False
    with db_engine().begin() as connection:
        connection.execute(set_status(conversation_id, deleted_on_openai_at=utc_now()))
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


def ids_where(connection: Connection, *conditions: Any) -> list[str]:
    return list(connection.scalars(select(CONVERSATIONS.c.id).where(*conditions)))


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete on OpenAI's side every conversation that is closed, expired or left by a failed first turn, and
    not deleted there yet."""
    conversations = CONVERSATIONS.c
    with db_engine().begin() as connection:
        expire_idle(connection)
        ended = ids_where(
            connection,
            conversations.status.in_(("closed", "expired")),
            conversations.deleted_on_openai_at.is_(None),
            CONVERSATION_TURNS.not_held(),
        )
        # First turns that failed, and whose undo failed too: a first turn still running holds its row.
        unfinished = ids_where(connection, conversations.status == "pending", CONVERSATION_TURNS.not_held())
    failed = [conversation_id for conversation_id in ended if not delete_on_openai(conversation_id)]
    failed += [conversation_id for conversation_id in unfinished if not delete_unfinished(conversation_id)]
    deleted = len(ended) + len(unfinished) - len(failed)
    click.echo(f"Deleted {deleted} conversation(s) on OpenAI's side; {len(failed)} failed.")
    for conversation_id in failed:
        click.echo(f"  failed: {conversation_id} (the next purge tries again)")
    if failed:
        raise SystemExit(1)
