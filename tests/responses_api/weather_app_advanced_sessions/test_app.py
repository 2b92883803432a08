import json
import uuid
from datetime import timedelta

import httpx
import pytest
import requests
from flask import Flask
from flask import request as flask_request

import Responses_API.weather_app_advanced_sessions as backend
from openai_tutorial.client import get_client
from Responses_API.weather_app_advanced_sessions import models
from tests.support import long_chat, payloads
from tests.support.helpers import (
    PATIENCE,
    START,
    TurnInFlight,
    api_failure,
    assert_served_by_an_index,
    database_app_fixtures,
    dispose,
    on_sqlite_only,
    query_plans,
    rows,
    sent_json,
    sqlite_url,
)
from tests.support.weather import answers, asks_for_weather, new_session, say

BACKEND = "Responses_API.weather_app_advanced_sessions"
FRONTEND = "Responses_API/weather_app_advanced_sessions/frontend.py"
INSPECT = "Responses_API.weather_app_advanced_sessions.inspect_db"
ChatSession, Item = models.ChatSession, models.Item


app, client = database_app_fixtures(backend)


@pytest.fixture
def one_weather_turn(openai_api, lisbon_weather):
    """OpenAI: the model calls get_weather, then answers; later turns are answered directly."""
    return openai_api.post("/responses").mock(
        side_effect=[asks_for_weather(), answers("16°C and partly cloudy in Lisbon."), answers("Light rain tomorrow.")]
    )


def test_a_turn_stores_every_item_it_sent_and_received(app, client, one_weather_turn, time_machine):
    time_machine.move_to(START, tick=False)
    session_id = new_session(client)

    reply = say(client, session_id)

    assert reply.status_code == 200
    assert reply.json == {
        "answer": "16°C and partly cloudy in Lisbon.",
        "tool_calls": [{"name": "get_weather", "arguments": {"place": "Lisbon", "units": None}}],
    }
    items = rows(app, Item)
    assert [(item.turn, item.type, item.role) for item in items] == [
        (1, "message", "user"),
        (1, "reasoning", None),
        (1, "function_call", None),
        (1, "function_call_output", None),
        (1, "message", "assistant"),
    ]
    assert json.loads(items[1].payload)["encrypted_content"] == "gAAAAB-encrypted-reasoning"
    assert json.loads(items[3].payload)["call_id"] == "call_lisbon"
    assert {item.created_at for item in items} == {START}


def test_the_next_turn_replays_exactly_the_stored_history_with_store_false(app, client, one_weather_turn):
    session_id = new_session(client)
    say(client, session_id)
    stored = [json.loads(item.payload) for item in rows(app, Item)]

    say(client, session_id, "And tomorrow?")

    body = sent_json(one_weather_turn)
    assert body["input"] == [*stored, {"role": "user", "content": "And tomorrow?"}]
    assert body["store"] is False
    assert body["include"] == ["reasoning.encrypted_content"]
    assert "previous_response_id" not in body
    assert len(rows(app, Item)) == 7


def test_a_restart_on_the_same_database_continues_the_session(database_url, one_weather_turn):
    before = backend.create_app({"DATABASE_URL": database_url})
    session_id = new_session(before.test_client())
    say(before.test_client(), session_id)
    dispose(before)

    after = backend.create_app({"DATABASE_URL": database_url})
    reply = say(after.test_client(), session_id, "And tomorrow?")

    assert reply.json["answer"] == "Light rain tomorrow."
    replayed = sent_json(one_weather_turn)["input"]
    assert replayed[0] == {"role": "user", "content": "What's the weather in Lisbon?"}
    assert len(replayed) == 6
    dispose(after)


