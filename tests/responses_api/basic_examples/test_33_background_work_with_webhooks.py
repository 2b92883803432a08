import datetime

import httpx
import pytest
import time_machine

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/33-background_work_with_webhooks.py"
QUESTIONS = [
    "Write a one-paragraph summary of what a community garden needs in winter.",
    "List five tools a community garden should buy before spring.",
]
REFUSED = "The '2h' completion window cannot be streamed: set stream to false or leave it out."


def refused(message: str = REFUSED) -> httpx.Response:
    body = payloads.api_error(message, type="invalid_request_error", param="stream")
    return httpx.Response(400, json=body, headers={"x-request-id": "req_b1"})


def queued(response_id: str) -> httpx.Response:
    body = payloads.response(output=[], id=response_id, status="queued", background=True, usage=None)
    return httpx.Response(200, json=body)


@pytest.mark.parametrize("window", ["2h", "8h"])
def test_a_streamed_window_is_refused_and_related_work_is_started_with_one_continuation_id(
    openai_api, run_script, window
):
    responses = openai_api.post("/responses").mock(
        side_effect=[refused(REFUSED.replace("2h", window)), queued("resp_a"), queued("resp_b")]
    )

    with time_machine.travel(datetime.datetime(2026, 12, 7, 9, tzinfo=datetime.UTC), tick=False):
        result = run_script(SCRIPT, *(["--window", window] if window != "2h" else []))

    assert (result.exit_code, result.stderr) == (0, "")
    streamed, first, second = (sent_json(responses, n) for n in range(3))
    assert streamed["stream"] is True
    assert streamed["background_options"] == {"completion_window": window}
    for body, question in ((first, QUESTIONS[0]), (second, QUESTIONS[1])):
        assert body["input"] == question
        assert body["background"] is True
        assert body["background_options"] == {
            "completion_window": window,
            "continuation_id": "garden-report-2026-12-07",
        }
        assert "stream" not in body
        assert "service_tier" not in body  # the discounted windows need Standard processing
    assert result.stdout.splitlines() == [
        f"A streamed {window} request is refused: OpenAI API error 400 (invalid_request_error): "
        f"{REFUSED.replace('2h', window)} [request id: req_b1]",
        "",
        f"Starting 2 related requests (completion window {window}, continuation garden-report-2026-12-07):",
        "  resp_a: queued",
        "  resp_b: queued",
        "",
        f"Nothing to poll: within {window}, OpenAI posts response.completed for each to your webhook endpoint,",
        "and the receiver prints its answer.",
    ]


def test_a_streamed_request_the_api_accepts_is_closed_unread(openai_api, run_script):
    stream = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=b"")
    openai_api.post("/responses").mock(side_effect=[stream, queued("resp_a"), queued("resp_b")])

    result = run_script(SCRIPT)

    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "A streamed 2h request was accepted; closed unread."


def test_a_window_that_is_not_offered_is_a_usage_error(run_script):
    result = run_script(SCRIPT, "--window", "1h")

    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "33-background_work_with_webhooks.py: error: argument --window: invalid choice: '1h' (choose from '2h', '8h')"
    )


def test_an_api_error_while_starting_is_one_line_and_exit_1(openai_api, run_script):
    openai_api.post("/responses").mock(side_effect=[refused(), queued("resp_a"), api_failure(429)])

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(429))
    assert result.stdout.splitlines()[-1] == "  resp_a: queued"
