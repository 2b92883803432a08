"""The database apps as deployed: gunicorn with 4 worker processes on a real PostgreSQL server.

The workers share nothing but the database, so every rule the apps claim (one turn at a time
per conversation, ownership, TTL expiry, nothing written by a failed turn, exactly the
acknowledged rows) must hold through PostgreSQL alone. OpenAI is a small HTTP server in the
test process; the workers reach it through ``OPENAI_BASE_URL``.
"""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from flask import Flask, request
from sqlalchemy import create_engine, text

from tests.conftest import PATIENCE, REPO_ROOT
from tests.support import optional, payloads, postgres

WORKERS = 4
UPSTREAM_DELAY_SECONDS = 1.5
MULTI_USER = "Conversation_API.multi_user_app"
PERSISTENT = "Conversation_API.persistent_memory_app"
ADVANCED = "Responses_API.weather_app_advanced_sessions"

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def fake_openai() -> Flask:
    """Answers the calls the apps make; a message saying "slow" waits, one saying "fail" gets a 500."""
    upstream = Flask("fake_openai")

    @upstream.post("/v1/conversations")
    def create_conversation():
        return payloads.conversation()

    @upstream.post("/v1/responses")
    def create_response():
        body = request.get_json()
        said = body["input"] if isinstance(body["input"], str) else body["input"][-1]["content"]
        if "slow" in said:
            time.sleep(UPSTREAM_DELAY_SECONDS)
        if "fail" in said:
            return payloads.api_error("The server had an error.", type="server_error"), 500
        return payloads.response(f"You said: {said}")

    return upstream


