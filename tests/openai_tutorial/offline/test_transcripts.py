"""Each example, run offline as a reader without a key runs it: what it prints, and every answer
the stand-in gave it, compared with the transcript recorded in ``tests/openai_tutorial/offline/transcripts/``.

The stand-in's answers are the lesson for anyone without a key. The other tests check what each
lesson needs of them; these pin the rest (every field, word and number), so that no change to the
stand-in goes unseen. Ids and times differ from run to run and are replaced by stable names.
After a deliberate change, record them again and read the diff before committing it:
UPDATE_TRANSCRIPTS=1 uv run pytest tests/openai_tutorial/offline/test_transcripts.py
"""

import base64
import importlib
import json
import os
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from openai_tutorial.offline.open_meteo import OfflineOpenMeteo
from openai_tutorial.offline.streams import EventStream
from openai_tutorial.offline.transport import OfflineTransport
from tests.conftest import REPO_ROOT
from tests.support import optional
from tests.support.helpers import dispose, sqlite_url

TRANSCRIPTS = Path(__file__).parent / "transcripts"
# Every lesson but the two metadata scripts, which need the id of a conversation that exists, and lesson 31,
# whose steer races the answer being written, as it does with the API: where it lands changes every answer after
# it. Its test (tests/responses_api/basic_examples/) plays a scripted socket, and the stand-in's socket is driven
# event by event in tests/openai_tutorial/offline/test_websocket.py.
RACES = {"31-websocket_mode_and_steering.py"}
EXAMPLES = sorted(
    path.relative_to(REPO_ROOT)
    for path in REPO_ROOT.glob("*_API/Basic_examples/*.py")
    if "metadata" not in path.name and path.name not in RACES
)
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
ID = re.compile(rf"\b([a-z]+(?:_[a-z]+)*)[_-]([0-9a-f]{{24,}})\b|\b(){UUID}\b")
UNIX_TIME = re.compile(r"\b1[78]\d{8}\b")
# Reasoning sent back sealed: its content names the reasoning item, so it is shown opened.
SEALED = re.compile(r"offline-(ey[A-Za-z0-9+/]+=*)")
# Its requests run at once, so they reach the stand-in in any order: its answers are sorted.
CONCURRENT = {"22-async_client.py"}
# Arguments a lesson needs to show its whole lesson with nothing on stdin: 27 asks before each change otherwise.
ARGUMENTS = {"27-apply_patch_coding_agent.py": ["--yes"], "29-computer_use.py": ["--yes"]}
# Lessons that drive a browser: their transcript is checked where Playwright and Chromium are installed.
NEEDS_A_BROWSER = {"29-computer_use.py"}
MIDDAY = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def stable(text: str, tmp_path: Path) -> str:
    """The transcript with each id named by its order of appearance, and times and the test's folder blanked."""
    names: dict[str, str] = {}
    text = text.replace(str(tmp_path), "<folder>")
    text = SEALED.sub(lambda match: "sealed " + base64.b64decode(match[1]).decode().replace('"', "'"), text)

    def name(match: re.Match[str]) -> str:
        prefix = match[1] or "session"  # the weather apps name their sessions by a bare UUID
        return names.setdefault(match[0], f"<{prefix} {sum(n.startswith(f'<{prefix} ') for n in names.values()) + 1}>")

    return UNIX_TIME.sub("<time>", ID.sub(name, text))


def exchange(method: str, path: str, status: int, answer) -> str:
    shown = answer.events if isinstance(answer, EventStream) else answer
    if isinstance(answer, bytes):
        shown = f"<{len(answer)} bytes> {answer.decode(errors='replace')}"  # a file's content, not JSON
    return f"--- {method} {path} -> {status}\n{json.dumps(shown, indent=1, sort_keys=True, ensure_ascii=False)}\n"


@pytest.fixture
def answers(monkeypatch) -> list[str]:
    """Every answer the offline stand-ins give (OpenAI's and Open-Meteo's), as transcript text."""
    recorded: list[str] = []
    answer_openai, answer_open_meteo = OfflineTransport.answer, OfflineOpenMeteo.send

    def openai(self, request, *connection):
        status, answer = answer_openai(self, request, *connection)
        recorded.append(exchange(request.method, request.url.path, status, answer))
        return status, answer

    def open_meteo(self, request, **kwargs):
        response = answer_open_meteo(self, request, **kwargs)
        recorded.append(exchange(request.method, request.url, response.status_code, response.json()))
        return response

    monkeypatch.setattr(OfflineTransport, "answer", openai)
    monkeypatch.setattr(OfflineOpenMeteo, "send", open_meteo)
    return recorded


def matches_recording(name: str, transcript: str) -> bool:
    """``name``: the example's path in the repository, without its suffix; its transcript is at the same path here."""
    recording = TRANSCRIPTS / f"{name}.txt"
    if os.environ.get("UPDATE_TRANSCRIPTS"):
        recording.parent.mkdir(parents=True, exist_ok=True)
        recording.write_text(transcript)
    return transcript == recording.read_text()


