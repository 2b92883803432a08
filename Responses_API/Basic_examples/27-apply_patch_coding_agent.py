"""apply_patch and a local shell: a small coding agent that edits files through diffs, on your machine.

With the ``apply_patch`` tool the model does not write files: it sends ``apply_patch_call``
items, each one ``operation`` (``create_file``, ``update_file`` or ``delete_file``) on a
``path`` with a ``diff``, and you apply it and answer with an ``apply_patch_call_output``
whose ``status`` is ``completed`` or ``failed`` (``output`` says why, so the model can try
again). The SDK ships no applier; the one here reads the V4A diffs the model writes:
a new file is all ``+`` lines; an update is hunks of `` `` kept, ``-`` removed and ``+``
added lines, each found in the file by those kept and removed lines, after the line an
``@@ line`` names. Every path must stay inside the workspace, and each change is shown
and asked for first, unless ``--yes``.

A ``shell`` tool in the ``local`` environment lets the model ask for commands too, which
you run and answer with a ``shell_call_output`` (stdout, stderr, an exit code or a
timeout, per command). Only ``ls``, ``cat``, ``wc`` and ``head`` run here, on paths inside
the workspace, with no environment but ``PATH``: they look, and change nothing. Running
what the model wrote (``python3 greet.py``) is what a coding agent is for, and it is why a
real one runs in a sandbox (a container or a VM), never on your own files: here it is
refused, and the model is told so.

What to look for in the output: each diff and what became of it, each command and its
output, the refused ``python3``, and the workspace's files at the end.

Run: uv run python Responses_API/Basic_examples/27-apply_patch_coding_agent.py [--yes] ["task"]
(it works in a temporary folder, deleted at the end)
API reference: https://developers.openai.com/api/docs/guides/tools-apply-patch
"""

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Literal

from openai.types.responses import (
    ResponseApplyPatchToolCall,
    ResponseFunctionShellCallOutputContentParam,
    ResponseFunctionShellToolCall,
    ResponseInputItemParam,
    ToolParam,
)
from openai.types.responses.response_apply_patch_tool_call import Operation
from openai.types.responses.response_input_item_param import ApplyPatchCallOutput, ShellCallOutput

from openai_tutorial.client import get_client, get_model, run

TASK = (
    "Work in the current folder: run `ls`; create `greet.py`, a script that prints a greeting; "
    "change `greet.py` so that it greets the name given on its command line; run `cat greet.py`; "
    "run `python3 greet.py Ada`; delete `draft.txt`."
)
INSTRUCTIONS = "You are a careful coding agent. Change files only with apply_patch; use the shell to look."
TOOLS: list[ToolParam] = [{"type": "apply_patch"}, {"type": "shell", "environment": {"type": "local"}}]
ALLOWED_COMMANDS = {"ls", "cat", "wc", "head"}
MAX_ROUNDS = 12  # a bound on the loop: a confused model must not edit forever
DEFAULT_TIMEOUT_MS = 10_000  # when the model sets no limits on a shell call
DEFAULT_MAX_OUTPUT = 4_096


class PatchError(Exception):
    """A change that cannot be made: a path outside the workspace, or a diff that does not fit the file."""


def inside(workspace: Path, path: str) -> Path:
    """``path`` within the workspace, or a PatchError: ``..`` and absolute paths must not climb out."""
    target = (workspace / path).resolve()
    if not target.is_relative_to(workspace):
        raise PatchError(f"{path} is outside the workspace")
    return target


def created(diff: str) -> str:
    """A new file's text: each line of its diff after the ``+``."""
    lines = diff.splitlines()
    if wrong := [line for line in lines if not line.startswith("+")]:
        raise PatchError(f"a new file's diff holds only '+' lines, not {wrong[0]!r}")
    return "".join(line[1:] + "\n" for line in lines)


