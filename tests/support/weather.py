"""The weather apps' exchanges, as the tests of all three apps build them."""

import httpx

from tests.support import payloads


def asks_for_weather(place: str = "Lisbon", call_id: str = "call_lisbon", units: str | None = None) -> httpx.Response:
    """A reply in which the model reasons, then calls get_weather."""
    output = [
        payloads.reasoning(encrypted_content="gAAAAB-encrypted-reasoning"),
        payloads.function_call("get_weather", {"place": place, "units": units}, call_id=call_id),
    ]
    return httpx.Response(200, json=payloads.response(output=output))


def answers(text: str) -> httpx.Response:
    return httpx.Response(200, json=payloads.response(text))


def new_session(client) -> str:
    reply = client.post("/sessions")
    assert reply.status_code == 201
    return reply.json["session_id"]


def say(client, session_id, message="What's the weather in Lisbon?"):
    return client.post(f"/sessions/{session_id}/messages", json={"message": message})
