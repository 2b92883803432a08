"""The test harness: no network, a clean environment per test, strict OpenAI clients.

Fixtures:
- ``openai_api``: a respx router for https://api.openai.com/v1 that refuses any request
  no route matches and fails the test if a route was never called.
- ``run_script``: runs a numbered example in-process with argv, environment and stdin,
  and returns what the reader would see (stdout, stderr, exit status).
- ``database_url``: a new, empty database for each test, once on SQLite and once on a real
  PostgreSQL server (``tests/support/postgres.py``).
"""

import functools
import gc
import importlib.util
import io
import json
import logging
import os
import runpy
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import openai
import pytest
import responses
import respx
from flask import Flask
from werkzeug.serving import make_server

from openai_tutorial import client as client_module
from openai_tutorial import notices, turn_lock
from openai_tutorial.offline.rules import strict_schema_problem
from tests.support import live, optional, postgres

REPO_ROOT = Path(__file__).resolve().parents[1]
OPENAI_BASE_URL = "https://api.openai.com/v1"
TEST_API_KEY = "sk-test-0123456789"
# How long a test waits for anything that should take far less (a thread, a process, a server, a
# reply): generous, since a busy two-core machine can be slow, and one setting for every wait.
PATIENCE = float(os.environ.get("TEST_PATIENCE_SECONDS", "60"))


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with a fake key, no .env and a fresh client, and leaves the environment as it found it.

    The repository root moves to ``tmp_path``, so offline state is the test's own too.
    """
    saved_environ = dict(os.environ)
    for name in list(os.environ):
        if name.startswith("OPENAI_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("OPENAI_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("OPENAI_MAX_RETRIES", "0")
    monkeypatch.setenv("OPENAI_OFFLINE_LATENCY", "0")  # the stand-in answers at once (tests of the latency set it)
    # A developer's own .env must not leak into the tests; tests that need one write it here.
    fake_repo_root = tmp_path / "repo"
    fake_repo_root.mkdir()
    monkeypatch.setattr(client_module, "REPO_ROOT", fake_repo_root)
    # Replies that do not match the SDK's schema fail the test instead of passing loosely.
    monkeypatch.setattr(client_module, "OpenAI", functools.partial(openai.OpenAI, _strict_response_validation=True))
    monkeypatch.setattr(
        client_module, "AsyncOpenAI", functools.partial(openai.AsyncOpenAI, _strict_response_validation=True)
    )
    client_module.load_environment.cache_clear()
    client_module.get_client.cache_clear()
    client_module.announce_offline.cache_clear()
    yield
    quiet_notices()
    turn_lock.HEARTBEAT.stop()  # a test's turn locks are released by now: end the thread that renewed them
    # A file, socket or generator a test left open is found now, in that test (an error, as every
    # warning is), not whenever the collector happens to run in a later one. What outlives the test
    # is frozen, so that the next test's collection looks only at what that test made.
    gc.collect()
    gc.freeze()
    client_module.get_client.cache_clear()
    client_module.load_environment.cache_clear()
    os.environ.clear()
    os.environ.update(saved_environ)


def live_selected(config: pytest.Config) -> bool:
    """``-m live``: the live self-check (``tests/live``), which every other run leaves out."""
    return config.option.markexpr == "live"


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the number of workers
def pytest_cmdline_main(config: pytest.Config) -> None:
    if live_selected(config):
        config.option.numprocesses = 0  # one process: the budget and the report are the whole run's


def pytest_configure(config: pytest.Config) -> None:
    coverage = config.pluginmanager.getplugin("_cov")
    if live_selected(config) and coverage is not None:
        coverage.options.cov_fail_under = None  # it runs the lessons, not the suite: coverage says nothing here


def pytest_collection_finish(session: pytest.Session) -> None:
    """A live run says first what it runs against and its budget, or, without a key, how to run it (even with -q)."""
    if live_selected(session.config):
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(live.header())


# Why tests of this run were skipped (tests/support/optional.py): with any, coverage cannot reach every line, so
# its threshold is not applied, and the run says so at the end.
SKIP_REASONS: set[str] = set()


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> None:
    """Sees every test's report, a parallel run's included; changes none of them."""
    if report.skipped and isinstance(report.longrepr, tuple):
        SKIP_REASONS.add(report.longrepr[2].removeprefix("Skipped: "))
        coverage = config.pluginmanager.getplugin("_cov")  # pytest-cov, which judges once the tests have run
        if coverage is not None:
            coverage.options.cov_fail_under = None


@pytest.hookimpl(trylast=True)  # after pytest-cov's table
def pytest_terminal_summary(terminalreporter) -> None:
    if live_selected(terminalreporter.config) and live.LIVE_RUN.budget:
        for line in live.LIVE_RUN.report():
            terminalreporter.write_line(line)
        return
    if SKIP_REASONS:
        terminalreporter.write_line(
            "Coverage threshold not applied: tests were skipped for what this install leaves out ("
            + "; ".join(sorted(SKIP_REASONS))
            + "). .ci/run installs everything and applies it."
        )


def quiet_notices() -> None:
    """Undo ``run``'s notices on stderr (``notices.py``), so that each test starts without them."""
    for logger in (notices.NOTICES, notices.SDK_LOG):
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
    notices.NOTICES.propagate = True


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str | postgres.Unavailable]:
    """One PostgreSQL server for the whole run (the URL of its admin database), or why there is none."""
    with ExitStack() as stack:
        try:
            server: str | postgres.Unavailable = stack.enter_context(postgres.running_server())
        except postgres.Unavailable as reason:
            server = reason
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    if isinstance(server, postgres.Unavailable):
        optional.unavailable(f"no PostgreSQL server: {server}")
    with postgres.new_database(server) as url:
        yield url


