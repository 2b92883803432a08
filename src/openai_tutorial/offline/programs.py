"""Programmatic Tool Calling: the model writes a JavaScript program whose tool calls come back to the client.

With the ``programmatic_tool_calling`` tool, a response holds a ``program`` item (its
``code``, a ``call_id`` and an opaque ``fingerprint``) and the ``function_call`` items the
program made, each with ``caller: {"type": "program", "caller_id": …}``; only functions whose
``allowed_callers`` include ``programmatic`` are called, once per option of an enum the
question names (else once). When every call is answered, the next response holds the
``program_output`` (what the program returned: each option's outputs merged) and the answer.

The stand-in's program is canned and never runs. What the model reads is the program and its
result, not the calls inside it: their items are left out of the input tokens
(``seen_by_model``). A program sent back must carry the fingerprint it was given
(``check_programs``), and a call from a program needs that program in the context.
"""

import hashlib
import json
from typing import Any

from openai_tutorial.offline.errors import invalid
from openai_tutorial.offline.functions import calls_per_option, function_call, summary_of
from openai_tutorial.offline.items import assistant_message, new_id
from openai_tutorial.offline.schemas import instance_of
from openai_tutorial.offline.turn import CANNED_NOTE, Turn

FINGERPRINT_KEY = b"offline stand-in programs"


def fingerprint(call_id: str, code: str) -> str:
    """What the API seals a program with; the stand-in's is a keyed hash of the call id and the code."""
    return "fp_" + hashlib.blake2b(f"{call_id}\n{code}".encode(), key=FINGERPRINT_KEY, digest_size=16).hexdigest()


def callable_from_programs(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [tool for tool in tools if tool.get("type") == "function" and "programmatic" in allowed_callers(tool)]


def allowed_callers(tool: dict[str, Any]) -> list[str]:
    return tool.get("allowed_callers") or ["direct"]


def check_program_tools(tools: list[dict[str, Any]]) -> None:
    """The tool needs functions a program may call, and a function only a program may call needs the tool."""
    listed = any(tool.get("type") == "programmatic_tool_calling" for tool in tools)
    if listed and not callable_from_programs(tools):
        raise invalid(
            "The tool 'programmatic_tool_calling' needs at least one function whose allowed_callers include "
            "'programmatic'.",
            param="tools",
        )
    for index, tool in enumerate(tools):
        if not listed and tool.get("type") == "function" and "direct" not in allowed_callers(tool):
            raise invalid(
                f"The function '{tool.get('name')}' can only be called from a program: add the "
                "'programmatic_tool_calling' tool, or allow the 'direct' caller.",
                param=f"tools[{index}].allowed_callers",
            )


def check_programs(history: list[dict[str, Any]], new_items: list[dict[str, Any]]) -> None:
    """A program sent back keeps its fingerprint; a call from a program follows that program."""
    for index, item in enumerate(new_items):
        if item["type"] == "program" and item.get("fingerprint") != fingerprint(item["call_id"], item["code"]):
            raise invalid(
                f"Invalid 'input[{index}].fingerprint': it does not match the program {item['call_id']}. Send "
                "each program item back exactly as the API returned it.",
                param=f"input[{index}].fingerprint",
            )
    programs = set()
    for item in [*history, *new_items]:
        if item["type"] == "program":
            programs.add(item["call_id"])
        caller = item.get("caller") or {}
        if item["type"] == "function_call" and caller.get("type") == "program" and caller["caller_id"] not in programs:
            raise invalid(
                f"No program found with call_id {caller['caller_id']} for the call {item['call_id']}: send back the "
                "program item that made it, with its fingerprint.",
                param="input",
            )


def seen_by_model(item: dict[str, Any]) -> bool:
    """Calls a program made, and their outputs, go to the program, not into the model's context."""
    return (item.get("caller") or {}).get("type") != "program"


def code_of(calls: list[dict[str, Any]]) -> str:
    lines = [f"  tools.{call['name']}({call['arguments']})," for call in calls]
    return "\n".join(
        [
            "// Written by the offline stand-in: it shows the shape and is never run.",
            "const results = await Promise.all([",
            *lines,
            "]);",
            "return JSON.stringify(results);",
        ]
    )


def write_program(turn: Turn, tool: dict[str, Any]) -> list[dict[str, Any]]:
    functions = callable_from_programs(turn.request["tools"])
    calls = calls_per_option(turn.question, functions) or [
        function_call(function["name"], instance_of(function.get("parameters") or {}, turn.question))
        for function in functions
    ]
    call_id = new_id("call")
    code = code_of(calls)
    program = {"id": new_id("prog"), "type": "program", "call_id": call_id, "code": code, "fingerprint": ""}
    program["fingerprint"] = fingerprint(call_id, code)
    return [program, *({**call, "caller": {"type": "program", "caller_id": call_id}} for call in calls)]


def merged(calls: list[dict[str, Any]], outputs: dict[str, Any]) -> dict[str, Any]:
    """What the canned program returns: per option (the arguments' values), every output's fields merged."""
    result: dict[str, Any] = {}
    for call in calls:
        arguments = json.loads(call["arguments"])
        key = " ".join(str(value) for value in arguments.values()) or call["name"]
        try:
            value = json.loads(outputs[call["call_id"]])
        except ValueError:
            value = outputs[call["call_id"]]
        fields = value if isinstance(value, dict) else {call["name"]: value}
        result.setdefault(key, {}).update({k: v for k, v in fields.items() if v not in arguments.values()})
    return result


def after_program(turn: Turn, programs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every call of the last program is answered: its output, then the answer built from it."""
    returned = {item["call_id"] for item in turn.since_question if item["type"] == "program_output"}
    if programs[-1]["call_id"] in returned:
        return [assistant_message(f"{CANNED_NOTE}: its program has already returned, and there is nothing new.")]
    program = programs[-1]
    calls = [
        item
        for item in turn.since_question
        if item["type"] == "function_call" and (item.get("caller") or {}).get("caller_id") == program["call_id"]
    ]
    outputs = {
        item["call_id"]: item["output"] if isinstance(item["output"], str) else json.dumps(item["output"])
        for item in turn.since_question
        if item["type"] == "function_call_output"
    }
    result = merged(calls, outputs)
    program_output = {
        "id": new_id("progo"),
        "type": "program_output",
        "call_id": program["call_id"],
        "status": "completed",
        "result": json.dumps(result),
    }
    text = f"{CANNED_NOTE}, from what its program returned after {len(calls)} calls: {summary_of(result, 600)}."
    return [program_output, assistant_message(text)]
