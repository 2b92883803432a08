"""Function tools: calls with arguments valid for their strict schema, then an answer built from their outputs.

A question gets one call per place it names (``parallel_tool_calls: false``: one per response);
a follow-up that names no place ("and tomorrow?") keeps the place of the last call; a question
that refers back to results already in the context is answered from them with no new call.
"""

import json
import re
import zoneinfo
from functools import cache
from typing import Any

from openai_tutorial.offline.forecasts import is_report, weather_answer
from openai_tutorial.offline.items import assistant_message, new_id
from openai_tutorial.offline.rules import strict_normalized
from openai_tutorial.offline.schemas import SENTENCE_STARTERS, instance_of
from openai_tutorial.offline.turn import Turn

THERE = re.compile(r"\bthere\b", re.I)
REFERS_BACK = re.compile(r"\b(you found|earlier|already|based on|from before|those results|that result)\b", re.I)


@cache
def time_zones() -> dict[str, str]:
    return {name.rsplit("/", 1)[-1].lower(): name for name in sorted(zoneinfo.available_timezones())}


def places_in(text: str) -> list[str]:
    """Capitalised names after "in", "at", "for", "and"... : the places a question names."""
    pattern = r"\b(?:in|at|for|of|from|to|and|or|near)\s+([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)"
    places = [place for place in re.findall(pattern, text) if place not in SENTENCE_STARTERS]
    return list(dict.fromkeys(places))


def subject_property(schema: dict[str, Any]) -> str | None:
    """The string parameter a user's words fill (a place, a city, a time zone...)."""
    properties: dict[str, Any] = schema.get("properties") or {}
    for name, spec in properties.items():
        kind = spec.get("type")
        types = kind if isinstance(kind, list) else [kind]  # pragma: no mutate: equivalent
        if "string" in types and "enum" not in spec:
            return name
    return None


