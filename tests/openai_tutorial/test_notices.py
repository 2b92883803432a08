"""A script never waits for OpenAI in silence: each retry, and a slow answer, is one line on stderr."""

import asyncio
import logging
import threading

import httpx
import httpx2
import pytest

from openai_tutorial import notices
from openai_tutorial.client import get_async_client, get_client
from tests.support import payloads
from tests.support.helpers import PATIENCE, api_failure

LESSON = "Responses_API/Basic_examples/01-basic_example.py"


@pytest.fixture
def quick_retries(monkeypatch):
    """Two retries, each after the shortest wait the SDK allows (its own back-off is half a second and more)."""
    monkeypatch.setenv("OPENAI_MAX_RETRIES", "2")
    monkeypatch.setattr("openai._base_client.SyncAPIClient._calculate_retry_timeout", lambda *args: 0.0)


def test_each_retry_says_what_failed_and_which_retry_it_is(openai_api, run_script, quick_retries):
    openai_api.post("/responses").mock(
        side_effect=[httpx.ReadTimeout("no answer"), api_failure(500), httpx.Response(200, json=payloads.response())]
    )

    result = run_script(LESSON, env={"OPENAI_TIMEOUT": "30"})

    assert result.exit_code == 0
    assert result.stderr == (
        "OpenAI did not answer POST /v1/responses within 30 s; retrying in 0.0 s (retry 1 of 2).\n"
        "OpenAI answered POST /v1/responses with 500; retrying in 0.0 s (retry 2 of 2, the last).\n"
    )


def test_a_request_that_fails_every_try_says_each_retry_then_the_error(openai_api, run_script, quick_retries):
    openai_api.post("/responses").mock(side_effect=httpx.ConnectError("refused"))

    result = run_script(LESSON)

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Could not reach OpenAI for POST /v1/responses (ConnectError); retrying in 0.0 s (retry 1 of 2).",
        "Could not reach OpenAI for POST /v1/responses (ConnectError); retrying in 0.0 s (retry 2 of 2, the last).",
        "OpenAI API error (APIConnectionError): Connection error.",
    ]


def test_no_retries_no_notices(openai_api, run_script):
    openai_api.post("/responses").mock(side_effect=httpx.ReadTimeout("no answer"))

    result = run_script(LESSON)

    assert result.stderr == "OpenAI API error (APITimeoutError): Request timed out.\n"


def test_a_slow_answer_is_said_once_with_when_the_script_gives_up(openai_api, run_script, monkeypatch):
    monkeypatch.setattr(notices, "SLOW_AFTER_SECONDS", 0.01)
    said = threading.Event()
    notices.say_notices_on_stderr()  # as run() does; then hear when the notice is said
    notices.NOTICES.addHandler(WhenSaid(said))

    def slow_answer(request):
        assert said.wait(PATIENCE)  # the notice comes while OpenAI has not answered yet
        return httpx.Response(200, json=payloads.response())

    openai_api.post("/responses").mock(side_effect=slow_answer)

    result = run_script(LESSON, env={"OPENAI_TIMEOUT": "90"})

    assert result.exit_code == 0
    assert result.stderr == (
        "Still waiting for OpenAI to answer POST /v1/responses: 0.01 s so far; "
        "it gives up after 90 s (OPENAI_TIMEOUT).\n"
    )


def test_a_backend_says_no_notices_and_starts_no_timers(openai_api, monkeypatch):
    """Outside ``run`` nothing is said, and no request pays for a timer."""
    monkeypatch.setattr(notices.threading, "Timer", None)
    openai_api.post("/responses").respond(json=payloads.response())

    get_client().responses.create(model="m", input="hi")

    assert notices.NOTICES.handlers == []


class WhenSaid(logging.Handler):
    def __init__(self, said: threading.Event) -> None:
        super().__init__()
        self.said = said

    def emit(self, record) -> None:
        self.said.set()


def test_the_sdks_other_log_lines_are_not_notices(capsys):
    notices.say_notices_on_stderr()

    notices.SDK_LOG.info("Something else at %s", "info")

    assert capsys.readouterr().err == ""


class Terminal:
    """A stderr that shows only what was flushed, as a terminal behind a buffer does."""

    def __init__(self) -> None:
        self.pending, self.shown = "", ""

    def write(self, text: str) -> int:
        self.pending += text
        return len(text)

    def flush(self) -> None:
        self.shown, self.pending = self.shown + self.pending, ""


def test_a_notice_is_said_once_even_when_the_program_logs_to_stderr_too(capsys):
    root = logging.getLogger()
    heard = Heard()
    root.addHandler(heard)
    try:
        notices.say_notices_on_stderr()
        notices.NOTICES.warning("Still waiting for OpenAI.")
    finally:
        root.removeHandler(heard)

    assert (heard.records, capsys.readouterr().err) == ([], "Still waiting for OpenAI.\n")


class Heard(logging.Handler):
    """What reached the root logger, where a program's own logging.basicConfig() would print it a second time."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_notice_is_on_the_screen_at_once_not_when_the_buffer_fills(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    notices.say_notices_on_stderr()

    notices.NOTICES.warning("Still waiting for OpenAI.")

    assert (terminal.shown, terminal.pending) == ("Still waiting for OpenAI.\n", "")


def test_an_async_clients_retries_say_what_failed_too(openai_api, monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_MAX_RETRIES", "1")
    monkeypatch.setattr("openai._base_client.AsyncAPIClient._calculate_retry_timeout", lambda *args: 0.0)
    openai_api.post("/responses").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json=payloads.response())]
    )
    notices.say_notices_on_stderr()

    async def ask():
        async with get_async_client() as client:
            return await client.responses.create(model="gpt-5.4-mini", input="hi")

    asyncio.run(ask())

    assert capsys.readouterr().err == (
        "Could not reach OpenAI for POST /v1/responses (ConnectError); retrying in 0.0 s (retry 1 of 1, the last).\n"
    )


def test_a_request_without_the_sdks_timeout_has_no_time_to_say():
    assert notices.read_timeout(httpx2.Request("POST", "https://api.openai.com/v1/responses")) is None
