"""Load the multi-user app as the README deploys it (gunicorn) on SQLite and on PostgreSQL, beside the bare SDK.

An OpenAI stand-in runs in a process of its own and answers every request after
``--upstream-ms`` (the model's time), with a canned reply. Against it, ``--clients``
concurrent users (1, 8 and 32) each hold a conversation and send ``--turns`` messages one
after another, looking at their list of conversations after each turn, as the chat page
does; the bare SDK, with as many threads, sends the same number of requests straight to the
stand-in. It prints turns per second, p50 and p99 of a turn and of a list view, and errors.
gunicorn runs with the README's command (``-w 4 --threads 8 --keep-alive 0``); PostgreSQL is a throwaway
server started from Debian's server programs (the tests' own, ``tests/support/postgres.py``),
so it needs the ``production`` group and ``apt-get install postgresql``.

Run: uv run --group production python -m bench.production             (a few minutes)
     uv run --group production python -m bench.production --quick     (the tests run this)
"""

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import openai
import requests

from bench.run import canned_response
from tests.support import postgres

REPO_ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ["-m", "gunicorn", "-w", "4", "--threads", "8", "--keep-alive", "0", "--timeout", "150"]  # the README's
APP = "Conversation_API.multi_user_app:create_app()"
STARTUP_SECONDS = 60
WARM_UP_CLIENTS = 16  # as many as the README's gunicorn serves at once


def serve_openai(port: int, latency: float) -> None:
    """The OpenAI stand-in's process: every request answered after ``latency`` seconds."""
    reply = canned_response()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # connections kept alive, as OpenAI's are
        disable_nagle_algorithm = True  # else the body, written after the headers, waits for their ACK

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(latency)
            if self.path.endswith("/conversations"):
                body = {"id": f"conv_{uuid.uuid4().hex}", "object": "conversation", "created_at": 0, "metadata": {}}
            else:
                body = reply | {"id": f"resp_{uuid.uuid4().hex}"}
            content = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 1024  # the listen backlog: 5 by default, and a full one makes a new connection wait 1 s

    Server(("127.0.0.1", port), Handler).serve_forever()


@contextmanager
def openai_stand_in(latency: float) -> Iterator[str]:
    port = postgres.free_port()
    process = multiprocessing.get_context("spawn").Process(target=serve_openai, args=(port, latency), daemon=True)
    process.start()
    try:
        wait_until_up(f"http://127.0.0.1:{port}", method="POST", path="/v1/conversations")
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.join()


