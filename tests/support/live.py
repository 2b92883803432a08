"""The live self-check's machinery: what went to OpenAI and back, what it cost, and what was left behind.

``Traffic`` is hooked into the SDK's HTTP client (``watch``): it sees every reply, reads the
usage of each response (a streamed one's from its last event) and notes every object a
request created (files, vector stores, containers, conversations) and every delete.
``left_behind`` is what was created and never deleted; ``clean_up`` deletes it.
``LIVE_RUN`` is the run's own record (one process: ``-m live`` turns the workers off), which
``tests/conftest.py`` prints: the budget first, what each test spent and what was cleaned up last.
"""

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import openai

from openai_tutorial.client import get_model, number_setting, setting

DEFAULT_BUDGET_TOKENS = 400_000
HOW_TO_RUN = "set OPENAI_API_KEY and OPENAI_OFFLINE=0, then: uv run pytest -m live"
# Created by a POST to the collection, deleted by a DELETE of the object: (path of the collection, kind).
CREATED = {
    "/files": "file",
    "/vector_stores": "vector store",
    "/containers": "container",
    "/conversations": "conversation",
}


def budget_tokens() -> int:
    return number_setting("LIVE_TOKEN_BUDGET", int, DEFAULT_BUDGET_TOKENS, low=1, high=100_000_000)


def why_not_live() -> str | None:
    """Why the live self-check cannot run here, or None."""
    if setting("LIVE_SELF_CHECK_STAND_IN") == "1":
        return None if setting("OPENAI_OFFLINE") == "1" else "LIVE_SELF_CHECK_STAND_IN=1 needs OPENAI_OFFLINE=1"
    if setting("OPENAI_API_KEY") is None or setting("OPENAI_OFFLINE") != "0":
        return f"live self-check not run: {HOW_TO_RUN}"
    return None


def header() -> str:
    """The run's first line: what it runs against, and where it stops."""
    reason = why_not_live()
    if reason is not None:
        return reason
    against = "the offline stand-in" if setting("LIVE_SELF_CHECK_STAND_IN") == "1" else "the OpenAI API"
    return (
        f"live self-check against {against} with {get_model()}: stops starting tests once "
        f"{budget_tokens():,} tokens are spent (LIVE_TOKEN_BUDGET)"
    )


@dataclass
class Traffic:
    tokens: int = 0
    requests: list[tuple[str, str, int]] = field(default_factory=list)  # method, path, status
    responses: list[dict[str, Any]] = field(default_factory=list)  # every Response object seen, whole
    created: dict[str, str] = field(default_factory=dict)  # id -> kind
    deleted: set[str] = field(default_factory=set)
    cleaned: list[str] = field(default_factory=list)  # what clean_up deleted, as "kind id"

    def seen(self, method: str, path: str, status: int, body: Any) -> None:
        path = re.sub(r"^/v1", "", path)
        self.requests.append((method, path, status))
        if status >= 300:
            return
        if method == "POST" and path in CREATED and isinstance(body, dict) and "id" in body:
            self.created[body["id"]] = CREATED[path]
        if method == "DELETE":
            self.deleted.add(path.rstrip("/").rsplit("/", 1)[-1])
        for response in responses_in(body):
            self.responses.append(response)
            usage = response.get("usage") or {}
            self.tokens += usage.get("total_tokens") or 0

    def left_behind(self) -> dict[str, str]:
        return {object_id: kind for object_id, kind in self.created.items() if object_id not in self.deleted}

    def clean_up(self, client: openai.OpenAI) -> list[str]:
        """Delete what was left behind; returns what could not be deleted, as ``kind id: why``."""
        deletes = {
            "file": client.files.delete,
            "vector store": client.vector_stores.delete,
            "container": client.containers.delete,
            "conversation": client.conversations.delete,
        }
        failed = []
        for object_id, kind in self.left_behind().items():
            try:
                deletes[kind](object_id)
            except openai.NotFoundError:
                self.deleted.add(object_id)  # gone already: nothing to clean up
            except openai.OpenAIError as error:
                failed.append(f"{kind} {object_id}: {error}")
            else:
                self.cleaned.append(f"{kind} {object_id}")
        return failed


