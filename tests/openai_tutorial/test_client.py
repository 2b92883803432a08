"""The shared client factory: configuration, one client per process, and friendly exits."""

import asyncio
import inspect
import json
import subprocess
import sys
from pathlib import Path

import httpx2
import openai
import pytest
from openai.types.shared import chat_model

from openai_tutorial import client as client_module
from openai_tutorial.client import (
    DEFAULT_MODEL,
    MissingAPIKeyError,
    UsageError,
    get_client,
    get_model,
    run,
)
from tests.conftest import PATIENCE, REPO_ROOT
from tests.support import payloads


def write_dotenv(text: str) -> None:
    (client_module.REPO_ROOT / ".env").write_text(text)


def test_default_model_is_not_on_the_sdk_deprecation_list():
    deprecations = inspect.getsource(chat_model).split('"""Deprecated values:')[1]

    assert get_model() == DEFAULT_MODEL
    assert f'"{DEFAULT_MODEL}"' in inspect.getsource(chat_model).split('"""Deprecated values:')[0]
    assert f'"{DEFAULT_MODEL}"' not in deprecations


def test_model_override_from_the_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_MODEL", "gpt-5.5")

    assert get_model() == "gpt-5.5"


def test_dotenv_at_the_repository_root_is_read_from_any_working_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("OPENAI_API_KEY")
    write_dotenv("OPENAI_API_KEY=sk-from-dotenv\nOPENAI_MODEL=gpt-from-dotenv\n")
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)

    assert get_model() == "gpt-from-dotenv"
    assert get_client().api_key == "sk-from-dotenv"


def test_real_environment_variables_win_over_dotenv(monkeypatch):
    write_dotenv("OPENAI_API_KEY=sk-from-dotenv\nOPENAI_MODEL=gpt-from-dotenv\n")
    monkeypatch.setenv("OPENAI_MODEL", "gpt-from-environment")

    assert get_model() == "gpt-from-environment"
    assert get_client().api_key == "sk-test-0123456789"


def test_one_client_per_process():
    assert get_client() is get_client()


def test_timeout_and_retries_have_defaults_and_can_be_set(monkeypatch):
    monkeypatch.delenv("OPENAI_MAX_RETRIES")
    default_client = get_client()
    assert (default_client.timeout, default_client.max_retries) == (120.0, 2)

    get_client.cache_clear()
    monkeypatch.setenv("OPENAI_TIMEOUT", "12.5")
    monkeypatch.setenv("OPENAI_MAX_RETRIES", "5")
    configured_client = get_client()
    assert (configured_client.timeout, configured_client.max_retries) == (12.5, 5)


BAD_NUMBERS = ["soon", "nan", "inf", "-5", "1e9", "١٢", "12s"]


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        *(("OPENAI_TIMEOUT", value, "a number from 1 to 3600") for value in [*BAD_NUMBERS, "0"]),
        *(("OPENAI_MAX_RETRIES", value, "a whole number from 0 to 10") for value in [*BAD_NUMBERS, "2.5"]),
        *(("OPENAI_OFFLINE_STREAM_DELAY", value, "a number from 0 to 5") for value in BAD_NUMBERS),
    ],
)
def test_a_client_setting_out_of_its_range_is_a_configuration_error(monkeypatch, name, value, allowed):
    monkeypatch.setenv("OPENAI_OFFLINE", "1")
    monkeypatch.setenv(name, value)

    with pytest.raises(UsageError) as raised:
        get_client()

    assert str(raised.value) == f"{name} must be {allowed}, not {value!r}."


@pytest.mark.parametrize("url", ["not a url", "ftp://example.com/v1", "http://", "//example.com/v1", "http://[::1"])
def test_a_base_url_that_is_not_an_http_url_is_a_configuration_error(monkeypatch, url):
    monkeypatch.setenv("OPENAI_BASE_URL", url)

    with pytest.raises(UsageError) as raised:
        get_client()

    assert str(raised.value) == (
        f"OPENAI_BASE_URL must be an http(s) URL such as https://api.openai.com/v1, not {url!r}."
    )


def test_base_url_override_sends_requests_to_that_server(monkeypatch, openai_api):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1")
    route = openai_api.post("http://127.0.0.1:8080/v1/responses").respond(json=payloads.response("local"))

    reply = get_client().responses.create(model=get_model(), input="hi")

    assert reply.output_text == "local"
    assert route.call_count == 1