def wait_until_up(base_url: str, *, method: str = "GET", path: str = "/healthz") -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            requests.request(method, base_url + path, timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{base_url} did not start within {STARTUP_SECONDS} s") from None
            time.sleep(0.2)  # a server starting up: polled, as a health check would


@contextmanager
def gunicorn(database_url: str, openai_url: str) -> Iterator[str]:
    port = postgres.free_port()
    environment = os.environ | {
        "DATABASE_URL": database_url,
        "OPENAI_BASE_URL": openai_url,
        "OPENAI_API_KEY": "sk-bench",
        "OPENAI_OFFLINE": "0",
        "APP_API_KEY": "",
    }
    command = [sys.executable, *GUNICORN, "-b", f"127.0.0.1:{port}", APP]
    server = subprocess.Popen(command, cwd=REPO_ROOT, env=environment, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=STARTUP_SECONDS)


class Results:
    def __init__(self) -> None:
        self.turns: list[float] = []
        self.lists: list[float] = []
        self.errors = 0
        self.lock = threading.Lock()

    def add(self, samples: list[float], elapsed: float, ok: bool) -> None:
        with self.lock:
            samples.append(elapsed)
            self.errors += not ok


def timed(action: Callable[[], bool]) -> tuple[float, bool]:
    started = time.perf_counter()
    try:
        ok = action()
    except requests.RequestException:
        ok = False
    return time.perf_counter() - started, ok


def one_user(base_url: str, user: str, turns: int, results: Results) -> None:
    """One user's chat: a turn, then a look at their list of conversations, ``turns`` times."""
    http, body = requests.Session(), {"user_id": user}

    def turn() -> bool:
        reply = http.post(f"{base_url}/chat", json=body, timeout=300)
        if reply.ok:
            body["conversation_id"] = reply.json()["conversation_id"]
        return reply.ok

    for number in range(turns):
        body["message"] = f"Message {number}"
        results.add(results.turns, *timed(turn))
        results.add(results.lists, *timed(lambda: http.get(f"{base_url}/conversations?user_id={user}").ok))
    http.close()


def bare_sdk_user(sdk: openai.OpenAI, turns: int, results: Results) -> None:
    def turn() -> bool:
        sdk.responses.create(model="gpt-5.4-mini", input="Hi")
        return True

    for _ in range(turns):
        results.add(results.turns, *timed(turn))


def run_clients(
    target: Callable[..., None], clients: int, arguments: Callable[..., tuple[object, ...]]
) -> tuple[Results, float]:
    """``clients`` threads at once, each running ``target(*arguments(its number), results)``."""
    results = Results()
    threads = [threading.Thread(target=target, args=(*arguments(user), results)) for user in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def p(samples: list[float], quantile: float) -> float:
    return sorted(samples)[max(int(len(samples) * quantile) - 1, 0)] * 1000 if samples else float("nan")


def report(name: str, clients: int, results: Results, wall: float, bare_rate: float | None) -> float:
    rate = len(results.turns) / wall
    share = f"{rate / bare_rate:>8.0%}" if bare_rate else f"{'':>8}"
    lists = f"{p(results.lists, 0.5):>9.1f}{p(results.lists, 0.99):>9.1f}" if results.lists else f"{'':>18}"
    print(
        f"{name:<28}{clients:>8}{rate:>9.0f}{share}{p(results.turns, 0.5):>9.1f}{p(results.turns, 0.99):>9.1f}"
        f"{lists}{results.errors:>8}"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few turns, 1 and 8 clients: checks that it works")
    parser.add_argument("--turns", type=int, default=20, help="turns per client")
    parser.add_argument("--upstream-ms", type=float, default=50, help="how long the OpenAI stand-in takes to answer")
    args = parser.parse_args()
    client_counts = [1, 8] if args.quick else [1, 8, 32]
    turns = 3 if args.quick else args.turns

    print(f"{os.cpu_count()} cores; OpenAI stand-in answers after {args.upstream_ms:g} ms; {turns} turns per client")
    print(f"gunicorn {' '.join(GUNICORN[2:])}; times in ms; share: of the bare SDK's turns/s at as many clients\n")
    columns = ("clients", 8), ("turns/s", 9), ("share", 8), ("p50", 9), ("p99", 9), ("list p50", 9), ("list p99", 9)
    print(f"{'':<28}" + "".join(f"{name:>{width}}" for name, width in columns) + f"{'errors':>8}")
    with ExitStack() as stack:
        openai_url = stack.enter_context(openai_stand_in(args.upstream_ms / 1000))
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-production-")))
        databases: dict[str, Callable[[], str]] = {"SQLite": lambda: f"sqlite:///{workdir / f'{uuid.uuid4().hex}.db'}"}
        try:
            server = stack.enter_context(postgres.running_server())
            databases["PostgreSQL"] = lambda: stack.enter_context(postgres.new_database(server))
        except postgres.Unavailable as why:
            print(f"(PostgreSQL left out: {why})")
        bare_rates: dict[int, float] = {}
        for clients in client_counts:
            sdk = openai.OpenAI(api_key="sk-bench", base_url=openai_url, max_retries=0)
            run_clients(bare_sdk_user, clients, lambda _user, sdk=sdk: (sdk, 2))  # warm up: connections
            results, wall = run_clients(bare_sdk_user, clients, lambda _user, sdk=sdk: (sdk, turns))
            bare_rates[clients] = report("bare SDK", clients, results, wall, None)
            sdk.close()
        for name, new_database in databases.items():
            for clients in client_counts:
                with gunicorn(new_database(), openai_url) as base_url:
                    # Every worker's first requests (imports, connections) are not what a running server costs.
                    run_clients(one_user, WARM_UP_CLIENTS, lambda user, base_url=base_url: (base_url, f"warm{user}", 2))
                    results, wall = run_clients(
                        one_user, clients, lambda user, base_url=base_url: (base_url, f"user{user}", turns)
                    )
                    report(f"multi-user app, {name}", clients, results, wall, bare_rates[clients])


if __name__ == "__main__":
    main()
