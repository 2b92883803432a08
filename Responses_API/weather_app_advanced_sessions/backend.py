"""Weather assistant, version 3: the whole history is ours, stored locally; OpenAI keeps nothing.

- ``POST /sessions`` → 201 ``{"session_id"}``
- ``GET /sessions``: every session, newest first, with message counts; for operators only
  (it needs ``APP_API_KEY``), since a session id is all that guards a session's history
- ``POST /sessions/<id>/messages`` ``{"message"}`` → ``{"answer", "tool_calls"}``
- ``GET /sessions/<id>/history``: every stored item of every turn, in order, a page at a time
  (lists have the shape of OpenAI's: ``data``, ``last_id``, ``has_more``; ``limit`` 1 to 100,
  default 50; ``after`` is the ``last_id`` of the previous page)
- ``DELETE /sessions/<id>`` → 204, and its rows are gone

Every item of every turn is stored in SQLite: the user's message, each function call with
its arguments, each function output, the assistant's reply, and the reasoning items the
model needs to carry on. Each request sends that stored history as ``input`` with
``store=False`` (see ``send`` in ``send_message`` below), so it works with no state at all
on OpenAI's side: you can audit, edit, export or delete every word, and a restart loses
nothing. With ``store=False`` the reasoning items come back encrypted
(``include=["reasoning.encrypted_content"]``) and are sent back unread. The price is that
every turn sends, and is billed for, the history it replays: the last ``MAX_REPLAY_TURNS``
turns (default 20), whole, so that the cost per turn stops growing. A turn is stored in one
transaction once it succeeds: a failed turn stores nothing. ``inspect_db.py`` beside this
file reads the same database.

Run: uv run python Responses_API/weather_app_advanced_sessions/backend.py   (then frontend.py, or curl)
API reference: https://developers.openai.com/api/docs/guides/conversation-state
"""

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import uuid_utils
from flask import Blueprint, Flask, current_app, request
from openai.types.responses import Response
from sqlalchemy import ForeignKey, Index, String, Text, bindparam, func, insert, select, tuple_
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from openai_tutorial.client import get_client, get_model, number_setting, setting
from openai_tutorial.database import TurnLock, UTCDateTime, utc_now
from openai_tutorial.weather import INSTRUCTIONS, WEATHER_TOOL, Round, run_tool_loop
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
)

DEFAULT_DATABASE = Path(__file__).parent / "instance" / "weather_sessions.db"
# A live turn renews its lock every 10 s (see TurnLock); one not renewed for 30 s died with its worker
# (kill -9, a crash), and the session is free again.
TURN_LOCK_STALE_AFTER = timedelta(seconds=30)


class Base(DeclarativeBase):
    pass


