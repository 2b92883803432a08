"""The benchmark is not a test, but it must keep working: its quick mode runs here, as a user would run it."""

import re
import subprocess
import sys

import Conversation_API.multi_user_app as multi_user_app
from Conversation_API.multi_user_app.models import Conversation, Turn
from tests.conftest import REPO_ROOT
from tests.support.helpers import PATIENCE, dispose, rows, sqlite_url


def test_the_benchmark_runs_in_quick_mode_and_prints_its_three_tables():
    completed = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=PATIENCE
    )

    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    for heading in ("1. one turn", "2. one page of a list (limit 50)", "3. advanced app: one turn vs history length"):
        assert any(line.startswith(heading) for line in lines), heading
    for name in ("bare SDK call (the floor)", "multi-user app: a message in a conversation", "history of 100 turns"):
        assert any(line.startswith(name) for line in lines), name
    backend = next(line for line in lines if line.startswith("multi-user app: a message in a conversation"))
    assert len(re.findall(r"\d+\.\d+x?", backend)) == 6  # p50, p99, two ratios, the time it adds and its own
    assert any(line.startswith("added: the backend's p50 minus") for line in lines)
    assert "Traceback" not in completed.stderr


def test_the_load_generator_reports_every_turn_of_every_client(live_server, monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_OFFLINE", "1")
    monkeypatch.setenv("OPENAI_OFFLINE_STREAM_DELAY", "0")
    app = multi_user_app.create_app({"DATABASE_URL": sqlite_url(tmp_path)})
    try:
        completed = subprocess.run(
            [sys.executable, "bench/load.py", live_server(app), "--clients", "3", "--turns", "2"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=PATIENCE,
        )

        assert completed.returncode == 0, completed.stderr
        assert re.fullmatch(r"3 clients, 6 turns: \d+ turns/s, p50 \d+ ms, p99 \d+ ms\n", completed.stdout)
        assert [len(rows(app, Turn)), len(rows(app, Conversation))] == [6, 3]
    finally:
        dispose(app)
