"""Every command in README.md and docs/*.md, run as a reader runs it: offline, with no key and no .env.

The README (then each page of docs/, in name order) is this test's input, so a line that
stops working fails here, and a new one is tested without writing a test for it. Their
``bash`` blocks and the ``uv run`` commands in their tables run in order and share what a
reader's shell and disk would share (one offline state, one database, the ids printed so far).

How a block runs:
- ``uv run python …/backend.py``, or ``uv run python -m`` an app package
  (``Conversation_API.multi_user_app``), starts that backend on a free loopback port (the
  one running before stops), waits for ``/healthz`` and checks it is offline;
- ``uv run gunicorn … -b 127.0.0.1:5000 …`` starts a backend the same way, on a free port
  (skipped where gunicorn is not installed: ``tests/support/optional.py``), and so is the
  computer-use lesson where Playwright or Chromium is missing;
- ``uv run python …/frontend.py`` runs against it with two questions on stdin;
- any other ``uv run python …`` runs as a subprocess; a placeholder (``SESSION_ID``,
  ``ID``, ``CONV_ID``) becomes the last such id printed; optional ``[--flag]`` arguments
  of a table are passed, other bracketed arguments left out;
- every other line (curl, variables) runs in one bash shell per block, where
  ``localhost:5000`` is the running backend. A curl must answer 2xx unless its line ends
  with ``# NNN``, and a ``# {…}`` line under it is the JSON shape of the answer
  (a string with ``…`` in it matches any string).
Setup lines (``pip install uv``, ``uv sync``, ``cp .env.example .env``) and the checks
(``uv run pytest``, ``uv run --group typecheck mypy``: ``.ci/run`` runs both) are skipped.
Every command must end with status 0, print no traceback, and any stderr it writes must start
with the offline notice.

Commands run in a scratch folder that links to everything in the repository, so that what
they write where they run (example 19's images) stays out of the repository; ``UV_NO_SYNC``
keeps ``uv run`` from touching the repository's environment, which ``uv sync`` already made.
"""

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.conftest import PATIENCE, REPO_ROOT
from tests.support import optional

README = REPO_ROOT / "README.md"
PAGES = [README, *sorted((REPO_ROOT / "docs").glob("*.md"))]
SKIPPED = re.compile(r"^(pip install uv|uv sync|cp \.env\.example \.env|uv run pytest|uv run --group typecheck mypy)\b")
BACKEND = re.compile(r"/backend\.py$|^(Conversation_API|Responses_API)\.\w+$")  # a script, or an app package
LOOPBACK_BIND = re.compile(r"127\.0\.0\.1:\d+")
TRAILING_COMMENT = re.compile(r"\s{2,}#\s*(.*)$")
PLACEHOLDERS = {"CONV_ID": "conversation", "SESSION_ID": "session", "ID": "session"}
IDS = {
    "conversation": re.compile(r"\bconv_[0-9a-f]+\b"),
    "session": re.compile(r"\b[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}\b"),
}
NEEDS_A_BROWSER = {"Responses_API/Basic_examples/29-computer_use.py"}  # skipped without Playwright and Chromium
FRONTEND_QUESTIONS = "What is the weather in Lisbon?\nAnd tomorrow?\n"
OFFLINE_NOTICE = "offline: OPENAI_API_KEY is not set, so replies come from the built-in offline stand-in"
COMMAND_TIMEOUT_SECONDS = 3 * PATIENCE  # the longest block starts four servers


@dataclass
class Block:
    name: str
    lines: list[str]  # logical lines: a line and its backslash continuations


def logical_lines(text: str) -> list[str]:
    lines, current = [], ""
    for line in text.splitlines():
        current += line
        if line.endswith("\\"):
            current += "\n"
            continue
        lines.append(current)
        current = ""
    return lines


def readme_blocks() -> list[Block]:
    """The bash blocks and the table rows' ``uv run`` commands, in the order a reader meets them."""
    blocks = []
    for page in PAGES:
        heading, in_bash, code = "top", False, []
        where = "" if page == README else f"{page.relative_to(REPO_ROOT)} "
        for number, line in enumerate(page.read_text().splitlines(), start=1):
            if line.startswith("```"):
                if in_bash:
                    name = f"{where}line {number - len(code) - 1}: {heading}"
                    blocks.append(Block(name, logical_lines("\n".join(code))))
                in_bash, code = line.strip() == "```bash", []
            elif in_bash:
                code.append(line)
            elif line.startswith("#"):
                heading = line.lstrip("# ")
            elif line.startswith("|"):
                for command in re.findall(r"`(uv run python (?:-m \S+|\S+\.py)[^`]*)`", line):
                    name = f"{where}line {number}: {script_of(command.split())}"
                    blocks.append(Block(name, [table_command(command)]))
    return blocks


def script_of(words: list[str]) -> str:
    """What ``uv run python …`` runs: a script's path, or the module after ``-m``."""
    return words[4] if words[3] == "-m" else words[3]


