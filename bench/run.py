"""Measure what the backends add to a turn, and what lists and replays cost as data grows.

Everything runs in this process against a zero-latency OpenAI: an ``httpx2`` transport that
answers every request at once with a canned reply, so the times are the app's own (Flask,
SQLAlchemy, SQLite, the SDK building and parsing requests). A timed request is handed straight
to the app's WSGI callable, as a server would hand it over. It prints:

1. per-turn time of each backend, next to the floor (the bare SDK call over the same
   transport) and a naive baseline (a new OpenAI client for every request), and the backend's
   own time: what the turn took outside the SDK's calls;
2. one page of every list endpoint at several table sizes;
3. the advanced weather app's request size and turn time against history length;
4. the multi-user app's stream relay (``POST /chat/stream``) next to the bare SDK's stream of
   the same reply: time to the first text delta, and time from one delta to the next.

Run: uv run python -m bench.run            (the full run, a few minutes)
     uv run python -m bench.run --quick    (small sizes: checks that it works; CI runs this)
"""

import argparse
import functools
import io
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import openai
from flask import Flask
from sqlalchemy import insert
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder, TestResponse

import Conversation_API.multi_user_app as multi_user_app
import Conversation_API.persistent_memory_app as persistent_memory_app
import Responses_API.weather_app_advanced_sessions as advanced_app
from Conversation_API.multi_user_app.models import Conversation, Turn
from openai_tutorial import client as client_module
from openai_tutorial.replies import CheckedTransport
from Responses_API.stateless_weather_app import backend as stateless_app
from Responses_API.weather_app_advanced_sessions.models import ChatSession, Item
from Responses_API.weather_app_with_sessions import backend as sessions_app

MODEL = "gpt-5.4-mini"


def canned_response(text: str = "It is sunny.") -> dict[str, Any]:
    return {
        "id": "resp_bench",
        "object": "response",
        "created_at": 1_763_800_000,
        "status": "completed",
        "background": False,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "model": MODEL,
        "output": [
            {
                "id": "msg_bench",
                "type": "message",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": text, "annotations": []}],
            }
        ],
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": 12,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": 9,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 21,
        },
        "metadata": {},
    }


def canned_reply(text: str = "It is sunny.") -> bytes:
    return json.dumps(canned_response(text)).encode()


STREAMED_DELTAS = 100
COMPACT_AFTER_ITEMS = 41  # a replay of 20 turns and a new message
STREAMED_DELTAS_LABEL = f"a reply of {STREAMED_DELTAS} deltas".ljust(24)


def canned_stream(deltas: int = STREAMED_DELTAS) -> bytes:
    """A streamed reply of ``deltas`` text deltas, as server-sent events, every byte ready at once."""
    pieces = [f"word{number} " for number in range(deltas)]
    final = canned_response("".join(pieces))
    item = final["output"][0]
    started = {**final, "status": "in_progress", "output": [], "usage": None}
    where = {"item_id": item["id"], "output_index": 0, "content_index": 0}
    part = {"type": "output_text", "text": "", "annotations": []}
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": started},
        {"type": "response.output_item.added", "output_index": 0, "item": {**item, "content": []}},
        {"type": "response.content_part.added", **where, "part": part},
        *({"type": "response.output_text.delta", **where, "delta": piece, "logprobs": []} for piece in pieces),
        {"type": "response.output_text.done", **where, "text": "".join(pieces), "logprobs": []},
        {"type": "response.output_item.done", "output_index": 0, "item": item},
        {"type": "response.completed", "response": final},
    ]
    return b"".join(
        f"event: {event['type']}\ndata: {json.dumps(event | {'sequence_number': number})}\n\n".encode()
        for number, event in enumerate(events)
    )


