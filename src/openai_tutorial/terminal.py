"""What the weather apps' terminal frontends share: talking to a backend, and the chat loop.

A frontend is a few lines on top of this: it says which request a question becomes. This
module turns "nothing listening", timeouts and error answers into one clear line, and
ends the loop quietly on Ctrl-D or Ctrl-C.
"""

import argparse
import sys
from collections.abc import Callable
from typing import Any

import requests

from openai_tutorial.client import run

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
# One turn may chain several model requests and tool calls: give the backend time.
BACKEND_TIMEOUT_SECONDS = 300


class BackendError(Exception):
    """The backend is not running, too slow, or answered an error."""


def base_url_argument(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--base-url", default=DEFAULT_BASE_URL, help=f"the backend (default {DEFAULT_BASE_URL})")
    return parser


def call_backend(method: str, url: str, json: dict[str, Any] | None = None) -> Any:
    """One request to the backend; its JSON answer, or None for an empty one (204)."""
    try:
        reply = requests.request(method, url, json=json, timeout=BACKEND_TIMEOUT_SECONDS)
    except requests.ConnectionError:
        raise BackendError(f"No backend is answering at {url}: start it first (see README.md).") from None
    except requests.Timeout:
        raise BackendError(f"The backend did not answer within {BACKEND_TIMEOUT_SECONDS} seconds.") from None
    if reply.status_code >= 400:
        try:
            message = reply.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = reply.text.strip() or reply.reason
        raise BackendError(f"The backend answered {reply.status_code}: {message}")
    return reply.json() if reply.content else None


def expect_backend(base_url: str, name: str, start: str) -> None:
    """Check that the backend at ``base_url`` is this frontend's (``/healthz`` names it), or say how to start it."""
    try:
        health = call_backend("GET", f"{base_url}/healthz")
    except BackendError as error:
        if "answered 404" not in str(error):
            raise
        health = None
    found = health.get("app") if isinstance(health, dict) else None
    if found == name:
        return
    what = f"the {found} backend" if found else "something that is not one of this tutorial's backends"
    raise BackendError(f"{base_url} is {what}, not {name}: start it with '{start}', or give its --base-url.")


def chat_loop(answer: Callable[[str], str]) -> None:
    """Ask for questions until Ctrl-D or Ctrl-C; print each answer, or the error instead."""
    print("Ask about the weather anywhere (Ctrl-D to quit).")
    try:
        while True:
            question = input("you> ").strip()
            if not question:
                continue
            try:
                print(f"assistant> {answer(question)}")
            except BackendError as error:
                print(error, file=sys.stderr)
    except (EOFError, KeyboardInterrupt):
        print("\nBye.")


def run_frontend(main: Callable[[], int | None]) -> None:
    """``run(main)``, where a backend that cannot be used at all ends the program with status 1."""

    def guarded() -> int | None:
        try:
            return main()
        except BackendError as error:
            print(error, file=sys.stderr)
            return 1

    run(guarded)