def table_command(command: str) -> str:
    """Keep the optional flags of a table's command (``[--keep]``); leave out optional values (``["prompt"]``)."""
    return re.sub(r"\s*\[([^\]]*)\]", lambda m: f" {m[1]}" if re.fullmatch(r"--[\w-]+", m[1]) else "", command)


def app_started_by(words: list[str]) -> str:
    """The name a backend gives in ``/healthz``: its folder (``…/stateless_weather_app/backend.py``) or package."""
    for word in words:
        if found := re.search(r"(\w+)/backend\.py$|^(?:Conversation_API|Responses_API)\.(\w+)", word):
            return found[1] or found[2]
    raise AssertionError(f"no backend in {words}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def json_shape_matches(shape, value) -> bool:
    if isinstance(shape, str) and "…" in shape:
        return isinstance(value, str)
    if isinstance(shape, dict):
        return (
            isinstance(value, dict)
            and shape.keys() == value.keys()
            and all(json_shape_matches(shape[key], value[key]) for key in shape)
        )
    if isinstance(shape, list):
        return isinstance(value, list) and len(shape) == len(value) and all(map(json_shape_matches, shape, value))
    return shape == value


def assert_clean(what: str, status: int, stderr: str) -> None:
    assert status == 0, f"{what} exited {status}:\n{stderr}"
    assert "Traceback" not in stderr, f"{what} printed a traceback:\n{stderr}"
    if stderr:
        assert stderr.startswith(OFFLINE_NOTICE), f"{what}: stderr does not start with the offline notice:\n{stderr}"


@dataclass
class Reader:
    """What a reader's machine holds while following the README: settings, ids seen, a backend."""

    environment: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)
    backend: subprocess.Popen | None = None
    backend_log: Path | None = None
    port: int = 5000

    def remember_ids(self, text: str) -> None:
        for kind, pattern in IDS.items():
            if found := pattern.findall(text):
                self.ids[kind] = found[-1]

    def filled(self, command: str) -> list[str]:
        words = shlex.split(TRAILING_COMMENT.sub("", command.replace("\\\n", " ")))
        return [self.ids[PLACEHOLDERS[word]] if word in PLACEHOLDERS else word for word in words]

    @property
    def workdir(self) -> Path:
        return Path(self.environment["READER_HOME"]) / "repository"

    def run_uv(self, command: str) -> None:
        words = self.filled(command)
        if words[2] == "gunicorn":
            optional.require_module("gunicorn", "production")
            self.start_backend(words)
            return
        script = script_of(words)
        if script in NEEDS_A_BROWSER:
            optional.require_chromium()
        if BACKEND.search(script):
            self.start_backend(words)
            return
        stdin = ""
        if script.endswith("frontend.py"):
            words += ["--base-url", f"http://127.0.0.1:{self.port}"]
            stdin = FRONTEND_QUESTIONS
        done = subprocess.run(
            words,
            cwd=self.workdir,
            env=self.environment,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
        )
        assert_clean(command, done.returncode, done.stderr)
        assert done.stdout.strip(), f"{command} printed nothing"
        if script.endswith("frontend.py"):
            assert "assistant> " in done.stdout, done.stdout
        self.remember_ids(done.stdout)

    def start_backend(self, words: list[str]) -> None:
        self.stop_backend()
        self.port = free_port()
        words = [f"127.0.0.1:{self.port}" if LOOPBACK_BIND.fullmatch(word) else word for word in words]
        self.backend_log = Path(self.environment["READER_HOME"]) / f"backend-{self.port}.log"
        with self.backend_log.open("w") as log:
            self.backend = subprocess.Popen(
                words, cwd=self.workdir, env={**self.environment, "PORT": str(self.port)}, stdout=log, stderr=log
            )
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            try:
                health = requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=PATIENCE)
            except requests.RequestException:  # not listening yet, or gunicorn's workers still loading the app
                assert self.backend.poll() is None, f"{words} died:\n{self.backend_log.read_text()}"
                time.sleep(0.2)
                continue
            assert health.json() == {"status": "ok", "app": app_started_by(words), "openai": "offline"}
            return
        pytest.fail(f"{words} did not answer /healthz within {PATIENCE:g} s:\n{self.backend_log.read_text()}")

    def stop_backend(self) -> None:
        if self.backend is None:
            return
        self.backend.terminate()
        self.backend.wait(PATIENCE)
        log = self.backend_log.read_text()
        assert "Traceback" not in log, log
        # gunicorn's own log lines come first; each worker then says it is offline.
        assert OFFLINE_NOTICE in log if "gunicorn" in self.backend.args else log.startswith(OFFLINE_NOTICE), log
        self.backend = None


