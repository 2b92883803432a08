import threading
import uuid
from datetime import timedelta

import flask
import httpx
import pytest

from openai_tutorial.client import get_client
from openai_tutorial.weather import INSTRUCTIONS, WEATHER_TOOL
from Responses_API.stateless_weather_app import backend as stateless_backend
from Responses_API.weather_app_with_sessions import backend
from tests.support import long_chat, payloads
from tests.support.helpers import PATIENCE, TurnInFlight, api_failure, sent_json
from tests.support.weather import answers, asks_for_weather, new_session, say

BACKEND = "Responses_API/weather_app_with_sessions/backend.py"
FRONTEND = "Responses_API/weather_app_with_sessions/frontend.py"


@pytest.fixture
def app():
    return backend.create_app()


@pytest.fixture
def client(app):
    return app.test_client()


def test_a_session_id_is_a_uuid7(client):
    assert uuid.UUID(new_session(client)).version == 7


def test_a_follow_up_continues_from_the_last_response_of_the_previous_turn(client, openai_api, lisbon_weather):
    final_of_turn_1 = payloads.response("16°C in Lisbon.", id="resp_turn1_final")
    route = openai_api.post("/responses").mock(
        side_effect=[
            asks_for_weather(),
            httpx.Response(200, json=final_of_turn_1),
            answers("Tomorrow: light rain, 16.5°C."),
        ]
    )
    session_id = new_session(client)

    first = say(client, session_id)
    follow_up = say(client, session_id, "And tomorrow?")

    assert first.json == {"answer": "16°C in Lisbon.", "response_id": "resp_turn1_final"}
    assert follow_up.json["answer"] == "Tomorrow: light rain, 16.5°C."
    opening, tool_result, next_turn = (sent_json(route, call) for call in range(3))
    assert "previous_response_id" not in opening
    assert opening["input"] == [{"role": "user", "content": "What's the weather in Lisbon?"}]
    assert tool_result["previous_response_id"] == route.calls[0].response.json()["id"]
    assert [item["type"] for item in tool_result["input"]] == ["function_call_output"]
    assert next_turn["previous_response_id"] == "resp_turn1_final"
    assert next_turn["input"] == [{"role": "user", "content": "And tomorrow?"}]
    for body in (opening, tool_result, next_turn):
        assert body["instructions"] == INSTRUCTIONS
        assert body["tools"] == [WEATHER_TOOL]
        assert body["context_management"] == [{"type": "compaction", "compact_threshold": 20_000}]
        assert "store" not in body


def test_a_failed_turn_keeps_the_previous_response_id(client, openai_api):
    route = openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(200, json=payloads.response("Hi.", id="resp_ok")),
            api_failure(500),
            answers("Still here."),
        ]
    )
    session_id = new_session(client)
    say(client, session_id)

    failed = say(client, session_id, "And now?")
    retried = say(client, session_id, "And now?")

    assert failed.status_code == 502
    assert retried.status_code == 200
    assert sent_json(route)["previous_response_id"] == "resp_ok"


def test_deleting_a_session_forgets_it(client, openai_api):
    session_id = new_session(client)

    deleted = client.delete(f"/sessions/{session_id}")

    assert (deleted.status_code, deleted.get_data()) == (204, b"")
    assert say(client, session_id).status_code == 404
    assert client.delete(f"/sessions/{session_id}").status_code == 404


def test_an_unknown_session_is_404(client):
    reply = say(client, "0193b0a0-0000-7000-8000-000000000000")

    assert reply.status_code == 404
    assert reply.json["error"]["type"] == "not_found"
    assert "Create a new one" in reply.json["error"]["message"]


def test_idle_sessions_are_evicted_after_the_ttl(openai_api, monkeypatch, time_machine):
    time_machine.move_to("2026-11-22T09:00:00Z", tick=False)
    monkeypatch.setenv("SESSION_TTL_MINUTES", "10")
    client = backend.create_app().test_client()
    openai_api.post("/responses").mock(side_effect=lambda request: answers("ok"))
    idle, active = new_session(client), new_session(client)

    for _ in range(3):
        time_machine.shift(timedelta(minutes=6))
        assert say(client, active).status_code == 200

    assert say(client, idle).status_code == 404
    assert say(client, active).status_code == 200


def test_a_full_store_refuses_new_sessions_until_one_expires_and_never_evicts_a_live_one(openai_api, time_machine):
    time_machine.move_to("2026-11-22T09:00:00Z", tick=False)
    client = backend.create_app({"MAX_SESSIONS": 2, "SESSION_TTL_MINUTES": 10}).test_client()
    openai_api.post("/responses").mock(side_effect=lambda request: answers("ok"))
    oldest, recent = new_session(client), new_session(client)
    time_machine.shift(timedelta(minutes=4))
    say(client, recent)

    refused = client.post("/sessions")
    time_machine.shift(timedelta(minutes=6, seconds=1))
    newest = new_session(client)

    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "360"
    assert refused.json == {
        "error": {"type": "sessions_full", "message": "All 2 sessions are in use; retry in 360 seconds."}
    }
    assert say(client, oldest).status_code == 404
    assert say(client, recent).status_code == 200
    assert say(client, newest).status_code == 200


def test_a_message_while_the_previous_one_is_answered_is_409(app, client, openai_api):
    in_flight = TurnInFlight(answers("done"))
    openai_api.post("/responses").mock(side_effect=in_flight)
    session_id = new_session(client)
    in_flight.start(lambda: say(app.test_client(), session_id))

    busy = say(client, session_id, "hurry")
    first = in_flight.finish()

    assert (busy.status_code, busy.json["error"]["type"]) == (409, "session_busy")
    assert first.status_code == 200


