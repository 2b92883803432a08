"""Around the chat: the user's transcript a page at a time, "forget me", and ``purge``, which cron runs.

"Forget me" deletes on OpenAI's side first (the conversation's items, its responses, the
conversation), and only then the rows here: if OpenAI fails half-way, nothing local is lost,
the user is told to repeat the request, and ``purge`` finishes what is left.
"""

from typing import Any

import click
import openai
from flask import Blueprint
from flask.cli import with_appcontext
from flask.typing import ResponseReturnValue
from sqlalchemy import Connection, delete, select, update

from openai_tutorial.conversations import delete_remotely
from openai_tutorial.database import db_engine, utc_now
from openai_tutorial.web import APIProblem, after_number, fail, list_page, page_size, user_id_from

from .chat import holding_turn
from .models import MESSAGES, USER_TURNS, USERS

bp = Blueprint("housekeeping", __name__)


def refuse_unknown(connection: Connection, user_id: str) -> None:
    if connection.scalar(select(USERS.c.user_id).where(USERS.c.user_id == user_id)) is None:
        fail(404, "not_found", f"No memory for user {user_id!r}.")


@bp.get("/users/<user_id>/history")
def history(user_id: str) -> ResponseReturnValue:
    user_id = user_id_from({"user_id": user_id})
    limit = page_size()
    after = after_number()
    with db_engine().begin() as connection:
        refuse_unknown(connection, user_id)
        query = select(MESSAGES).where(MESSAGES.c.user_id == user_id, MESSAGES.c.id > after).order_by(MESSAGES.c.id)
        messages = connection.execute(query.limit(limit + 1)).all()
    return list_page(messages, limit, describe_message, key="id")


def describe_message(message: Any) -> dict[str, Any]:
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
    user = USERS.c
    with db_engine().begin() as connection:
        connection.execute(  # the first forget's time stays: a retry does not move it
            update(USERS)
            .where(user.user_id == user_id, user.forget_requested_at.is_(None))
            .values(forget_requested_at=utc_now())
        )
        conversation_id = connection.execute(select(user.conversation_id).where(user.user_id == user_id)).scalar_one()
        response_ids = connection.scalars(
            select(MESSAGES.c.response_id).where(MESSAGES.c.user_id == user_id, MESSAGES.c.role == "assistant")
        ).all()
    delete_remotely(conversation_id, response_ids)
    with db_engine().begin() as connection:
        connection.execute(delete(USERS).where(user.user_id == user_id))  # its messages go with it (cascade)


@bp.delete("/users/<user_id>/memory")
def forget(user_id: str) -> ResponseReturnValue:
    user_id = user_id_from({"user_id": user_id})
    with db_engine().begin() as connection:
        refuse_unknown(connection, user_id)
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
    never_answered = ~select(MESSAGES.c.id).where(MESSAGES.c.user_id == USERS.c.user_id).exists()
    with db_engine().begin() as connection:
        pending = connection.scalars(
            select(USERS.c.user_id).where(
                USERS.c.forget_requested_at.is_not(None) | (never_answered & USER_TURNS.not_held())
            )
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
