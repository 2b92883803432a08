"""Webhooks: when a background response is done, a signed event is posted to the project's webhook URL.

OpenAI posts to the endpoints set in a project's settings; the stand-in posts to one URL,
``OPENAI_OFFLINE_WEBHOOK_URL``. Each event names only the response (``data.id``), as OpenAI's
do, and is signed as the SDK's ``client.webhooks.unwrap`` verifies it (Standard Webhooks:
``webhook-id``, ``webhook-timestamp``, ``webhook-signature`` = ``v1,`` + base64 of an
HMAC-SHA256 of ``id.timestamp.body``) with ``SECRET``, which the offline client is given as its
``webhook_secret``. A delivery not answered 2xx is tried again, a bounded number of times,
with the same event id, so a receiver can tell a repeat from a new event.

The work is done in a thread of the process that started it, which waits for it at exit, as a
script's own threads are waited for: the response is settled (as polling would settle it),
then its event delivered. A script that starts background work and exits has still been
told about it by the time it ends.
"""

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2

from openai_tutorial.offline.items import new_id
from openai_tutorial.offline.store import Store, Transaction

SECRET = "whsec_" + base64.b64encode(b"offline stand-in webhook secret").decode()
# Pauses between tries: a receiver that is restarting gets a few seconds in all.
RETRY_PAUSES_SECONDS = (0.25, 1.0, 2.0)
TIMEOUT_SECONDS = 10.0
# The event a response's final status is announced by.
EVENT_TYPES = {
    "completed": "response.completed",
    "failed": "response.failed",
    "cancelled": "response.cancelled",
    "incomplete": "response.incomplete",
}

type Settle = Callable[[Transaction, str], str | None]


def signed_headers(secret: str, event_id: str, body: str, now: int) -> dict[str, str]:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{event_id}.{now}.{body}".encode(), hashlib.sha256).digest()
    return {
        "content-type": "application/json",
        "webhook-id": event_id,
        "webhook-timestamp": str(now),
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


@dataclass
class Webhooks:
    """Where and how the stand-in delivers events; ``threads`` are the deliveries started, for a caller to join."""

    store: Store
    url: str
    secret: str = SECRET
    threads: list[threading.Thread] = field(default_factory=list)

    def settle_and_deliver_later(self, response_id: str, settle: Settle) -> None:
        """Once the request that made it is committed: settle the response (``settle`` gives its final status)
        and deliver that status's event."""
        thread = threading.Thread(
            target=self.settle_and_deliver, args=(response_id, settle), name=f"webhook {response_id}"
        )
        self.threads.append(thread)
        thread.start()

    def settle_and_deliver(self, response_id: str, settle: Settle) -> None:
        with self.store.transaction() as store:
            status = settle(store, response_id)
        if status in EVENT_TYPES:  # None: the response was deleted meanwhile, and there is nothing to tell
            event = {"id": new_id("evt"), "object": "event", "created_at": int(time.time())}
            self.deliver({**event, "type": EVENT_TYPES[status], "data": {"id": response_id}})

    def deliver(self, event: dict[str, Any]) -> bool:
        """Post ``event`` until it is answered 2xx, at most once more per pause; whether it was."""
        body = json.dumps(event)
        for pause in (*RETRY_PAUSES_SECONDS, None):
            headers = signed_headers(self.secret, event["id"], body, int(time.time()))
            try:
                answered = httpx2.post(self.url, content=body, headers=headers, timeout=TIMEOUT_SECONDS)
            except httpx2.HTTPError:
                answered = None
            if answered is not None and answered.is_success:
                return True
            if pause is not None:
                time.sleep(pause)
        return False