def hunks(diff: str) -> list[tuple[str, list[str], list[str]]]:
    """An update's hunks as (the line an ``@@`` names, the lines before, the lines after)."""
    found: list[tuple[str, list[str], list[str]]] = []
    for line in diff.splitlines():
        if line.startswith("@@") or not found:
            found.append((line[2:].strip() if line.startswith("@@") else "", [], []))
            if line.startswith("@@"):
                continue
        if line.startswith("***"):  # *** End of File, and the envelope some models add
            continue
        mark, text = line[:1] or " ", line[1:]
        if mark not in " -+":
            raise PatchError(f"a diff line starts with ' ', '-' or '+', not {line!r}")
        _, before, after = found[-1]
        if mark != "+":
            before.append(text)
        if mark != "-":
            after.append(text)
    return found


def updated(text: str, diff: str, path: str) -> str:
    """The file's text with each hunk applied in order; trailing spaces are not compared."""
    lines = text.splitlines()
    start = 0
    for anchor, before, after in hunks(diff):
        if anchor:
            start = find(lines, [anchor], start, path) + 1
        at = find(lines, before, start, path)
        lines[at : at + len(before)] = after
        start = at + len(after)
    return "".join(line + "\n" for line in lines)


def find(lines: list[str], wanted: list[str], start: int, path: str) -> int:
    stripped = [line.rstrip() for line in wanted]
    for at in range(start, len(lines) - len(wanted) + 1):
        if [line.rstrip() for line in lines[at : at + len(wanted)]] == stripped:
            return at
    raise PatchError(f"the diff does not fit {path}: {wanted} is not in it where the diff says")


def apply(operation: Operation, workspace: Path) -> str:
    """Make one change in the workspace; returns what was done, or raises PatchError."""
    target = inside(workspace, operation.path)
    if operation.type == "create_file":
        if target.exists():
            raise PatchError(f"{operation.path} already exists")
        content = created(operation.diff)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        return f"Created {operation.path}"
    if not target.is_file():
        raise PatchError(f"{operation.path} does not exist")
    if operation.type == "update_file":
        target.write_text(updated(target.read_text(), operation.diff, operation.path))
        return f"Updated {operation.path}"
    target.unlink()
    return f"Deleted {operation.path}"


def confirmed(operation: Operation, assume_yes: bool) -> bool:
    if assume_yes:
        return True
    try:
        answer = input(f"Apply {operation.type} on {operation.path}? [y/N] ")
    except EOFError:
        answer = ""
    return answer.strip().lower() in {"y", "yes"}


def patched(call: ResponseApplyPatchToolCall, workspace: Path, assume_yes: bool) -> ApplyPatchCallOutput:
    """Show the change, make it if allowed, and answer the call: completed, or failed with the reason."""
    operation = call.operation
    print(f"  apply_patch: {operation.type} {operation.path}")
    for line in (getattr(operation, "diff", "") or "").splitlines():
        print(f"    {line}")
    status: Literal["completed", "failed"]
    try:
        inside(workspace, operation.path)  # refused before anyone is asked
        if not confirmed(operation, assume_yes):
            raise PatchError("the user declined this change")
        status, output = "completed", apply(operation, workspace)
    except (PatchError, OSError, UnicodeError) as error:
        status, output = "failed", str(error)
    print(f"    -> {status}: {output}")
    return {"type": "apply_patch_call_output", "call_id": call.call_id, "status": status, "output": output}


def refused(command: str, workspace: Path) -> str | None:
    """Why a command may not run here, or None: an allow-listed program on paths inside the workspace."""
    words = shlex.split(command)
    if not words or words[0] not in ALLOWED_COMMANDS:
        return f"only {', '.join(sorted(ALLOWED_COMMANDS))} run here: running other programs needs a sandbox"
    for word in words[1:]:
        if not word.startswith("-") and not (workspace / word).resolve().is_relative_to(workspace):
            return f"{word} is outside the workspace"
    return None


