"""What a script says on stderr while it waits for OpenAI, so that it never waits in silence.

- Each retry the SDK makes, in one line: what failed, that it retries, and which retry of
  how many (``OPENAI_MAX_RETRIES``) it is; after the last one it gives up.
- A request still unanswered after ``SLOW_AFTER_SECONDS``, once: that the script is still
  waiting, and when it will give up (``OPENAI_TIMEOUT``).

The SDK retries a request that timed out, could not connect, or got a 408, 409, 429 or 5xx,
and logs each retry on its logger ``openai._base_client``; ``WatchedTransport`` notes what
failed, just below the SDK, so the retry's line can say it. ``say_notices_on_stderr()`` (which
``run`` calls) turns both on. A backend says neither: the first would be its log's business,
and the second's timer would cost every turn a tenth of a millisecond.
"""

import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import httpx2
from openai._httpx2 import request_exceptions, timeout_exceptions

SLOW_AFTER_SECONDS = 15.0
NOTICES = logging.getLogger("openai_tutorial.notices")
SDK_LOG = logging.getLogger("openai._base_client")
# What went wrong with this thread's (or task's) last request: the SDK retries in the same one.
last_failure: ContextVar[str] = ContextVar("last_failure", default="OpenAI's answer could not be used")


class Stderr(logging.Handler):
    """Prints each notice as one line on the stderr of the moment (a test may have replaced it)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(record.getMessage(), file=sys.stderr, flush=True)


class SayRetries(logging.Handler):
    """Turns the SDK's "Retrying request in 0.4 seconds (retry 1 of 2)" into a line that says what failed."""

    def emit(self, record: logging.LogRecord) -> None:
        if not str(record.msg).startswith("Retrying request") or not isinstance(record.args, tuple):
            return
        wait, retry, most = record.args
        last = ", the last" if retry == most else ""
        NOTICES.warning(f"{last_failure.get()}; retrying in {wait:.1f} s (retry {retry} of {most}{last}).")


def say_notices_on_stderr() -> None:
    """Have this process say each retry and each slow request on stderr (once, however often called)."""
    if NOTICES.handlers:
        return
    NOTICES.addHandler(Stderr())
    NOTICES.setLevel(logging.INFO)
    NOTICES.propagate = False
    SDK_LOG.addHandler(SayRetries())
    SDK_LOG.setLevel(logging.INFO)


def described(request: httpx2.Request) -> str:
    return f"{request.method} {request.url.path}"


def read_timeout(request: httpx2.Request) -> float | None:
    """How long the client waits for this request's answer (``OPENAI_TIMEOUT``), as the SDK set it."""
    timeout: dict[str, float | None] = request.extensions.get("timeout", {})
    return timeout.get("read")


@contextmanager
def slow_notice(request: httpx2.Request) -> Iterator[None]:
    """Say once that OpenAI is slow to answer ``request``, if it is and this process says notices."""
    if not NOTICES.isEnabledFor(logging.INFO):
        yield
        return
    gives_up = read_timeout(request)
    until = f"; it gives up after {gives_up:g} s (OPENAI_TIMEOUT)" if gives_up else ""
    message = f"Still waiting for OpenAI to answer {described(request)}: {SLOW_AFTER_SECONDS:g} s so far{until}."
    timer = threading.Timer(SLOW_AFTER_SECONDS, NOTICES.info, [message])
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


@contextmanager
def noting_failures(request: httpx2.Request) -> Iterator[None]:
    # The SDK's own lists of what it retries (they also hold the httpx errors that tests' mocks raise).
    try:
        yield
    except timeout_exceptions():
        gives_up = read_timeout(request)
        within = f" within {gives_up:g} s" if gives_up else " in time"
        last_failure.set(f"OpenAI did not answer {described(request)}{within}")
        raise
    except request_exceptions() as error:
        last_failure.set(f"Could not reach OpenAI for {described(request)} ({type(error).__name__})")
        raise


def note_status(request: httpx2.Request, response: httpx2.Response) -> httpx2.Response:
    if response.status_code >= 400:
        last_failure.set(f"OpenAI answered {described(request)} with {response.status_code}")
    return response


class WatchedTransport(httpx2.BaseTransport):
    def __init__(self, transport: httpx2.BaseTransport) -> None:
        self.transport = transport

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        with slow_notice(request), noting_failures(request):
            return note_status(request, self.transport.handle_request(request))

    def close(self) -> None:
        self.transport.close()


class AsyncWatchedTransport(httpx2.AsyncBaseTransport):
    """``WatchedTransport`` for ``AsyncOpenAI``."""

    def __init__(self, transport: httpx2.AsyncBaseTransport) -> None:
        self.transport = transport

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        with slow_notice(request), noting_failures(request):
            return note_status(request, await self.transport.handle_async_request(request))

    async def aclose(self) -> None:
        await self.transport.aclose()
