"""The live self-check's machinery (``tests/live``), run as a maintainer runs it, against the offline stand-in.

``uv run pytest -m live`` is how anyone with a key checks the lessons against today's API.
Here it runs with ``LIVE_SELF_CHECK_STAND_IN=1`` and ``OPENAI_OFFLINE=1``: no key, no cost,
and the same selection, budget, clean-up and report as against the API.
"""

import os
import re
import subprocess
import sys

from tests.conftest import PATIENCE, REPO_ROOT


def live_check(tmp_path, *args: str, **settings: str) -> subprocess.CompletedProcess:
    environment = {name: value for name, value in os.environ.items() if not name.startswith(("OPENAI_", "LIVE_"))}
    environment |= {"OPENAI_OFFLINE_STATE": str(tmp_path / "offline.sqlite3"), "OPENAI_OFFLINE_LATENCY": "0"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "live", "--no-cov", "-p", "no:cacheprovider", *args],
        cwd=REPO_ROOT,
        env=environment | settings,
        capture_output=True,
        text=True,
        timeout=PATIENCE * 2,
    )


def test_without_a_key_it_is_skipped_with_the_one_line_that_says_how_to_run_it(tmp_path):
    completed = live_check(tmp_path, "-q")

    assert completed.returncode == 0, completed.stdout + completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0] == "live self-check not run: set OPENAI_API_KEY and OPENAI_OFFLINE=0, then: uv run pytest -m live"
    assert lines[-1].startswith("46 skipped, ")  # every lesson and backend, none run


def test_a_key_with_the_stand_in_still_on_is_not_a_live_run(tmp_path):
    completed = live_check(tmp_path, "-q", OPENAI_API_KEY="sk-not-used", OPENAI_OFFLINE="1")

    assert completed.stdout.splitlines()[0].startswith("live self-check not run:")
    assert completed.stdout.splitlines()[-1].startswith("46 skipped, ")


def test_against_the_stand_in_it_runs_the_lessons_stops_at_the_budget_cleans_up_and_reports(tmp_path):
    completed = live_check(
        tmp_path,
        "-k",
        "02-update_metadata or 01-basic_example or 12-delete_response",
        OPENAI_OFFLINE="1",
        LIVE_SELF_CHECK_STAND_IN="1",
        LIVE_TOKEN_BUDGET="300",
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    lines = completed.stdout.splitlines()
    header = "live self-check against the offline stand-in with gpt-5.4-mini: stops starting tests once 300 tokens"
    assert any(line.startswith(header) for line in lines)
    spent = [line.strip() for line in lines if line.startswith("  test_the_lesson_runs_against_the_api[")]
    assert [line.split(":")[0] for line in spent] == [
        "test_the_lesson_runs_against_the_api[02-update_metadata]",
        "test_the_lesson_runs_against_the_api[01-basic_example]",
    ]  # then the budget was spent, and 12-delete_response was not started
    total = next(line for line in lines if line.startswith("live self-check spent "))
    assert total.endswith("tokens of a budget of 300")
    assert int(total.split()[3].replace(",", "")) == sum(int(line.split()[1].replace(",", "")) for line in spent)
    cleaned = next(line for line in lines if line.startswith("cleaned up "))
    assert cleaned.startswith("cleaned up 1 object(s) left behind: conversation conv_")  # the one lesson 1 kept
    assert re.fullmatch(r"=+ 2 passed, 1 skipped, \d+ deselected in .+ =+", lines[-1])