def executed(
    command: str, workspace: Path, timeout_ms: int, max_output: int
) -> ResponseFunctionShellCallOutputContentParam:
    """One command's output, as a shell_call_output holds it; stdout and stderr together within ``max_output``."""
    try:
        reason = refused(command, workspace)
    except ValueError as error:  # shlex: an unclosed quote
        reason = f"cannot read the command: {error}"
    if reason:
        return {"stdout": "", "stderr": f"refused: {reason}\n", "outcome": {"type": "exit", "exit_code": 126}}
    try:
        done = subprocess.run(
            shlex.split(command),
            cwd=workspace,
            env={"PATH": os.environ.get("PATH", os.defpath)},  # no key, no secret of yours
            stdin=subprocess.DEVNULL,  # a command never waits on your keyboard
            capture_output=True,
            text=True,
            timeout=timeout_ms / 1000,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"stdout": "", "stderr": "", "outcome": {"type": "timeout"}}
    except FileNotFoundError:
        return {
            "stdout": "",
            "stderr": f"{command.split()[0]}: not installed\n",
            "outcome": {"type": "exit", "exit_code": 127},
        }
    stdout = done.stdout[:max_output]
    stderr = done.stderr[: max_output - len(stdout)]
    return {"stdout": stdout, "stderr": stderr, "outcome": {"type": "exit", "exit_code": done.returncode}}


def shell(call: ResponseFunctionShellToolCall, workspace: Path) -> ShellCallOutput:
    """Run each command the call asks for (within its limits) and answer it."""
    action = call.action
    timeout_ms = action.timeout_ms or DEFAULT_TIMEOUT_MS
    max_output = action.max_output_length or DEFAULT_MAX_OUTPUT
    outputs: list[ResponseFunctionShellCallOutputContentParam] = []
    for command in action.commands:
        output = executed(command, workspace, timeout_ms, max_output)
        outcome = output["outcome"]
        ended = "timed out" if outcome["type"] == "timeout" else f"exit {outcome['exit_code']}"
        print(f"  $ {command}   [{ended}]")
        for line in (output["stdout"] + output["stderr"]).splitlines():
            print(f"      {line}".rstrip())
        outputs.append(output)
    return {"type": "shell_call_output", "call_id": call.call_id, "output": outputs, "max_output_length": max_output}


def show_files(workspace: Path) -> None:
    print("\nThe workspace now holds:")
    for path in sorted(path for path in workspace.rglob("*") if path.is_file()):
        print(f"  {path.relative_to(workspace)}:")
        for line in path.read_text(errors="replace").splitlines():
            print(f"    | {line}".rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description="A small coding agent: apply_patch and a local shell.")
    parser.add_argument("task", nargs="?", default=TASK, help="what the agent should do")
    parser.add_argument("--yes", action="store_true", help="apply every change without asking")
    args = parser.parse_args()
    client = get_client()

    with tempfile.TemporaryDirectory(prefix="lesson-27-") as folder:
        workspace = Path(folder).resolve()
        (workspace / "draft.txt").write_text("An old note, no longer needed.\n")
        print("Working in a new temporary folder (deleted at the end) that holds draft.txt.")
        response = client.responses.create(model=get_model(), instructions=INSTRUCTIONS, input=args.task, tools=TOOLS)
        rounds = 1
        while calls := [
            item for item in response.output if item.type == "apply_patch_call" or item.type == "shell_call"
        ]:
            if rounds == MAX_ROUNDS:
                print(f"Stopped after {MAX_ROUNDS} rounds of calls without an answer.", file=sys.stderr)
                show_files(workspace)
                return 1
            outputs: list[ResponseInputItemParam] = [
                patched(call, workspace, args.yes) if call.type == "apply_patch_call" else shell(call, workspace)
                for call in calls
            ]
            response = client.responses.create(
                model=get_model(),
                instructions=INSTRUCTIONS,  # not carried over by previous_response_id
                previous_response_id=response.id,
                input=outputs,
                tools=TOOLS,
            )
            rounds += 1
        print(f"\nAnswer: {response.output_text}")
        show_files(workspace)
    return 0


if __name__ == "__main__":
    run(main)