def responses_in(body: Any) -> Iterator[dict[str, Any]]:
    """The Response objects a reply carries: itself, a compaction, or a streamed one's final state."""
    if isinstance(body, dict) and body.get("object") in {"response", "response.compaction"}:
        yield body
    elif isinstance(body, list):  # a stream's events
        for event in body:
            if event.get("type") in {"response.completed", "response.incomplete", "response.failed"}:
                yield event["response"]


def events_of(text: str) -> list[dict[str, Any]]:
    events = []
    for line in text.splitlines():
        if line.startswith("data: "):
            with contextlib.suppress(ValueError):
                events.append(json.loads(line.removeprefix("data: ")))
    return [event for event in events if isinstance(event, dict)]


class TeeStream(httpx2.SyncByteStream):
    """A streamed reply passed on as it comes, and read once it ends."""

    def __init__(self, stream: httpx2.SyncByteStream, ended) -> None:
        self.stream, self.ended, self.chunks = stream, ended, []

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.stream:
            self.chunks.append(chunk)
            yield chunk

    def close(self) -> None:
        self.stream.close()
        self.ended(b"".join(self.chunks).decode(errors="replace"))


class AsyncTeeStream(httpx2.AsyncByteStream):
    def __init__(self, stream: httpx2.AsyncByteStream, ended) -> None:
        self.stream, self.ended, self.chunks = stream, ended, []

    async def __aiter__(self):
        async for chunk in self.stream:
            self.chunks.append(chunk)
            yield chunk

    async def aclose(self) -> None:
        await self.stream.aclose()
        self.ended(b"".join(self.chunks).decode(errors="replace"))


def watch(http: httpx2.Client | httpx2.AsyncClient, traffic: Traffic) -> None:
    """Hook ``traffic`` into an SDK HTTP client: every reply is seen once it has been read whole."""

    def teed(response: httpx2.Response) -> bool:
        """A stream is seen once it ends, passed on as it comes meanwhile; True for a stream."""
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            return False
        request = response.request

        def ended(text: str) -> None:
            traffic.seen(request.method, request.url.path, response.status_code, events_of(text))

        tee = AsyncTeeStream if isinstance(http, httpx2.AsyncClient) else TeeStream
        response.stream = tee(response.stream, ended)
        return True

    def seen_whole(response: httpx2.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            body = None
        traffic.seen(response.request.method, response.request.url.path, response.status_code, body)

    if isinstance(http, httpx2.AsyncClient):

        async def on_reply(response: httpx2.Response) -> None:
            if not teed(response):
                await response.aread()
                seen_whole(response)

    else:

        def on_reply(response: httpx2.Response) -> None:
            if not teed(response):
                response.read()
                seen_whole(response)

    http.event_hooks["response"].append(on_reply)


@dataclass
class LiveRun:
    budget: int = 0
    traffic: Traffic = field(default_factory=Traffic)
    spent: dict[str, int] = field(default_factory=dict)  # test -> tokens
    failed_clean_ups: list[str] = field(default_factory=list)

    def report(self) -> list[str]:
        lines = [f"  {name}: {tokens:,} tokens" for name, tokens in self.spent.items()]
        lines.append(f"live self-check spent {self.traffic.tokens:,} tokens of a budget of {self.budget:,}")
        cleaned = self.traffic.cleaned
        lines.append(
            f"cleaned up {len(cleaned)} object(s) left behind" + (f": {', '.join(cleaned)}" if cleaned else "")
        )
        lines += [f"could not clean up {failure}" for failure in self.failed_clean_ups]
        return lines


LIVE_RUN = LiveRun()
