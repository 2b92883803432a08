"""Each example, run offline as a reader without a key runs it: what it prints, and every answer
the stand-in gave it, compared with the transcript recorded in ``tests/offline/transcripts/``.

The stand-in's answers are the lesson for anyone without a key. The other tests check what each
lesson needs of them; these pin the rest (every field, word and number), so that no change to the
stand-in goes unseen. Ids and times differ from run to run and are replaced by stable names.
After a deliberate change, record them again and read the diff before committing it:
UPDATE_TRANSCRIPTS=1 uv run pytest tests/offline/test_transcripts.py
"""

import json
import os
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from openai_tutorial.offline.streams import EventStream
from openai_tutorial.offline.transport import OfflineTransport
from tests.conftest import REPO_ROOT

TRANSCRIPTS = Path(__file__).parent / "transcripts"
EXAMPLES = sorted(
    [
        *(path.relative_to(REPO_ROOT) for path in (REPO_ROOT / "Responses_API" / "Basic_examples").glob("*.py")),
        Path("Conversation_API/conversation_basic_example/conversation_api_basic.py"),
        Path("Conversation_API/conversation_items/conversation_items.py"),
        Path("Conversation_API/conversation_compaction/compact_conversation.py"),
        Path("Conversation_API/conversation_with_tools/conversation_with_tools.py"),
    ],
    key=str,
)
ID = re.compile(r"\b([a-z]+(?:_[a-z]+)*)[_-]([0-9a-f]{24,})\b")
UNIX_TIME = re.compile(r"\b1[78]\d{8}\b")
# Its requests run at once, so they reach the stand-in in any order: its answers are sorted.
CONCURRENT = {"22-async_client"}
MIDDAY = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def stable(text: str, tmp_path: Path) -> str:
    """The transcript with each id named by its order of appearance, and times and the test's folder blanked."""
    names: dict[str, str] = {}
    text = text.replace(str(tmp_path), "<folder>")

    def name(match: re.Match[str]) -> str:
        prefix = match[1]
        return names.setdefault(match[0], f"<{prefix} {sum(n.startswith(f'<{prefix} ') for n in names.values()) + 1}>")

    return UNIX_TIME.sub("<time>", ID.sub(name, text))


def exchange(method: str, path: str, status: int, answer) -> str:
    shown = answer.events if isinstance(answer, EventStream) else answer
    return f"--- {method} {path} -> {status}\n{json.dumps(shown, indent=1, sort_keys=True, ensure_ascii=False)}\n"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_the_example_run_offline_matches_its_transcript(run_script, monkeypatch, tmp_path, path):
    answers = []
    real_answer = OfflineTransport.answer

    def recorded(self, request):
        status, answer = real_answer(self, request)
        answers.append(exchange(request.method, request.url.path, status, answer))
        return status, answer

    monkeypatch.setattr(OfflineTransport, "answer", recorded)
    monkeypatch.chdir(tmp_path)  # lessons that save files write them here
    monkeypatch.setattr(time, "perf_counter", lambda: 0.0)  # lessons that time their calls print 0
    with time_machine.travel(MIDDAY, tick=True):  # the clock runs, from the same moment each time
        result = run_script(
            str(path),
            env={
                "OPENAI_API_KEY": None,
                "OPENAI_OFFLINE": "1",
                "OPENAI_OFFLINE_STREAM_DELAY": "0",
                "OPENAI_OFFLINE_STATE": str(tmp_path / "state.sqlite3"),
            },
        )
    if path.stem in CONCURRENT:
        answers.sort(key=lambda answer: ID.sub("", answer))
    transcript = stable(
        f"$ python {path.as_posix()}\nexit status {result.exit_code}\n"
        f"--- stdout\n{result.stdout}--- stderr\n{result.stderr}\n{''.join(answers)}",
        tmp_path,
    )

    recorded_file = TRANSCRIPTS / f"{path.stem}.txt"
    if os.environ.get("UPDATE_TRANSCRIPTS"):
        recorded_file.write_text(transcript)
    assert transcript == recorded_file.read_text()
