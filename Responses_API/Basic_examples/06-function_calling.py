"""Function calling: let the model call your own Python function, then answer with its result.

The loop every tool-using app runs:
1. send the question with a ``function`` tool (a strict JSON schema for its arguments);
2. the reply holds one or more ``function_call`` items (here, one per city, in one turn);
3. run the function for each call and send back a ``function_call_output`` item with the
   same ``call_id``: outputs are matched to calls by id, never by position;
4. repeat until the model answers in text, at most ``MAX_ROUNDS`` times.
Bad arguments or an unknown function become an error output the model can read, not a
crash. Continuing with ``previous_response_id`` means sending only the outputs: the
calls are already part of the stored response. What to look for in the output: each
call with its arguments and result, then the final answer.

Run: uv run python Responses_API/Basic_examples/06-function_calling.py ["your question"]
API reference: https://developers.openai.com/api/docs/guides/function-calling
"""

import json
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from openai.types.responses import ResponseInputItemParam, ToolParam

from openai_tutorial.client import get_client, get_model, run

DEFAULT_QUESTION = "What time is it right now in Tokyo and in Lisbon?"
MAX_ROUNDS = 5

TOOLS: list[ToolParam] = [
    {
        "type": "function",
        "name": "get_local_time",
        "description": "Get the current local date and time in a time zone.",
        "strict": True,
        "parameters": {
            "type": "object",
            "properties": {
                "timezone": {"type": "string", "description": "An IANA time zone name, such as Europe/Paris."},
            },
            "required": ["timezone"],
            "additionalProperties": False,
        },
    }
]


def get_local_time(timezone: str) -> dict[str, str]:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {timezone!r}") from None
    return {"timezone": timezone, "local_time": datetime.now(UTC).astimezone(zone).isoformat(timespec="minutes")}


FUNCTIONS = {"get_local_time": get_local_time}


def call_function(name: str, arguments: str) -> str:
    """Run one call and return its output as JSON text; failures are reported to the model."""
    if name not in FUNCTIONS:
        return json.dumps({"error": f"no function named {name!r}"})
    try:
        result = FUNCTIONS[name](**json.loads(arguments))
    except (json.JSONDecodeError, TypeError, ValueError) as error:
        return json.dumps({"error": f"bad arguments for {name}: {error}"})
    return json.dumps(result)


def main() -> int:
    question = " ".join(sys.argv[1:]) or DEFAULT_QUESTION
    client = get_client()
    response = client.responses.create(model=get_model(), input=question, tools=TOOLS)

    for _ in range(MAX_ROUNDS):
        calls = [item for item in response.output if item.type == "function_call"]
        if not calls:
            print(f"\n{response.output_text}")
            return 0
        outputs: list[ResponseInputItemParam] = []
        for call in calls:
            output = call_function(call.name, call.arguments)
            print(f"{call.name}({call.arguments}) -> {output}")
            outputs.append({"type": "function_call_output", "call_id": call.call_id, "output": output})
        response = client.responses.create(
            model=get_model(), previous_response_id=response.id, input=outputs, tools=TOOLS
        )

    print(f"\nThe model was still calling functions after {MAX_ROUNDS} rounds; stopping.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    run(main)
