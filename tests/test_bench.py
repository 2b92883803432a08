"""The benchmark is not a test, but it must keep working: its quick mode runs here, as a user would run it."""

import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_the_benchmark_runs_in_quick_mode_and_prints_its_three_tables():
    completed = subprocess.run(
        [sys.executable, "bench/run.py", "--quick"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )

    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    for heading in ("1. one turn", "2. one page of a list (limit 50)", "3. advanced app: one turn vs history length"):
        assert any(line.startswith(heading) for line in lines), heading
    for name in ("bare SDK call (the floor)", "multi-user app: a message in a conversation", "history of 100 turns"):
        assert any(line.startswith(name) for line in lines), name
    assert "Traceback" not in completed.stderr
