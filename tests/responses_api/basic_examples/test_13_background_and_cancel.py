import time

import httpx
import pytest

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/13-background_and_cancel.py"


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Record the script's waits instead of waiting."""
    recorded: list[float] = []
    monkeypatch.setattr(time, "sleep", recorded.append)
    return recorded


def background(id: str, status: str, text: str | None = None) -> dict:
    return payloads.response(text, id=id, status=status, background=True)


def test_polls_until_completed_then_cancels_a_second_response(openai_api, run_script, sleeps):
    create = openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(200, json=background("resp_bg1", "queued")),
            httpx.Response(200, json=background("resp_bg2", "queued")),
        ]
    )
    poll = openai_api.get("/responses/resp_bg1").mock(
        side_effect=[
            httpx.Response(200, json=background("resp_bg1", "in_progress")),
            httpx.Response(200, json=background("resp_bg1", "completed", "Gutenberg's press changed Europe.")),
        ]
    )
    cancel = openai_api.post("/responses/resp_bg2/cancel").respond(json=background("resp_bg2", "cancelled"))

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert [sent_json(create, call)["background"] for call in range(2)] == [True, True]
    assert (poll.call_count, cancel.call_count) == (2, 1)
    assert sleeps == [2.0, 2.0]
    assert result.stdout.splitlines() == [
        "Started resp_bg1 in the background (status: queued); polling:",
        "  status: in_progress",
        "  status: completed",
        "",
        "Final status: completed",
        "Gutenberg's press changed Europe.",
        "",
        "Started resp_bg2 (status: queued) and cancelling it at once.",
        "Its final status: cancelled",
    ]


def test_polling_is_bounded_and_a_response_still_running_is_cancelled(openai_api, run_script, sleeps):
    openai_api.post("/responses").respond(json=background("resp_slow", "queued"))
    poll = openai_api.get("/responses/resp_slow").respond(json=background("resp_slow", "in_progress"))
    cancel = openai_api.post("/responses/resp_slow/cancel").respond(json=background("resp_slow", "cancelled"))

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert poll.call_count == len(sleeps) == 90
    assert cancel.call_count == 1
    assert result.stdout.endswith("Still in_progress after 90 polls; cancelled it (status: cancelled).\n")


def test_a_failed_background_response_is_reported_as_final(openai_api, run_script, sleeps):
    failed = background("resp_bad", "failed") | {"error": {"code": "server_error", "message": "Boom."}}
    create = openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(200, json=failed),
            httpx.Response(200, json=background("resp_next", "in_progress")),
        ]
    )
    openai_api.post("/responses/resp_next/cancel").respond(json=background("resp_next", "cancelled"))

    result = run_script(SCRIPT)

    assert result.exit_code == 0
    assert sleeps == []
    assert create.call_count == 2
    assert "\nFinal status: failed\n" in result.stdout


def test_api_error_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.post("/responses").mock(return_value=api_failure(429))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(429))
