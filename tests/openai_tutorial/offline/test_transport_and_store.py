"""The stand-in's plumbing: routing, the API's 404 for what it does not cover, bad bodies, shared state."""

import asyncio
import subprocess
import sys
import threading
import time

import httpx2
import pytest

from openai_tutorial import offline
from openai_tutorial.client import get_model
from openai_tutorial.offline import model
from openai_tutorial.offline.errors import invalid
from openai_tutorial.offline.routes import ROUTES
from openai_tutorial.offline.store import Store
from openai_tutorial.offline.transport import OfflineTransport
from tests.conftest import PATIENCE, REPO_ROOT
from tests.support.refusals import refusal


def test_an_endpoint_it_does_not_cover_is_the_api_404_saying_so(raw_api):
    reply = raw_api.get("/assistants")

    assert reply.status_code == 404
    assert reply.json() == {
        "error": {
            "message": "Invalid URL (GET /v1/assistants): the offline stand-in does not cover this endpoint. "
            "Set OPENAI_API_KEY (and OPENAI_OFFLINE=0) to use OpenAI.",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }
    assert reply.headers["x-request-id"].startswith("req_offline_")


def test_a_body_that_is_not_json_or_not_an_object_is_a_400(raw_api):
    broken = raw_api.post("/responses", content=b"{", headers={"content-type": "application/json"})
    listed = raw_api.post("/responses", json=["hi"])

    assert (broken.status_code, broken.json()["error"]) == (
        400,
        refusal("We could not parse the JSON body of your request."),
    )
    assert (listed.status_code, listed.json()["error"]) == (
        400,
        refusal("The JSON body of your request must be an object."),
    )


def test_a_body_that_is_not_json_at_all_counts_as_empty(raw_api):
    reply = raw_api.post("/responses", content=b"model=x", headers={"content-type": "text/plain"})

    assert (reply.status_code, reply.json()["error"]) == (
        400,
        refusal("Missing required parameter: 'model'.", param="model", code="missing_required_parameter"),
    )


def test_threads_share_one_state_and_each_request_sees_all_that_came_before(client):
    conversation = client.conversations.create()
    failures = []

    def add(number: int) -> None:
        try:
            client.conversations.items.create(conversation.id, items=[{"role": "user", "content": str(number)}])
        except Exception as error:  # collected and asserted below
            failures.append(error)

    threads = [threading.Thread(target=add, args=(number,)) for number in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE)

    items = client.conversations.items.list(conversation.id, limit=100).data
    assert failures == []
    assert sorted(int(item.content[0].text) for item in items) == list(range(20))


def test_another_process_finds_what_this_one_created(client, tmp_path, monkeypatch):
    state = tmp_path / "shared.sqlite3"
    monkeypatch.setenv("OPENAI_OFFLINE_STATE", str(state))
    from openai_tutorial.client import get_client

    get_client.cache_clear()
    conversation = get_client().conversations.create(metadata={"made_by": "parent"})
    probe = (
        "from openai_tutorial.client import get_client; "
        f"print(get_client().conversations.retrieve({conversation.id!r}).metadata['made_by'])"
    )

    completed = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        env={"PATH": "", "OPENAI_OFFLINE": "1", "OPENAI_OFFLINE_STATE": str(state)},
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        check=True,
    )

    assert completed.stdout == "parent\n"
    assert get_client().responses.create(model=get_model(), input="hi").status == "completed"


def test_a_failure_inside_the_stand_in_is_the_api_500_not_a_dropped_connection(raw_api, monkeypatch):
    def broken(turn):
        raise KeyError("output")

    monkeypatch.setattr(model, "reply", broken)

    reply = raw_api.post("/responses", json={"model": "gpt-5.4-mini", "input": "hi"})

    assert reply.status_code == 500
    assert reply.json()["error"] == {
        "message": "The offline stand-in failed on this request (KeyError: 'output'); please report it.",
        "type": "server_error",
        "param": None,
        "code": None,
    }


def test_an_api_error_that_escapes_reads_as_its_message_in_a_traceback():
    assert str(invalid("The offline stand-in refused this.")) == "The offline stand-in refused this."


def test_an_answer_takes_the_latency_and_as_much_again_per_100_tokens_written(tmp_path, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    transport = OfflineTransport(Store(tmp_path / "state.sqlite3"), ROUTES, stream_delay=0, latency=0.2)

    with httpx2.Client(transport=transport, base_url=offline.BASE_URL + "/") as raw:
        answered = raw.post("responses", json={"model": "gpt-5.4-mini", "input": "Hi"}).json()
        refused = raw.post("responses", json={"input": "Hi"})

    written = answered["usage"]["output_tokens"]
    assert slept == [pytest.approx(0.2 * (1 + written / 100)), 0.2]  # an error still takes the round trip
    assert refused.status_code == 400


def test_async_answers_wait_without_holding_each_other_up(tmp_path):
    transport = OfflineTransport(Store(tmp_path / "state.sqlite3"), ROUTES, stream_delay=0, latency=0.3)
    events: list[str] = []

    async def ask(client, name):
        events.append(f"{name} asks")
        await client.post("responses", json={"model": "gpt-5.4-mini", "input": name})
        events.append(f"{name} answered")

    async def both():
        async with httpx2.AsyncClient(transport=transport, base_url=offline.BASE_URL + "/") as client:
            await asyncio.gather(ask(client, "a"), ask(client, "b"))

    asyncio.run(both())

    assert events[:2] == ["a asks", "b asks"]  # b was sent while a waited
