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
``store=False`` (see ``send`` in ``chat.py``), so it works with no state at all
on OpenAI's side: you can audit, edit, export or delete every word, and a restart loses
nothing. With ``store=False`` the reasoning items come back encrypted
(``include=["reasoning.encrypted_content"]``) and are sent back unread. The price is that
every turn sends, and is billed for, the history it replays. Server-side compaction keeps
that bounded without forgetting the start of the chat: each request asks OpenAI
(``context_management``) to compact once its input passes ``COMPACT_AFTER_TOKENS``
(default 20,000); the sealed ``compaction`` item it returns is stored like any other item,
and the next turns replay from the newest one on, since it carries the gist of everything
before it. The model keeps what was said early in the gist rather than word for word; every
item stays stored here, and ``GET /sessions/<id>/history`` still shows them all. A turn is stored in one
transaction once it succeeds: a failed turn stores nothing. ``inspect_db.py`` beside this
file reads the same database.

The lesson is in ``chat.py``; the tables in ``models.py``; the other routes in ``sessions.py``.
The database, one idiom throughout: SQLAlchemy Core statements on the tables, each in a short
transaction of its own, none held across a call to OpenAI.

Run: uv run python -m Responses_API.weather_app_advanced_sessions   (then frontend.py, or curl)
API reference: https://developers.openai.com/api/docs/guides/conversation-state
"""

from pathlib import Path
from typing import Any

from flask import Flask

from openai_tutorial.client import number_setting, setting
from openai_tutorial.database import init_database
from openai_tutorial.web import create_json_app

from . import chat, sessions
from .models import Base

DEFAULT_DATABASE = Path(__file__).parent / "instance" / "weather_sessions.db"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = create_json_app(__name__, "weather_app_advanced_sessions")
    app.config.from_mapping(
        DATABASE_URL=setting("DATABASE_URL", f"sqlite:///{DEFAULT_DATABASE}"),
        COMPACT_AFTER_TOKENS=number_setting("COMPACT_AFTER_TOKENS", int, 20_000, low=1_000, high=10_000_000),
    )
    app.config.from_mapping(test_config or {})
    init_database(app, Base, default=DEFAULT_DATABASE)
    app.register_blueprint(chat.bp)
    app.register_blueprint(sessions.bp)
    return app