@pytest.mark.parametrize("path", EXAMPLES, ids=str)
def test_the_example_run_offline_matches_its_transcript(run_script, monkeypatch, tmp_path, answers, path):
    if path.name in NEEDS_A_BROWSER:
        optional.require_chromium()
    monkeypatch.chdir(tmp_path)  # lessons that save files write them here
    monkeypatch.setattr(time, "perf_counter", lambda: 0.0)  # lessons that time their calls print 0
    with time_machine.travel(MIDDAY, tick=True):  # the clock runs, from the same moment each time
        result = run_script(
            str(path),
            *ARGUMENTS.get(path.name, []),
            env={
                "OPENAI_API_KEY": None,
                "OPENAI_OFFLINE": "1",
                "OPENAI_OFFLINE_STREAM_DELAY": "0",
                "OPENAI_OFFLINE_STATE": str(tmp_path / "state.sqlite3"),
            },
        )
    if path.name in CONCURRENT:
        answers.sort(key=lambda answer: ID.sub("", answer))
    transcript = stable(
        f"$ python {' '.join([path.as_posix(), *ARGUMENTS.get(path.name, [])])}\nexit status {result.exit_code}\n"
        f"--- stdout\n{result.stdout}--- stderr\n{result.stderr}\n{''.join(answers)}",
        tmp_path,
    )

    assert matches_recording(path.with_suffix("").as_posix(), transcript)


def weather_question(client) -> list:
    """App 1 keeps nothing: a follow-up has nothing to go by, and every question must name its places."""
    return [
        ("POST", "/ask", {"question": "What is the weather in Lisbon?"}),
        ("POST", "/ask", {"question": "And tomorrow?"}),
        ("POST", "/ask", {"question": "Is it warmer in Oslo or in Rome tomorrow?"}),
    ]


def session_visit(client) -> list:
    """Apps 2 and 3 remember: "And tomorrow?" is about Lisbon."""
    session = client.post("/sessions").json["session_id"]
    return [
        ("POST", f"/sessions/{session}/messages", {"message": "What is the weather in Lisbon?"}),
        ("POST", f"/sessions/{session}/messages", {"message": "And tomorrow?"}),
        ("POST", f"/sessions/{session}/messages", {"message": "Is it warmer there or in Oslo?"}),
        ("DELETE", f"/sessions/{session}", None),
    ]


def stored_session_visit(client) -> list:
    """The same visit, reading the history the advanced app keeps before the session goes."""
    *messages, deletion = session_visit(client)
    return [*messages, ("GET", f"{deletion[1]}/history", None), deletion]


def conversation_visit(client) -> list:
    first = client.post("/chat", json={"user_id": "ada", "message": "Hi! My name is Ada."}).json
    conversation = first["conversation_id"]
    return [
        ("POST", "/chat", {"user_id": "ada", "message": "What is my name?", "conversation_id": conversation}),
        ("GET", "/conversations?user_id=ada", None),
        ("GET", f"/responses/{conversation}?user_id=ada", None),
        ("POST", f"/conversations/{conversation}/close", {"user_id": "ada"}),
    ]


def memory_visit(client) -> list:
    client.post("/chat", json={"user_id": "ada", "message": "Hi! My name is Ada and I love teal."})
    return [
        ("POST", "/chat", {"user_id": "ada", "message": "What is my name and what do I love?"}),
        ("GET", "/users/ada/history", None),
        ("DELETE", "/users/ada/memory", None),
    ]


# The app's folder (its transcript's name) -> its module, and what a visitor does.
BACKENDS = {
    "Responses_API/stateless_weather_app": ("Responses_API.stateless_weather_app.backend", weather_question),
    "Responses_API/weather_app_with_sessions": ("Responses_API.weather_app_with_sessions.backend", session_visit),
    "Responses_API/weather_app_advanced_sessions": (
        "Responses_API.weather_app_advanced_sessions",
        stored_session_visit,
    ),
    "Conversation_API/multi_user_app": ("Conversation_API.multi_user_app", conversation_visit),
    "Conversation_API/persistent_memory_app": ("Conversation_API.persistent_memory_app", memory_visit),
}


@pytest.mark.parametrize("name", BACKENDS)
def test_the_backend_run_offline_matches_its_transcript(monkeypatch, tmp_path, answers, name):
    module, visit = BACKENDS[name]
    for variable, value in {
        "OPENAI_OFFLINE": "1",
        "OPENAI_OFFLINE_STREAM_DELAY": "0",
        "OPENAI_OFFLINE_STATE": str(tmp_path / "state.sqlite3"),
    }.items():
        monkeypatch.setenv(variable, value)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    app = importlib.import_module(module).create_app({"DATABASE_URL": sqlite_url(tmp_path)})
    client = app.test_client()
    said = []
    with time_machine.travel(MIDDAY, tick=False):  # every row is stored at the same moment, on every run
        for method, url, body in visit(client):
            reply = client.open(url, method=method, json=body)
            said.append(f"=== {method} {url} {json.dumps(body, ensure_ascii=False)} -> {reply.status_code}\n")
            said.append(f"{json.dumps(reply.json, indent=1, sort_keys=True, ensure_ascii=False)}\n")
    if "database" in app.extensions:
        dispose(app)

    transcript = stable("".join([*said, "\n--- what the stand-ins answered\n", *answers]), tmp_path)
    assert matches_recording(name, transcript)
