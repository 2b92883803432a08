"""A multi-user chat backend on the Conversations API, whose conversations expire when idle.

OpenAI keeps each conversation's messages (``conversations.create`` once, then
``responses.create(conversation=id)`` every turn: see ``chat.py``); this backend keeps what
OpenAI does not know: which user owns which conversation, its status, and a log of every
turn (``models.py``). It has to keep its own index of a user's conversations: the
Conversations API has no endpoint that lists conversations.

Endpoints (every error is ``{"error": {"type", "message"}}``):
- ``POST /chat`` ``{"user_id", "message", "conversation_id"?}``: without an id, start a
  conversation (201); with one, continue it (200). Answers ``{"conversation_id", "response_id", "reply"}``.
- ``POST /chat/stream``: the same body, rules and errors as ``POST /chat``, but the reply
  arrives as server-sent events while the model writes it: ``delta`` ``{"text"}`` events,
  then ``done`` ``{"conversation_id", "response_id", "usage"}``, or ``error`` ``{"error"}``
  (the turn then wrote nothing). A stream that fails before its first piece of text is a
  JSON 502 instead, like ``POST /chat``.
- ``GET /``: a chat page on top of these endpoints (``page/``: HTML, CSS and a small script).
- ``GET /conversations?user_id=…&status=…&limit=…&after=…``: the user's conversations,
  latest activity first, a page at a time.
- ``POST /conversations/<id>/close`` ``{"user_id"}``: close it; chatting on it is then a 409.
- ``GET /responses/<id>?user_id=…&limit=…&after=…``: the conversation's turns, oldest first.
- ``GET /healthz``.

Lists are pages in the shape of OpenAI's own: ``{"object": "list", "data", "first_id",
"last_id", "has_more"}``; ``limit`` is 1 to 100 (default 50) and ``after`` the ``last_id`` of
the previous page. Each page is one keyset query on an index that matches its filter and
order, so a page costs the same at the first conversation and at the ten-thousandth.

Rules worth reading the code for (``ownership.py``, ``chat.py``): a conversation idle for
longer than ``CONVERSATION_TTL_MINUTES`` is expired (a list shows it so and writes nothing;
the next turn or ``purge`` stores it); only its
owner may use it (``user_id`` is trusted input here: see README.md for real
authentication); a turn is stored only once OpenAI has answered, so a failed turn leaves
no turn behind; and two turns on one conversation never overlap (the second gets a 409 "busy").

A first turn records its new conversation as ``pending`` before it sends the message, and
deletes it on OpenAI's side again if the turn fails: should that delete fail too, ``purge``
finds the pending row and finishes it, so no conversation is ever left on OpenAI's side
without a row here. A pending conversation is nobody's to see or use.

Turns are not retried by the SDK: a request that timed out may have reached OpenAI, and a
retry would add the user's message to the conversation a second time. A turn that OpenAI
finished but this backend could not (a stream cut off, a reply without its usage, a
database that stayed locked) answers an error and stores nothing; OpenAI's conversation
keeps it, so the model may see a message the user sends again twice. Storing a finished
turn waits out a busy database three times (``store_answered``) before it gives up.

What OpenAI keeps: closing a conversation deletes it on OpenAI's side, with its items and
the responses made in it; the local row keeps its status and transcript. Expired
conversations, and any whose remote delete failed, are deleted by
``uv run flask --app Conversation_API.multi_user_app purge`` (run it from cron;
``housekeeping.py``). OpenAI is told only a hash of the user id, never the id itself.

The database, one idiom throughout: SQLAlchemy Core statements on the tables, each in a
short transaction of its own (``with db_engine().begin() as connection:``), none held across
a call to OpenAI; the turn lock's claim is one atomic UPDATE (``openai_tutorial/turn_lock.py``).

Run: uv run python -m Conversation_API.multi_user_app
(serves http://127.0.0.1:5000, the chat page included; README.md has curl commands for a whole session)
API reference: https://developers.openai.com/api/reference/resources/conversations
"""

from pathlib import Path
from typing import Any

from flask import Flask

from openai_tutorial.client import number_setting, setting
from openai_tutorial.database import init_database
from openai_tutorial.web import create_json_app

from . import chat, chat_page, housekeeping
from .models import Base

DEFAULT_DATABASE = Path(__file__).parent / "instance" / "conversations.db"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = create_json_app(__name__, "multi_user_app")
    app.config.from_mapping(
        DATABASE_URL=setting("DATABASE_URL", f"sqlite:///{DEFAULT_DATABASE}"),
        CONVERSATION_TTL_MINUTES=number_setting("CONVERSATION_TTL_MINUTES", float, 30.0, low=0.1, high=525_600),
        COMPACT_AFTER_TOKENS=number_setting("COMPACT_AFTER_TOKENS", int, 20_000, low=1_000, high=10_000_000),
    )
    app.config.from_mapping(test_config or {})
    init_database(app, Base, default=DEFAULT_DATABASE)
    app.register_blueprint(chat.bp)
    app.register_blueprint(chat_page.bp)
    app.register_blueprint(housekeeping.bp)
    app.cli.add_command(housekeeping.purge_command)
    return app