def test_an_https_base_url_is_used_as_given(monkeypatch, openai_api):
    monkeypatch.setenv("OPENAI_BASE_URL", "https://gateway.example/openai/v1")
    route = openai_api.post("https://gateway.example/openai/v1/responses").respond(json=payloads.response("via proxy"))

    assert get_client().responses.create(model=get_model(), input="hi").output_text == "via proxy"
    assert route.call_count == 1


def test_a_setting_at_either_end_of_its_range_is_accepted(monkeypatch):
    monkeypatch.setenv("OPENAI_TIMEOUT", "3600")
    monkeypatch.setenv("OPENAI_MAX_RETRIES", "0")

    assert (get_client().timeout, get_client().max_retries) == (3600.0, 0)


def test_the_offline_stand_in_streams_and_answers_at_its_default_pace_unless_told(monkeypatch):
    monkeypatch.setenv("OPENAI_OFFLINE", "1")
    monkeypatch.delenv("OPENAI_OFFLINE_LATENCY")
    assert client_module.client_options()["offline"]["stream_delay"] == 0.05
    assert client_module.client_options()["offline"]["latency"] == 0.1
    assert client_module.answered_offline() is True
    monkeypatch.setenv("OPENAI_OFFLINE_STREAM_DELAY", "0")
    monkeypatch.setenv("OPENAI_OFFLINE_LATENCY", "1.5")
    assert client_module.client_options()["offline"]["stream_delay"] == 0.0
    assert client_module.client_options()["offline"]["latency"] == 1.5
    monkeypatch.setenv("OPENAI_OFFLINE", "0")
    assert client_module.answered_offline() is False


def test_the_http_client_is_synchronous_unless_asked(monkeypatch):
    assert isinstance(client_module.http_client(), httpx2.Client)
    assert isinstance(client_module.http_client(asynchronous=True), httpx2.AsyncClient)


