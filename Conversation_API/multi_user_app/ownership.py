"""Whose a conversation is, whether it is still active, and the 4xx/409/410 a request gets when it is not.

An active conversation idle for longer than ``CONVERSATION_TTL_MINUTES`` is expired, but
never one with a turn in flight (the turn lock's rule, ``CONVERSATION_TURNS.not_held()``).
Reading derives it (``shown_status``): a list shows such a conversation as expired and
writes nothing, so listing never waits for, or holds up, a turn's write. The turn or close
that finds it, or ``purge``, makes it durable (``owned_status``, ``expire_idle``).
"""

from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, NoReturn

from flask import current_app
from sqlalchemy import Connection, and_, case, not_, or_, select, update

from openai_tutorial.database import db_engine, utc_now
from openai_tutorial.web import APIProblem, fail

from .models import CONVERSATION_TURNS, CONVERSATIONS


def idle_cutoff() -> datetime:
    return utc_now() - timedelta(minutes=current_app.config["CONVERSATION_TTL_MINUTES"])


def idle() -> Any:
    """Active, idle for longer than the TTL, and with no turn in flight: due to expire."""
    return and_(
        CONVERSATIONS.c.status == "active",
        CONVERSATIONS.c.last_active_at < idle_cutoff(),
        CONVERSATION_TURNS.not_held(),
    )


def shown_status() -> Any:
    """The status a reader sees: an active conversation due to expire reads as expired before any write says so."""
    return case((idle(), "expired"), else_=CONVERSATIONS.c.status)


def having_status(status: str) -> Any:
    """The conversations whose ``shown_status`` is ``status``, written so that the status index still serves it."""
    if status == "expired":
        return or_(CONVERSATIONS.c.status == "expired", idle())
    if status == "active":
        return and_(CONVERSATIONS.c.status == "active", not_(idle()))
    return CONVERSATIONS.c.status == status


def expire_idle(connection: Connection, *conditions: Any) -> int:
    """Mark the idle conversations among those ``conditions`` select expired; returns how many."""
    return connection.execute(update(CONVERSATIONS).where(*conditions, idle()).values(status="expired")).rowcount


def owned_status(connection: Connection, conversation_id: str, user_id: str, *, durable: bool = True) -> str:
    """The conversation's status after checking that it is ``user_id``'s (else 404/403); one due to expire is marked
    expired, unless ``durable`` is False (a reader's check, which writes nothing)."""
    conversation = connection.execute(
        select(CONVERSATIONS.c.user_id, CONVERSATIONS.c.status, idle().label("idle")).where(
            CONVERSATIONS.c.id == conversation_id
        )
    ).one_or_none()
    if conversation is None or conversation.status == "pending":
        fail(404, "not_found", f"No conversation {conversation_id!r}.")
    if conversation.user_id != user_id:
        fail(403, "forbidden", "You do not have access to this conversation.")
    if conversation.idle and (not durable or expire_idle(connection, CONVERSATIONS.c.id == conversation_id)):
        return "expired"
    status: str = conversation.status
    return status


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


def holding_turn(conversation_id: str) -> AbstractContextManager[None]:
    return CONVERSATION_TURNS.held(db_engine(), conversation_id, busy=conversation_busy)


def conversation_gone(conversation_id: str) -> NoReturn:
    """OpenAI no longer has the conversation (deleted outside this app): close it here and say so."""
    with db_engine().begin() as connection:
        connection.execute(update(CONVERSATIONS).where(CONVERSATIONS.c.id == conversation_id).values(status="closed"))
    fail(
        410,
        "conversation_gone",
        "This conversation no longer exists on OpenAI's side; start a new one without a conversation_id.",
    )
