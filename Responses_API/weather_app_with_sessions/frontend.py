"""Terminal frontend for the weather backend with sessions: a chat that remembers.

It creates a session, then sends every question into it, so follow-ups work
("What's the weather in Lisbon?" then "And tomorrow?"). The session is deleted on exit.

Run: uv run python Responses_API/weather_app_with_sessions/frontend.py [--base-url http://127.0.0.1:5000]
(start backend.py first)
"""

import contextlib

from openai_tutorial.terminal import (
    BackendError,
    base_url_argument,
    call_backend,
    chat_loop,
    expect_backend,
    run_frontend,
)

BACKEND = "uv run python Responses_API/weather_app_with_sessions/backend.py"


def main() -> None:
    base_url = base_url_argument("Chat with the weather backend that keeps sessions.").parse_args().base_url
    expect_backend(base_url, "weather_app_with_sessions", BACKEND)
    session_url = f"{base_url}/sessions/{call_backend('POST', f'{base_url}/sessions')['session_id']}"
    print(f"Session {session_url.rsplit('/', 1)[1]}")
    try:
        chat_loop(lambda question: call_backend("POST", f"{session_url}/messages", {"message": question})["answer"])
    finally:
        # If the backend went away or already forgot the session, there is nothing left to clean up.
        with contextlib.suppress(BackendError):
            call_backend("DELETE", session_url)


if __name__ == "__main__":
    run_frontend(main)
