"""The stand-in as the SDK sees it: an ``httpx2`` transport that answers requests in-process.

``OpenAI(http_client=httpx2.Client(transport=OfflineTransport(...)))`` makes the SDK build,
send and parse every request exactly as it would against the API (retries, errors and
streams included); only the bytes come from here instead of from the network. Each
request is routed by method and path to a handler of ``responses``, ``conversations`` or
``files``, which runs in one transaction of the local store and returns a JSON body, or
the events of a stream, or raises the API's error.
"""

import asyncio
import json
import re
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx2

from openai_tutorial.offline import conversations, files, responses, vector_stores
from openai_tutorial.offline.errors import APIError, invalid, not_found
from openai_tutorial.offline.store import Store, Transaction
from openai_tutorial.offline.streams import EventStream, encode_event

API_PREFIX = "/v1"

type Handler = Callable[["Call"], dict[str, Any] | EventStream]

ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    (method, re.compile(pattern), handler)
    for method, pattern, handler in [*responses.ROUTES, *conversations.ROUTES, *files.ROUTES, *vector_stores.ROUTES]
]


@dataclass
class Call:
    """One request as a handler sees it: what the path named, the query, the body, the store."""

    path: dict[str, str]
    query: httpx2.QueryParams
    body: dict[str, Any]
    request: httpx2.Request
    store: Transaction


def parse_json(request: httpx2.Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")  # pragma: no mutate: header names ignore case
    if not request.content or not content_type.startswith("application/json"):
        return {}
    try:
        body = json.loads(request.content)
    except ValueError:
        raise invalid("We could not parse the JSON body of your request.") from None
    if not isinstance(body, dict):
        raise invalid("The JSON body of your request must be an object.")
    return body


class OfflineTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    def __init__(self, store: Store, stream_delay: float) -> None:
        self.store, self.stream_delay = store, stream_delay

    def answer(self, request: httpx2.Request) -> tuple[int, dict[str, Any] | EventStream]:
        path = request.url.path.removeprefix(API_PREFIX)
        try:
            for method, pattern, handler in ROUTES:
                if method == request.method and (match := pattern.fullmatch(path)):
                    body = parse_json(request)
                    with self.store.transaction() as store:
                        return 200, handler(Call(match.groupdict(), request.url.params, body, request, store))
            raise not_found(
                f"Invalid URL ({request.method} {API_PREFIX}{path}): the offline stand-in does not cover this "
                "endpoint. Set OPENAI_API_KEY (and OPENAI_OFFLINE=0) to use OpenAI."
            )
        except APIError as error:
            return error.status, error.body()
        except Exception as error:  # a bug here is the API's 500, never a dropped connection
            failure = APIError(
                500,
                f"The offline stand-in failed on this request ({type(error).__name__}: {error}); please report it.",
                type="server_error",
            )
            return failure.status, failure.body()

    def response(self, request: httpx2.Request, stream: httpx2.SyncByteStream | httpx2.AsyncByteStream):
        status, result = self.answer(request)
        headers = {"x-request-id": f"req_offline_{secrets.token_hex(12)}"}  # pragma: no mutate: names ignore case
        if isinstance(result, EventStream):
            headers["content-type"] = "text/event-stream; charset=utf-8"
            return httpx2.Response(200, headers=headers, stream=stream(result))
        return httpx2.Response(status, headers=headers, json=result)  # the client attaches the request

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        return self.response(request, lambda events: SyncEvents(events, self.stream_delay))

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        return self.response(request, lambda events: AsyncEvents(events, self.stream_delay))


class SyncEvents(httpx2.SyncByteStream):
    """Server-sent events, with a pause before each delta so that streaming can be seen."""

    def __init__(self, stream: EventStream, delay: float) -> None:
        self.stream, self.delay = stream, delay

    def __iter__(self) -> Iterator[bytes]:
        for event in self.stream.events:
            if event["type"].endswith(".delta"):
                time.sleep(self.delay)
            yield encode_event(event)


class AsyncEvents(httpx2.AsyncByteStream):
    def __init__(self, stream: EventStream, delay: float) -> None:
        self.stream, self.delay = stream, delay

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for event in self.stream.events:
            if event["type"].endswith(".delta"):
                await asyncio.sleep(self.delay)
            yield encode_event(event)
