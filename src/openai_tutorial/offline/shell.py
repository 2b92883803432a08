"""The hosted ``shell`` tool, simulated: commands are read, never run; a few are answered from the container's files.

The model's commands are the ones the user's message quotes in backticks; else, with a skill
mounted, it reads the skill's SKILL.md and runs the commands that quotes; else it lists
/mnt/data. A handful of commands are simulated on the turn's ``Workspace`` (the container's
files): ``printf``/``echo`` (with ``>`` or ``>>`` into a file), ``cat``, ``ls``, ``wc -l``,
``python3 --version``; ``curl`` obeys the container's network policy without fetching
anything. Any other command fails with exit status 127 and says it was not simulated. One
``shell_call`` carries every command, one ``shell_call_output`` an output per command, then
the answer says that nothing ran.
"""

import codecs
import posixpath
import re
import shlex
from typing import Any
from urllib.parse import urlsplit

from openai_tutorial.offline.items import assistant_message, new_id
from openai_tutorial.offline.turn import CANNED_NOTE, Turn, Workspace

DATA_FOLDER = "/mnt/data"
TIMEOUT_MS = 10_000  # what the model asks for each call: the limits it writes into ``action``
MAX_OUTPUT_LENGTH = 4_096
PYTHON_VERSION = "Python 3.12.3\n"
SKILL_MANIFEST = re.compile(r"/mnt/skills/[^/]+/SKILL\.md")

type Outcome = tuple[str, str, int]  # stdout, stderr, exit code


def hosted_shell(turn: Turn, tool: dict[str, Any]) -> list[dict[str, Any]]:
    workspace = turn.workspace
    assert workspace is not None, "responses.create loads the workspace of every shell tool"
    commands = (
        re.findall(r"`([^`]+)`", turn.question) or skill_commands(turn.question, workspace) or [f"ls {DATA_FOLDER}"]
    )
    call_id = new_id("call")
    call = {
        "id": new_id("sh"),
        "type": "shell_call",
        "call_id": call_id,
        "status": "completed",
        "action": {"commands": commands, "timeout_ms": TIMEOUT_MS, "max_output_length": MAX_OUTPUT_LENGTH},
        "environment": {"type": "container_reference", "container_id": workspace.container_id},
    }
    outputs: list[dict[str, Any]] = []
    for command in commands:
        stdout, stderr, exit_code = run(command, workspace)
        outputs.append(
            {
                "stdout": stdout[:MAX_OUTPUT_LENGTH],
                "stderr": stderr[:MAX_OUTPUT_LENGTH],
                "outcome": {"type": "exit", "exit_code": exit_code},
            }
        )
    output = {
        "id": new_id("sho"),
        "type": "shell_call_output",
        "call_id": call_id,
        "status": "completed",
        "max_output_length": MAX_OUTPUT_LENGTH,
        "output": outputs,
    }
    failed = sum(1 for each in outputs if each["outcome"]["exit_code"])
    printed = [line for each in outputs for line in each["stdout"].splitlines() if line.strip()]
    last = f" The last line printed was “{printed[-1]}”." if printed else ""
    text = (
        f"{CANNED_NOTE}, and nothing ran: the stand-in simulated {len(commands)} command(s) on the container's "
        f"files, of which {failed} failed.{last}"
    )
    return [call, output, assistant_message(text)]


def skill_commands(question: str, workspace: Workspace) -> list[str]:
    """A mounted skill's way: read its SKILL.md (the one the question names, else the first), then what it quotes."""
    manifests = sorted(path for path in workspace.files if SKILL_MANIFEST.fullmatch(path))
    if not manifests:
        return []
    named = [path for path in manifests if path.split("/")[-2] in question]
    manifest = (named or manifests)[0]
    text = workspace.files[manifest].decode(errors="replace")
    return [f"cat {manifest}", *re.findall(r"`([^`]+)`", text.split("---", 2)[-1])]


def run(command: str, workspace: Workspace) -> Outcome:
    try:
        words = shlex.split(command)
    except ValueError as error:
        return "", f"sh: syntax error: {error}\n", 2
    target, append = None, False
    for redirect in (">>", ">"):
        if redirect in words[:-1]:
            at = words.index(redirect)
            target, append, words = resolved(words[at + 1]), redirect == ">>", words[:at]
            break
    stdout, stderr, exit_code = simulated(words, workspace)
    if target is not None and exit_code == 0:
        before = workspace.files.get(target, b"") if append else b""
        workspace.write(target, before + stdout.encode())
        stdout = ""
    return stdout, stderr, exit_code


def resolved(path: str) -> str:
    """A path as the container sees it: relative paths start in /mnt/data, where the shell starts."""
    return posixpath.normpath(posixpath.join(DATA_FOLDER, path))


def simulated(words: list[str], workspace: Workspace) -> Outcome:
    program, arguments = (words[0], words[1:]) if words else ("", [])
    if program == "echo":
        return " ".join(arguments) + "\n", "", 0
    if program == "printf" and arguments:
        return codecs.decode(arguments[0], "unicode_escape"), "", 0
    if program in {"cat", "wc"} and arguments:
        paths = [resolved(path) for path in arguments if not path.startswith("-")]
        missing = [path for path in paths if path not in workspace.files]
        if missing:
            return "", f"{program}: {missing[0]}: No such file or directory\n", 1
        if program == "cat":
            return "".join(workspace.files[path].decode(errors="replace") for path in paths), "", 0
        if "-l" in arguments:
            return "".join(f"{workspace.files[path].count(b'\n')} {path}\n" for path in paths), "", 0
    if program == "ls":
        folder = resolved(next((path for path in arguments if not path.startswith("-")), "."))
        names = sorted(posixpath.relpath(path, folder) for path in workspace.files if path.startswith(folder + "/"))
        return "".join(f"{name}\n" for name in names), "", 0
    if program in {"python", "python3"} and arguments == ["--version"]:
        return PYTHON_VERSION, "", 0
    if program == "curl":
        return fetch(arguments, workspace.network_policy)
    return "", f"offline stand-in: `{' '.join(words)}` is not simulated, so nothing ran\n", 127


def fetch(arguments: list[str], network_policy: dict[str, Any]) -> Outcome:
    """``curl URL``: refused unless the network policy allows the host; even then nothing is fetched."""
    url = next((argument for argument in arguments if "://" in argument), "")
    host = urlsplit(url).hostname or ""
    allowed = network_policy.get("allowed_domains") or [] if network_policy.get("type") == "allowlist" else []
    if host not in allowed:
        return "", f"curl: (6) Could not resolve host: {host}\n", 6
    return f"HTTP/2 200\ncontent-type: text/html\n\n(offline stand-in: nothing was fetched from {host})\n", "", 0