class Shell:
    """One bash for a block's shell lines; ``curl`` is wrapped to record each status and body."""

    WRAPPER = r"""
set -o pipefail
curl() {
  local body status
  body=$(mktemp)
  status=$(command curl "$@" -o "$body" -w '%{http_code}' --max-time 120) || { rm -f "$body"; return 1; }
  cat "$body"
  printf '%s\n' "$status" >> "$CURL_STATUSES"
  cp "$body" "$CURL_STATUSES.$(wc -l < "$CURL_STATUSES" | tr -d ' ')"
  rm -f "$body"
}
"""

    def __init__(self, environment: dict[str, str], home: Path) -> None:
        self.statuses = home / "curl-statuses"
        self.statuses.write_text("")
        self.bash = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            cwd=home / "repository",
            env={**environment, "CURL_STATUSES": str(self.statuses)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.run(self.WRAPPER)

    def run(self, command: str) -> tuple[int, str]:
        self.bash.stdin.write(f"{command}\nprintf '\\n__DONE__ %s\\n' $?\n")
        self.bash.stdin.flush()
        output = []
        while not (line := self.bash.stdout.readline()).startswith("__DONE__"):
            assert line, f"bash ended while running {command!r}:\n{''.join(output)}"
            output.append(line)
        return int(line.split()[1]), "".join(output)

    def calls(self) -> list[tuple[int, str]]:
        statuses = self.statuses.read_text().split()
        return [(int(status), Path(f"{self.statuses}.{n}").read_text()) for n, status in enumerate(statuses, start=1)]

    def close(self) -> None:
        self.bash.stdin.close()
        self.bash.wait(PATIENCE)
        self.bash.stdout.close()


def expected_status(line: str) -> int | None:
    comment = TRAILING_COMMENT.search(line.splitlines()[-1])
    return int(comment[1][:3]) if comment and re.match(r"\d{3}\b", comment[1]) else None


def expected_shape(following: str | None):
    if following is None or not following.startswith("# {"):
        return None
    return json.loads(following[2:])


def run_block(block: Block, reader: Reader) -> None:
    shell = Shell(reader.environment, Path(reader.environment["READER_HOME"]))
    try:
        for index, line in enumerate(block.lines):
            stripped = line.strip()
            if not stripped or stripped.startswith("#") or SKIPPED.match(stripped):
                continue
            if stripped.startswith(("uv run python ", "uv run gunicorn ")):
                reader.run_uv(stripped)
                continue
            seen = len(shell.calls())
            status, output = shell.run(stripped.replace("localhost:5000", f"127.0.0.1:{reader.port}"))
            assert status == 0, f"{stripped!r} exited {status}:\n{output}"
            reader.remember_ids(output)
            calls = shell.calls()[seen:]
            assert len(calls) == stripped.count("curl "), (stripped, calls)
            following = block.lines[index + 1] if index + 1 < len(block.lines) else None
            for http_status, body in calls:
                check_answer(stripped, http_status, body, following)
    finally:
        shell.close()
        reader.stop_backend()


def check_answer(line: str, status: int, body: str, following: str | None) -> None:
    expected = expected_status(line)
    if expected is not None:
        assert status == expected, f"{line!r} answered {status}, the README says {expected}:\n{body}"
    else:
        assert 200 <= status < 300, f"{line!r} answered {status}:\n{body}"
    shape = expected_shape(following)
    if shape is not None:
        assert json_shape_matches(shape, json.loads(body)), f"{line!r} answered\n{body}\nnot the shape\n{following}"


@pytest.fixture(scope="module")
def reader(tmp_path_factory) -> Iterator[Reader]:
    for command in ("uv", "curl"):
        assert shutil.which(command), f"the README's commands need {command} on PATH"
    home = tmp_path_factory.mktemp("reader")
    # No key and no setting of the developer's own: an empty variable also keeps .env from supplying one.
    configuration = set(re.findall(r"^\| `([A-Z_]+)` \|", README.read_text(), flags=re.MULTILINE))
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in configuration and not name.startswith(("OPENAI_", "VIRTUAL_ENV"))
    }
    environment.update({name: "" for name in configuration})
    environment.update(
        OPENAI_OFFLINE_STATE=str(home / "offline.sqlite3"),
        OPENAI_OFFLINE_LATENCY="0",  # the stand-in answers at once: nothing here is timed
        DATABASE_URL=f"sqlite:///{home / 'readme.db'}",
        READER_HOME=str(home),
        UV_NO_SYNC="1",
    )
    workdir = home / "repository"
    workdir.mkdir()
    for entry in REPO_ROOT.iterdir():
        if entry.name not in {".git", ".offline"}:
            (workdir / entry.name).symlink_to(entry)
    reader = Reader(environment)
    yield reader
    reader.stop_backend()


BLOCKS = readme_blocks()


def test_the_readme_has_commands_to_run():
    commands = [line for block in BLOCKS for line in block.lines if line.startswith("uv run python")]
    assert len(commands) >= 30


@pytest.mark.parametrize("block", BLOCKS, ids=[block.name for block in BLOCKS])
def test_readme_block_runs_as_written(block, reader):
    run_block(block, reader)
