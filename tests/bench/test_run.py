"""The benchmark is not a test, but it must keep working: its quick mode runs here, as a user would run it."""

import re
import subprocess
import sys

import Conversation_API.multi_user_app as multi_user_app
from Conversation_API.multi_user_app.models import Conversation, Turn
from tests.conftest import REPO_ROOT
from tests.support import optional
from tests.support.helpers import PATIENCE, dispose, rows, sqlite_url


def test_the_benchmark_runs_in_quick_mode_and_prints_its_three_tables():
    completed = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=PATIENCE
    )

    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    for heading in (
        "1. one turn",
        "2. one page of a list (limit 50)",
        "3. advanced app: one turn vs history length",
        "4. the stream relay, a reply of 100 deltas",
    ):
        assert any(line.startswith(heading) for line in lines), heading
    for name in ("bare SDK call (the floor)", "multi-user app: a message in a conversation", "history of 100 turns"):
        assert any(line.startswith(name) for line in lines), name
    backend = next(line for line in lines if line.startswith("multi-user app: a message in a conversation"))
    assert len(re.findall(r"\d+\.\d+x?", backend)) == 6  # p50, p99, two ratios, the time it adds and its own
    assert any(line.startswith("added: the backend's p50 minus") for line in lines)
    sizes = {line.split()[-2] for line in lines if line.startswith("history of ")}
    assert len(sizes) == 1  # the replay starts at the compaction, whatever the history's length
    relay = [line for line in lines if line.startswith(("bare SDK stream:", "POST /chat/stream:", "  added by"))]
    assert len(relay) == 6
    assert "Traceback" not in completed.stderr


def test_the_token_curve_is_flat_past_the_budget_and_every_backend_recalls_turn_1():
    completed = subprocess.run(
        [sys.executable, "-m", "bench.tokens", "--turns", "100", "--budget", "1000"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )

    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    compacted = [line.split() for line in lines if line.lstrip().startswith("with compaction")]
    unbounded = [line.split() for line in lines if line.lstrip().startswith("without")]
    assert len(compacted) == len(unbounded) == 4  # every stateful backend
    for with_, without in zip(compacted, unbounded, strict=True):
        first_half, second_half = (int(mean.replace(",", "")) for mean in with_[-4:-2])
        assert abs(second_half - first_half) <= 0.1 * first_half  # flat: turns 51-100 cost what turns 1-50 did
        assert int(with_[-2].replace(",", "")) < int(without[-2].replace(",", "")) / 3  # the whole chat's total
        assert with_[-1] == without[-1] == "yes"  # the facts of turn 1 are recalled at turn 100


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


def test_the_production_load_runs_gunicorn_on_both_databases_beside_the_bare_sdk_without_errors():
    optional.require_module("gunicorn", "production")
    optional.require_module("psycopg", "production")

    completed = subprocess.run(
        [sys.executable, "-m", "bench.production", "--quick"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=PATIENCE * 4,
    )

    assert completed.returncode == 0, completed.stderr
    measured = [line.split() for line in completed.stdout.splitlines() if re.search(r"\s\d+\s+\d+\s", line)]
    names = [" ".join(line[: line.index(next(word for word in line if word.isdigit()))]) for line in measured]
    assert names == ["bare SDK"] * 2 + ["multi-user app, SQLite"] * 2 + ["multi-user app, PostgreSQL"] * 2
    assert [line[-1] for line in measured] == ["0"] * 6  # no errors
    assert "Traceback" not in completed.stderr
