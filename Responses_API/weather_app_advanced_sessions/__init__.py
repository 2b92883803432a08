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
every turn sends, and is billed for, the history it replays: the last ``MAX_REPLAY_TURNS``
turns (default 20), whole, so that the cost per turn stops growing. A turn is stored in one
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
        MAX_REPLAY_TURNS=number_setting("MAX_REPLAY_TURNS", int, 20, low=1, high=10_000),
    )
    app.config.from_mapping(test_config or {})
    init_database(app, Base, default=DEFAULT_DATABASE)
    app.register_blueprint(chat.bp)
    app.register_blueprint(sessions.bp)
    return app