class ZeroLatencyOpenAI(httpx2.BaseTransport):
    """OpenAI with no network and no thinking: every request answered at once; request sizes recorded."""

    def __init__(self) -> None:
        self.reply = canned_reply()
        self.stream = canned_stream()
        reply = canned_response()
        compaction = {"id": "cmp_bench", "type": "compaction", "encrypted_content": "x" * 400}
        self.compacting = json.dumps(reply | {"output": [compaction, *reply["output"]]}).encode()
        self.sizes: list[int] = []
        self.last_body = b"{}"

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        body = request.read()
        self.sizes.append(len(body))
        self.last_body = body
        if request.url.path.endswith("/conversations"):
            conversation = {"id": f"conv_{uuid.uuid4().hex}", "object": "conversation", "created_at": 0, "metadata": {}}
            return httpx2.Response(200, json=conversation)
        sent = json.loads(body)
        if sent.get("stream"):
            content, kind = self.stream, "text/event-stream"
        elif isinstance(sent.get("input"), list) and len(sent["input"]) > COMPACT_AFTER_ITEMS:
            # As OpenAI compacts a request past its context_management threshold (the advanced app replays
            # from the compaction on): here once the input passes about 20 turns, as the replay limit did.
            content, kind = self.compacting, "application/json"
        else:
            content, kind = self.reply, "application/json"
        content = content.replace(b"resp_bench", f"resp_{uuid.uuid4().hex}".encode())
        return httpx2.Response(200, content=content, headers={"content-type": kind})


