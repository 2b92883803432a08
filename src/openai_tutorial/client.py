"""The one place that decides how the tutorial talks to OpenAI.

Every script and app imports from here: ``get_client()`` for the client,
``get_model()`` for the model name, and ``run(main)`` to run a script's ``main()``
with friendly errors. Configuration comes from the environment (see README.md).

Without an ``OPENAI_API_KEY`` (or with ``OPENAI_OFFLINE=1``) the client talks to the
built-in offline stand-in (``openai_tutorial.offline``) instead of OpenAI, and says so
on stderr: the examples never need to know which one answers. With a key, replies pass
through a guard (``replies.py``) that turns one the SDK cannot use into the API's 502.
"""

import argparse
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, overload

import httpx2
import openai
from dotenv import dotenv_values, load_dotenv
from openai import AsyncOpenAI, OpenAI

from openai_tutorial import offline
from openai_tutorial.errors import UsageError as UsageError  # re-exported: lessons import it from here
from openai_tutorial.notices import AsyncWatchedTransport, WatchedTransport, say_notices_on_stderr
from openai_tutorial.replies import AsyncCheckedTransport, CheckedTransport

REPO_ROOT = Path(__file__).resolve().parents[2]

# gpt-5-nano and gpt-5-mini, which older tutorials use, shut down on 2026-12-11
# (openai/types/shared/chat_model.py); gpt-5.4-mini is current, fast and cheap.
DEFAULT_MODEL = "gpt-5.4-mini"
DEFAULT_TIMEOUT_SECONDS = 120.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_OFFLINE_STREAM_DELAY_SECONDS = 0.05
# What the offline stand-in takes to answer, as a model takes time: this much, and as much again per 100 tokens
# written (so more reasoning takes longer), so that timings offline show what they show with a key.
DEFAULT_OFFLINE_LATENCY_SECONDS = 0.1
# The stand-in posts webhooks only to this machine: it never sends anything elsewhere.
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class UpstreamError(RuntimeError):
    """OpenAI answered, but with something the app cannot use (a backend answers 502)."""


class MissingAPIKeyError(UsageError):
    def __init__(self) -> None:
        if key_hidden_by_empty_environment():
            message = f"{HIDDEN_KEY}: run 'unset OPENAI_API_KEY', or export your key."
        else:
            message = "OPENAI_API_KEY is not set: copy .env.example to .env and put your key in it"
            message += " (or export OPENAI_API_KEY)."
        super().__init__(message)


HIDDEN_KEY = "OPENAI_API_KEY is set but empty in your environment, which hides the key in .env"


def key_hidden_by_empty_environment() -> bool:
    """An exported empty OPENAI_API_KEY wins over .env (as every variable does), and hides the key there."""
    return os.environ.get("OPENAI_API_KEY") == "" and bool(dotenv_values(REPO_ROOT / ".env").get("OPENAI_API_KEY"))


@functools.cache
def load_environment() -> None:
    """Read the repository's .env once; variables already in the environment win."""
    load_dotenv(REPO_ROOT / ".env", override=False)


@overload
def setting(name: str) -> str | None: ...
@overload
def setting(name: str, default: str) -> str: ...
def setting(name: str, default: str | None = None) -> str | None:
    """The setting from the environment or ``.env``; an empty one counts as unset."""
    load_environment()
    return os.environ.get(name) or default


def number_setting[T: (int, float)](name: str, kind: type[T], default: T, *, low: T, high: T) -> T:
    """A numeric setting within ``low``..``high``; anything else (NaN, infinity, "10s") is a UsageError."""
    value = setting(name)
    if value is None:
        return default
    try:
        number = kind(value) if value.isascii() else None
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        what = "a whole number" if kind is int else "a number"
        raise UsageError(f"{name} must be {what} from {low:g} to {high:g}, not {value!r}.")
    return number


def api_id(text: str) -> str:
    """An argparse type for an id the API gave you: an empty one is a usage error, not a traceback."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an id cannot be empty")
    return text


def get_model() -> str:
    return setting("OPENAI_MODEL", DEFAULT_MODEL)


def offline_reason() -> str | None:
    """Why the offline stand-in answers instead of OpenAI, or None when requests go to the API."""
    switch = setting("OPENAI_OFFLINE")
    if switch not in {None, "0", "1"}:
        raise UsageError(f"OPENAI_OFFLINE must be 1 (always offline) or 0 (never offline), not {switch!r}.")
    if switch == "1":
        return "OPENAI_OFFLINE=1 is set"
    if switch is None and setting("OPENAI_API_KEY") is None:
        return HIDDEN_KEY if key_hidden_by_empty_environment() else "OPENAI_API_KEY is not set"
    return None


def offline_notice(reason: str) -> str:
    to_use_openai = {
        "OPENAI_OFFLINE=1 is set": "unset it to use OpenAI",
        HIDDEN_KEY: "run 'unset OPENAI_API_KEY' to use the key in .env",
    }.get(reason, "put your key in .env to use OpenAI")
    return (
        f"offline: {reason}, so replies come from the built-in offline stand-in (no network, no cost); {to_use_openai}"
    )


@functools.cache
def announce_offline(reason: str) -> None:
    """Say once per process, on stderr, that replies are canned."""
    print(offline_notice(reason), file=sys.stderr, flush=True)


def answered_offline() -> bool:
    """Whether the offline stand-in answers this process's requests (a lesson that times things says so)."""
    return api_mode() == "offline"


def api_mode() -> str:
    """``"offline"`` or ``"api"``: who answers this process's requests."""
    reason = offline_reason()
    if reason is not None:
        announce_offline(reason)
    return "api" if reason is None else "offline"


