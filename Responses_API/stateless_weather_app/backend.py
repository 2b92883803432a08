"""Weather assistant, version 1: stateless. Every question is answered from scratch.

``POST /ask`` ``{"question"}`` → ``{"answer", "tool_calls": [{"name", "arguments"}]}``.

The model gets a ``get_weather`` tool and this backend runs the function-calling loop
(``openai_tutorial/weather.py``): the model asks for the weather of one or more places,
the backend fetches it from Open-Meteo and sends the results back, until the model
answers in words. The history of that loop lives in a local list for the length of one
request and is sent whole each time with ``store=False``: nothing is kept, here or at
OpenAI, so a follow-up like "and tomorrow?" has nothing to refer to. The next two apps
add memory, each in a different place.

Run: uv run python Responses_API/stateless_weather_app/backend.py   (then frontend.py, or curl)
API reference: https://platform.openai.com/docs/guides/function-calling
"""

from typing import Any

from flask import Blueprint, Flask, current_app

from openai_tutorial.weather import replaying_sender, run_tool_loop
from openai_tutorial.web import create_json_app, json_body, serve, text_field

bp = Blueprint("weather", __name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = create_json_app(__name__, {}, test_config)
    app.register_blueprint(bp)
    return app


@bp.post("/ask")
def ask():
    question = text_field(json_body(), "question", max_chars=current_app.config["MAX_MESSAGE_CHARS"])
    history: list[dict] = []  # lives as long as this request, and no longer
    response, tool_calls = run_tool_loop(replaying_sender(history), [{"role": "user", "content": question}])
    return {"answer": response.output_text, "tool_calls": tool_calls}


if __name__ == "__main__":
    serve(create_app)