def test_when_every_session_is_busy_a_new_one_is_refused(openai_api):
    app = backend.create_app({"MAX_SESSIONS": 1})
    in_flight = TurnInFlight(answers("done"))
    openai_api.post("/responses").mock(side_effect=in_flight)
    only = new_session(app.test_client())
    in_flight.start(lambda: say(app.test_client(), only))

    refused = app.test_client().post("/sessions")
    in_flight.finish()

    assert (refused.status_code, refused.json["error"]["type"]) == (503, "sessions_full")


def test_sessions_created_from_many_threads_are_all_kept(app):
    created: list[str] = []
    threads = [threading.Thread(target=lambda: created.append(new_session(app.test_client()))) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE)

    client = app.test_client()
    assert len(set(created)) == 20
    assert [client.delete(f"/sessions/{session_id}").status_code for session_id in created] == [204] * 20


def test_bad_message_input_is_a_json_error(client):
    session_id = new_session(client)

    reply = client.post(f"/sessions/{session_id}/messages", json={"message": ""})

    assert (reply.status_code, reply.json["error"]["message"]) == (400, "'message' must not be empty.")


def test_the_frontend_chats_in_one_session_and_deletes_it_at_the_end(app, openai_api, live_server, run_script):
    requests_seen = []

    @app.after_request
    def record(response):
        requests_seen.append((flask.request.method, flask.request.path, response.status_code))
        return response

    base_url = live_server(app)
    route = openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(200, json=payloads.response("16°C in Lisbon.", id="resp_a")),
            answers("Light rain tomorrow."),
        ]
    )

    result = run_script(FRONTEND, "--base-url", base_url, stdin="Weather in Lisbon?\nAnd tomorrow?\n")

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Session ")
    assert lines[2:] == ["you> assistant> 16°C in Lisbon.", "you> assistant> Light rain tomorrow.", "you> ", "Bye."]
    assert sent_json(route)["previous_response_id"] == "resp_a"
    session_id = lines[0].removeprefix("Session ")
    assert uuid.UUID(session_id).version == 7
    assert requests_seen == [
        ("GET", "/healthz", 200),  # this app's backend, not another one on the same port
        ("POST", "/sessions", 201),
        ("POST", f"/sessions/{session_id}/messages", 200),
        ("POST", f"/sessions/{session_id}/messages", 200),
        ("DELETE", f"/sessions/{session_id}", 204),
    ]


def test_the_frontend_says_when_no_backend_is_running_and_exits_1(run_script, unused_port_url):
    result = run_script(FRONTEND, "--base-url", unused_port_url)

    assert result.exit_code == 1
    assert result.stderr == f"No backend is answering at {unused_port_url}/healthz: start it first (see README.md).\n"


def test_the_backend_script_serves_on_loopback(flask_runs, run_script):
    result = run_script(BACKEND, env={"PORT": "5102", "FLASK_DEBUG": "1"})

    assert result.exit_code == 0, result.stderr
    assert flask_runs == [{"host": "127.0.0.1", "port": 5102, "debug": True}]


def test_deleting_a_session_with_a_turn_in_flight_is_409_and_the_turn_completes(app, client, openai_api):
    in_flight = TurnInFlight(answers("done"))
    openai_api.post("/responses").mock(side_effect=in_flight)
    session_id = new_session(client)
    in_flight.start(lambda: say(app.test_client(), session_id))

    refused = client.delete(f"/sessions/{session_id}")
    finished = in_flight.finish()
    deleted = client.delete(f"/sessions/{session_id}")

    assert refused.status_code == 409
    assert refused.json == {
        "error": {
            "type": "session_busy",
            "message": "A message of this session is still being answered; delete it afterwards.",
        }
    }
    assert (finished.status_code, deleted.status_code) == (200, 204)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MAX_SESSIONS", "0", "MAX_SESSIONS must be a whole number from 1 to 1e+06, not '0'."),
        ("SESSION_TTL_MINUTES", "nan", "SESSION_TTL_MINUTES must be a number from 0.1 to 525600, not 'nan'."),
        ("SESSION_TTL_MINUTES", "-3", "SESSION_TTL_MINUTES must be a number from 0.1 to 525600, not '-3'."),
    ],
)
def test_a_bad_session_setting_stops_the_backend_with_one_line(run_script, name, value, message):
    result = run_script(BACKEND, env={name: value})

    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message + "\n")


def test_the_frontend_meeting_another_backend_says_which_it_expected_and_exits_1(live_server, run_script):
    other = live_server(stateless_backend.create_app())

    result = run_script(FRONTEND, "--base-url", other)

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"{other} is the stateless_weather_app backend, not weather_app_with_sessions: start it with "
        "'uv run python Responses_API/weather_app_with_sessions/backend.py', or give its --base-url.\n"
    )


def test_a_long_chat_is_compacted_by_openai_so_a_turn_costs_about_the_budget_and_the_first_facts_stay(monkeypatch):
    long_chat.use_the_stand_in(monkeypatch)
    client = backend.create_app({"COMPACT_AFTER_TOKENS": long_chat.BUDGET}).test_client()
    session_id = new_session(client)
    replies = [say(client, session_id, message).json for message in long_chat.messages(25)]

    responses = [get_client().responses.retrieve(reply["response_id"]) for reply in replies]

    billed = [response.usage.input_tokens for response in responses]
    assert max(billed[:5]) < long_chat.BUDGET < max(billed)  # the chain grew past the budget
    assert max(billed[-10:]) < long_chat.BUDGET * 1.3  # and stays around it: at most one turn's worth above
    compacted = [response for response in responses if response.output[0].type == "compaction"]
    assert compacted  # OpenAI compacted it, in the turn's own response
    assert long_chat.recalls_the_first_facts(replies[-1]["answer"])