class ChatSession(Base):
    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_created", "created_at", "id"),)  # the operator's list, newest first

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    busy_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Item(Base):
    """One input or output item, stored exactly as it is sent back to the API."""

    __tablename__ = "items"
    __table_args__ = (
        Index("ix_items_session_order", "session_id", "id"),
        Index("ix_items_session_turn", "session_id", "turn"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    turn: Mapped[int]
    type: Mapped[str] = mapped_column(String(32))
    role: Mapped[str | None] = mapped_column(String(16))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def readable(payload: dict) -> str:
    """What an item says, in one line: for people reading the history, not for the API."""
    match payload.get("type", "message"):
        case "message":
            content = payload["content"]
            if isinstance(content, str):
                return content
            return " ".join(part.get("text", "") for part in content)
        case "function_call":
            return f"{payload['name']}({payload['arguments']})"
        case "function_call_output":
            return payload["output"]
        case other:
            return f"({other})"


bp = Blueprint("advanced_sessions", __name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = create_json_app(__name__)
    app.config.from_mapping(
        DATABASE_URL=setting("DATABASE_URL", f"sqlite:///{DEFAULT_DATABASE}"),
        MAX_REPLAY_TURNS=number_setting("MAX_REPLAY_TURNS", int, 20, low=1, high=10_000),
    )
    app.config.from_mapping(test_config or {})
    init_database(app, Base, default=DEFAULT_DATABASE)
    app.register_blueprint(bp)
    return app


def session_busy(doing: str) -> APIProblem:
    return APIProblem(409, "session_busy", f"A message of this session is still being answered; {doing}.")


# One turn (or a delete) at a time per session.
SESSION_TURNS = TurnLock(ChatSession.id, stale_after=TURN_LOCK_STALE_AFTER)


def holding_turn(session_id: str, doing: str):
    """The session's turn; a 404 if there is no such session, a 409 if another turn holds it."""
    return SESSION_TURNS.held(db_engine(), session_id, busy=lambda: why_not_held(session_id, doing))


def why_not_held(session_id: str, doing: str) -> APIProblem:
    # Only a claim that failed looks the session up: a turn that gets it needs no read first.
    with db_sessions().begin() as session:
        existing_session(session, session_id)
    return session_busy(doing)


def existing_session(session: Session, session_id: str) -> ChatSession:
    chat_session = session.get(ChatSession, session_id)
    if chat_session is None:
        fail(404, "not_found", f"No session {session_id!r}.")
    return chat_session


def message_counts() -> Any:
    return (
        select(func.count(Item.id))
        .where(Item.session_id == ChatSession.id, Item.type == "message")
        .correlate(ChatSession)
        .scalar_subquery()
    )


@bp.post("/sessions")
def create_session():
    session_id = str(uuid_utils.uuid7())
    with db_sessions().begin() as session:
        session.add(ChatSession(id=session_id, created_at=utc_now()))
    return {"session_id": session_id}, 201


@bp.get("/sessions")
def list_sessions():
    # A session id is all that guards a session's history, so only an operator may list them.
    if not current_app.config["APP_API_KEY"]:
        fail(
            403,
            "operators_only",
            "Listing every session is for operators: start the backend with APP_API_KEY and send it, "
            "or run inspect_db.py sessions.",
        )
    limit = page_size()
    after = request.args.get("after")
    query = select(ChatSession, message_counts())
    with db_sessions().begin() as session:
        if after is not None:
            cursor = session.get(ChatSession, after)
            if cursor is None:
                fail(400, "invalid_request", f"'after' must be the id of a session, not {after!r}.")
            query = query.where(tuple_(ChatSession.created_at, ChatSession.id) < (cursor.created_at, after))
        newest_first = query.order_by(ChatSession.created_at.desc(), ChatSession.id.desc()).limit(limit + 1)
        rows = session.execute(newest_first).all()
        return list_page(
            rows,
            limit,
            lambda row: {"session_id": row[0].id, "created_at": row[0].created_at.isoformat(), "messages": row[1]},
            key="session_id",
        )


# A turn reads rows and writes rows, never objects: its two statements are built once (each turn
# binds only its values) and run on the engine, without an ORM session, which is for the routes that
# work with objects. Through a session, with the statements built on every turn, the same work cost
# a turn about 1.5 ms more (3.4 ms against 1.9, after replaying 20 turns).
#
# The replay: whole turns, the last MAX_REPLAY_TURNS of them. A turn keeps its reasoning items next to
# the items that follow them and its calls next to their outputs, as the API requires, and what each
# request sends (and costs) stops growing. The full history stays stored.
NEWEST_TURN = select(func.max(Item.turn)).where(Item.session_id == bindparam("session_id")).scalar_subquery()
REPLAYED_ITEMS = (
    select(Item.turn, Item.payload)
    .where(Item.session_id == bindparam("session_id"), Item.turn > NEWEST_TURN - bindparam("max_turns"))
    .order_by(Item.id)
)
STORE_ITEMS = insert(Item.__table__)


@bp.post("/sessions/<session_id>/messages")
def send_message(session_id: str):
    message = message_from(json_body())
    with holding_turn(session_id, "retry shortly"):
        replay = {"session_id": session_id, "max_turns": current_app.config["MAX_REPLAY_TURNS"]}
        with db_engine().connect() as connection:
            replayed = connection.execute(REPLAYED_ITEMS, replay).all()
        last_turn = replayed[-1].turn if replayed else 0  # the newest turn is always among those replayed
        history = [json.loads(item.payload) for item in replayed]

        def send(this_round: Round) -> Response:
            return get_client().responses.create(
                model=get_model(),
                instructions=INSTRUCTIONS,
                input=history + this_round.turn_items,  # everything, every time: OpenAI keeps nothing
                tools=[WEATHER_TOOL],
                store=False,
                include=["reasoning.encrypted_content"],  # reasoning comes back sealed, to be sent again
            )

        turn = run_tool_loop(send, message)
        now = utc_now()
        with db_engine().begin() as connection:
            connection.execute(
                STORE_ITEMS,
                [
                    {
                        "session_id": session_id,
                        "turn": last_turn + 1,
                        "type": payload.get("type", "message"),
                        "role": payload.get("role"),
                        "payload": json.dumps(payload),
                        "created_at": now,
                    }
                    for payload in turn.items
                ],
            )
    return {"answer": turn.response.output_text, "tool_calls": turn.tool_calls}


@bp.get("/sessions/<session_id>/history")
def history(session_id: str):
    limit = page_size()
    after = after_number()
    with db_sessions().begin() as session:
        existing_session(session, session_id)
        query = select(Item).where(Item.session_id == session_id, Item.id > after).order_by(Item.id)
        items = session.scalars(query.limit(limit + 1)).all()
        return list_page(items, limit, describe_item, key="id")


def describe_item(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "turn": item.turn,
        "type": item.type,
        "role": item.role,
        "text": readable(json.loads(item.payload)),
        "created_at": item.created_at.isoformat(),
    }


@bp.delete("/sessions/<session_id>")
def delete_session(session_id: str):
    # A turn in flight would store its items into a session that no longer exists.
    with holding_turn(session_id, "delete it afterwards"), db_sessions().begin() as session:
        session.delete(session.get(ChatSession, session_id))
    return "", 204


if __name__ == "__main__":
    serve(create_app)