def chosen_tools(turn: Turn, functions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    choice = turn.request.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "function":
        return [tool for tool in functions if tool.get("name") == choice.get("name")]
    if isinstance(choice, dict) and choice.get("type") == "allowed_tools":
        allowed = {tool.get("name") for tool in choice.get("tools") or [] if tool.get("type") == "function"}
        return [tool for tool in functions if tool.get("name") in allowed]
    return functions


def parameters_of(tool: dict[str, Any]) -> dict[str, Any]:
    """The schema the model fills: as sent, or made strict for a function that does not say ``strict``."""
    schema = tool.get("parameters") or {}
    return schema if "strict" in tool else strict_normalized(schema)


def calls_per_option(question: str, functions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A question that names several options of a function's enum gets a call for each, of every such function.

    "Should we reorder the desk-lamp or the usb-c-dock?" asks each function taking a ``sku``
    once per product named: product by product, each product's calls in the order of ``functions``.
    """
    per_option: dict[str, list[dict[str, Any]]] = {}
    for tool in functions:
        schema = parameters_of(tool)
        for key, spec in (schema.get("properties") or {}).items():
            named = [option for option in spec.get("enum") or [] if isinstance(option, str) and option in question]
            if len(named) > 1:
                for option in named:
                    call = function_call(tool["name"], {**instance_of(schema, question), key: option})
                    per_option.setdefault(option, []).append(call)
                break
    return [call for calls in per_option.values() for call in calls]


def function_calls(turn: Turn, functions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if REFERS_BACK.search(turn.question) and not places_in(turn.question):
        return []  # the answer is in the outputs already in the context: no new call
    if calls := calls_per_option(turn.question, chosen_tools(turn, functions)):
        return calls
    for tool in chosen_tools(turn, functions):
        schema = parameters_of(tool)
        subject = subject_property(schema)
        if subject is None:
            return [function_call(tool["name"], instance_of(schema, turn.question))]
        named = places_in(turn.question)
        # "And tomorrow?" keeps the place of the last call; "there" adds it to the places named.
        earlier = earlier_values(turn, tool["name"], subject) if not named or THERE.search(turn.question) else []
        values = list(dict.fromkeys([*earlier, *named]))
        if values:
            return [function_call(tool["name"], arguments(schema, subject, value, turn.question)) for value in values]
    return []


def earlier_values(turn: Turn, name: str, subject: str) -> list[str]:
    """The values of this function's calls in the last turn that made any: a follow-up ("and tomorrow?") keeps
    its places, both of a comparison."""
    found: list[str] = []
    for item in reversed(turn.before_question):
        if found and item.get("role") == "user":
            break
        if item["type"] == "function_call" and item.get("name") == name:
            try:
                value = json.loads(item["arguments"]).get(subject)
            except (ValueError, AttributeError):
                continue
            if isinstance(value, str):
                found.insert(0, value.rpartition("/")[2].replace("_", " "))  # America/Buenos_Aires: Buenos Aires
    return list(dict.fromkeys(found))


def arguments(schema: dict[str, Any], subject: str, value: str, text: str) -> dict[str, Any]:
    spec = schema["properties"][subject]
    if re.search(r"zone", f"{subject} {spec.get('description', '')}", re.I):  # pragma: no mutate: case-blind
        value = time_zones().get(value.replace(" ", "_").lower(), value)
    return {**instance_of(schema, text), subject: value}


def function_call(name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": new_id("fc"),
        "type": "function_call",
        "status": "completed",
        "name": name,
        "call_id": new_id("call"),
        "arguments": json.dumps(args),
    }


def functions_of(turn: Turn) -> list[dict[str, Any]]:
    return [tool for tool in turn.request.get("tools") or [] if tool.get("type") == "function"]


def call_functions(turn: Turn) -> list[dict[str, Any]]:
    """The calls this question needs, as many as ``parallel_tool_calls`` and ``max_tool_calls`` allow."""
    calls = function_calls(turn, functions_of(turn))
    if turn.request.get("parallel_tool_calls") is False:
        calls = calls[:1]
    return calls[: turn.request.get("max_tool_calls") or len(calls)]


def after_function_outputs(turn: Turn, outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The outputs (of functions or custom tools) are back: the next call one at a time, or the answer."""
    made = [(item["name"], item["arguments"]) for item in turn.since_question if item["type"] == "function_call"]
    still_to_call = [
        call for call in function_calls(turn, functions_of(turn)) if (call["name"], call["arguments"]) not in made
    ]
    if still_to_call and turn.request.get("parallel_tool_calls") is False:
        return still_to_call[:1]  # one call per response: the next place the question named
    return [assistant_message(answer_from_tool_outputs(outputs, turn.context, turn.question))]


def summary_of(value: Any, limit: int = 240) -> str:
    """A tool's output as one line: its scalar fields, one level deep."""
    if isinstance(value, dict):
        if "error" in value:
            return f"the tool reported a problem: {value['error']}"
        fields = []
        for key, inner in value.items():
            if isinstance(inner, dict):
                inner = ", ".join(f"{k}: {v}" for k, v in inner.items() if not isinstance(v, dict | list))
            elif isinstance(inner, list):
                inner = f"{len(inner)} entries"
            fields.append(f"{key.replace('_', ' ')}: {inner}")
        text = "; ".join(fields)
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def answer_from_tool_outputs(outputs: list[dict[str, Any]], context: list[dict[str, Any]], question: str) -> str:
    """The answer from the tools' results: weather reports read for the day and places asked about, others
    summed up one line each."""
    calls = {"function_call", "custom_tool_call"}
    names = {item["call_id"]: item.get("name", "tool") for item in context if item["type"] in calls}
    values = []
    for output in outputs:
        raw = output["output"] if isinstance(output["output"], str) else json.dumps(output["output"])
        try:
            values.append(json.loads(raw))
        except ValueError:
            values.append(raw)
    if values and all(map(is_report, values)):
        return weather_answer(question, values)
    lines = [
        f"{names.get(output['call_id'], 'tool')} says {summary_of(value)}"
        for output, value in zip(outputs, values, strict=True)
    ]
    return f"Offline stand-in answer, built from the tool results: {'. '.join(lines)}."
