"""The lesson: ``POST /chat``, one turn in the user's own conversation, which OpenAI keeps across restarts.

The first message makes the user's conversation (``users_conversation``); every later one
continues it with ``responses.create(conversation=id, input=message)`` (``answer``): only the
new message is sent, and the model reads everything the user ever said. Both messages are
stored here once OpenAI has answered. A turn whose input passed ``COMPACT_AFTER_TOKENS``
then compacts the conversation (``bound_cost``), so that the next turns cost less again.
"""

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import openai
from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue
from openai.types.responses import Response
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from openai_tutorial.client import get_client, get_model
from openai_tutorial.conversations import RemoteConversation, bound_cost, new_conversation, safety_identifier
from openai_tutorial.database import db_engine, store_answered, utc_now
from openai_tutorial.web import APIProblem, fail, json_body, message_from, user_id_from

from .models import MESSAGES, USER_TURNS, USERS

bp = Blueprint("chat", __name__)


@bp.post("/chat")
def chat() -> ResponseReturnValue:
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
        safety_identifier=safety_identifier(user_id),  # a hash: OpenAI never sees the user id itself
    )
    conversation.made(response)
    store_answered(lambda: store_messages(user_id, message, response))
    # Still holding the user's turn: a conversation past the budget is compacted before the next message.
    bound_cost(conversation.id, response.usage, current_app.config["COMPACT_AFTER_TOKENS"])
    return response


def user_busy() -> APIProblem:
    return APIProblem(409, "user_busy", "This user's previous message is still being answered; retry shortly.")


def holding_turn(user_id: str) -> AbstractContextManager[None]:
    return USER_TURNS.held(db_engine(), user_id, busy=user_busy)


# Built once: each turn binds only its values.
NEW_USER = insert(USERS)
MOVE_USER = update(USERS).where(USERS.c.user_id == bindparam("user")).values(conversation_id=bindparam("conversation"))
STORE_MESSAGES = insert(MESSAGES)
USERS_CONVERSATION = select(USERS.c.conversation_id, USERS.c.forget_requested_at).where(
    USERS.c.user_id == bindparam("user")
)


@contextmanager
def users_conversation(user_id: str) -> Iterator[RemoteConversation]:
    """The user's conversation, held for one turn: a new one on the first message (deleted again if the turn
    fails), else theirs, locked."""
    with db_engine().begin() as connection:
        user = connection.execute(USERS_CONVERSATION, {"user": user_id}).one_or_none()
    conversation_id, forgetting = user or (None, None)
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