def client_options() -> dict[str, Any]:
    """The client's settings, checked (a backend builds its client at start, so a bad value stops it there)."""
    options: dict[str, Any] = {
        "timeout": number_setting("OPENAI_TIMEOUT", float, DEFAULT_TIMEOUT_SECONDS, low=1, high=3600),
        "max_retries": number_setting("OPENAI_MAX_RETRIES", int, DEFAULT_MAX_RETRIES, low=0, high=10),
    }
    if api_mode() == "offline":
        stand_in = {
            "state": Path(setting("OPENAI_OFFLINE_STATE") or REPO_ROOT / ".offline" / "state.sqlite3"),
            "stream_delay": number_setting(
                "OPENAI_OFFLINE_STREAM_DELAY", float, DEFAULT_OFFLINE_STREAM_DELAY_SECONDS, low=0, high=5
            ),
            "latency": number_setting("OPENAI_OFFLINE_LATENCY", float, DEFAULT_OFFLINE_LATENCY_SECONDS, low=0, high=10),
            "webhook_url": offline_webhook_url(),
        }
        offline_options = {"api_key": "offline", "base_url": offline.BASE_URL, "webhook_secret": offline.WEBHOOK_SECRET}
        return {**options, **offline_options, "offline": stand_in}
    base_url = setting("OPENAI_BASE_URL")
    if base_url is not None:
        parsed = parsed_url(base_url)
        if parsed is None or parsed.scheme not in {"http", "https"} or not parsed.host:
            raise UsageError(
                f"OPENAI_BASE_URL must be an http(s) URL such as https://api.openai.com/v1, not {base_url!r}."
            )
    return {**options, "base_url": base_url}


def parsed_url(text: str) -> httpx2.URL | None:
    try:
        return httpx2.URL(text)
    except httpx2.InvalidURL:
        return None


def valid_port(url: httpx2.URL) -> bool:
    return url.port is None or 1 <= url.port <= 65535


def offline_webhook_url() -> str | None:
    """Where the offline stand-in posts webhook events: an http URL on this machine, or nowhere when unset."""
    url = setting("OPENAI_OFFLINE_WEBHOOK_URL")
    if url is None:
        return None
    parsed = parsed_url(url)
    if parsed is None or parsed.scheme != "http" or parsed.host not in LOOPBACK_HOSTS or not valid_port(parsed):
        raise UsageError(
            f"OPENAI_OFFLINE_WEBHOOK_URL must be an http URL on this machine, such as "
            f"http://127.0.0.1:5000/webhook, not {url!r}."
        )
    return url


def http_client(*, asynchronous: bool = False) -> httpx2.Client | httpx2.AsyncClient:
    """The SDK's own HTTP client, with the guard on replies (``replies.py``) between it and OpenAI, and above the
    guard what a script says while it waits (``notices.py``), so that a reply the guard refused is said too."""
    if asynchronous:
        async_network = httpx2.AsyncHTTPTransport(limits=openai.DEFAULT_CONNECTION_LIMITS)
        return openai.DefaultAsyncHttpxClient(transport=AsyncWatchedTransport(AsyncCheckedTransport(async_network)))
    network = httpx2.HTTPTransport(limits=openai.DEFAULT_CONNECTION_LIMITS)
    return openai.DefaultHttpxClient(transport=WatchedTransport(CheckedTransport(network)))


def client_arguments(*, asynchronous: bool) -> dict[str, Any]:
    options = client_options()
    if "offline" in options:
        stand_in = options.pop("offline")
        try:
            return {**options, **offline.client_options(**stand_in, asynchronous=asynchronous)}
        except offline.StateFileError as error:
            raise UsageError(
                f"The offline stand-in cannot use its state file {stand_in['state'].absolute()} ({error}): delete it, "
                "or set OPENAI_OFFLINE_STATE to another file."
            ) from None
    api_key = setting("OPENAI_API_KEY")
    if api_key is None:
        raise MissingAPIKeyError()
    return {**options, "api_key": api_key, "http_client": http_client(asynchronous=asynchronous)}


@functools.cache
def get_client() -> OpenAI:
    """One client per process, so every call reuses the same connection pool."""
    return OpenAI(**client_arguments(asynchronous=False))


def get_async_client() -> AsyncOpenAI:
    """An ``AsyncOpenAI`` configured like ``get_client()``; make it inside the event loop that uses it."""
    return AsyncOpenAI(**client_arguments(asynchronous=True))


def describe_api_error(error: openai.APIError) -> str:
    """One line a user can act on: HTTP status, error type, message and request id."""
    if not isinstance(error, openai.APIStatusError):
        return f"OpenAI API error ({type(error).__name__}): {error.message}"
    body = error.body if isinstance(error.body, dict) else {}
    message = body.get("message") or error.message
    return (
        f"OpenAI API error {error.status_code} ({error.type or 'unknown'}): {message} "
        f"[request id: {error.request_id or 'none'}]"
    )


def run(main: Callable[[], int | None]) -> None:
    """Run a script's main() and exit: 2 for something the user must fix, 1 for an API error or a reply it
    cannot use, 130 on Ctrl-C.

    While it runs, each retry and each slow request to OpenAI is said on stderr.
    """
    say_notices_on_stderr()
    try:
        status = main()
    except UsageError as error:
        print(error, file=sys.stderr)
        status = 2
    except OSError as error:
        print(f"Cannot use {error.filename or 'a file'}: {error.strerror or error}.", file=sys.stderr)
        status = 2
    except UnicodeError:
        print("An argument, file name or setting is not valid text (UTF-8); check what you typed.", file=sys.stderr)
        status = 2
    except openai.APIError as error:
        print(describe_api_error(error), file=sys.stderr)
        status = 1
    except UpstreamError as error:
        print(error, file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)  # on a line of its own, after any half-printed text
        status = 130
    sys.exit(status or 0)