def timed(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm up: imports, first connections, caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


class TimeInSDK:
    """Stands in for ``responses.create`` on every client, the copies ``with_options`` makes included (the
    conversation apps send each turn through one), and adds up how long the real one takes."""

    def __init__(self, sdk: openai.OpenAI) -> None:
        resource = type(sdk.responses)
        real: Callable[..., object] = resource.create
        self.spent = 0.0

        def timed_create(responses: object, **request: object) -> object:
            started = time.perf_counter()
            try:
                return real(responses, **request)
            finally:
                self.spent += time.perf_counter() - started

        setattr(resource, "create", timed_create)  # noqa: B010 (an assignment mypy would refuse: it replaces a method)
        self.create = functools.partial(real, sdk.responses)  # the real call, untimed: the floor


def timed_turns(turn: Callable[[], object], in_sdk: TimeInSDK, runs: int) -> tuple[list[float], list[float]]:
    """Each turn's whole time, and its own: the whole minus what the SDK's calls took within it."""
    turn()  # warm up
    whole, own = [], []
    for _ in range(runs):
        in_sdk.spent = 0.0
        started = time.perf_counter()
        turn()
        whole.append(time.perf_counter() - started)
        own.append(whole[-1] - in_sdk.spent)
    return whole, own


def request_to(
    app: Flask, method: str, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> Callable[[], None]:
    """One request, handed straight to the app's WSGI callable as a server would hand it over: what
    the test client does around it (building the request, wrapping the response) is not the app's
    work. Built once; each call reads the whole reply and fails unless it is a success."""
    environ = EnvironBuilder(method=method, path=path, json=body, headers=Headers(headers)).get_environ()
    payload = environ["wsgi.input"].read()

    def send() -> None:
        status = StatusKept()
        reply = app(environ | {"wsgi.input": io.BytesIO(payload)}, status)
        try:
            content = b"".join(reply)
        finally:
            closed(reply)
        if not status.line.startswith("2"):
            raise RuntimeError(f"{method} {path} answered {status.line}: {content.decode()}")

    return send


class StatusKept:
    """A WSGI server's ``start_response`` that keeps the status line; the body is what the app returns."""

    line = ""

    def __call__(
        self, status: str, headers: list[tuple[str, str]], exc_info: object = None, /
    ) -> Callable[[bytes], object]:
        self.line = status
        return self.write

    def write(self, data: bytes) -> None:
        raise RuntimeError("no app here writes its body through start_response")


def closed(reply: Iterable[bytes]) -> None:
    """Close what a WSGI app returned, as a server must when it can be closed."""
    if hasattr(reply, "close"):
        reply.close()


def json_of(reply: TestResponse) -> dict[str, Any]:
    """A test client's reply as the JSON object it holds; a failure or anything else raises."""
    body = reply.get_json()
    if reply.status_code >= 400 or not isinstance(body, dict):
        raise RuntimeError(f"the backend answered {reply.status_code}: {reply.get_data(as_text=True)}")
    return body


def row(name: str, samples: list[float], floor: float | None = None, naive: float | None = None) -> str:
    p50, p99 = statistics.median(samples), sorted(samples)[int(len(samples) * 0.99) - 1]
    ratios = ""
    if floor:
        ratios += f"{p50 / floor:>9.1f}x"
    if naive:
        ratios += f"{p50 / naive:>9.2f}x"
    return f"{name:<44}{p50 * 1000:>9.3f}{p99 * 1000:>9.3f}{1 / p50:>10.0f}{ratios}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and few runs: checks that it works")
    args = parser.parse_args()
    runs = 30 if args.quick else 400
    sizes = [100, 1_000] if args.quick else [1_000, 10_000, 100_000]
    histories = [10, 100] if args.quick else [10, 100, 1_000]  # each compacted COMPACTED_TURNS_AGO turns before its end

    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    os.environ.update(OPENAI_API_KEY="sk-bench", OPENAI_OFFLINE="0", OPENAI_MAX_RETRIES="0", APP_API_KEY="")
    transport = ZeroLatencyOpenAI()

    def zero_latency_client(*, asynchronous: bool = False) -> httpx2.Client:
        return httpx2.Client(transport=CheckedTransport(transport))

    client_module.http_client = zero_latency_client
    client_module.get_client.cache_clear()
    sdk = client_module.get_client()

    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; {runs} runs each; times in ms\n")
    print(f"{'1. one turn':<44}{'p50':>9}{'p99':>9}{'turns/s':>10}{'÷ floor':>10}{'÷ naive':>10}{'added':>9}{'own':>9}")
    floor_samples = timed(lambda: sdk.responses.create(model=MODEL, input="Weather?"), runs)
    floor = statistics.median(floor_samples)

    def naive_call() -> None:
        fresh = openai.OpenAI(api_key="sk-bench", http_client=httpx2.Client(transport=transport), max_retries=0)
        fresh.responses.create(model=MODEL, input="Weather?")

    naive_samples = timed(naive_call, runs)
    naive = statistics.median(naive_samples)
    print(row("bare SDK call (the floor)", floor_samples))
    print(row("new client per request (naive baseline)", naive_samples, floor))
    for name, samples, own_floor, own in turn_times(workdir, runs, transport, TimeInSDK(sdk)):
        added = statistics.median(samples) - statistics.median(own_floor)
        print(row(name, samples, floor, naive) + f"{added * 1000:>9.3f}{statistics.median(own) * 1000:>9.3f}")
    print(
        "added: the backend's p50 minus the p50 of the bare SDK call sending the same request\n"
        "own:   the p50 of each turn's time outside the SDK's calls: the backend's work alone"
    )

    print(f"\n{'2. one page of a list (limit 50)':<44}{'p50':>9}{'p99':>9}{'pages/s':>10}")
    for name, samples in list_times(workdir, sizes, max(runs // 4, 10)).items():
        print(row(name, samples))

    print(f"\n{'3. advanced app: one turn vs history length':<44}{'p50':>9}{'p99':>9}{'turns/s':>10}{'request':>12}")
    for turns, samples, size in replay_costs(workdir, histories, transport, max(runs // 4, 10)):
        print(row(f"history of {turns} turns, compacted 5 turns ago", samples) + f"{size:>10} B")

    print(f"\n4. the stream relay, {STREAMED_DELTAS_LABEL}{'p50':>9}{'p99':>9}")
    bare, relayed = relay_times(workdir, sdk, max(runs // 4, 10))
    for what in ("first delta", "per delta"):
        print(f"{'bare SDK stream: ' + what:<44}{micro(bare[what])}")
        print(f"{'POST /chat/stream: ' + what:<44}{micro(relayed[what])}")
        added = statistics.median(relayed[what]) - statistics.median(bare[what])
        print(f"{'  added by the relay (p50)':<44}{added * 1e6:>9.1f}")
    print("times in µs; a turn's first delta is timed from the request, each next one from the one before")


def database_app(create_app: Callable[[dict[str, Any]], Flask], name: Path) -> Flask:
    return create_app({"DATABASE_URL": f"sqlite:///{name}"})


def settle(app: Flask) -> None:
    """After seeding: the write-ahead log copied into the database and emptied, as a running app's
    checkpoints keep it, so a list is not timed while the system still writes the seed to disk."""
    with app.extensions["database"].connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def turn_times(
    workdir: Path, runs: int, transport: ZeroLatencyOpenAI, in_sdk: TimeInSDK
) -> list[tuple[str, list[float], list[float], list[float]]]:
    """(backend, its turns' whole times, the bare SDK call's times with the request that backend sent, its turns'
    own times)."""
    stateless = stateless_app.create_app()
    sessions = sessions_app.create_app()
    session_id = json_of(sessions.test_client().post("/sessions"))["session_id"]
    advanced = database_app(advanced_app.create_app, workdir / "turns-adv.db")
    advanced_id = json_of(advanced.test_client().post("/sessions"))["session_id"]
    multi = database_app(multi_user_app.create_app, workdir / "turns-mu.db")
    first_turn = multi.test_client().post("/chat", json={"user_id": "ada", "message": "Hi"})
    conversation = json_of(first_turn)["conversation_id"]
    memory = database_app(persistent_memory_app.create_app, workdir / "turns-pm.db")
    memory.test_client().post("/chat", json={"user_id": "ada", "message": "Hi"})

    turns = {
        "stateless weather app: POST /ask": request_to(stateless, "POST", "/ask", {"question": "Hi"}),
        "weather app with sessions: a message": request_to(
            sessions, "POST", f"/sessions/{session_id}/messages", {"message": "Hi"}
        ),
        "advanced weather app: a message": request_to(
            advanced, "POST", f"/sessions/{advanced_id}/messages", {"message": "Hi"}
        ),
        "multi-user app: a message in a conversation": request_to(
            multi, "POST", "/chat", {"user_id": "ada", "message": "Hi", "conversation_id": conversation}
        ),
        "persistent-memory app: a message": request_to(memory, "POST", "/chat", {"user_id": "ada", "message": "Hi"}),
    }
    requests = {}
    for name, turn in turns.items():
        for _ in range(25):  # a chat under way, past the advanced app's first compaction
            turn()
        # That backend's own floor: the SDK sending the very request the backend sent (its
        # tools, its conversation, its replayed items), whose every part the SDK walks.
        requests[name] = json.loads(transport.last_body)
    whole: dict[str, list[float]] = {name: [] for name in turns}
    own: dict[str, list[float]] = {name: [] for name in turns}
    own_floor: dict[str, list[float]] = {name: [] for name in turns}
    # Round after round: a block of each backend's turns, then a block of its own floor. A change in
    # the machine's speed (it is shared) touches every backend and its floor alike, and within a
    # block each runs as warm as alone.
    for done in range(0, runs, 50):
        block = min(50, runs - done)
        for name, turn in turns.items():
            block_whole, block_own = timed_turns(turn, in_sdk, block)
            whole[name] += block_whole
            own[name] += block_own
            own_floor[name] += timed(functools.partial(in_sdk.create, **requests[name]), block)
    return [(name, whole[name], own_floor[name], own[name]) for name in turns]


def list_times(workdir: Path, sizes: list[int], runs: int) -> dict[str, list[float]]:
    results = {}
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for size in sizes:
        app = database_app(multi_user_app.create_app, workdir / f"mu{size}.db")
        with app.extensions["database"].begin() as connection:
            connection.execute(
                insert(Conversation),
                [
                    {
                        "id": f"conv_{n:08d}",
                        "user_id": "ada" if n % 10 == 0 else f"user{n % 997}",
                        "status": "closed",
                        "created_at": start,
                        "last_active_at": start + timedelta(seconds=n),
                    }
                    for n in range(size)
                ],
            )
            # Ten turns a conversation on average; the one whose turns are listed has a tenth as many as there are
            # conversations (every hundredth turn row).
            connection.execute(
                insert(Turn),
                [
                    {
                        "response_id": f"resp_{n:08d}",
                        "conversation_id": f"conv_{0 if n % 100 == 0 else n % size:08d}",
                        "user_message": "Hi",
                        "reply": "Hello",
                        "input_tokens": 1,
                        "output_tokens": 1,
                        "total_tokens": 2,
                        "created_at": start,
                    }
                    for n in range(size * 10)
                ],
            )
        settle(app)
        middle = f"conv_{size // 2 // 10 * 10:08d}"
        results[f"conversations of a user ({size // 10} of {size})"] = timed(
            request_to(app, "GET", f"/conversations?user_id=ada&after={middle}"), runs
        )
        results[f"turns of one conversation ({size // 10} of {size * 10})"] = timed(
            request_to(app, "GET", f"/responses/conv_00000000?user_id=ada&after=resp_{size * 5 // 100 * 100:08d}"),
            runs,
        )

        adv = database_app(advanced_app.create_app, workdir / f"adv{size}.db")
        adv.config["APP_API_KEY"] = "bench"
        with adv.extensions["database"].begin() as connection:
            connection.execute(
                insert(ChatSession),
                [{"id": f"{n:036d}", "created_at": start + timedelta(seconds=n)} for n in range(size)],
            )
        settle(adv)
        results[f"operator's list of sessions ({size})"] = timed(
            request_to(adv, "GET", f"/sessions?after={size // 2:036d}", headers={"Authorization": "Bearer bench"}), runs
        )
    return results


COMPACTED_TURNS_AGO = 5


def replay_costs(
    workdir: Path, histories: list[int], transport: ZeroLatencyOpenAI, runs: int
) -> Iterator[tuple[int, list[float], float]]:
    """A session of ``turns`` stored turns that OpenAI compacted ``COMPACTED_TURNS_AGO`` turns ago: what is replayed."""
    for turns in histories:
        app = database_app(advanced_app.create_app, workdir / f"replay{turns}.db")
        client = app.test_client()
        session_id = json_of(client.post("/sessions"))["session_id"]
        now = datetime.now(UTC)
        compacted_at = turns - COMPACTED_TURNS_AGO
        stored: list[tuple[str, str | None, dict[str, str], int]] = []
        for turn in range(1, turns + 1):
            for role in ("user", "assistant"):
                stored.append(("message", role, {"role": role, "content": "x" * 200}, turn))
            if turn == compacted_at:
                stored.append(("compaction", None, {"type": "compaction", "encrypted_content": "x" * 400}, turn))
        with app.extensions["database"].begin() as connection:
            connection.execute(
                insert(Item),
                [
                    {
                        "session_id": session_id,
                        "turn": turn,
                        "type": kind,
                        "role": role,
                        "payload": json.dumps(payload),
                        "created_at": now,
                    }
                    for kind, role, payload, turn in stored
                ],
            )
        transport.sizes.clear()
        samples = timed(request_to(app, "POST", f"/sessions/{session_id}/messages", {"message": "Hi"}), runs)
        yield turns, samples, statistics.median(transport.sizes)


def micro(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1e6:>9.1f}{sorted(samples)[int(len(samples) * 0.99) - 1] * 1e6:>9.1f}"


def relay_times(workdir: Path, sdk: openai.OpenAI, runs: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Time to the first text delta and between deltas: the SDK's own stream, then the relay's events of it."""
    bare: dict[str, list[float]] = {"first delta": [], "per delta": []}
    relayed: dict[str, list[float]] = {"first delta": [], "per delta": []}

    def bare_stream() -> None:
        started = time.perf_counter()
        with sdk.responses.create(model=MODEL, input="Hi", stream=True) as stream:
            note_deltas(bare, started, (event for event in stream if event.type == "response.output_text.delta"))

    app = database_app(multi_user_app.create_app, workdir / "relay.db")
    first_turn = app.test_client().post("/chat", json={"user_id": "ada", "message": "Hi"})
    conversation = json_of(first_turn)["conversation_id"]
    body = {"user_id": "ada", "message": "Hi", "conversation_id": conversation}
    environ = EnvironBuilder(method="POST", path="/chat/stream", json=body).get_environ()
    payload = environ["wsgi.input"].read()

    def relayed_stream() -> None:
        started = time.perf_counter()
        reply = app(environ | {"wsgi.input": io.BytesIO(payload)}, StatusKept())
        try:
            note_deltas(relayed, started, (chunk for chunk in reply if chunk.startswith(b"event: delta")))
        finally:
            closed(reply)

    for _ in range(3):  # warm up
        bare_stream()
        relayed_stream()
    for key in bare:
        bare[key].clear()
        relayed[key].clear()
    for _ in range(runs):  # turn about, so that a change in the machine's speed touches both alike
        bare_stream()
        relayed_stream()
    return bare, relayed


def note_deltas(times: dict[str, list[float]], started: float, deltas: Iterable[object]) -> None:
    last = None
    for _ in deltas:
        now = time.perf_counter()
        if last is None:
            times["first delta"].append(now - started)
        else:
            times["per delta"].append(now - last)
        last = now


if __name__ == "__main__":
    main()
