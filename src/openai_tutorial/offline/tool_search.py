"""Tool search: deferred functions, alone or in namespaces, found by the words of the question and loaded by name.

With ``execution: "server"`` (the default) one response holds the ``tool_search_call``,
its ``tool_search_output`` (the best-matching deferred function, inside its namespace) and
the ``function_call`` of that function, which names its ``namespace``. With ``execution:
"client"`` the response holds only the ``tool_search_call``, whose arguments fill the
tool's ``parameters`` with the question's words (``{"query": …}`` when it has none); the
client answers with a ``tool_search_output`` of the tools it chose, and the next response
calls the best of those. A function matches by the words its name and description share
with the question: a real model reads meaning, the stand-in counts words.

A deferred function costs only its name and description up front, and a namespace only its
own (``visible_tools``): that is what tool search saves, and what the token counts show.
"""

import json
import re
from typing import Any

from openai_tutorial.offline.errors import invalid
from openai_tutorial.offline.items import assistant_message, new_id
from openai_tutorial.offline.rules import is_gpt_5_4_or_later
from openai_tutorial.offline.schemas import instance_of
from openai_tutorial.offline.turn import CANNED_NOTE, Turn

WORD = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
COMMON_WORDS = {"the", "and", "for", "what", "when", "which", "will", "with", "that", "this", "from", "does", "has"}

type Found = tuple[dict[str, Any] | None, dict[str, Any]]  # (its namespace or None, a function)


def check_tool_search(body: dict[str, Any]) -> None:
    """Tool search needs a model that knows it and, run by OpenAI, deferred tools to search."""
    tools = body.get("tools") or []
    search = next((tool for tool in tools if tool.get("type") == "tool_search"), None)
    if search is None:
        return
    if not is_gpt_5_4_or_later(body["model"]):  # as OpenAI's guide says
        raise invalid(
            f"The tool 'tool_search' is not supported with the model '{body['model']}': use gpt-5.4 or later.",
            param="tools",
        )
    searchable = [*tools, *(function for namespace, function in functions_in(tools) if namespace is not None)]
    if search.get("execution", "server") == "server" and not any(tool.get("defer_loading") for tool in searchable):
        raise invalid(
            "Tool search needs at least one tool with defer_loading: true (a function, a function in a namespace, "
            "or an MCP server) to search.",
            param="tools",
        )


def functions_in(tools: list[dict[str, Any]]) -> list[Found]:
    """Every function in ``tools``, with the namespace that holds it (None at the top level)."""
    found: list[Found] = []
    for tool in tools:
        if tool.get("type") == "namespace":
            found += [(tool, function) for function in tool.get("tools") or [] if function.get("type") == "function"]
        elif tool.get("type") == "function":
            found.append((None, tool))
    return found


def visible_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the model is shown before any search: deferred functions by name and description only."""
    shown = []
    for tool in tools:
        if tool.get("type") == "namespace":
            inner = [each for each in tool.get("tools") or [] if not each.get("defer_loading")]
            shown.append({**tool, "tools": inner})
        elif tool.get("defer_loading"):
            shown.append({key: tool.get(key) for key in ("type", "name", "description")})
        else:
            shown.append(tool)
    return shown


def words_of(text: str) -> list[str]:
    return [word for word in WORD.findall(text.lower()) if len(word) > 2 and word not in COMMON_WORDS]


def best_match(question: str, candidates: list[Found]) -> Found | None:
    """The function whose name and description share the most words with the question; None when none shares one."""
    wanted = set(words_of(question))
    best, best_shared = None, 0
    for namespace, function in candidates:
        described = set(words_of(f"{function.get('name', '').replace('_', ' ')} {function.get('description') or ''}"))
        shared = len(wanted & described)
        if shared > best_shared:  # the first of those that share the most
            best, best_shared = (namespace, function), shared
    return best


def loaded(found: Found) -> dict[str, Any]:
    """A function as tool search loads it: whole, inside its namespace, no longer deferred."""
    namespace, function = found
    function = {key: value for key, value in function.items() if key != "defer_loading"}
    if namespace is None:
        return function
    shared = {key: namespace[key] for key in ("type", "name", "description")}
    return {**shared, "tools": [function]}


def function_call(found: Found, question: str) -> dict[str, Any]:
    namespace, function = found
    call = {
        "id": new_id("fc"),
        "type": "function_call",
        "status": "completed",
        "name": function["name"],
        "call_id": new_id("call"),
        "arguments": json.dumps(instance_of(function.get("parameters") or {}, question)),
    }
    return call if namespace is None else {**call, "namespace": namespace["name"]}


def search(turn: Turn, tool: dict[str, Any]) -> list[dict[str, Any]]:
    query = " ".join(words_of(turn.question))
    execution = tool.get("execution", "server")
    call = {
        "id": new_id("ts"),
        "type": "tool_search_call",
        "call_id": new_id("call"),
        "execution": execution,
        "status": "completed",
        "arguments": {"query": query},
    }
    if execution == "client":
        properties = (tool.get("parameters") or {}).get("properties")
        if properties:
            call["arguments"] = {
                key: query if spec.get("type") == "string" else instance_of(spec, turn.question, name=key)
                for key, spec in properties.items()
            }
        return [call]
    candidates = [each for each in functions_in(turn.request.get("tools") or []) if each[1].get("defer_loading")]
    found = best_match(turn.question, candidates)
    output = {
        "id": new_id("tso"),
        "type": "tool_search_output",
        "call_id": call["call_id"],
        "execution": "server",
        "status": "completed",
        "tools": [loaded(found)] if found else [],
    }
    if found is None:
        return [call, output, assistant_message(f"{CANNED_NOTE}: no deferred tool matched the question.")]
    return [call, output, function_call(found, turn.question)]


def after_search(turn: Turn, outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The client's search is back: call the best function among the tools it loaded."""
    found = best_match(turn.question, functions_in(outputs[-1].get("tools") or []))
    if found is None:
        return [assistant_message(f"{CANNED_NOTE}: the tools the search loaded do not fit the question.")]
    return [function_call(found, turn.question)]