@pytest.fixture
def openai_api() -> Iterator[respx.Router]:
    """OpenAI, mocked; afterwards every strict schema a test sent is checked against strict mode's rules."""
    with respx.mock(
        using="httpcore2", base_url=OPENAI_BASE_URL, assert_all_mocked=True, assert_all_called=True
    ) as router:
        yield router
    for call in router.calls:
        if call.request.method == "POST" and call.request.url.path.endswith("/responses"):
            assert_strict_schemas_are_strict(json.loads(call.request.content))


def assert_strict_schemas_are_strict(body: dict) -> None:
    """What the real API would refuse: a strict schema that is not strict (see offline/rules.py)."""
    for index, tool in enumerate(body.get("tools") or []):
        if tool.get("type") == "function" and tool.get("strict") is not False:
            assert strict_schema_problem(tool.get("parameters", {})) is None, (f"tools[{index}]", tool)
    text_format = (body.get("text") or {}).get("format") or {}
    if text_format.get("type") == "json_schema" and text_format.get("strict"):
        assert strict_schema_problem(text_format.get("schema", {})) is None, text_format


@dataclass
class ScriptResult:
    stdout: str
    stderr: str
    exit_code: int


type ScriptRunner = Callable[..., ScriptResult]


def module_file(module: str) -> Path:
    """The file ``python -m module`` runs (a package's ``__main__.py``), which it puts in ``sys.argv[0]``."""
    spec = importlib.util.find_spec(module)
    if spec.submodule_search_locations is not None:
        spec = importlib.util.find_spec(f"{module}.__main__")
    return Path(spec.origin)


@pytest.fixture
def run_script(monkeypatch: pytest.MonkeyPatch) -> ScriptRunner:
    """Run ``path`` (relative to the repository) as ``python path *args`` would, or a module as ``python -m``."""

    def run(path: str, *args: str, env: dict[str, str | None] | None = None, stdin: str = "") -> ScriptResult:
        module = None if path.endswith(".py") else path  # a package's module: python -m from the repository
        script = REPO_ROOT / path if module is None else module_file(module)
        for name, value in (env or {}).items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        monkeypatch.setattr(sys, "argv", [str(script), *args])
        if module is None:
            monkeypatch.syspath_prepend(str(script.parent))  # as python does: a script imports its neighbours
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        stdout, stderr = io.StringIO(), io.StringIO()
        exit_code = 0
        with redirect_stdout(stdout), redirect_stderr(stderr):
            try:
                if module is None:
                    runpy.run_path(str(script), run_name="__main__")
                else:
                    runpy.run_module(module, run_name="__main__", alter_sys=True)
            except SystemExit as exit_:
                # As the interpreter does: None is success, a message goes to stderr with status 1.
                if exit_.code is None or isinstance(exit_.code, int):
                    exit_code = exit_.code or 0
                else:
                    print(exit_.code, file=stderr)
                    exit_code = 1
        return ScriptResult(stdout.getvalue(), stderr.getvalue(), exit_code)

    return run


@pytest.fixture
def live_server() -> Iterator[Callable[[Flask], str]]:
    """Start a real WSGI server for an app on a free loopback port; returns its base URL.

    It runs in a thread of the test process, so respx still mocks its calls to OpenAI,
    while the test talks to it over a real socket with ``requests``, as a curl user would.
    """
    servers = []

    def start(app: Flask) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def open_meteo() -> Iterator[responses.RequestsMock]:
    """Mocks every request made with ``requests`` (Open-Meteo); loopback still reaches test servers."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.add_passthru("http://127.0.0.1")
        yield mock


@pytest.fixture
def unused_port_url() -> str:
    """The URL of a loopback port nothing listens on: a backend that is not running."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def flask_runs(monkeypatch) -> list[dict]:
    """Stand in for ``Flask.run``: record how each app would be served, then close its database."""
    started: list[dict] = []

    def record(app: Flask, **options) -> None:
        started.append(options)
        if "database" in app.extensions:
            app.extensions["database"].dispose()

    monkeypatch.setattr(Flask, "run", record)
    return started
