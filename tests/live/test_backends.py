"""Each backend's main turn against the real API, through its own HTTP interface, then its own clean-up."""

import pytest

import Conversation_API.multi_user_app as multi_user_app
import Conversation_API.persistent_memory_app as persistent_memory_app
import Responses_API.weather_app_advanced_sessions as advanced_app
from Responses_API.stateless_weather_app import backend as stateless_app
from Responses_API.weather_app_with_sessions import backend as sessions_app
from tests.support.helpers import dispose

pytestmark = [pytest.mark.live, pytest.mark.enable_socket]

QUESTION = "What's the weather in Lisbon today?"


def database(tmp_path) -> dict:
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'live.db'}"}


def test_the_stateless_weather_app_answers_with_the_weather_tool(live_run):
    reply = stateless_app.create_app().test_client().post("/ask", json={"question": QUESTION})

    assert reply.status_code == 200, reply.json
    assert reply.json["answer"]
    assert [call["name"] for call in reply.json["tool_calls"]] == ["get_weather"]


@pytest.mark.parametrize("backend", [sessions_app, advanced_app], ids=["with sessions", "advanced sessions"])
def test_a_weather_app_with_sessions_answers_a_follow_up(live_run, tmp_path, backend):
    app = backend.create_app(database(tmp_path))
    client = app.test_client()
    session_id = client.post("/sessions").json["session_id"]

    first = client.post(f"/sessions/{session_id}/messages", json={"message": QUESTION})
    follow_up = client.post(f"/sessions/{session_id}/messages", json={"message": "And tomorrow?"})
    deleted = client.delete(f"/sessions/{session_id}")
    if "database" in app.extensions:
        dispose(app)

    assert (first.status_code, follow_up.status_code, deleted.status_code) == (200, 200, 204)
    assert first.json["answer"]
    assert follow_up.json["answer"]


def test_the_multi_user_app_holds_a_conversation_and_closing_deletes_it(live_run, tmp_path):
    app = multi_user_app.create_app(database(tmp_path))
    client = app.test_client()

    first = client.post("/chat", json={"user_id": "live-check", "message": "Hi, I'm Ada."})
    conversation_id = first.json["conversation_id"]
    second = client.post(
        "/chat", json={"user_id": "live-check", "message": "What is my name?", "conversation_id": conversation_id}
    )
    turns = client.get(f"/responses/{conversation_id}?user_id=live-check").json["data"]
    closed = client.post(f"/conversations/{conversation_id}/close", json={"user_id": "live-check"})
    dispose(app)

    assert (first.status_code, second.status_code, closed.status_code) == (201, 200, 200)
    assert conversation_id.startswith("conv_")
    assert second.json["response_id"].startswith("resp_")
    assert [turn["usage"]["input_tokens"] > 0 for turn in turns] == [True, True]
    assert conversation_id in live_run.traffic.deleted  # closing deleted it on OpenAI's side


def test_the_persistent_memory_app_remembers_and_forgets(live_run, tmp_path):
    app = persistent_memory_app.create_app(database(tmp_path))
    client = app.test_client()

    first = client.post("/chat", json={"user_id": "live-check", "message": "My favourite colour is teal."})
    second = client.post("/chat", json={"user_id": "live-check", "message": "What is my favourite colour?"})
    forgotten = client.delete("/users/live-check/memory")
    dispose(app)

    assert (first.status_code, second.status_code, forgotten.status_code) == (200, 200, 204)
    assert first.json["conversation_id"] == second.json["conversation_id"]
    assert first.json["conversation_id"] in live_run.traffic.deleted
