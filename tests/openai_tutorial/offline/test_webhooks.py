"""Webhooks from the stand-in: a background response, once settled, is announced by a signed event."""

import base64
import hashlib
import hmac
import json
import threading

import openai
import pytest
from flask import Flask, request

from openai_tutorial import client as client_module
from openai_tutorial.client import get_client
from openai_tutorial.errors import UsageError
from openai_tutorial.offline import webhooks
from openai_tutorial.offline.webhooks import SECRET, Webhooks, signed_headers
from tests.conftest import PATIENCE

MODEL = "gpt-5.4-mini"


class Receiver:
    """A receiver on loopback that answers each delivery with the next of ``statuses`` (then 200)."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses, self.deliveries = list(statuses), []
        self.app = Flask(__name__)
        self.app.add_url_rule("/webhook", view_func=self.receive, methods=["POST"])

    def receive(self):
        self.deliveries.append((dict(request.headers), request.get_data(as_text=True)))
        return "", self.statuses.pop(0) if self.statuses else 200


@pytest.fixture
def receiver(live_server):
    def start(*statuses: int) -> tuple[Receiver, str]:
        receiving = Receiver(list(statuses))
        return receiving, live_server(receiving.app) + "/webhook"

    return start


@pytest.fixture
def webhooks_to(monkeypatch):
    """The offline client, delivering its webhooks to a URL; every delivery it starts is waited for at the end."""
    started: list[Webhooks] = []

    def configure(url: str):
        monkeypatch.setenv("OPENAI_OFFLINE", "1")
        monkeypatch.setenv("OPENAI_OFFLINE_WEBHOOK_URL", url)
        client = get_client()
        started.append(client._client._transport.webhooks)
        return client

    yield configure
    for hooks in started:
        for thread in hooks.threads:
            thread.join(PATIENCE)


@pytest.fixture
def no_pauses(monkeypatch):
    monkeypatch.setattr(webhooks, "RETRY_PAUSES_SECONDS", (0.0, 0.0, 0.0))


def join(client) -> list[threading.Thread]:
    threads = client._client._transport.webhooks.threads
    for thread in threads:
        thread.join(PATIENCE)
    return threads


def test_a_settled_background_response_is_announced_by_an_event_the_sdk_verifies(receiver, webhooks_to):
    receiving, url = receiver()
    client = webhooks_to(url)

    started = client.responses.create(model=MODEL, input="Hi", background=True)
    join(client)

    assert started.status == "queued"
    ((headers, body),) = receiving.deliveries
    event = client.webhooks.unwrap(body, headers)  # the offline client holds the stand-in's secret
    assert (event.type, event.data.id, event.object) == ("response.completed", started.id, "event")
    assert headers["Webhook-Id"] == event.id
    assert json.loads(body) == {
        "id": event.id,
        "object": "event",
        "created_at": event.created_at,
        "type": "response.completed",
        "data": {"id": started.id},
    }
    assert client.responses.retrieve(started.id).status == "completed"  # settled before it was announced


def test_a_cancelled_response_is_announced_as_cancelled(receiver, webhooks_to):
    receiving, url = receiver()
    client = webhooks_to(url)
    webhooks = client._client._transport.webhooks
    settle = webhooks.settle_and_deliver_later
    held: list = []
    webhooks.settle_and_deliver_later = lambda response_id, settled: held.append((response_id, settled))

    started = client.responses.create(model=MODEL, input="Hi", background=True)
    client.responses.cancel(started.id)
    settle(*held[0])
    join(client)

    ((headers, body),) = receiving.deliveries
    assert client.webhooks.unwrap(body, headers).type == "response.cancelled"


def test_a_response_deleted_before_it_settles_is_not_announced(receiver, webhooks_to):
    receiving, url = receiver()
    client = webhooks_to(url)
    webhooks = client._client._transport.webhooks
    held: list = []
    webhooks.settle_and_deliver_later = lambda response_id, settled: held.append((response_id, settled))

    started = client.responses.create(model=MODEL, input="Hi", background=True)
    client.responses.delete(started.id)
    webhooks.settle_and_deliver(*held[0])

    assert receiving.deliveries == []


def test_a_delivery_not_answered_2xx_is_tried_again_with_the_same_event_id_then_given_up(receiver, no_pauses):
    failing, url = receiver(500, 503)
    gone, unreachable_url = receiver(*[500] * 10)
    event = {"id": "evt_1", "object": "event", "created_at": 0, "type": "response.completed", "data": {"id": "r"}}

    assert Webhooks(None, url).deliver(event) is True
    assert Webhooks(None, unreachable_url).deliver(event) is False

    assert [headers["Webhook-Id"] for headers, _ in failing.deliveries] == ["evt_1"] * 3
    assert len(gone.deliveries) == 1 + len(webhooks.RETRY_PAUSES_SECONDS)  # bounded


def test_a_receiver_that_cannot_be_reached_is_tried_a_bounded_number_of_times(unused_port_url, no_pauses):
    event = {"id": "evt_1", "object": "event", "created_at": 0, "type": "response.completed", "data": {"id": "r"}}

    assert Webhooks(None, unused_port_url + "/webhook").deliver(event) is False


def test_a_foreground_response_or_no_url_starts_no_delivery(receiver, webhooks_to, monkeypatch):
    receiving, url = receiver()
    client = webhooks_to(url)

    client.responses.create(model=MODEL, input="Hi")
    monkeypatch.delenv("OPENAI_OFFLINE_WEBHOOK_URL")
    client_module.get_client.cache_clear()
    unconfigured = get_client()
    unconfigured.responses.create(model=MODEL, input="Hi", background=True)

    assert join(client) == []
    assert unconfigured._client._transport.webhooks is None
    assert receiving.deliveries == []


def test_the_signature_is_standard_webhooks_hmac_sha256_of_id_timestamp_and_body():
    headers = signed_headers(SECRET, "evt_1", '{"a": 1}', 1_700_000_000)

    digest = hmac.new(b"offline stand-in webhook secret", b'evt_1.1700000000.{"a": 1}', hashlib.sha256).digest()
    assert headers == {
        "content-type": "application/json",
        "webhook-id": "evt_1",
        "webhook-timestamp": "1700000000",
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }
    assert "whsec_" + base64.b64encode(b"offline stand-in webhook secret").decode() == SECRET


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/webhook",
        "http://example.com/webhook",
        "http://10.0.0.1:5000/webhook",
        "http://127.0.0.1:99999/webhook",
        "http://[::1",
        "not a url",
        "http://",
    ],
)
def test_a_webhook_url_off_this_machine_or_not_http_is_a_usage_error(monkeypatch, url):
    monkeypatch.setenv("OPENAI_OFFLINE", "1")
    monkeypatch.setenv("OPENAI_OFFLINE_WEBHOOK_URL", url)

    with pytest.raises(UsageError) as raised:
        get_client()

    assert str(raised.value) == (
        "OPENAI_OFFLINE_WEBHOOK_URL must be an http URL on this machine, such as http://127.0.0.1:5000/webhook, "
        f"not {url!r}."
    )


@pytest.mark.parametrize(
    ("fields", "message", "param"),
    [
        (
            {"background_options": {"completion_window": "2h"}},
            "The '2h' completion window requires background: true.",
            "background",
        ),
        (
            {"background": True, "stream": True, "background_options": {"completion_window": "8h"}},
            "The '8h' completion window cannot be streamed: set stream to false or leave it out.",
            "stream",
        ),
        (
            {"background": True, "service_tier": "flex", "background_options": {"completion_window": "2h"}},
            "The '2h' completion window requires Standard processing: leave service_tier out, or set it to 'auto' "
            "or 'default'.",
            "service_tier",
        ),
        (
            {"background": True, "background_options": {"completion_window": "1h"}},
            "Invalid value: '1h'. Supported values are: 'soonest', '2h', '8h'.",
            "background_options.completion_window",
        ),
        (
            {"background": True, "background_options": {"continuation_id": ""}},
            "Invalid 'background_options.continuation_id': expected a non-empty string.",
            "background_options.continuation_id",
        ),
        (
            {"background": True, "background_options": {"continuation_id": "x" * 65}},
            "Invalid 'background_options.continuation_id': string too long. Expected a string with maximum length "
            "64, but got a string with length 65 instead.",
            "background_options.continuation_id",
        ),
        (
            {"background": True, "background_options": "2h"},
            "Invalid 'background_options': expected an object.",
            "background_options",
        ),
    ],
    ids=["not-background", "streamed", "flex", "window", "empty-continuation", "long-continuation", "not-object"],
)
def test_background_options_the_api_refuses_are_a_400_naming_the_parameter(raw_api, fields, message, param):
    reply = raw_api.post("responses", json={"model": MODEL, "input": "Hi", **fields})

    assert reply.status_code == 400
    assert reply.json()["error"]["message"] == message
    assert reply.json()["error"]["param"] == param


def test_a_discounted_window_in_the_background_with_standard_processing_is_accepted(client):
    for tier in (None, "auto", "default"):
        response = client.responses.create(
            model=MODEL,
            input="Hi",
            background=True,
            service_tier=tier or openai.omit,
            background_options={"completion_window": "8h", "continuation_id": "report-1"},
        )
        assert response.status == "queued"
    soonest = client.responses.create(model=MODEL, input="Hi", background_options={"completion_window": "soonest"})
    assert soonest.status == "completed"