def test_a_failed_turn_stores_nothing_and_frees_the_session(app, client, openai_api, lisbon_weather):
    openai_api.post("/responses").mock(side_effect=[asks_for_weather(), api_failure(500), answers("Sunny.")])
    session_id = new_session(client)

    failed = say(client, session_id)
    retried = say(client, session_id, "Weather?")

    assert failed.status_code == 502
    assert retried.status_code == 200
    assert [json.loads(item.payload).get("content") for item in rows(app, Item) if item.type == "message"] == [
        "Weather?",
        [{"type": "output_text", "text": "Sunny.", "annotations": [], "logprobs": []}],
    ]


def test_history_is_readable_in_order(client, one_weather_turn):
    session_id = new_session(client)
    say(client, session_id)

    history = client.get(f"/sessions/{session_id}/history").json

    assert (history["object"], history["first_id"], history["last_id"], history["has_more"]) == ("list", 1, 5, False)
    assert [(item["turn"], item["type"], item["role"], item["text"][:40]) for item in history["data"]] == [
        (1, "message", "user", "What's the weather in Lisbon?"),
        (1, "reasoning", None, "(reasoning)"),
        (1, "function_call", None, 'get_weather({"place": "Lisbon", "units":'),
        (1, "function_call_output", None, '{"place": "Lisbon, Lisbon, Portugal", "c'),
        (1, "message", "assistant", "16°C and partly cloudy in Lisbon."),
    ]


def test_sessions_are_listed_newest_first_with_message_counts_for_an_operator(app, openai_api, time_machine):
    time_machine.move_to(START, tick=False)
    app.config["APP_API_KEY"] = "operator-key"
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer operator-key"
    openai_api.post("/responses").mock(side_effect=lambda request: answers("ok"))
    older = new_session(client)
    say(client, older)
    say(client, older)
    time_machine.shift(timedelta(minutes=1))
    newer = new_session(client)

    listing = client.get("/sessions").json["data"]

    assert listing == [
        {"session_id": newer, "created_at": "2026-11-22T09:01:00+00:00", "messages": 0},
        {"session_id": older, "created_at": "2026-11-22T09:00:00+00:00", "messages": 4},
    ]
    assert uuid.UUID(newer).version == 7


def test_deleting_a_session_removes_its_rows(app, client, one_weather_turn):
    kept, deleted = new_session(client), new_session(client)
    say(client, deleted)

    reply = client.delete(f"/sessions/{deleted}")

    assert (reply.status_code, reply.get_data()) == (204, b"")
    assert [chat.id for chat in rows(app, ChatSession)] == [kept]
    assert rows(app, Item) == []
    assert client.get(f"/sessions/{deleted}/history").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/sessions/nope/messages", {"message": "hi"}),
        ("get", "/sessions/nope/history", None),
        ("delete", "/sessions/nope", None),
    ],
)
def test_an_unknown_session_is_404(client, method, path, body):
    reply = getattr(client, method)(path, json=body)

    assert reply.status_code == 404
    assert reply.json == {"error": {"type": "not_found", "message": "No session 'nope'."}}


def test_a_busy_session_refuses_a_second_message_and_deletion(app, client, openai_api):
    in_flight = TurnInFlight(answers("done"))
    openai_api.post("/responses").mock(side_effect=in_flight)
    session_id = new_session(client)
    in_flight.start(lambda: say(app.test_client(), session_id))

    busy_message = say(client, session_id, "hurry")
    busy_delete = client.delete(f"/sessions/{session_id}")
    in_flight.finish()

    assert (busy_message.status_code, busy_message.json) == (
        409,
        {
            "error": {
                "type": "session_busy",
                "message": "A message of this session is still being answered; retry shortly.",
            }
        },
    )
    assert (busy_delete.status_code, busy_delete.json["error"]["message"]) == (
        409,
        "A message of this session is still being answered; delete it afterwards.",
    )
    assert [item.role for item in rows(app, Item) if item.type == "message"] == ["user", "assistant"]
    assert client.delete(f"/sessions/{session_id}").status_code == 204


