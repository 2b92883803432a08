"""Tests that need what a default install leaves out: PostgreSQL, gunicorn, a browser.

Where one is missing its tests are skipped with the reason and the command that adds it, and
the coverage threshold is not applied to that run (the lines only those tests reach are not
run); ``NO_SKIPS=1`` (set by ``.ci/run``) turns each such skip into a failure, so CI cannot
pass without them.
"""

import importlib.util
import os
import shutil

import pytest


def unavailable(reason: str) -> None:
    """Skip the test, or fail it where nothing may be skipped (CI)."""
    if os.environ.get("NO_SKIPS") == "1":
        pytest.fail(f"NO_SKIPS=1, but {reason}")
    pytest.skip(reason)


def require_module(name: str, group: str) -> None:
    if importlib.util.find_spec(name) is None:
        unavailable(f"{name} is not installed: uv sync --group {group}")


def require_chromium() -> str:
    """Playwright and Debian's Chromium (Playwright's own browser download is out of reach); returns its path."""
    require_module("playwright", "browser")
    executable = shutil.which("chromium")
    if executable is None:
        unavailable("Debian's chromium is not installed: apt-get install chromium")
    return executable