def test_the_async_client_works_offline(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.setenv("OPENAI_OFFLINE_STREAM_DELAY", "0")

    async def ask():
        async with client_module.get_async_client() as client:
            return await client.responses.create(model=get_model(), input="Say hello.")

    assert asyncio.run(ask()).output_text


def test_an_empty_exported_key_with_no_dotenv_key_is_simply_missing(monkeypatch):
    write_dotenv("OPENAI_MODEL=gpt-5.4\n")
    monkeypatch.setenv("OPENAI_API_KEY", "")
    monkeypatch.setenv("OPENAI_OFFLINE", "0")

    with pytest.raises(MissingAPIKeyError) as raised:
        get_client()

    assert "copy .env.example to .env" in str(raised.value)


def test_with_offline_mode_off_a_missing_key_raises_one_error_that_says_what_to_do(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.setenv("OPENAI_OFFLINE", "0")

    with pytest.raises(MissingAPIKeyError) as raised:
        get_client()

    assert "copy .env.example to .env" in str(raised.value)


def test_an_empty_key_counts_as_missing(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "")
    monkeypatch.setenv("OPENAI_OFFLINE", "0")

    with pytest.raises(MissingAPIKeyError):
        get_client()


def run_and_capture(main, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        run(main)
    captured = capsys.readouterr()
    return exited.value.code, captured.out, captured.err


def test_run_exits_0_after_main_and_passes_on_its_status(capsys):
    assert run_and_capture(lambda: print("done"), capsys) == (0, "done\n", "")
    assert run_and_capture(lambda: 3, capsys) == (3, "", "")


def test_run_turns_a_missing_key_into_the_hint_and_status_2(monkeypatch, capsys):
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.setenv("OPENAI_OFFLINE", "0")

    status, out, err = run_and_capture(get_client, capsys)

    assert (status, out) == (2, "")
    assert err == (
        "OPENAI_API_KEY is not set: copy .env.example to .env and put your key in it (or export OPENAI_API_KEY).\n"
    )


def test_run_turns_an_api_error_into_one_line_and_status_1(openai_api, capsys):
    openai_api.post("/responses").respond(
        404,
        json=payloads.api_error("The model 'gpt-9' does not exist.", type="invalid_request_error"),
        headers={"x-request-id": "req_42"},
    )

    status, _, err = run_and_capture(lambda: get_client().responses.create(model="gpt-9", input="hi"), capsys)

    assert status == 1
    assert (
        err == "OpenAI API error 404 (invalid_request_error): The model 'gpt-9' does not exist. [request id: req_42]\n"
    )


def test_an_api_error_without_a_json_body_or_request_id_still_gives_one_line(openai_api, capsys):
    openai_api.post("/responses").respond(502, text="Bad gateway")

    status, _, err = run_and_capture(lambda: get_client().responses.create(model="m", input="hi"), capsys)

    assert status == 1
    assert err == "OpenAI API error 502 (unknown): Error code: 502 [request id: none]\n"


def test_a_connection_failure_gives_one_line_and_status_1(openai_api, capsys):
    openai_api.post("/responses").mock(side_effect=httpx2.ConnectTimeout("timed out"))

    status, _, err = run_and_capture(lambda: get_client().responses.create(model="m", input="hi"), capsys)

    assert status == 1
    assert err == "OpenAI API error (APITimeoutError): Request timed out.\n"


def test_run_ends_quietly_on_ctrl_c(capsys):
    def interrupted():
        raise KeyboardInterrupt

    assert run_and_capture(interrupted, capsys) == (130, "", "\nInterrupted.\n")


def test_the_factory_imports_from_any_directory_without_path_edits(tmp_path):
    probe = "import json, openai_tutorial.client as c; print(json.dumps([str(c.REPO_ROOT), c.get_model()]))"
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PATH": "", "OPENAI_MODEL": "probe-model"},
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        check=True,
    )

    assert json.loads(completed.stdout) == [str(REPO_ROOT), "probe-model"]


def test_other_sdk_errors_are_not_swallowed():
    def broken():
        raise openai.OpenAIError("not an API error")

    with pytest.raises(openai.OpenAIError, match="not an API error"):
        run(broken)


OFFLINE_NOTICE = (
    "offline: OPENAI_API_KEY is not set, so replies come from the built-in offline stand-in (no network, no cost); "
    "put your key in .env to use OpenAI\n"
)


def test_without_a_key_the_client_is_the_offline_stand_in_and_says_so_once(monkeypatch, capsys):
    monkeypatch.delenv("OPENAI_API_KEY")

    first = get_client().responses.create(model=get_model(), input="hi")
    get_client.cache_clear()
    second = get_client().responses.create(model=get_model(), input="hi")

    assert first.output_text.startswith("This is the offline stand-in")
    assert second.output_text == first.output_text
    assert capsys.readouterr() == ("", OFFLINE_NOTICE)


def test_offline_1_forces_the_stand_in_even_with_a_key(monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_OFFLINE", "1")

    response = get_client().responses.create(model=get_model(), input="hi")

    assert response.output_text.startswith("This is the offline stand-in")
    assert get_client().api_key == "offline"  # the real key goes nowhere, not even in-process
    assert capsys.readouterr().err == (
        "offline: OPENAI_OFFLINE=1 is set, so replies come from the built-in offline stand-in (no network, no cost); "
        "unset it to use OpenAI\n"
    )


def test_offline_0_with_a_key_talks_to_the_api(monkeypatch, openai_api, capsys):
    monkeypatch.setenv("OPENAI_OFFLINE", "0")
    openai_api.post("/responses").respond(json=payloads.response("from the API"))

    assert get_client().responses.create(model=get_model(), input="hi").output_text == "from the API"
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("value", ["yes", "true", "2"])
def test_offline_takes_only_0_or_1(monkeypatch, value):
    monkeypatch.setenv("OPENAI_OFFLINE", value)

    with pytest.raises(UsageError) as raised:
        get_client()

    assert str(raised.value) == f"OPENAI_OFFLINE must be 1 (always offline) or 0 (never offline), not {value!r}."


def test_the_offline_state_lives_under_the_repository_unless_moved(monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_OFFLINE", "1")
    get_client().conversations.create()
    default_state = client_module.REPO_ROOT / ".offline" / "state.sqlite3"

    moved = tmp_path / "elsewhere" / "state.sqlite3"
    monkeypatch.setenv("OPENAI_OFFLINE_STATE", str(moved))
    get_client.cache_clear()
    get_client().conversations.create()

    assert default_state.is_file()
    assert moved.is_file()


def test_the_offline_state_is_ignored_by_git():
    ignored = subprocess.run(
        ["git", "check-ignore", ".offline/state.sqlite3"], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )

    assert ignored.stdout == ".offline/state.sqlite3\n"


def test_an_empty_exported_key_that_hides_the_one_in_dotenv_is_named(monkeypatch, capsys):
    write_dotenv("OPENAI_API_KEY=sk-from-dotenv\n")
    monkeypatch.setenv("OPENAI_API_KEY", "")

    get_client()
    monkeypatch.setenv("OPENAI_OFFLINE", "0")
    get_client.cache_clear()
    with pytest.raises(MissingAPIKeyError) as raised:
        get_client()

    assert capsys.readouterr().err == (
        "offline: OPENAI_API_KEY is set but empty in your environment, which hides the key in .env, so replies come "
        "from the built-in offline stand-in (no network, no cost); run 'unset OPENAI_API_KEY' to use the key in .env\n"
    )
    assert str(raised.value) == (
        "OPENAI_API_KEY is set but empty in your environment, which hides the key in .env: "
        "run 'unset OPENAI_API_KEY', or export your key."
    )


def test_run_turns_a_file_that_cannot_be_read_into_one_line_and_status_2(capsys):
    def main():
        raise PermissionError(13, "Permission denied", "/home/ada/secret.png")

    assert run_and_capture(main, capsys) == (2, "", "Cannot use /home/ada/secret.png: Permission denied.\n")


def test_run_names_no_file_when_the_error_has_none(capsys):
    def main():
        raise OSError(5, "Input/output error")

    assert run_and_capture(main, capsys) == (2, "", "Cannot use a file: Input/output error.\n")


def test_run_turns_text_that_is_not_utf8_into_one_line_and_status_2(capsys):
    def main():
        "prompt \udcff".encode()

    assert run_and_capture(main, capsys) == (
        2,
        "",
        "An argument, file name or setting is not valid text (UTF-8); check what you typed.\n",
    )


def test_a_prompt_argument_that_is_not_utf8_never_reaches_the_api(run_script):
    result = run_script("Responses_API/Basic_examples/01-basic_example.py", "caf\udce9")

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "An argument, file name or setting is not valid text (UTF-8); check what you typed.\n"


@pytest.mark.parametrize(
    "script",
    [
        "Conversation_API/Basic_examples/03-retrieve_metadata.py",
        "Conversation_API/Basic_examples/02-update_metadata.py",
    ],
)
def test_an_empty_id_argument_is_a_usage_error(run_script, script):
    arguments = ["", "topic=x"] if script.endswith("update_metadata.py") else [""]

    result = run_script(script, *arguments)

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith("error: argument conversation_id: an id cannot be empty\n")
    assert "Traceback" not in result.stderr


def not_a_database(folder: Path) -> Path:
    (folder / "state.sqlite3").write_bytes(b"someone else's file" * 10)
    return folder / "state.sqlite3"


def a_folder(folder: Path) -> Path:
    (folder / "state.sqlite3").mkdir()
    return folder / "state.sqlite3"


def in_a_file(folder: Path) -> Path:
    (folder / "notes.txt").write_text("x")
    return folder / "notes.txt" / "state.sqlite3"


@pytest.mark.parametrize(
    ("state_at", "reason"),
    [
        (not_a_database, "file is not a database"),
        (a_folder, "unable to open database file"),
        (in_a_file, "File exists"),
    ],
)
def test_an_offline_state_file_that_cannot_be_used_is_one_line_and_exit_2(run_script, tmp_path, state_at, reason):
    state = state_at(tmp_path)

    result = run_script(
        "Responses_API/Basic_examples/01-basic_example.py",
        env={"OPENAI_OFFLINE": "1", "OPENAI_OFFLINE_STATE": str(state)},
    )

    assert result.exit_code == 2
    assert result.stderr.splitlines()[1:] == [
        f"The offline stand-in cannot use its state file {state} ({reason}): delete it, "
        "or set OPENAI_OFFLINE_STATE to another file."
    ]


def test_a_backend_refuses_to_start_on_an_offline_state_file_it_cannot_use(run_script, tmp_path, flask_runs):
    state = tmp_path / "state.sqlite3"
    state.write_text("this is someone else's file")

    result = run_script(
        "Responses_API/stateless_weather_app/backend.py",
        env={"OPENAI_OFFLINE": "1", "OPENAI_OFFLINE_STATE": str(state)},
    )

    assert (result.exit_code, flask_runs) == (2, [])
    assert result.stderr.splitlines()[-1] == (
        f"The offline stand-in cannot use its state file {state} (file is not a database): delete it, "
        "or set OPENAI_OFFLINE_STATE to another file."
    )
    assert state.read_text() == "this is someone else's file"