def test_the_default_database_lives_beside_the_app(monkeypatch, tmp_path):
    default = tmp_path / "instance" / "weather_sessions.db"
    monkeypatch.setattr(backend, "DEFAULT_DATABASE", default)

    app = backend.create_app()

    assert default.exists()
    dispose(app)


# --- inspect_db.py --------------------------------------------------------------------------


@pytest.fixture
def inspect(run_script, app):
    """Run inspect_db on the app's database, as ``python -m`` runs it."""
    return lambda *args: run_script(INSPECT, *args, env={"DATABASE_URL": app.config["DATABASE_URL"]})


def test_inspect_lists_sessions_shows_one_and_counts_items(client, one_weather_turn, inspect, time_machine):
    time_machine.move_to(START, tick=False)
    session_id = new_session(client)
    say(client, session_id)

    listing, shown, stats = inspect("sessions"), inspect("show", session_id), inspect("stats")

    assert listing.exit_code == shown.exit_code == stats.exit_code == 0
    assert listing.stdout.splitlines() == [
        "SESSION ID                            CREATED (UTC)         MESSAGES",
        f"{session_id}  2026-11-22 09:00:00          2",
        "(1 sessions)",
    ]
    shown_lines = shown.stdout.splitlines()
    assert shown_lines[0] == f"Session {session_id}, created 2026-11-22 09:00:00 UTC"
    assert shown_lines[1] == "  turn 1   user                   What's the weather in Lisbon?"
    assert shown_lines[3].startswith('  turn 1   function_call          get_weather({"place": "Lisbon"')
    assert shown_lines[5] == "  turn 1   assistant              16°C and partly cloudy in Lisbon."
    assert stats.stdout.splitlines() == [
        "sessions: 1",
        "items:    5",
        "  function_call              1",
        "  function_call_output       1",
        "  message                    2",
        "  reasoning                  1",
    ]


