"""Terminal frontend for the stateless weather backend: type a question, read the answer.

Each question is sent on its own to ``POST /ask``; the backend remembers nothing, so
ask complete questions ("What's the weather in Oslo tomorrow?"). It checks that the
backend is running, and is this app's, before the first question, as the other two frontends do.

Run: uv run python Responses_API/stateless_weather_app/frontend.py [--base-url http://127.0.0.1:5000]
(start backend.py first)
"""

from openai_tutorial.terminal import base_url_argument, call_backend, chat_loop, expect_backend, run_frontend

BACKEND = "uv run python Responses_API/stateless_weather_app/backend.py"


def main() -> None:
    base_url = base_url_argument("Ask the stateless weather backend.").parse_args().base_url
    expect_backend(base_url, "stateless_weather_app", BACKEND)
    chat_loop(lambda question: call_backend("POST", f"{base_url}/ask", {"question": question})["answer"])


if __name__ == "__main__":
    run_frontend(main)