@pytest.fixture
def gunicorn(database_url, live_server) -> Iterator[Callable[[str], str]]:
    """Start ``uv run gunicorn -w 4 … 'package:create_app()'`` from the repository, as the README says, for an app
    package; returns its base URL."""
    optional.require_module("gunicorn", "production")
    openai_url = live_server(fake_openai())
    servers = []

    def start(package: str) -> str:
        port = postgres.free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                str(WORKERS),
                "-b",
                f"127.0.0.1:{port}",
                f"{package}:create_app()",
            ],
            cwd=REPO_ROOT,
            env={
                **os.environ,
                "DATABASE_URL": database_url,
                "OPENAI_BASE_URL": f"{openai_url}/v1",
                "OPENAI_OFFLINE": "0",
                "APP_API_KEY": "",
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        servers.append(server)
        base_url = f"http://127.0.0.1:{port}"
        wait_until_serving(server, base_url)
        return base_url

    yield start
    for server in servers:
        server.terminate()
        server.wait(PATIENCE)
        server.stderr.close()


def wait_until_serving(server: subprocess.Popen, base_url: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited {server.returncode}:\n{server.stderr.read()}")
        try:
            if requests.get(f"{base_url}/healthz", timeout=PATIENCE).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or its workers are still loading the app
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within {PATIENCE:g} s")


def at_once(calls: list[Callable[[], requests.Response]]) -> list[requests.Response]:
    """Make every call at the same moment, each in its own thread."""
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def query(database_url: str, sql: str, **parameters) -> list[tuple]:
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(sql), parameters)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def test_two_turns_at_once_on_one_conversation_never_both_run(gunicorn, database_url):
    base_url = gunicorn(MULTI_USER)
    chat = f"{base_url}/chat"
    conversation_id = requests.post(chat, json={"user_id": "ada", "message": "Hi"}, timeout=PATIENCE).json()[
        "conversation_id"
    ]
    turn = {"user_id": "ada", "message": "slow answer, please", "conversation_id": conversation_id}

    replies = at_once([lambda: requests.post(chat, json=turn, timeout=PATIENCE)] * 6)

    statuses = sorted(reply.status_code for reply in replies)
    assert statuses == [200, 409, 409, 409, 409, 409]
    busy = next(reply for reply in replies if reply.status_code == 409)
    assert busy.json() == {
        "error": {
            "type": "conversation_busy",
            "message": "A message in this conversation is still being answered; retry shortly.",
        }
    }
    assert query(database_url, "SELECT count(*) FROM turns") == [(2,)]


def test_twenty_users_times_five_turns_leave_exactly_the_acknowledged_rows(gunicorn, database_url):
    base_url = gunicorn(MULTI_USER)

    def five_turns(user: int) -> list[str]:
        acknowledged, conversation_id = [], None
        for number in range(5):
            body = {"user_id": f"user{user}", "message": f"message {number}"}
            if conversation_id:
                body["conversation_id"] = conversation_id
            reply = requests.post(f"{base_url}/chat", json=body, timeout=PATIENCE)
            assert reply.status_code in {200, 201}, reply.text
            conversation_id = reply.json()["conversation_id"]
            acknowledged.append(reply.json()["response_id"])
        return acknowledged

    with ThreadPoolExecutor(20) as pool:
        acknowledged = [response_id for user in pool.map(five_turns, range(20)) for response_id in user]

    stored = query(database_url, "SELECT response_id FROM turns")
    assert sorted(row[0] for row in stored) == sorted(acknowledged)
    per_user = query(
        database_url,
        "SELECT c.user_id, count(t.id) FROM conversations c JOIN turns t ON t.conversation_id = c.id "
        "GROUP BY c.user_id",
    )
    assert sorted(per_user) == sorted((f"user{user}", 5) for user in range(20))
    assert query(database_url, "SELECT count(*) FROM conversations WHERE busy_since IS NOT NULL") == [(0,)]


def test_a_failed_turn_writes_nothing_and_frees_the_conversation(gunicorn, database_url):
    base_url = gunicorn(MULTI_USER)
    first = requests.post(f"{base_url}/chat", json={"user_id": "ada", "message": "Hi"}, timeout=PATIENCE).json()
    turn = {"user_id": "ada", "conversation_id": first["conversation_id"]}

    failed = requests.post(f"{base_url}/chat", json={**turn, "message": "fail now"}, timeout=PATIENCE)
    retried = requests.post(f"{base_url}/chat", json={**turn, "message": "again"}, timeout=PATIENCE)

    assert failed.status_code == 502
    assert failed.json()["error"]["type"] == "upstream_error"
    assert retried.status_code == 200
    assert query(database_url, "SELECT user_message FROM turns ORDER BY id") == [("Hi",), ("again",)]


def test_ownership_and_expiry_hold_across_workers(gunicorn, database_url):
    base_url = gunicorn(MULTI_USER)
    conversation_id = requests.post(
        f"{base_url}/chat", json={"user_id": "ada", "message": "Hi"}, timeout=PATIENCE
    ).json()["conversation_id"]
    turn = {"message": "Hello again", "conversation_id": conversation_id}

    someone_else = requests.post(f"{base_url}/chat", json={**turn, "user_id": "bob"}, timeout=PATIENCE)
    query(
        database_url,
        "UPDATE conversations SET last_active_at = last_active_at - :idle",
        idle=timedelta(days=1),
    )
    expired = [
        requests.post(f"{base_url}/chat", json={**turn, "user_id": "ada"}, timeout=PATIENCE) for _ in range(WORKERS)
    ]
    listed = requests.get(f"{base_url}/conversations", params={"user_id": "ada"}, timeout=PATIENCE).json()

    assert someone_else.status_code == 403
    assert someone_else.json()["error"]["type"] == "forbidden"
    assert {reply.status_code for reply in expired} == {409}
    assert {reply.json()["error"]["type"] for reply in expired} == {"conversation_expired"}
    assert [conversation["status"] for conversation in listed["data"]] == ["expired"]


def persistent_memory_turn(base_url: str) -> tuple[str, dict]:
    """The user's turn, once their conversation exists."""
    requests.post(f"{base_url}/chat", json={"user_id": "ada", "message": "Hi"}, timeout=PATIENCE).raise_for_status()
    return f"{base_url}/chat", {"user_id": "ada", "message": "slow answer"}


def advanced_weather_turn(base_url: str) -> tuple[str, dict]:
    session_id = requests.post(f"{base_url}/sessions", timeout=PATIENCE).json()["session_id"]
    return f"{base_url}/sessions/{session_id}/messages", {"message": "slow answer"}


@pytest.mark.parametrize(
    ("package", "prepare_turn"),
    [(PERSISTENT, persistent_memory_turn), (ADVANCED, advanced_weather_turn)],
    ids=["persistent-memory app", "advanced weather app"],
)
def test_the_other_database_apps_also_run_one_turn_at_a_time(gunicorn, package, prepare_turn):
    url, body = prepare_turn(gunicorn(package))

    replies = at_once([lambda: requests.post(url, json=body, timeout=PATIENCE)] * 4)

    assert sorted(reply.status_code for reply in replies) == [200, 409, 409, 409]
