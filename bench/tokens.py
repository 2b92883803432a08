"""Measure what a long chat costs in each stateful backend: the input tokens billed per turn over 200 turns.

Each backend holds one chat of ``--turns`` messages against the offline stand-in (its
usage figures are counted the way the API counts them: everything the model reads), once
with compaction at ``--budget`` input tokens and once with compaction out of reach, and it
prints the input tokens billed per turn (every request of the turn, compaction's own
included) at a few points of the chat, the mean of each stretch of 50 turns, the whole
chat's total, and whether the answer to the last message still recalls the facts said in
the first. The stand-in's replies are short and its compaction keeps only the facts a user
stated, so the figures show the shape of the curve, not what a real model would bill.

Run: uv run python -m bench.tokens                      (200 turns, budget 1,000 tokens; a few minutes)
     uv run python -m bench.tokens --turns 100                (the tests run this)
"""

import argparse
import os
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai.resources.responses as responses_resource
from flask import Flask
from openai.types.responses import Response
from werkzeug.test import TestResponse

import Conversation_API.multi_user_app as multi_user_app
import Conversation_API.persistent_memory_app as persistent_memory_app
import Responses_API.weather_app_advanced_sessions as advanced_app
from bench.run import json_of
from openai_tutorial import client as client_module
from openai_tutorial.responses import usage_of
from Responses_API.weather_app_with_sessions import backend as sessions_app

FIRST_MESSAGE = "Hi! My name is Ada, and my favourite colour is teal."
LAST_MESSAGE = "What is my name, and what is my favourite colour?"
RECALLED = ("Ada", "teal")
UNREACHABLE_BUDGET = 10_000_000  # the setting's highest value: no chat here gets near it
STRETCH = 50


def chatter(number: int) -> str:
    return f"Note {number} from my garden diary: the beans in row {number % 7 + 1} grew a little, and so did the weeds."


class BilledInput:
    """Adds up the input tokens of every ``responses.create`` and ``responses.compact`` the SDK makes."""

    def __init__(self) -> None:
        self.total = 0
        for name in ("create", "compact"):
            real = getattr(responses_resource.Responses, name)
            setattr(responses_resource.Responses, name, self.counting(real))

    def counting(self, real: Callable[..., Response]) -> Callable[..., Response]:
        def counted(resource: object, **request: object) -> Response:
            response = real(resource, **request)
            self.total += usage_of(response).input_tokens
            return response

        return counted


def weather_sessions_chat(app: Flask) -> Callable[[str], str]:
    http = app.test_client()
    path = f"/sessions/{json_of(http.post('/sessions'))['session_id']}/messages"
    return lambda message: answered(http.post(path, json={"message": message}), "answer")


def conversation_chat(app: Flask) -> Callable[[str], str]:
    http, conversation_id = app.test_client(), ""

    def send(message: str) -> str:
        nonlocal conversation_id
        continued = {"conversation_id": conversation_id} if conversation_id else {}
        reply = http.post("/chat", json={"user_id": "ada", "message": message} | continued)
        body = json_of(reply)
        conversation_id = body["conversation_id"]
        answer: str = body["reply"]
        return answer

    return send


def answered(reply: TestResponse, field: str) -> str:
    answer: str = json_of(reply)[field]
    return answer


type AppFactory = Callable[[dict[str, Any]], Flask]
type Chat = Callable[[Flask], Callable[[str], str]]
BACKENDS: dict[str, tuple[AppFactory, Chat]] = {
    "weather app with sessions (previous_response_id)": (sessions_app.create_app, weather_sessions_chat),
    "advanced weather app (history kept here)": (advanced_app.create_app, weather_sessions_chat),
    "multi-user app (a conversation)": (multi_user_app.create_app, conversation_chat),
    "persistent-memory app (a conversation)": (persistent_memory_app.create_app, conversation_chat),
}


def billed_per_turn(
    create_app: AppFactory, chat: Chat, budget: int, turns: int, workdir: Path, billed: BilledInput
) -> tuple[list[int], str]:
    """The input tokens billed by each turn of one chat, and the reply to its last message."""
    config = {"COMPACT_AFTER_TOKENS": budget, "DATABASE_URL": f"sqlite:///{workdir / f'{id(chat)}-{budget}.db'}"}
    app = create_app(config)
    send, per_turn = chat(app), []
    messages = [FIRST_MESSAGE, *(chatter(number) for number in range(2, turns)), LAST_MESSAGE]
    for message in messages:
        before = billed.total
        reply = send(message)
        per_turn.append(billed.total - before)
    if "database" in app.extensions:
        app.extensions["database"].dispose()
    return per_turn, reply


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200, help="messages in each chat (at least 2 * 50)")
    parser.add_argument("--budget", type=int, default=1_000, help="COMPACT_AFTER_TOKENS for every backend")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-tokens-"))
    os.environ.update(
        OPENAI_OFFLINE="1",
        OPENAI_OFFLINE_LATENCY="0",
        OPENAI_OFFLINE_STATE=str(workdir / "offline.sqlite3"),
        APP_API_KEY="",
    )
    client_module.get_client.cache_clear()
    billed = BilledInput()
    points = sorted({1, args.turns // 4, args.turns // 2, args.turns * 3 // 4, args.turns})
    stretches = [(start, min(start + STRETCH, args.turns)) for start in range(0, args.turns, STRETCH)]

    print(f"Input tokens billed per turn over a {args.turns}-turn chat (offline stand-in), with compaction at")
    print(f"{args.budget:,} tokens and without; every request of a turn counted, compaction's own included.\n")
    for name, (create_app, chat) in BACKENDS.items():
        print(name)
        header = "".join(f"{f'turn {point}':>10}" for point in points)
        means = "".join(f"{f'{start + 1}-{end}':>10}" for start, end in stretches)
        print(f"  {'':<20}{header}   mean of turns{means}{'total':>12}  recalls turn 1")
        for label, budget in (("with compaction", args.budget), ("without", UNREACHABLE_BUDGET)):
            per_turn, reply = billed_per_turn(create_app, chat, budget, args.turns, workdir, billed)
            at = "".join(f"{per_turn[point - 1]:>10,}" for point in points)
            mean = "".join(f"{statistics.mean(per_turn[start:end]):>10,.0f}" for start, end in stretches)
            recalls = "yes" if all(fact in reply for fact in RECALLED) else "NO"
            print(f"  {label:<20}{at}   {'':<13}{mean}{sum(per_turn):>12,}  {recalls}")
        print()


if __name__ == "__main__":
    main()
