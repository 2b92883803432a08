"""Programmatic Tool Calling: the model writes a program that calls your functions, and reads only its result.

A question that needs many calls (three figures for each of three products) costs a round
trip per batch of calls with ordinary function calling, and every call and output stays in
the model's context. With the ``programmatic_tool_calling`` tool, and functions whose
``allowed_callers`` include ``"programmatic"``, the model instead writes a short JavaScript
program that OpenAI runs in a sandbox. The response holds a ``program`` item (its ``code``,
``call_id`` and ``fingerprint``) and the ``function_call`` items the program made, each
marked ``caller: {"type": "program", "caller_id": …}``; you run them and answer by
``call_id`` as in lesson 6. The program then finishes (a ``program_output`` with its
``result``) and the model answers from that result: the calls inside the program never
reach the model's context, which is where the tokens are saved.

The ``fingerprint`` is opaque: when you send the history yourself, as here, send each
``program`` item back exactly as it came (``as_input`` of each output item does that), or the
request is refused. With ``previous_response_id`` OpenAI keeps it for you. If your model
refuses the tool, set ``OPENAI_MODEL`` to a newer one (OpenAI's Agents SDK shows it with
gpt-5.6).

What to look for in the output: the program, each call marked as the program's, the
program's result, then the input tokens of both ways of answering the same question.

Run: uv run python Responses_API/Basic_examples/30-programmatic_tool_calling.py
API reference: https://developers.openai.com/api/docs/guides/tools
"""

import json
import sys
from typing import Literal, cast

from openai import OpenAI
from openai.types.responses import ResponseFunctionToolCall, ResponseInputItemParam, ToolParam
from openai.types.responses.response_input_item_param import FunctionCallOutput, FunctionCallOutputCaller

from openai_tutorial.client import get_client, get_model, run
from openai_tutorial.responses import as_input, usage_of

QUESTION = (
    "Which of desk-lamp, ergonomic-keyboard and usb-c-dock should we reorder this week, and how many of each? "
    "Keep a safety stock of 5: reorder max(forecast + 5 - available - inbound, 0)."
)
INSTRUCTIONS = "Get every figure for every product before you answer; never guess a number."
SKUS = ["desk-lamp", "ergonomic-keyboard", "usb-c-dock"]
STOCK = {
    "get_inventory": (
        "Units in stock now for one product.",
        "available_units",
        {"desk-lamp": 12, "ergonomic-keyboard": 7, "usb-c-dock": 22},
    ),
    "get_weekly_demand": (
        "Units forecast to sell in the next seven days.",
        "forecast_units",
        {"desk-lamp": 18, "ergonomic-keyboard": 16, "usb-c-dock": 14},
    ),
    "get_inbound_units": (
        "Units already ordered and on their way.",
        "inbound_units",
        {"desk-lamp": 4, "ergonomic-keyboard": 2, "usb-c-dock": 0},
    ),
}
MAX_ROUNDS = 5  # a bound on the loop: a program's calls come in a few batches, not forever


def stock_tools(callers: list[Literal["direct", "programmatic"]]) -> list[ToolParam]:
    """The three functions, callable by ``callers`` ("direct", "programmatic")."""
    schema = {
        "type": "object",
        "properties": {"sku": {"type": "string", "enum": SKUS}},
        "required": ["sku"],
        "additionalProperties": False,
    }
    return [
        {
            "type": "function",
            "name": name,
            "description": description,
            "parameters": schema,
            "strict": True,
            "allowed_callers": callers,
        }
        for name, (description, _, _) in STOCK.items()
    ]


def called(item: ResponseFunctionToolCall) -> FunctionCallOutput:
    """Run one call, print who made it, and answer it, marked with the same caller."""
    sku = json.loads(item.arguments)["sku"]
    _, field, figures = STOCK[item.name]
    result = {"sku": sku, field: figures[sku]}
    who = "from the program" if item.caller and item.caller.type == "program" else "direct"
    print(f"    [{who}] {item.name}({item.arguments}) -> {json.dumps(result)}")
    output: FunctionCallOutput = {"type": "function_call_output", "call_id": item.call_id, "output": json.dumps(result)}
    if item.caller:  # the answer goes to whoever called: the program's calls back to the program
        # The caller's fields, as the SDK types them for input (TypedDicts) rather than output (models).
        output["caller"] = cast(FunctionCallOutputCaller, item.caller.to_dict())
    return output


def answer(client: OpenAI, tools: list[ToolParam]) -> int | None:
    """Answer every call until the model replies; returns the input tokens of all its requests, or None."""
    context: list[ResponseInputItemParam] = [{"role": "user", "content": QUESTION}]
    input_tokens = 0
    for _ in range(MAX_ROUNDS):
        response = client.responses.create(model=get_model(), instructions=INSTRUCTIONS, input=context, tools=tools)
        input_tokens += usage_of(response).input_tokens
        outputs: list[ResponseInputItemParam] = []
        for item in response.output:
            if item.type == "program":
                print(f"  program {item.call_id} (an opaque fingerprint of {len(item.fingerprint)} characters):")
                print("\n".join(f"    | {line}" for line in item.code.splitlines()))
            elif item.type == "program_output":
                print(f"  program_output ({item.status}): {item.result}")
            elif item.type == "function_call":
                outputs.append(called(item))
        if not outputs:
            print(f"  answer: {response.output_text}")
            return input_tokens
        # The whole output goes back as it came: the program item with its fingerprint, the calls, then the answers.
        context += [as_input(item) for item in response.output] + outputs
    print(f"The model was still calling tools after {MAX_ROUNDS} requests.", file=sys.stderr)
    return None


def main() -> int:
    client = get_client()
    print("1. The model writes a program that makes the calls")
    programmatic = answer(client, [*stock_tools(["programmatic"]), {"type": "programmatic_tool_calling"}])
    print("\n2. The same question with direct function calls")
    direct = answer(client, stock_tools(["direct"]))
    if programmatic is None or direct is None:
        return 1
    print(f"\nInput tokens, all requests: {programmatic} with a program, {direct} with direct calls")
    return 0


if __name__ == "__main__":
    run(main)
