"""Function tools from Pydantic models: the schema written for you, the arguments parsed for you.

``openai.pydantic_responses_function_tool(Model)`` turns a Pydantic model into a strict
function tool (name from the class, description from its docstring). The issue that asked
for this lesson names ``openai.pydantic_function_tool``, but that one builds the Chat
Completions shape; the installed SDK's Responses version is this one, and the SDK wins.
With ``responses.parse`` each ``function_call`` in the reply carries ``parsed_arguments``,
an instance of your model. ``tool_choice`` forces a given function on the first request, and
``parallel_tool_calls=False`` makes the model call one function per response. The loop is
bounded as in lesson 6. Then ``tool_choice={"type": "allowed_tools", ...}``: both tools
are sent, as every request of an app would send them (the same tools keep the prompt cache
warm), but this request lets the model choose only among the ones listed; ``mode: "auto"``
leaves it free not to call any, ``"required"`` makes it call one of them. What to look for in
the output: typed arguments, one call per round, the answer, then a call of the allowed tool.

Run: uv run python Responses_API/Basic_examples/23-pydantic_function_tools.py ["question"]
API reference: https://developers.openai.com/api/docs/guides/function-calling
"""

import json
import sys
from datetime import UTC, datetime
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import openai
from openai.types.responses import ResponseInputItemParam
from pydantic import BaseModel, Field

from openai_tutorial.client import get_client, get_model, run

DEFAULT_QUESTION = "What time is it in Tokyo and in Lisbon?"
MAX_ROUNDS = 5


class GetLocalTime(BaseModel):
    """Get the current local date and time in a time zone."""

    timezone: str = Field(description="An IANA time zone name, such as Europe/Paris.")


def local_time(arguments: GetLocalTime) -> dict[str, str]:
    try:
        zone = ZoneInfo(arguments.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return {"error": f"unknown time zone {arguments.timezone!r}"}
    return {"timezone": arguments.timezone, "local_time": datetime.now(UTC).astimezone(zone).isoformat("T", "minutes")}


class GetDayOfWeek(BaseModel):
    """Get today's day of the week in a time zone."""

    timezone: str = Field(description="An IANA time zone name, such as Europe/Paris.")


TOOLS = [openai.pydantic_responses_function_tool(GetLocalTime)]
BOTH_TOOLS = [*TOOLS, openai.pydantic_responses_function_tool(GetDayOfWeek)]
ALLOWED_QUESTION = "Which day of the week is it in Sydney?"


def main() -> int:
    question = " ".join(sys.argv[1:]) or DEFAULT_QUESTION
    client = get_client()
    response = client.responses.parse(
        model=get_model(),
        input=question,
        tools=TOOLS,
        tool_choice={"type": "function", "name": "GetLocalTime"},  # must call it on this first request
        parallel_tool_calls=False,
    )
    for _ in range(MAX_ROUNDS):
        calls = [item for item in response.output if item.type == "function_call"]
        if not calls:
            print(f"\n{response.output_text}")
            allowed_tools_only(client)
            return 0
        outputs: list[ResponseInputItemParam] = []
        for call in calls:
            arguments = cast(GetLocalTime, call.parsed_arguments)  # an instance of the one tool sent
            result = local_time(arguments)
            print(f"{call.name}(timezone={arguments.timezone!r}) -> {result}")
            outputs.append({"type": "function_call_output", "call_id": call.call_id, "output": json.dumps(result)})
        response = client.responses.parse(
            model=get_model(), previous_response_id=response.id, input=outputs, tools=TOOLS, parallel_tool_calls=False
        )
    print(f"\nThe model was still calling functions after {MAX_ROUNDS} rounds; stopping.", file=sys.stderr)
    return 1


def allowed_tools_only(client: openai.OpenAI) -> None:
    response = client.responses.parse(
        model=get_model(),
        input=ALLOWED_QUESTION,
        tools=BOTH_TOOLS,
        tool_choice={"type": "allowed_tools", "mode": "auto", "tools": [{"type": "function", "name": "GetDayOfWeek"}]},
    )
    print(f"\n{ALLOWED_QUESTION} (both tools sent, only GetDayOfWeek allowed)")
    for call in [item for item in response.output if item.type == "function_call"]:
        arguments = cast(GetDayOfWeek, call.parsed_arguments)  # an instance of the one tool allowed
        print(f"{call.name}(timezone={arguments.timezone!r})")


if __name__ == "__main__":
    run(main)
