"""Terminal frontend for the advanced weather backend: a chat you can come back to.

Without ``--session`` it starts a new session and prints its id; with ``--session ID``
it resumes that one, since its whole history is stored in the backend's database, even
across backend restarts.

Run: uv run python Responses_API/weather_app_advanced_sessions/frontend.py [--session ID] [--base-url URL]
(start the backend first: uv run python -m Responses_API.weather_app_advanced_sessions)
"""

from openai_tutorial.terminal import base_url_argument, call_backend, chat_loop, expect_backend, run_frontend

BACKEND = "uv run python -m Responses_API.weather_app_advanced_sessions"


def main() -> None:
    parser = base_url_argument("Chat with the weather backend that stores every session.")
    parser.add_argument("--session", help="the id of a session to resume")
    args = parser.parse_args()
    expect_backend(args.base_url, "weather_app_advanced_sessions", BACKEND)

    if args.session:
        messages, after = 0, 0
        while True:  # the history comes a page at a time
            page = call_backend("GET", f"{args.base_url}/sessions/{args.session}/history?limit=100&after={after}")
            messages += sum(item["type"] == "message" for item in page["data"])
            if not page["has_more"]:
                break
            after = page["last_id"]
        print(f"Resuming session {args.session} ({messages} messages so far).")
        session_id = args.session
    else:
        session_id = call_backend("POST", f"{args.base_url}/sessions")["session_id"]
        print(f"New session {session_id}; resume it later with --session {session_id}")

    def answer(question: str) -> str:
        reply = call_backend("POST", f"{args.base_url}/sessions/{session_id}/messages", {"message": question})
        answer: str = reply["answer"]
        return answer

    chat_loop(answer)


if __name__ == "__main__":
    run_frontend(main)
