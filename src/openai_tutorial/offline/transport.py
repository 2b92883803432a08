"""The stand-in as the SDK sees it: an ``httpx2`` transport that answers requests in-process.

``OpenAI(http_client=httpx2.Client(transport=OfflineTransport(...)))`` makes the SDK build,
send and parse every request exactly as it would against the API (retries, errors and
streams included); only the bytes come from here instead of from the network. It is
handed its routing table (``routes.ROUTES``) and knows no endpoint itself: it finds the
route a request's method and path name, runs its handler in one transaction of the local
store, and sends back the JSON body, the events of a stream, a file's bytes, or the API's error.
"""

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx2

from openai_tutorial.offline.call import Call, Route, parse_json
from openai_tutorial.offline.errors import APIError, not_found
from openai_tutorial.offline.store import Store
from openai_tutorial.offline.streams import EventStream, encode_event
from openai_tutorial.offline.webhooks import Webhooks

API_PREFIX = "/v1"
TOKENS_PER_LATENCY = 100


class OfflineTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    def __init__(
        self,
        store: Store,
        routes: list[Route],
        stream_delay: float,
        webhooks: Webhooks | None = None,
        *,
        latency: float = 0.0,
    ) -> None:
        self.store, self.routes, self.stream_delay, self.webhooks = store, routes, stream_delay, webhooks
        self.latency = latency

    def time_to_answer(self, result: dict[str, Any] | EventStream | bytes) -> float:
        """What an answer takes, as a model takes time: ``latency``, and as much again per 100 tokens written.
        A stream's text then comes at the stream's own pace."""
        usage = result.get("usage") if isinstance(result, dict) else None
        written = (usage or {}).get("output_tokens", 0) if isinstance(result, dict) else 0
        return self.latency * (1 + written / TOKENS_PER_LATENCY)

    def answer(
        self, request: httpx2.Request, connection: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any] | EventStream | bytes]:
        """The status and reply to ``request``; ``connection`` is what a WebSocket connection keeps between requests."""
        path = request.url.path.removeprefix(API_PREFIX)
        try:
            for route in self.routes:
                if route.method == request.method and (match := route.pattern.fullmatch(path)):
                    body = parse_json(request)
                    with self.store.transaction() as store:
                        found = match.groupdict()
                        call = Call(
                            found, request.url.params, body, request, store, self.webhooks, connection=connection
                        )
                        result = route.handler(call)
                    for then in call.after_commit:
                        then()
                    return 200, result
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

    def response(
        self,
        status: int,
        result: dict[str, Any] | EventStream | bytes,
        stream: Callable[[EventStream], httpx2.SyncByteStream | httpx2.AsyncByteStream],
    ) -> httpx2.Response:
        headers = {"x-request-id": f"req_offline_{secrets.token_hex(12)}"}  # pragma: no mutate: case-blind
        if isinstance(result, EventStream):
            headers["content-type"] = "text/event-stream; charset=utf-8"
            return httpx2.Response(200, headers=headers, stream=stream(result))
        if isinstance(result, bytes):
            headers["content-type"] = "application/octet-stream"
            return httpx2.Response(200, headers=headers, content=result)
        return httpx2.Response(status, headers=headers, json=result)  # the client attaches the request

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        status, result = self.answer(request)
        if waited := self.time_to_answer(result):
            time.sleep(waited)
        return self.response(status, result, lambda events: SyncEvents(events, self.stream_delay))

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        status, result = self.answer(request)
        if waited := self.time_to_answer(result):
            await asyncio.sleep(waited)  # other requests go on meanwhile, as with the API
        return self.response(status, result, lambda events: AsyncEvents(events, self.stream_delay))


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
