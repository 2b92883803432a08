"""The live self-check (``uv run pytest -m live``): the lessons and backends against the real API, on a token budget.

It runs only when asked for with ``-m live`` (``pyproject.toml`` deselects it otherwise), and
then only with ``OPENAI_API_KEY`` set and ``OPENAI_OFFLINE=0``: without them each test is
skipped with the one line that says how to run it. Its tests use the environment as it is
(the key, the model, a ``.env``), not the fake one every other test gets. Every reply is
watched (``tests/support/live.py``): its tokens are added up, a test starts only while the
budget (``LIVE_TOKEN_BUDGET``) is not spent, and what a test created and did not delete is
deleted at the end. ``LIVE_SELF_CHECK_STAND_IN=1`` with ``OPENAI_OFFLINE=1`` points it at
the offline stand-in instead, which is how the suite checks this machinery at no cost.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from openai_tutorial import client as client_module
from tests.support import live


@pytest.fixture(scope="session")
def live_run() -> Iterator[live.LiveRun]:
    run = live.LIVE_RUN
    reason = live.why_not_live()
    if reason is not None:
        pytest.skip(reason)
    run.budget = live.budget_tokens()
    original = client_module.client_arguments

    def watched_arguments(*, asynchronous: bool) -> dict:
        arguments = original(asynchronous=asynchronous)
        live.watch(arguments["http_client"], run.traffic)
        return arguments

    client_module.client_arguments = watched_arguments
    client_module.get_client.cache_clear()
    try:
        yield run
    finally:
        run.failed_clean_ups = run.traffic.clean_up(client_module.get_client())
        client_module.client_arguments = original
        client_module.get_client.cache_clear()


@pytest.fixture(autouse=True)
def isolated_environment(
    live_run: live.LiveRun, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Replaces the fake environment of the other tests: the real one, a test at a time while the budget lasts."""
    if live_run.traffic.tokens >= live_run.budget:
        pytest.skip(f"the token budget is spent: {live_run.traffic.tokens:,} of {live_run.budget:,} tokens")
    monkeypatch.chdir(tmp_path)  # what a lesson saves lands here, not in the repository
    client_module.get_client.cache_clear()
    before = live_run.traffic.tokens
    yield
    live_run.spent[request.node.name] = live_run.traffic.tokens - before
    client_module.get_client.cache_clear()
