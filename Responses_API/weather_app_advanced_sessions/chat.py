"""The lesson: ``POST /sessions/<id>/messages``, a turn whose whole history is sent from here, ``store=False``.

The history is read from the database (from its newest compaction item on), sent as
``input`` with this turn's items, and the new items (the message, each call and output,
the sealed reasoning, the reply, and a compaction when there is one) are stored once the
turn succeeds.
"""

import json

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue
from openai.types.responses import Response
from sqlalchemy import bindparam, func, insert, literal, select

from openai_tutorial.client import get_client, get_model
from openai_tutorial.database import db_engine, utc_now
from openai_tutorial.weather import INSTRUCTIONS, WEATHER_TOOL, Round, run_tool_loop
from openai_tutorial.web import json_body, message_from

from .models import ITEMS
from .sessions import holding_turn

bp = Blueprint("chat", __name__)

# Built once: each turn binds only its values. The replay starts at the newest compaction item, which
# carries everything before it (the API needs nothing older), so what each request sends and costs stops
# growing; with no compaction yet, it is the whole history. The full history stays stored.
NEWEST_COMPACTION = (
    select(func.coalesce(func.max(ITEMS.c.id), literal(0)))
    .where(ITEMS.c.session_id == bindparam("session_id"), ITEMS.c.type == "compaction")
    .scalar_subquery()
)
REPLAYED_ITEMS = (
    select(ITEMS.c.turn, ITEMS.c.payload)
    .where(ITEMS.c.session_id == bindparam("session_id"), ITEMS.c.id >= NEWEST_COMPACTION)
    .order_by(ITEMS.c.id)
)
STORE_ITEMS = insert(ITEMS)


@bp.post("/sessions/<session_id>/messages")
def send_message(session_id: str) -> ResponseReturnValue:
    message = message_from(json_body())
    with holding_turn(session_id, "retry shortly"):
        with db_engine().connect() as connection:
            replayed = connection.execute(REPLAYED_ITEMS, {"session_id": session_id}).all()
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
                # Past this many input tokens, the output starts with a compaction item: replayed from then on,
                # it stands for everything before it, and what a turn sends and is billed stays bounded.
                context_management=[
                    {"type": "compaction", "compact_threshold": current_app.config["COMPACT_AFTER_TOKENS"]}
                ],
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
