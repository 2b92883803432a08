"""Weather assistant, version 2: sessions whose memory lives on OpenAI's side.

- ``POST /sessions`` → 201 ``{"session_id"}`` (a time-ordered UUID7)
- ``POST /sessions/<id>/messages`` ``{"message"}`` → ``{"answer", "response_id"}``
- ``DELETE /sessions/<id>`` → 204; an unknown session is a 404, a busy one a 409.

OpenAI stores every response, so a turn only needs to name the last one:
``previous_response_id`` makes the model see the whole chat so far, and a follow-up
such as "and tomorrow?" works. All this backend keeps is session id → last response id,
in memory (``SessionStore``, below the routes): thread-safe, forgetting sessions idle for
``SESSION_TTL_MINUTES``, and bounded to ``MAX_SESSIONS``: when every place holds a live
session, a new one is refused (503 with ``Retry-After``) rather than evicting someone's
chat. It is lost on restart, and that is fine here: the conversation itself is on
OpenAI's side, a lost session costs the user one "new chat", and a store that holds
nothing valuable needs no database. Note that
``instructions`` are not carried over by ``previous_response_id``: they are sent on
every request.

Each turn is billed for the whole chain as input, so a long chat would cost more every
turn and, in the end, outgrow the context window. Server-side compaction bounds it: with
``context_management``, a request whose input passes ``COMPACT_AFTER_TOKENS`` (default
20,000) comes back with a sealed ``compaction`` item first in its output, and the turns
after it are billed for that item and what follows it, not for the whole chain. Nothing
changes for the user; the model keeps the gist of the early turns rather than every word.

Run: uv run python Responses_API/weather_app_with_sessions/backend.py   (then frontend.py, or curl)
API reference: https://developers.openai.com/api/docs/guides/conversation-state
"""

import math
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import uuid_utils
from flask import Blueprint, Flask, current_app
from flask.typing import ResponseReturnValue
from openai import omit
from openai.types.responses import Response

from openai_tutorial.client import get_client, get_model, number_setting
from openai_tutorial.database import utc_now
from openai_tutorial.weather import INSTRUCTIONS, WEATHER_TOOL, Round, run_tool_loop
from openai_tutorial.web import create_json_app, fail, json_body, message_from, serve

bp = Blueprint("sessions", __name__)


def ask(this_round: Round, last_response_id: str | None) -> Response:
    """One request of a turn. OpenAI keeps the chat: name the response to continue from, send only what is new."""
    previous = this_round.previous.id if this_round.previous else last_response_id  # the tool loop's, or the chat's
    return get_client().responses.create(
        model=get_model(),
        instructions=INSTRUCTIONS,  # not carried over by previous_response_id: sent every time
        previous_response_id=previous or omit,  # the first message of a session has nothing to continue
        input=this_round.new_items,
        tools=[WEATHER_TOOL],
        # Past this many input tokens, OpenAI compacts the chain: what later turns are billed stays bounded.
        context_management=[{"type": "compaction", "compact_threshold": current_app.config["COMPACT_AFTER_TOKENS"]}],
    )


@bp.post("/sessions/<session_id>/messages")
def send_message(session_id: str) -> ResponseReturnValue:
    message = message_from(json_body())
    with session_store().turn(session_id) as session:
        response = run_tool_loop(lambda this_round: ask(this_round, session.last_response_id), message).response
        session.last_response_id = response.id  # the next turn continues from here
    return {"answer": response.output_text, "response_id": response.id}


@bp.post("/sessions")
def create_session() -> ResponseReturnValue:
    return {"session_id": session_store().create()}, 201


@bp.delete("/sessions/<session_id>")
def delete_session(session_id: str) -> ResponseReturnValue:
    session_store().delete(session_id)
    return "", 204


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = create_json_app(__name__, "weather_app_with_sessions")
    app.config.from_mapping(
        SESSION_TTL_MINUTES=number_setting("SESSION_TTL_MINUTES", float, 30.0, low=0.1, high=525_600),
        MAX_SESSIONS=number_setting("MAX_SESSIONS", int, 1000, low=1, high=1_000_000),
        COMPACT_AFTER_TOKENS=number_setting("COMPACT_AFTER_TOKENS", int, 20_000, low=1_000, high=10_000_000),
    )
    app.config.from_mapping(test_config or {})
    app.extensions["session_store"] = SessionStore(
        app.config["MAX_SESSIONS"], timedelta(minutes=app.config["SESSION_TTL_MINUTES"])
    )
    app.register_blueprint(bp)
    return app


def session_store() -> "SessionStore":
    store: SessionStore = current_app.extensions["session_store"]
    return store


# The session store: what this backend keeps, and all it keeps.


@dataclass
class Session:
    last_active: datetime
    last_response_id: str | None = None
    busy: bool = False


class SessionStore:
    """Session id → last response id, in memory, safe to use from the server's threads."""

    def __init__(self, max_sessions: int, idle_ttl: timedelta) -> None:
        self.max_sessions, self.idle_ttl = max_sessions, idle_ttl
        self._sessions: OrderedDict[str, Session] = OrderedDict()  # least recently active first
        self._lock = threading.Lock()

    def _evict_idle(self) -> None:
        cutoff = utc_now() - self.idle_ttl
        for session_id, session in list(self._sessions.items()):
            if session.last_active < cutoff and not session.busy:
                del self._sessions[session_id]

    def _touch(self, session_id: str) -> Session:
        self._evict_idle()
        if session_id not in self._sessions:
            fail(404, "not_found", f"No session {session_id!r}; it may have expired. Create a new one.")
        self._sessions.move_to_end(session_id)
        session = self._sessions[session_id]
        session.last_active = utc_now()
        return session

    def create(self) -> str:
        """A new session; when every place holds a live session, a 503 (never evicting someone's chat)."""
        with self._lock:
            self._evict_idle()
            if len(self._sessions) >= self.max_sessions:
                least_recent = next(iter(self._sessions.values()))
                wait = max(1, math.ceil((least_recent.last_active + self.idle_ttl - utc_now()).total_seconds()))
                fail(
                    503,
                    "sessions_full",
                    f"All {self.max_sessions} sessions are in use; retry in {wait} seconds.",
                    {"Retry-After": str(wait)},
                )
            session_id = str(uuid_utils.uuid7())
            self._sessions[session_id] = Session(last_active=utc_now())
            return session_id

    @contextmanager
    def turn(self, session_id: str) -> Iterator[Session]:
        """Hold the session for one turn; the turn sets ``last_response_id`` once it succeeds.

        A failed turn leaves the previous response id, so the next turn continues from there.
        """
        with self._lock:
            session = self._touch(session_id)
            if session.busy:
                fail(409, "session_busy", "The previous message of this session is still being answered.")
            session.busy = True
        try:
            yield session
        finally:
            with self._lock:
                session.busy = False

    def delete(self, session_id: str) -> None:
        with self._lock:
            if self._touch(session_id).busy:
                fail(409, "session_busy", "A message of this session is still being answered; delete it afterwards.")
            del self._sessions[session_id]


if __name__ == "__main__":
    serve(create_app)
