"""``apply_patch`` and a local ``shell``, simulated: the client runs both, the model only asks, one step a response.

The steps are the ones the user's message lists, in order: ``run `command```, ``create
`path```, ``change``/``update``/``edit `path``` and ``delete``/``remove `path```; a step whose
tool the request does not list is left out. Each response holds the call for the next step
(an ``apply_patch_call`` with a V4A diff, or a ``shell_call`` in the ``local`` environment),
counted from the calls already made since the message; after the last step, or after a
patch the client reports as failed, it answers with what each step gave.

A new file is a small greeting program for a ``.py`` path, else a line of text. An update of
the stand-in's own greeting program makes it greet the name on its command line (two hunks:
one placed by its context line, one after a bare ``@@``); any other update adds a first line.
"""

import re
from typing import Any

from openai_tutorial.offline.items import assistant_message, new_id
from openai_tutorial.offline.turn import CANNED_NOTE, Turn

STEP = re.compile(r"\b(run|create|change|update|edit|delete|remove)\s+`([^`]+)`", re.IGNORECASE)
OPERATIONS = {
    "create": "create_file",
    "change": "update_file",
    "update": "update_file",
    "edit": "update_file",
    "delete": "delete_file",
    "remove": "delete_file",
}
TIMEOUT_MS = 10_000  # the limits the model writes into a shell call's ``action``
MAX_OUTPUT_LENGTH = 4_096
GREETING = 'def greet(name: str) -> str:\n    return f"Hello, {name}!"\n\n\nprint(greet("world"))\n'
GREETING_BY_NAME = "\n".join(
    [
        "+import sys",
        "+",
        "+",
        " def greet(name: str) -> str:",
        "@@",
        '-print(greet("world"))',
        '+print(greet(sys.argv[1] if len(sys.argv) > 1 else "world"))',
    ]
)


def next_step(turn: Turn, tool: dict[str, Any]) -> list[dict[str, Any]]:
    """The call for the first step not yet taken (``tool`` is the first one listed: every step reads them all)."""
    return step(turn)


def after_outputs(turn: Turn, outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the client reported on the last call, then the next step."""
    return step(turn)


def steps_of(turn: Turn) -> list[tuple[str, str]]:
    """(``run`` or an operation, its command or path) for each step the listed tools can take."""
    tools = turn.request.get("tools") or []
    can_patch = any(tool.get("type") == "apply_patch" for tool in tools)
    can_run = any(is_local_shell(tool) for tool in tools)
    steps = []
    for verb, target in STEP.findall(turn.question):
        kind = OPERATIONS.get(verb.lower(), "run")
        if (kind == "run" and can_run) or (kind != "run" and can_patch):
            steps.append((kind, target))
    return steps


def is_local_shell(tool: dict[str, Any]) -> bool:
    """A shell the client runs: the ``local`` environment, which is also what a shell without one gets."""
    environment = tool.get("environment") or {}
    return tool.get("type") == "shell" and isinstance(environment, dict) and environment.get("type", "local") == "local"


def step(turn: Turn) -> list[dict[str, Any]]:
    done = [item for item in turn.since_question if item["type"] in {"apply_patch_call", "shell_call"}]
    failed = [
        item
        for item in turn.since_question
        if item["type"] == "apply_patch_call_output" and item.get("status") == "failed"
    ]
    steps = steps_of(turn)
    if failed or len(done) >= len(steps):
        return [assistant_message(report(turn, done, failed))]
    kind, target = steps[len(done)]
    if kind == "run":
        return [shell_call(target)]
    return [patch_call(kind, target, turn)]


def shell_call(command: str) -> dict[str, Any]:
    return {
        "id": new_id("sh"),
        "type": "shell_call",
        "call_id": new_id("call"),
        "status": "completed",
        "action": {"commands": [command], "timeout_ms": TIMEOUT_MS, "max_output_length": MAX_OUTPUT_LENGTH},
        "environment": {"type": "local"},
    }


def patch_call(kind: str, path: str, turn: Turn) -> dict[str, Any]:
    operation: dict[str, Any] = {"type": kind, "path": path}
    if kind == "create_file":
        content = GREETING if path.endswith(".py") else "A file the offline stand-in created.\n"
        operation["diff"] = "\n".join(f"+{line}" for line in content.splitlines())
    elif kind == "update_file":
        operation["diff"] = GREETING_BY_NAME if created_greeting(turn, path) else f"+{first_line(path)}"
    return {
        "id": new_id("apc"),
        "type": "apply_patch_call",
        "call_id": new_id("call"),
        "status": "completed",
        "operation": operation,
    }


def created_greeting(turn: Turn, path: str) -> bool:
    """Whether this file is the greeting program the stand-in wrote (and has not changed) since the message."""
    operations = [item["operation"] for item in turn.since_question if item["type"] == "apply_patch_call"]
    return [op["type"] for op in operations if op["path"] == path] == ["create_file"] and path.endswith(".py")


def first_line(path: str) -> str:
    note = "Edited by the offline stand-in."
    return f"# {note}" if path.endswith(".py") else note


def report(turn: Turn, calls: list[dict[str, Any]], failed: list[dict[str, Any]]) -> str:
    """What each step gave, as the client reported it."""
    outputs = {item["call_id"]: item for item in turn.since_question if item["type"].endswith("_call_output")}
    said = []
    for call in calls:
        output = outputs[call["call_id"]]  # every call has its output: the request was refused otherwise
        if call["type"] == "shell_call":
            (command,) = call["action"]["commands"]
            outcome = output["output"][0]["outcome"] if output["output"] else {"type": "none"}
            ended = {"timeout": "timed out", "none": "no output reported"}.get(outcome["type"])
            said.append(f"ran `{command}` ({ended or f'exit {outcome["exit_code"]}'})")
        else:
            operation = call["operation"]
            said.append(f"{operation['type']} {operation['path']} ({output['status']})")
    summary = "; ".join(said) if said else "no step this request's tools can take"
    text = f"{CANNED_NOTE}: {summary}."
    if failed:
        reason = failed[-1].get("output") or "no reason given"
        text += (
            f" The last patch failed ({reason}), so it stopped there; a real model reads why, "
            "then tries another way or asks."
        )
    return text
