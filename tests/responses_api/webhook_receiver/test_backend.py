import json
import time

import httpx
import pytest

from openai_tutorial.errors import UsageError
from openai_tutorial.offline.webhooks import signed_headers
from Responses_API.webhook_receiver import backend
from tests.support import payloads
from tests.support.helpers import api_failure

SECRET = "whsec_" + "dGVzdCB3ZWJob29rIHNlY3JldA=="  # base64 of "test webhook secret"


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", SECRET)
    return backend.create_app().test_client()


def event(event_type: str = "response.completed", event_id: str = "evt_1", response_id: str = "resp_1") -> str:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "created_at": 1_765_000_000,
            "type": event_type,
            "data": {"id": response_id},
        }
    )


def deliver(client, body: str, *, secret: str = SECRET, at: int | None = None, **changed_headers):
    headers = signed_headers(secret, json.loads(body)["id"], body, int(time.time()) if at is None else at)
    return client.post("/webhook", data=body, headers={**headers, **changed_headers})


def test_a_completed_response_is_verified_retrieved_printed_and_listed(client, openai_api, capsys):
    retrieved = openai_api.get("/responses/resp_1").respond(json=payloads.response("Water before noon.", id="resp_1"))

    reply = deliver(client, event())

    assert (reply.status_code, reply.json) == (200, {"received": "evt_1"})
    assert retrieved.call_count == 1
    assert capsys.readouterr().out == "response.completed resp_1: Water before noon.\n"
    assert client.get("/events").json == {
        "events": [{"id": "evt_1", "type": "response.completed", "response_id": "resp_1", "text": "Water before noon."}]
    }


def test_a_repeated_delivery_is_answered_200_and_handled_once(client, openai_api):
    retrieved = openai_api.get("/responses/resp_1").respond(json=payloads.response("Hi.", id="resp_1"))

    first, again = deliver(client, event()), deliver(client, event())

    assert (first.status_code, again.status_code, again.json) == (200, 200, {"duplicate": "evt_1"})
    assert retrieved.call_count == 1
    assert len(client.get("/events").json["events"]) == 1


def test_only_the_latest_events_are_remembered(client, monkeypatch):
    monkeypatch.setattr(backend, "REMEMBERED_EVENTS", 2)

    for number in range(3):
        deliver(client, event("response.failed", f"evt_{number}"))

    assert [item["id"] for item in client.get("/events").json["events"]] == ["evt_1", "evt_2"]


def test_an_event_about_a_call_is_recorded_without_a_response(client, capsys):
    body = json.dumps(
        {
            "id": "evt_call",
            "object": "event",
            "created_at": 1_765_000_000,
            "type": "realtime.call.incoming",
            "data": {"call_id": "rtc_1", "sip_headers": []},
        }
    )

    reply = deliver(client, body)

    assert (reply.status_code, reply.json) == (200, {"received": "evt_call"})
    assert capsys.readouterr().out == "realtime.call.incoming (no response): (no text)\n"
    assert client.get("/events").json == {
        "events": [{"id": "evt_call", "type": "realtime.call.incoming", "response_id": None, "text": None}]
    }


def test_other_final_states_are_recorded_without_retrieving(client, capsys):
    for number, kind in enumerate(("response.failed", "response.cancelled", "response.incomplete")):
        assert deliver(client, event(kind, f"evt_{number}", f"resp_{number}")).status_code == 200

    assert [item["type"] for item in client.get("/events").json["events"]] == [
        "response.failed",
        "response.cancelled",
        "response.incomplete",
    ]
    assert capsys.readouterr().out.splitlines()[0] == "response.failed resp_0: (no text)"


NOT_SIGNED = {
    "error": {
        "type": "invalid_signature",
        "message": "This delivery is not signed by OpenAI with this server's webhook secret.",
    }
}


OTHER_SECRET = "whsec_" + "b3RoZXIgc2VjcmV0"  # base64 of "other secret"
# What was sent, as (body, headers), from the body signed: each breaks the signature another way.
TAMPERED = {
    "other-secret": lambda body, at: (body, signed_headers(OTHER_SECRET, "evt_1", body, at)),
    "body-changed": lambda body, at: (body.replace("resp_1", "resp_2"), signed_headers(SECRET, "evt_1", body, at)),
    "too-old": lambda body, at: (body, signed_headers(SECRET, "evt_1", body, at - 301)),
    "unsigned": lambda body, at: (body, {"content-type": "application/json"}),
    # JSON parsed and dumped again is not the text that was signed.
    "re-serialised": lambda body, at: (
        json.dumps(json.loads(body), indent=2),
        signed_headers(SECRET, "evt_1", body, at),
    ),
}


@pytest.mark.parametrize("kind", TAMPERED)
def test_a_delivery_whose_signature_does_not_hold_is_a_400_and_changes_nothing(client, kind):
    body, headers = TAMPERED[kind](event(), int(time.time()))

    reply = client.post("/webhook", data=body, headers=headers)

    assert (reply.status_code, reply.json) == (400, NOT_SIGNED)
    assert client.get("/events").json == {"events": []}


def test_a_failed_retrieve_is_a_502_and_the_event_is_handled_when_delivered_again(client, openai_api):
    openai_api.get("/responses/resp_1").mock(
        side_effect=[api_failure(500), httpx.Response(200, json=payloads.response("Later.", id="resp_1"))]
    )

    failed = deliver(client, event())
    retried = deliver(client, event())

    assert failed.status_code == 502
    assert (retried.status_code, retried.json) == (200, {"received": "evt_1"})
    assert client.get("/events").json["events"][0]["text"] == "Later."


def test_the_webhook_is_not_behind_app_api_key_but_the_event_list_is(monkeypatch):
    monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("APP_API_KEY", "s3cret")
    client = backend.create_app().test_client()

    assert deliver(client, event("response.failed")).status_code == 200
    assert client.get("/events").status_code == 401
    assert client.get("/events", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_without_a_secret_the_receiver_does_not_start_with_a_key(monkeypatch):
    monkeypatch.delenv("OPENAI_WEBHOOK_SECRET", raising=False)

    with pytest.raises(UsageError, match="OPENAI_WEBHOOK_SECRET is not set"):
        backend.create_app()


def test_offline_it_verifies_with_the_stand_ins_secret(monkeypatch):
    monkeypatch.setenv("OPENAI_OFFLINE", "1")
    monkeypatch.delenv("OPENAI_WEBHOOK_SECRET", raising=False)
    from openai_tutorial.offline import WEBHOOK_SECRET

    client = backend.create_app().test_client()

    assert deliver(client, event("response.failed"), secret=WEBHOOK_SECRET).status_code == 200
    assert deliver(client, event("response.failed", "evt_2")).status_code == 400  # another secret


def test_the_script_serves_on_loopback(run_script, flask_runs, monkeypatch):
    monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", SECRET)

    result = run_script("Responses_API/webhook_receiver/backend.py")

    assert result.exit_code == 0
    assert flask_runs[0]["host"] == "127.0.0.1"
