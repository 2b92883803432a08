"""Tools inside a conversation: function calls and their outputs become conversation items.

With ``conversation=`` on every request, the model's ``function_call`` items are added to
the conversation, and so are the ``function_call_output`` items you send back: send only
the outputs (the calls are already in it; sending them again is a "Duplicate item" error,
and leaving an output out is "No tool output found"). Match outputs to calls by
``call_id``. Do not mix ``previous_response_id`` with ``conversation``: the conversation
already chains the turns. A later question can then use the earlier results without
calling the tool again. The loop is bounded as in lesson 6. What to look for in the
output: the calls and results, the items the conversation now holds, and a follow-up
answered from what is already there.

Run: uv run python Conversation_API/Basic_examples/06-conversation_with_tools.py
API reference: https://developers.openai.com/api/docs/guides/function-calling
"""

import json
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from openai import OpenAI
from openai.types.responses import Response, ResponseInputItemParam, ToolParam

from openai_tutorial.client import get_client, get_model, run

QUESTION = "What time is it in Tokyo and in Lisbon?"
FOLLOW_UP = "Based on what you found earlier, which of the two cities is later in the day?"
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
                "timezone": {"type": "string", "description": "An IANA time zone name, such as Asia/Tokyo."}
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
        return {"error": f"unknown time zone {timezone!r}"}
    return {"timezone": timezone, "local_time": datetime.now(UTC).astimezone(zone).isoformat(timespec="minutes")}


def ask(client: OpenAI, conversation_id: str, question: str) -> Response | None:
    """One turn in the conversation, with its tool loop; returns the final response."""
    response = client.responses.create(model=get_model(), conversation=conversation_id, input=question, tools=TOOLS)
    for _ in range(MAX_ROUNDS):
        calls = [item for item in response.output if item.type == "function_call"]
        if not calls:
            return response
        outputs: list[ResponseInputItemParam] = []
        for call in calls:
            try:
                result = get_local_time(**json.loads(call.arguments))
            except (json.JSONDecodeError, TypeError) as error:
                result = {"error": f"bad arguments: {error}"}
            print(f"  {call.name}({call.arguments}) -> {json.dumps(result)}")
            outputs.append({"type": "function_call_output", "call_id": call.call_id, "output": json.dumps(result)})
        # Only the outputs: the calls are already items of the conversation.
        response = client.responses.create(model=get_model(), conversation=conversation_id, input=outputs, tools=TOOLS)
    return None


def main() -> int:
    client = get_client()
    conversation = client.conversations.create()
    try:
        print(f"you:   {QUESTION}")
        first = ask(client, conversation.id, QUESTION)
        if first is None:
            print(f"The model was still calling tools after {MAX_ROUNDS} rounds; stopping.", file=sys.stderr)
            return 1
        print(f"model: {first.output_text}\n")

        print("The conversation now holds:")
        for item in client.conversations.items.list(conversation.id, order="asc", limit=100):
            print(f"  - {item.type}" + (f" ({item.name})" if item.type == "function_call" else ""))

        print(f"\nyou:   {FOLLOW_UP}")
        follow_up = ask(client, conversation.id, FOLLOW_UP)
        if follow_up is None:
            print(f"The model was still calling tools after {MAX_ROUNDS} rounds; stopping.", file=sys.stderr)
            return 1
        tool_calls = sum(item.type == "function_call" for item in follow_up.output)
        print(f"model: {follow_up.output_text}\n(tool calls for the follow-up's answer: {tool_calls})")
        return 0
    finally:
        client.conversations.delete(conversation.id)
        print(f"\nDeleted {conversation.id}.")


if __name__ == "__main__":
    run(main)
