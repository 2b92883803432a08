"""Webhook receiver: OpenAI tells this backend when a background response is done, so nothing polls.

- ``POST /webhook``: a delivery from OpenAI. Answered 200 ``{"received": EVENT_ID}``, or 200
  ``{"duplicate": EVENT_ID}`` for one already handled, or 400 when its signature is wrong.
- ``GET /events``: what arrived, oldest first: ``{"events": [{"id", "type", "response_id", "text"}]}``.

The lesson is in ``receive`` below. ``client.webhooks.unwrap(raw body, headers)`` checks the
Standard Webhooks signature (an HMAC-SHA256 of ``webhook-id``, ``webhook-timestamp`` and the
body, with the secret from ``OPENAI_WEBHOOK_SECRET``, refused when older than 5 minutes) and
parses the event. It must be given the body as received: JSON parsed and dumped again is not
the text that was signed. An event carries only the response's id, so the receiver retrieves
the response for its text. OpenAI retries a delivery that is not answered 2xx in time, with
the same ``webhook-id``: each is handled once. A real receiver would queue the work and
answer at once; retrieving one response is quick enough here. What it remembers is in
memory, lost on restart, and per process.

The signature is this route's authentication, so ``APP_API_KEY`` does not guard it (OpenAI
sends no key of yours). OpenAI must be able to reach it: with a key, the endpoint set in your
project's webhook settings must be a public HTTPS URL that leads here (a tunnel, or a proxy in
front of this server). Offline, the stand-in delivers to ``OPENAI_OFFLINE_WEBHOOK_URL`` itself.

Run: uv run python Responses_API/webhook_receiver/backend.py   (then lesson 33 starts background work)
API reference: https://developers.openai.com/api/docs/guides/webhooks
"""

import threading
from collections import OrderedDict
from typing import Any

from flask import Blueprint, Flask, current_app, request
from flask.typing import ResponseReturnValue
from openai import InvalidWebhookSignatureError

from openai_tutorial.client import get_client, setting
from openai_tutorial.errors import UsageError
from openai_tutorial.web import create_json_app, fail, public, serve

bp = Blueprint("webhooks", __name__)
REMEMBERED_EVENTS = 1000


@bp.post("/webhook")
@public
def receive() -> ResponseReturnValue:
    try:
        event = get_client().webhooks.unwrap(request.get_data(), request.headers)
    except (InvalidWebhookSignatureError, ValueError):  # a wrong signature, a missing header, a body not JSON
        fail(400, "invalid_signature", "This delivery is not signed by OpenAI with this server's webhook secret.")
    events: OrderedDict[str, dict[str, Any]] = current_app.extensions["events"]
    with current_app.extensions["events_lock"]:
        if event.id in events:
            return {"duplicate": event.id}
    # Only the response's id travels in the event: its output is fetched. Should this fail, the error answer
    # (502) makes OpenAI deliver again, and the event is handled then, since it was not remembered.
    # The events this server is sent name a response; the SDK's union also holds the kinds about a call, without one.
    response_id = getattr(event.data, "id", None)
    text = get_client().responses.retrieve(event.data.id).output_text if event.type == "response.completed" else None
    with current_app.extensions["events_lock"]:
        events[event.id] = {"id": event.id, "type": event.type, "response_id": response_id, "text": text}
        while len(events) > REMEMBERED_EVENTS:
            events.popitem(last=False)
    print(f"{event.type} {response_id or '(no response)'}: {text or '(no text)'}", flush=True)
    return {"received": event.id}


@bp.get("/events")
def list_events() -> ResponseReturnValue:
    with current_app.extensions["events_lock"]:
        return {"events": list(current_app.extensions["events"].values())}


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = create_json_app(__name__, "webhook_receiver")
    app.config.from_mapping(test_config or {})
    # Offline the stand-in signs with its own secret, which the offline client is given.
    if app.config["OPENAI_MODE"] == "api" and setting("OPENAI_WEBHOOK_SECRET") is None:
        raise UsageError(
            "OPENAI_WEBHOOK_SECRET is not set: put the signing secret of your project's webhook endpoint in .env."
        )
    app.extensions["events"] = OrderedDict()
    app.extensions["events_lock"] = threading.Lock()
    app.register_blueprint(bp)
    return app


if __name__ == "__main__":
    serve(create_app)