def test_inspect_an_unknown_session_or_a_missing_database_says_so(inspect, run_script, tmp_path):
    unknown = inspect("show", "nope")
    missing = run_script(INSPECT, "stats", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"})

    assert (unknown.exit_code, unknown.stderr) == (2, "No session 'nope' in the database.\n")
    assert missing.exit_code == 2
    assert missing.stderr.startswith(f"No database at {tmp_path / 'none.db'}: start the backend and chat first")
    assert not (tmp_path / "none.db").exists()


# --- frontend.py ----------------------------------------------------------------------------


def test_the_frontend_starts_a_session_and_can_resume_it(app, openai_api, live_server, run_script):
    base_url = live_server(app)
    openai_api.post("/responses").mock(side_effect=[answers("Sunny in Lisbon."), answers("Rain tomorrow.")])

    first = run_script(FRONTEND, "--base-url", base_url, stdin="Lisbon?\n")
    session_id = first.stdout.splitlines()[0].split()[2].rstrip(";")
    resumed = run_script(FRONTEND, "--base-url", base_url, "--session", session_id, stdin="And tomorrow?\n")

    assert first.exit_code == resumed.exit_code == 0
    assert first.stdout.splitlines()[0] == f"New session {session_id}; resume it later with --session {session_id}"
    assert "assistant> Sunny in Lisbon." in first.stdout
    assert resumed.stdout.splitlines()[0] == f"Resuming session {session_id} (2 messages so far)."
    assert "assistant> Rain tomorrow." in resumed.stdout


def test_the_frontend_cannot_resume_an_unknown_session(app, live_server, run_script):
    base_url = live_server(app)

    result = run_script(FRONTEND, "--base-url", base_url, "--session", "nope")

    assert result.exit_code == 1
    assert result.stderr == "The backend answered 404: No session 'nope'.\n"


def test_end_to_end_over_http(app, live_server, one_weather_turn):
    base_url = live_server(app)
    session_id = requests.post(f"{base_url}/sessions", timeout=PATIENCE).json()["session_id"]
    answer = requests.post(f"{base_url}/sessions/{session_id}/messages", json={"message": "Lisbon?"}, timeout=PATIENCE)
    history = requests.get(f"{base_url}/sessions/{session_id}/history", timeout=PATIENCE)

    assert answer.json()["answer"] == "16°C and partly cloudy in Lisbon."
    assert len(history.json()["data"]) == 5
    assert requests.delete(f"{base_url}/sessions/{session_id}", timeout=PATIENCE).status_code == 204


def test_a_non_json_error_body_from_the_backend_is_still_reported(run_script, live_server):
    broken = Flask("broken")
    broken.add_url_rule("/healthz", "healthz", lambda: {"status": "ok", "app": "weather_app_advanced_sessions"})
    broken.add_url_rule("/sessions", "sessions", lambda: ("Bad gateway", 502), methods=["POST"])

    result = run_script(FRONTEND, "--base-url", live_server(broken))

    assert (result.exit_code, result.stderr) == (1, "The backend answered 502: Bad gateway\n")


def test_the_backend_script_serves_on_loopback(flask_runs, run_script, tmp_path):
    result = run_script(BACKEND, env={"DATABASE_URL": sqlite_url(tmp_path), "PORT": "5103"})

    assert result.exit_code == 0, result.stderr
    assert flask_runs == [{"host": "127.0.0.1", "port": 5103, "debug": False}]


def test_without_app_api_key_nobody_can_list_other_peoples_sessions(client):
    new_session(client)

    reply = client.get("/sessions")

    assert reply.status_code == 403
    assert reply.json == {
        "error": {
            "type": "operators_only",
            "message": "Listing every session is for operators: start the backend with APP_API_KEY and send it, "
            "or run its inspect_db sessions.",
        }
    }


def test_a_compaction_ends_the_replay_of_what_came_before_it_while_every_item_stays_stored(database_url, openai_api):
    app = backend.create_app({"DATABASE_URL": database_url, "COMPACT_AFTER_TOKENS": 1500})
    client = app.test_client()
    compaction = {"id": "cmp_1", "type": "compaction", "encrypted_content": "gAAAA-sealed"}
    replies = [
        answers("ok"),
        httpx.Response(200, json=payloads.response(output=[compaction, payloads.message("ok")])),
        answers("ok"),
        answers("ok"),
    ]
    route = openai_api.post("/responses").mock(side_effect=replies)
    session_id = new_session(client)
    for number in range(1, 5):
        say(client, session_id, f"question {number}")

    sent = [sent_json(route, number) for number in range(4)]

    assert all(body["context_management"] == [{"type": "compaction", "compact_threshold": 1500}] for body in sent)
    assert [item.get("content") for item in sent[1]["input"] if item.get("role") == "user"] == [
        "question 1",
        "question 2",
    ]  # no compaction yet: the whole history
    assert [item.get("type", item.get("role")) for item in sent[3]["input"]] == [
        "compaction",
        "message",
        "user",
        "message",
        "user",
    ]  # from the compaction on: it stands for question 1 and the start of turn 2
    assert sent[3]["input"][0] == compaction
    history = client.get(f"/sessions/{session_id}/history").json["data"]
    assert [item["type"] for item in history].count("compaction") == 1
    assert len(history) == 9  # every item of every turn is still stored and shown
    dispose(app)


def test_history_and_the_operators_list_come_in_pages(app, openai_api, time_machine):
    time_machine.move_to(START, tick=False)
    app.config["APP_API_KEY"] = "operator-key"
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer operator-key"
    openai_api.post("/responses").mock(side_effect=lambda request: answers("ok"))
    sessions = []
    for _ in range(3):
        sessions.append(new_session(client))
        time_machine.shift(timedelta(seconds=1))
    for number in range(3):
        say(client, sessions[0], f"question {number}")

    first = client.get(f"/sessions/{sessions[0]}/history?limit=4").json
    rest = client.get(f"/sessions/{sessions[0]}/history?limit=4&after={first['last_id']}").json
    newest = client.get("/sessions?limit=2").json
    oldest = client.get(f"/sessions?limit=2&after={newest['last_id']}").json
    bad = client.get("/sessions?after=nope")

    assert ([item["id"] for item in first["data"]], first["has_more"]) == ([1, 2, 3, 4], True)
    assert ([item["id"] for item in rest["data"]], rest["has_more"]) == ([5, 6], False)
    assert [s["session_id"] for s in newest["data"] + oldest["data"]] == sessions[::-1]
    assert (newest["has_more"], oldest["has_more"]) == (True, False)
    assert bad.json == {
        "error": {"type": "invalid_request", "message": "'after' must be the id of a session, not 'nope'."}
    }


@on_sqlite_only
def test_list_queries_are_served_by_an_index_without_a_sort(app, openai_api):
    app.config["APP_API_KEY"] = "operator-key"
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer operator-key"
    openai_api.post("/responses").mock(side_effect=lambda request: answers("ok"))
    session_id = new_session(client)
    say(client, session_id)

    listing = query_plans(app, lambda: client.get(f"/sessions?limit=1&after={session_id}"))
    history = query_plans(app, lambda: client.get(f"/sessions/{session_id}/history?limit=1&after=1"))

    assert_served_by_an_index(listing, "sessions")
    assert_served_by_an_index(history, "items")


def test_the_frontend_counts_the_messages_of_a_long_history_page_by_page(live_server, run_script):
    pages = {
        "0": {
            "data": [{"type": "message"}, {"type": "reasoning"}, {"type": "message"}],
            "last_id": 7,
            "has_more": True,
        },
        "7": {"data": [{"type": "message"}], "last_id": 8, "has_more": False},
    }
    backend_stub = Flask(__name__)
    backend_stub.add_url_rule("/healthz", "healthz", lambda: {"status": "ok", "app": "weather_app_advanced_sessions"})
    backend_stub.add_url_rule("/sessions/s1/history", "history", lambda: pages[flask_request.args["after"]])
    base_url = live_server(backend_stub)

    result = run_script(FRONTEND, "--base-url", base_url, "--session", "s1")

    assert result.stdout.startswith("Resuming session s1 (3 messages so far).\n")


def test_the_replay_names_the_model_and_sends_no_null_fields(client, one_weather_turn):
    session_id = new_session(client)
    say(client, session_id)
    route = one_weather_turn

    replay = say(client, session_id, "And tomorrow?")

    body = sent_json(route)
    assert replay.status_code == 200
    assert body["model"] == "gpt-5.4-mini"

    def nulls(value, where="input"):
        if value is None:
            yield where
        elif isinstance(value, dict):
            for key, inner in value.items():
                yield from nulls(inner, f"{where}.{key}")
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                yield from nulls(inner, f"{where}[{index}]")

    assert list(nulls(body["input"])) == []
    assert any(item.get("type") == "reasoning" and "encrypted_content" in item for item in body["input"])


def test_a_long_chat_replays_from_its_newest_compaction_so_a_request_stays_small_and_the_first_facts_stay(
    app, client, monkeypatch
):
    long_chat.use_the_stand_in(monkeypatch)
    app.config["COMPACT_AFTER_TOKENS"] = long_chat.BUDGET
    session_id = new_session(client)
    sent = []
    real_create = get_client().responses.create
    monkeypatch.setattr(
        get_client().responses, "create", lambda **request: sent.append(request) or real_create(**request)
    )
    replies = [say(client, session_id, message).json for message in long_chat.messages(25)]

    stored = rows(app, Item)
    assert "compaction" in [item.type for item in stored]
    assert [item.role for item in stored].count("user") == 27  # every item is kept here
    assert max(len(request["input"]) for request in sent) < 2 * 27  # the last turn alone would replay 79 items
    assert sent[-1]["input"][0]["type"] == "compaction"
    assert long_chat.recalls_the_first_facts(replies[-1]["answer"])
