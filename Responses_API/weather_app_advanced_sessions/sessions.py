"""Sessions: create one, list them (operators only), page through one's stored history, delete one."""

from contextlib import AbstractContextManager
from typing import Any

import uuid_utils
from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue
from sqlalchemy import Connection, delete, insert, select, tuple_

from openai_tutorial.database import db_engine, utc_now
from openai_tutorial.web import APIProblem, after_number, fail, list_page, page_size

from .models import ITEMS, SESSION_TURNS, SESSIONS, message_counts, readable

bp = Blueprint("sessions", __name__)


def holding_turn(session_id: str, doing: str) -> AbstractContextManager[None]:
    """The session's turn; a 404 if there is no such session, a 409 if another turn holds it."""
    return SESSION_TURNS.held(db_engine(), session_id, busy=lambda: why_not_held(session_id, doing))


def why_not_held(session_id: str, doing: str) -> APIProblem:
    # Only a claim that failed looks the session up: a turn that gets it needs no read first.
    with db_engine().begin() as connection:
        refuse_unknown(connection, session_id)
    return APIProblem(409, "session_busy", f"A message of this session is still being answered; {doing}.")


def refuse_unknown(connection: Connection, session_id: str) -> None:
    if connection.scalar(select(SESSIONS.c.id).where(SESSIONS.c.id == session_id)) is None:
        fail(404, "not_found", f"No session {session_id!r}.")


@bp.post("/sessions")
def create_session() -> ResponseReturnValue:
    session_id = str(uuid_utils.uuid7())
    with db_engine().begin() as connection:
        connection.execute(insert(SESSIONS).values(id=session_id, created_at=utc_now()))
    return {"session_id": session_id}, 201


@bp.get("/sessions")
def list_sessions() -> ResponseReturnValue:
    # A session id is all that guards a session's history, so only an operator may list them.
    if not current_app.config["APP_API_KEY"]:
        fail(
            403,
            "operators_only",
            "Listing every session is for operators: start the backend with APP_API_KEY and send it, "
            "or run its inspect_db sessions.",
        )
    limit = page_size()
    after = request.args.get("after")
    query = select(SESSIONS.c.id, SESSIONS.c.created_at, message_counts().label("messages"))
    with db_engine().begin() as connection:
        if after is not None:
            cursor = connection.scalar(select(SESSIONS.c.created_at).where(SESSIONS.c.id == after))
            if cursor is None:
                fail(400, "invalid_request", f"'after' must be the id of a session, not {after!r}.")
            query = query.where(tuple_(SESSIONS.c.created_at, SESSIONS.c.id) < (cursor, after))
        newest_first = query.order_by(SESSIONS.c.created_at.desc(), SESSIONS.c.id.desc()).limit(limit + 1)
        rows = connection.execute(newest_first).all()
    return list_page(
        rows,
        limit,
        lambda row: {"session_id": row.id, "created_at": row.created_at.isoformat(), "messages": row.messages},
        key="session_id",
    )


@bp.get("/sessions/<session_id>/history")
def history(session_id: str) -> ResponseReturnValue:
    limit = page_size()
    after = after_number()
    with db_engine().begin() as connection:
        refuse_unknown(connection, session_id)
        query = select(ITEMS).where(ITEMS.c.session_id == session_id, ITEMS.c.id > after).order_by(ITEMS.c.id)
        items = connection.execute(query.limit(limit + 1)).all()
    return list_page(items, limit, describe_item, key="id")


def describe_item(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "turn": item.turn,
        "type": item.type,
        "role": item.role,
        "text": readable(item.payload),
        "created_at": item.created_at.isoformat(),
    }


@bp.delete("/sessions/<session_id>")
def delete_session(session_id: str) -> ResponseReturnValue:
    # A turn in flight would store its items into a session that no longer exists.
    with holding_turn(session_id, "delete it afterwards"), db_engine().begin() as connection:
        connection.execute(delete(SESSIONS).where(SESSIONS.c.id == session_id))  # its items go with it (cascade)
    return "", 204
