"""Weather assistant, version 1: stateless. Every question is answered from scratch.

``POST /ask`` ``{"question"}`` → ``{"answer", "tool_calls": [{"name", "arguments"}]}``.

The model gets a ``get_weather`` tool and this backend runs the function-calling loop
(``run_tool_loop`` in ``openai_tutorial/weather.py``): the model asks for the weather of
one or more places, the backend fetches it from Open-Meteo and sends the results back,
until the model answers in words. The lesson is in ``send`` below: every request says
``store=False``, so OpenAI keeps nothing, and therefore carries the whole turn so far
(the question, the model's calls, their results, and its reasoning, encrypted). Once the
request ends, nothing is kept anywhere, so a follow-up like "and tomorrow?" has nothing to
refer to. The next two apps add memory, each in a different place.

Run: uv run python Responses_API/stateless_weather_app/backend.py   (then frontend.py, or curl)
API reference: https://developers.openai.com/api/docs/guides/function-calling
"""

from typing import Any

from flask import Blueprint, Flask, current_app
from flask.typing import ResponseReturnValue
from openai.types.responses import Response

from openai_tutorial.client import get_client, get_model
from openai_tutorial.weather import INSTRUCTIONS, WEATHER_TOOL, Round, run_tool_loop
from openai_tutorial.web import create_json_app, json_body, serve, text_field

bp = Blueprint("weather", __name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = create_json_app(__name__, "stateless_weather_app")
    app.config.from_mapping(test_config or {})
    app.register_blueprint(bp)
    return app


def send(this_round: Round) -> Response:
    return get_client().responses.create(
        model=get_model(),
        instructions=INSTRUCTIONS,
        input=this_round.turn_items,  # the whole turn so far: OpenAI remembers none of it
        tools=[WEATHER_TOOL],
        store=False,
        include=["reasoning.encrypted_content"],  # reasoning items come back sealed, to be sent again
    )


@bp.post("/ask")
def ask() -> ResponseReturnValue:
    question = text_field(json_body(), "question", max_chars=current_app.config["MAX_MESSAGE_CHARS"])
    turn = run_tool_loop(send, question)
    return {"answer": turn.response.output_text, "tool_calls": turn.tool_calls}


if __name__ == "__main__":
    serve(create_app)
