"""The one place that decides how the tutorial talks to OpenAI.

Every script and app imports from here: ``get_client()`` for the client,
``get_model()`` for the model name, and ``run(main)`` to run a script's ``main()``
with friendly errors. Configuration comes from the environment (see README.md).

Without an ``OPENAI_API_KEY`` (or with ``OPENAI_OFFLINE=1``) the client talks to the
built-in offline stand-in (``openai_tutorial.offline``) instead of OpenAI, and says so
on stderr: the examples never need to know which one answers.
"""

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path

import openai
from dotenv import dotenv_values, load_dotenv
from openai import OpenAI

from openai_tutorial import offline

REPO_ROOT = Path(__file__).resolve().parents[2]

# gpt-5-nano and gpt-5-mini, which older tutorials use, shut down on 2026-12-11
# (openai/types/shared/chat_model.py); gpt-5.4-mini is current, fast and cheap.
DEFAULT_MODEL = "gpt-5.4-mini"
DEFAULT_TIMEOUT_SECONDS = 120.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_OFFLINE_STREAM_DELAY_SECONDS = 0.05


class UsageError(RuntimeError):
    """Something the user has to fix before a script can work: a setting, a path, an argument."""


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


def setting(name: str, default: str | None = None) -> str | None:
    load_environment()
    return os.environ.get(name) or default


def number_setting[T: (int, float)](name: str, kind: type[T], default: T) -> T:
    value = setting(name)
    try:
        return default if value is None else kind(value)
    except ValueError:
        raise UsageError(f"{name} must be a number, not {value!r}.") from None


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


def api_mode() -> str:
    """``"offline"`` or ``"api"``: who answers this process's requests."""
    reason = offline_reason()
    if reason is not None:
        announce_offline(reason)
    return "api" if reason is None else "offline"


@functools.cache
def get_client() -> OpenAI:
    """One client per process, so every call reuses the same connection pool."""
    timeout = number_setting("OPENAI_TIMEOUT", float, DEFAULT_TIMEOUT_SECONDS)
    max_retries = number_setting("OPENAI_MAX_RETRIES", int, DEFAULT_MAX_RETRIES)
    if api_mode() == "offline":
        state = Path(setting("OPENAI_OFFLINE_STATE") or REPO_ROOT / ".offline" / "state.sqlite3")
        stream_delay = number_setting("OPENAI_OFFLINE_STREAM_DELAY", float, DEFAULT_OFFLINE_STREAM_DELAY_SECONDS)
        return OpenAI(
            api_key="offline",
            base_url=offline.BASE_URL,
            http_client=offline.http_client(state, stream_delay),
            timeout=timeout,
            max_retries=max_retries,
        )
    api_key = setting("OPENAI_API_KEY")
    if api_key is None:
        raise MissingAPIKeyError()
    return OpenAI(api_key=api_key, base_url=setting("OPENAI_BASE_URL"), timeout=timeout, max_retries=max_retries)


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
    """Run a script's main() and exit: 2 for something the user must fix, 1 for an API error, 130 on Ctrl-C."""
    try:
        status = main()
    except UsageError as error:
        print(error, file=sys.stderr)
        status = 2
    except openai.APIError as error:
        print(describe_api_error(error), file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        status = 130
    sys.exit(status or 0)
