"""An offline stand-in for the OpenAI API, so that every example runs with no key and no network.

What it is: an ``httpx2`` transport that the SDK's client sends its requests to instead
of the network (``OpenAI(**offline.client_options(...))``), handed one routing
table (``routes.py``) whose handlers are plain functions of one ``Call`` (``call.py``). It answers the
endpoints the examples use, with the API's JSON shapes, status codes, error bodies and
server-sent events, and it enforces the API's rules that learners trip over (chained
responses that were never stored, function calls without outputs, strict schemas that
are not strict, metadata limits...). What it keeps, it keeps in a small SQLite file, so
ids live on across processes, as they do at OpenAI.

What it is not: a model. Its replies are canned and deterministic, and say so; they
remember facts said earlier and call tools with valid arguments only so that each
lesson shows what it teaches. Nothing it says is true of the world.

``client.get_client()`` uses it when ``OPENAI_API_KEY`` is not set or ``OPENAI_OFFLINE=1``.
"""

from pathlib import Path
from typing import Any

import httpx2

from openai_tutorial.offline import websocket
from openai_tutorial.offline.routes import ROUTES
from openai_tutorial.offline.store import StateFileError, Store
from openai_tutorial.offline.transport import OfflineTransport
from openai_tutorial.offline.webhooks import SECRET as WEBHOOK_SECRET
from openai_tutorial.offline.webhooks import Webhooks

BASE_URL = "http://offline.invalid/v1"
__all__ = ["BASE_URL", "WEBHOOK_SECRET", "StateFileError", "client_options"]


def client_options(
    state: Path, stream_delay: float, *, asynchronous: bool, latency: float = 0.0, webhook_url: str | None = None
) -> dict[str, Any]:
    """The ``http_client`` and ``websocket_base_url`` of a client the stand-in answers, over HTTP and over a
    WebSocket; raises ``StateFileError`` if ``state`` cannot be its file.

    ``latency`` is what an answer takes (and as much again per 100 tokens written); with a ``webhook_url``,
    a background response's event is delivered there when it is done."""
    store = Store(state)
    store.check()
    webhooks = Webhooks(store, webhook_url) if webhook_url else None
    transport = OfflineTransport(store, ROUTES, stream_delay, webhooks, latency=latency)
    http = httpx2.AsyncClient(transport=transport) if asynchronous else httpx2.Client(transport=transport)
    return {"http_client": http, "websocket_base_url": websocket.LISTENER.url_for(transport)}
