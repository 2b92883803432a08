"""What every endpoint handler is given and returns: the bottom of the stand-in, importing no endpoint.

A handler is a plain function of one ``Call`` (what the path named, the query, the JSON body,
the request itself and the store's open transaction) that returns the reply's JSON, the
events of a stream or a file's bytes, or raises the API's error. ``routes.py`` lists them; ``transport.py``
finds the one a request names and calls it.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx2

from openai_tutorial.offline.errors import invalid
from openai_tutorial.offline.store import Transaction
from openai_tutorial.offline.streams import EventStream

if TYPE_CHECKING:
    from openai_tutorial.offline.webhooks import Webhooks


@dataclass
class Call:
    """One request as a handler sees it: what the path named, the query, the body, the store, where
    webhooks go (None when no URL is set), and the WebSocket connection's memory when it came over one.
    What a handler puts in ``after_commit`` runs once its transaction is committed."""

    path: dict[str, str]
    query: httpx2.QueryParams
    body: dict[str, Any]
    request: httpx2.Request
    store: Transaction
    webhooks: "Webhooks | None" = None
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    # What a WebSocket connection keeps between its requests (its latest response), None over HTTP.
    connection: dict[str, Any] | None = None


type Handler = Callable[[Call], dict[str, Any] | EventStream | bytes]


@dataclass(frozen=True)
class Route:
    """One endpoint: the method, the path after ``/v1`` (its named groups become ``Call.path``), the handler,
    and the SDK type its reply is parsed as (``None`` for a reply the SDK does not read)."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    reply: Any


def parse_json(request: httpx2.Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")  # pragma: no mutate: case-blind
    if not request.content or not content_type.startswith("application/json"):
        return {}
    try:
        body = json.loads(request.content)
    except ValueError:
        raise invalid("We could not parse the JSON body of your request.") from None
    if not isinstance(body, dict):
        raise invalid("The JSON body of your request must be an object.")
    return body
