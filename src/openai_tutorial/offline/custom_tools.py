"""Custom tools: the model writes a tool's input as plain text, free or held to a regex or Lark grammar.

The stand-in takes the input from the user's words: an arithmetic expression if the question
holds one, else the question itself, and for a grammar the first of a few spellings of it
that the grammar accepts (as written, one space around each operator, no spaces). When none
fits, it says so instead of calling the tool: a real model writes input that fits. A
grammar it cannot read is refused before anything else (``check_format``), as the API does.
"""

import re
from functools import cache
from typing import Any

import lark

from openai_tutorial.offline.errors import invalid
from openai_tutorial.offline.items import assistant_message, new_id
from openai_tutorial.offline.turn import CANNED_NOTE, Turn

EXPRESSION = re.compile(r"[-(\d][\d\s+\-*/().]*[\d)]")
OPERATOR = re.compile(r"\s*([-+*/])\s*")


@cache
def lark_parser(definition: str) -> lark.Lark:
    return lark.Lark(definition, start="start", parser="earley")


def check_format(tool: dict[str, Any], param: str) -> None:
    """A grammar the API could not compile is a 400 naming the tool."""
    text_format = tool.get("format") or {}  # unset: free text
    if text_format.get("type") != "grammar":
        return
    syntax, definition = text_format.get("syntax"), text_format.get("definition")
    if syntax not in {"regex", "lark"} or not isinstance(definition, str):
        message = f"Invalid grammar for custom tool '{tool.get('name')}': it needs a syntax and a definition."
        raise invalid(message, param=param)
    try:
        if syntax == "regex":
            re.compile(definition)
        else:
            lark_parser(definition)
    except (re.error, lark.exceptions.LarkError) as error:
        reason = str(error).strip().splitlines()[0]
        raise invalid(f"Invalid {syntax} grammar for custom tool '{tool.get('name')}': {reason}", param=param) from None


def fits(text_format: dict[str, Any], text: str) -> bool:
    if text_format.get("type") != "grammar":
        return True
    if text_format["syntax"] == "regex":
        return re.fullmatch(text_format["definition"], text) is not None
    try:
        lark_parser(text_format["definition"]).parse(text)
    except lark.exceptions.LarkError:
        return False
    return True


def spellings(question: str) -> list[str]:
    """What the input could be: the expression in the question (as written, spaced, unspaced), else the question."""
    found = [match.group().strip() for match in EXPRESSION.finditer(question)]
    if not found:
        return [" ".join(question.split())]
    expression = max(found, key=len)
    spaced = " ".join(OPERATOR.sub(r" \1 ", expression).split())
    return list(dict.fromkeys([expression, spaced, re.sub(r"\s+", "", expression)]))


def chosen(turn: Turn, tool: dict[str, Any]) -> dict[str, Any]:
    """The custom tool ``tool_choice`` names, else the first one listed."""
    choice = turn.request.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "custom":
        named = [t for t in turn.request["tools"] if t.get("type") == "custom" and t.get("name") == choice.get("name")]
        return named[0] if named else tool
    return tool


def call_custom_tool(turn: Turn, tool: dict[str, Any]) -> list[dict[str, Any]]:
    tool = chosen(turn, tool)
    text_format = tool.get("format") or {}  # unset: free text
    fitting = [text for text in spellings(turn.question) if fits(text_format, text)]
    if not fitting:
        return [
            assistant_message(
                f"{CANNED_NOTE}: nothing in the question fits the grammar of {tool['name']}, so it did not call it; "
                "a real model writes input the grammar accepts."
            )
        ]
    call = {
        "id": new_id("ctc"),
        "type": "custom_tool_call",
        "status": "completed",
        "call_id": new_id("call"),
        "name": tool["name"],
        "input": fitting[0],
    }
    return [call]
