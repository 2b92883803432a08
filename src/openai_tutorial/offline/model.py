"""The offline "model": canned, deterministic replies that show the API's shapes, not intelligence.

``reply(turn)`` decides what one response holds, the way a model's output is shaped:
- a reasoning item first, for reasoning models (its size follows ``reasoning.effort``);
- then what comes back for what this turn answers (``FOLLOW_UPS``, keyed on the item type:
  a program's answered calls, function and custom tool call outputs, MCP approvals, screenshots, a client's
  tool search);
- else the first built-in or custom tool in ``tools`` (``TOOLS``, keyed on the tool type: the
  built-in ones simulated in ``hosted_tools.py`` and ``shell.py``, custom ones in ``custom_tools.py``,
  ``apply_patch`` and a local shell, which the client runs, in ``coding_agent.py``, tool search in
  ``tool_search.py``, programs in ``programs.py``, the computer in ``computer.py``), else
  function calls (``functions.py``), else the answer
  (``text.py``): JSON for ``text.format``, or text that says it is canned and recalls facts;
- usage estimated from the text, and a reply cut to ``incomplete`` by ``max_output_tokens``.
A new tool is one entry in a table and one function, not a branch here.
"""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openai_tutorial.offline import coding_agent, computer, custom_tools, hosted_tools, programs, shell, tool_search
from openai_tutorial.offline.functions import after_function_outputs, call_functions
from openai_tutorial.offline.items import estimated_tokens, new_id, text_of
from openai_tutorial.offline.rules import check_one_of, is_gpt_5_6_or_later
from openai_tutorial.offline.text import answer, excerpt
from openai_tutorial.offline.turn import Turn

type Items = list[dict[str, Any]]

REASONING_TOKENS = {"minimal": 8, "low": 24, "medium": 64, "high": 192, "xhigh": 384, "max": 512}

IMAGE_TOKENS = {"low": 85}

DETAILED_IMAGE_TOKENS = 765

# What a tool type makes the model do, when the request lists such a tool and tool_choice is not "none".
# Function tools are not here: they are called when no tool of these types is listed.
TOOLS: dict[str, Callable[[Turn, dict[str, Any]], Items]] = {
    "custom": custom_tools.call_custom_tool,
    "web_search": hosted_tools.web_search,
    "web_search_preview": hosted_tools.web_search,
    "mcp": hosted_tools.use_mcp,
    "file_search": hosted_tools.file_search,
    "code_interpreter": hosted_tools.code_interpreter,
    "image_generation": hosted_tools.generate_image,
    "shell": shell.hosted_shell,
    "shell:local": coding_agent.next_step,  # a local shell is the client's to run, like apply_patch
    "apply_patch": coding_agent.next_step,
    "tool_search": tool_search.search,
    "programmatic_tool_calling": programs.write_program,
    "computer": computer.use_computer,
}
# What the model does when the input since the user's last message holds items of this type.
FOLLOW_UPS: dict[str, Callable[[Turn, Items], Items]] = {
    "program": programs.after_program,  # first: the outputs of a program's calls are the program's
    "function_call_output": after_function_outputs,
    "custom_tool_call_output": after_function_outputs,
    "mcp_approval_response": hosted_tools.after_approvals,
    "apply_patch_call_output": coding_agent.after_outputs,
    "shell_call_output": coding_agent.after_outputs,
    "computer_call_output": computer.after_screenshot,
    "tool_search_output": tool_search.after_search,  # last: a search is done once the functions it loaded answer
}


@dataclass
class Reply:
    output: list[dict[str, Any]]
    usage: dict[str, Any]
    incomplete_reason: str | None = None


def reasoning_effort(request: dict[str, Any]) -> str:
    """Reasoning models (gpt-5 and o-series) think before they answer unless told ``none``."""
    model = str(request["model"])  # required: the request was refused without it
    if not model.startswith(("gpt-5", "o1", "o3", "o4")):
        return "none"
    return (request.get("reasoning") or {}).get("effort") or "medium"


REASONING_CONTEXTS = ("auto", "current_turn", "all_turns")


def reasoning_context(body: dict[str, Any]) -> str:
    """Which earlier reasoning the model reads again: as asked, or by default all turns from gpt-5.6 on, the
    current turn before it (the SDK's docstring of ``reasoning.context``)."""
    asked = (body.get("reasoning") or {}).get("context") or "auto"
    check_one_of(asked, REASONING_CONTEXTS, "reasoning.context")
    if asked != "auto":
        return asked
    return "all_turns" if is_gpt_5_6_or_later(body["model"]) else "current_turn"


