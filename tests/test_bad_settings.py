"""A setting that cannot be used stops every backend and every command the same way.

One line that says what to fix, exit status 2, no traceback, and never a password: the
backends as ``uv run python -m …`` starts them, ``flask --app … purge`` (run from cron, whose
mail and journal keep what it prints) and ``inspect_db``.
"""

import pytest
from click.testing import CliRunner
from flask.cli import cli as flask_cli

from tests.support.helpers import server_refused

BACKENDS = [
    "Responses_API.weather_app_advanced_sessions",
    "Conversation_API.multi_user_app",
    "Conversation_API.persistent_memory_app",
]
PURGES = BACKENDS[1:]
INSPECT = "Responses_API.weather_app_advanced_sessions.inspect_db"
PASSWORD = "hunter2pw"
SERVER = f"postgresql+psycopg://ada:{PASSWORD}@127.0.0.1:1/tutorial"
SERVER_SHOWN = "postgresql+psycopg://ada:***@127.0.0.1:1/tutorial"


def bad_settings(tmp_path) -> dict[str, tuple[dict[str, str], str]]:
    """name: (environment, the line that must say what is wrong)."""
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"not a database" * 100)
    return {
        "unknown database": (
            {"DATABASE_URL": "nope://x"},
            "DATABASE_URL 'nope://x' cannot be used: Can't load plugin: sqlalchemy.dialects:nope",
        ),
        "corrupt file": (
            {"DATABASE_URL": f"sqlite:///{corrupt}"},
            f"DATABASE_URL 'sqlite:///{corrupt}' cannot be used: file is not a database",
        ),
        "server with a password": ({"DATABASE_URL": SERVER}, server_refused(SERVER_SHOWN)),
        "bad timeout": (
            {"OPENAI_TIMEOUT": "nan", "DATABASE_URL": f"sqlite:///{tmp_path / 'ok.db'}"},
            "OPENAI_TIMEOUT must be a number from 1 to 3600, not 'nan'.",
        ),
    }


CASES = ["unknown database", "corrupt file", "server with a password", "bad timeout"]


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setenv("OPENAI_OFFLINE", "1")


def last_line_only(stderr: str) -> str:
    """The one line after the offline notice."""
    lines = [line for line in stderr.splitlines() if not line.startswith("offline: ")]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_backend_stops_with_one_line(run_script, tmp_path, offline, flask_runs, backend, case):
    env, line = bad_settings(tmp_path)[case]

    result = run_script(backend, env=env)

    assert (result.exit_code, flask_runs) == (2, [])
    assert last_line_only(result.stderr) == line
    assert PASSWORD not in result.stderr + result.stdout


@pytest.mark.parametrize(("app", "case"), [(app, case) for app in PURGES for case in CASES] + [(PURGES[0], "bad ttl")])
def test_purge_stops_with_one_line_and_exit_2(monkeypatch, tmp_path, offline, app, case):
    settings = bad_settings(tmp_path)
    settings["bad ttl"] = (
        {"CONVERSATION_TTL_MINUTES": "nan", "DATABASE_URL": f"sqlite:///{tmp_path / 'ok.db'}"},
        "CONVERSATION_TTL_MINUTES must be a number from 0.1 to 525600, not 'nan'.",
    )
    env, line = settings[case]
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    result = CliRunner().invoke(flask_cli, ["--app", app, "purge"])

    assert result.exit_code == 2
    assert last_line_only(result.stderr) == f"Error: {line}"
    assert "Traceback" not in result.output
    assert PASSWORD not in result.output


@pytest.mark.parametrize("case", ["unknown database", "server with a password"])
def test_inspect_db_stops_with_one_line(run_script, tmp_path, offline, case):
    env, line = bad_settings(tmp_path)[case]

    result = run_script(INSPECT, "stats", env=env)

    assert result.exit_code == 2
    assert last_line_only(result.stderr) == line
    assert PASSWORD not in result.stderr + result.stdout


def test_inspect_db_refuses_a_relative_sqlite_path_before_looking_for_it(run_script, tmp_path, offline, monkeypatch):
    monkeypatch.chdir(tmp_path)

    result = run_script(INSPECT, "stats", env={"DATABASE_URL": "sqlite:///x/y.db"})

    assert result.exit_code == 2
    assert last_line_only(result.stderr) == (
        f"DATABASE_URL 'sqlite:///x/y.db' names the relative path x/y.db, which would be {tmp_path}/x/y.db: "
        f"write sqlite:///{tmp_path}/x/y.db (an absolute path after sqlite:///) instead."
    )
    assert not (tmp_path / "x").exists()
