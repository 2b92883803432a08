"""A chat backend where each user has one conversation that lasts, across restarts.

The first message of a user creates their conversation on OpenAI's side; every later
message continues it, so the model remembers everything the user said, even after this
server restarts: the user → conversation id mapping and a full transcript (both sides,
with response ids and times) live in SQLite. The transcript is ours to page through and
show; the conversation is what the model reads. The backend must remember which
conversation is whose: the Conversations API cannot list conversations.

Endpoints (every error is ``{"error": {"type", "message"}}``):
- ``POST /chat`` ``{"user_id", "message"}`` → ``{"conversation_id", "response_id", "reply"}``.
- ``GET /users/<user_id>/history?limit=…&after=…``: the transcript oldest first, a page at a
  time in the shape of OpenAI's lists (``object``, ``data``, ``first_id``, ``last_id``,
  ``has_more``): ``limit`` messages (1 to 100, default 50) after the message whose id is
  ``after`` (the ``last_id`` of the previous page). Both are whole numbers in ASCII digits,
  else a 400.
- ``DELETE /users/<user_id>/memory``: forget the user, on OpenAI's side and here (204).
- ``GET /healthz``.

"Forget me" deletes everything OpenAI keeps of the user: the conversation's items (deleting
a conversation does not delete them), every response made in it (kept 30 days otherwise),
and the conversation; only then the local rows. If OpenAI fails half-way, nothing local is
lost and the user is told to repeat the request; ``uv run flask --app
Conversation_API.persistent_memory_app purge`` (from cron; ``housekeeping.py``) finishes
any forget left half-done. OpenAI is told only a hash of the user id.

A user's row is written before their first message is sent, holding the new conversation's
id, and held for that turn: if the turn fails and deleting the conversation again fails too,
``purge`` finds the row (a user with no messages) and finishes the delete, so no
conversation is left on OpenAI's side without a row here. Turns are not retried by the
SDK: a request that timed out may have reached OpenAI, and a retry would add the message
to the conversation twice. A turn OpenAI answered is stored waiting out a busy database
(``store_answered``); one the database never takes is a 503 and stored nowhere here, while
OpenAI's conversation keeps it.

A conversation that lasts for ever would cost more every turn, since each turn is billed for
all of it as input: once a turn's input passes ``COMPACT_AFTER_TOKENS`` (default 20,000),
the conversation is compacted in place (``bound_cost``: its items become one sealed
compaction item, and what a turn is billed drops back). The user keeps their conversation
id and the model keeps what they told it, in the gist rather than every word; the
transcript here keeps every word.

The lesson is in ``chat.py``: ``responses.create(conversation=id, input=message)``, with the
conversation found (or made) for the user; the tables are in ``models.py``. The database, one
idiom throughout: SQLAlchemy Core statements on the tables, each in a short transaction of its
own, none held across a call to OpenAI; the turn lock is ``openai_tutorial/turn_lock.py``.

Run: uv run python -m Conversation_API.persistent_memory_app
(serves http://127.0.0.1:5000; README.md has curl commands for a whole session)
API reference: https://developers.openai.com/api/reference/resources/conversations
"""

from pathlib import Path
from typing import Any

from flask import Flask

from openai_tutorial.client import number_setting, setting
from openai_tutorial.database import init_database
from openai_tutorial.web import create_json_app

from . import chat, housekeeping
from .models import Base

DEFAULT_DATABASE = Path(__file__).parent / "instance" / "memory.db"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = create_json_app(__name__, "persistent_memory_app")
    app.config.from_mapping(
        DATABASE_URL=setting("DATABASE_URL", f"sqlite:///{DEFAULT_DATABASE}"),
        COMPACT_AFTER_TOKENS=number_setting("COMPACT_AFTER_TOKENS", int, 20_000, low=1_000, high=10_000_000),
    )
    app.config.from_mapping(test_config or {})
    init_database(app, Base, default=DEFAULT_DATABASE)
    app.register_blueprint(chat.bp)
    app.register_blueprint(housekeeping.bp)
    app.cli.add_command(housekeeping.purge_command)
    return app