def rendered(items: list[dict[str, Any]], body: dict[str, Any]) -> list[dict[str, Any]]:
    """The items the model reads: with ``current_turn``, no reasoning from before the user's last message."""
    if reasoning_context(body) == "all_turns":
        return items
    users = [index for index, item in enumerate(items) if item.get("role") == "user"]
    start = users[-1] if users else 0
    return [item for index, item in enumerate(items) if index >= start or item["type"] != "reasoning"]


def reply(turn: Turn) -> Reply:
    request = turn.request
    effort = reasoning_effort(request)
    reasoning_tokens = REASONING_TOKENS.get(effort, 0)
    output = [reasoning_item(turn)] if reasoning_tokens else []
    output += act(turn)

    incomplete_reason = None  # pragma: no mutate: equivalent
    cap = request.get("max_output_tokens")
    if cap is not None:
        reasoning_tokens = min(reasoning_tokens, cap // 2)
        incomplete_reason = cut_to(output, cap - reasoning_tokens)
    output_tokens = reasoning_tokens + sum(estimated_tokens(written(item)) for item in output)
    input_tokens = count_input_tokens(request, turn.context)
    return Reply(output, usage(input_tokens, output_tokens, reasoning_tokens), incomplete_reason)


def usage(input_tokens: int, output_tokens: int, reasoning_tokens: int = 0) -> dict[str, Any]:
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
        "total_tokens": input_tokens + output_tokens,
    }


def count_input_tokens(request: dict[str, Any], context: list[dict[str, Any]]) -> int:
    tools = tool_search.visible_tools(request.get("tools") or [])
    tokens = estimated_tokens(request.get("instructions") or "") + estimated_tokens(tools or "")
    for item in filter(programs.seen_by_model, context):
        tokens += 4  # each item's role and framing
        if item.get("type") == "computer_call_output":
            tokens += DETAILED_IMAGE_TOKENS  # a screenshot costs what an image does, whatever its size in base64
            continue
        if item.get("type") != "message":
            counted = {key: value for key, value in item.items() if key not in {"id", "result", "encrypted_content"}}
            tokens += estimated_tokens(counted)
            continue
        for part in item["content"]:
            if part["type"] == "input_image":
                tokens += IMAGE_TOKENS.get(part.get("detail"), DETAILED_IMAGE_TOKENS)
            else:
                tokens += estimated_tokens(part.get("text") or part.get("file_url") or part.get("file_id") or "")
    return tokens


def written(item: dict[str, Any]) -> str:
    if item["type"] == "message":
        return text_of(item)
    return item.get("arguments") or item.get("input") or ""


def cut_to(output: list[dict[str, Any]], budget: int) -> str | None:
    """Cut the written text to ``budget`` tokens; returns why the response is incomplete, if it is."""
    for item in output:
        if item["type"] != "message" or not item["content"]:
            continue
        part = item["content"][0]
        if estimated_tokens(part["text"]) <= budget:
            return None
        part["text"] = part["text"][: budget * 4].rsplit(" ", 1)[0]  # budget >= 8: max_output_tokens is >= 16
        item["status"] = "incomplete"
        return "max_output_tokens"
    return None


def reasoning_item(turn: Turn) -> dict[str, Any]:
    reasoning = turn.request.get("reasoning") or {}
    item: dict[str, Any] = {"id": new_id("rs"), "type": "reasoning", "summary": []}
    if reasoning.get("summary"):
        thought = f"**Planning a canned answer**\n\nThe offline stand-in reads the request: {excerpt(turn.question)}"
        item["summary"] = [{"type": "summary_text", "text": thought}]
    if "reasoning.encrypted_content" in (turn.request.get("include") or []):
        sealed = json.dumps({"offline_reasoning": item["id"]}).encode()
        item["encrypted_content"] = "offline-" + base64.b64encode(sealed).decode()
    return item


def kind(tool: dict[str, Any]) -> str | None:
    """A tool's key in ``TOOLS``: its type, and for a shell in the local environment ``shell:local``."""
    return "shell:local" if coding_agent.is_local_shell(tool) else tool.get("type")


def act(turn: Turn) -> Items:
    """The items after the reasoning: a follow-up, a tool call, or the answer."""
    for item_type, follow_up in FOLLOW_UPS.items():
        if answered := [item for item in turn.since_question if item["type"] == item_type]:
            return follow_up(turn, answered)
    if turn.request.get("tool_choice") != "none":
        for tool in turn.request.get("tools") or []:
            if simulate := TOOLS.get(kind(tool) or ""):
                return simulate(turn, tool)
        if calls := call_functions(turn):
            return calls
    return [answer(turn)]
