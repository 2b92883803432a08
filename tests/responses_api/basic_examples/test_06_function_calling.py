import json
from datetime import UTC, datetime

import httpx
import pytest
import time_machine

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/06-function_calling.py"


@pytest.fixture(autouse=True)
def noon_utc():
    with time_machine.travel(datetime(2026, 11, 22, 12, 0, tzinfo=UTC), tick=False):
        yield


def outputs_sent(route, call: int = -1) -> dict[str, dict]:
    """The function_call_output items of one request, by call_id, with their output parsed."""
    return {item["call_id"]: json.loads(item["output"]) for item in sent_json(route, call)["input"]}


def test_runs_each_call_sends_outputs_by_call_id_then_prints_the_answer(openai_api, run_script):
    calls = [
        payloads.function_call("get_local_time", {"timezone": "Asia/Tokyo"}, call_id="call_tokyo"),
        payloads.function_call("get_local_time", {"timezone": "Europe/Lisbon"}, call_id="call_lisbon"),
    ]
    route = openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(200, json=payloads.response(output=calls, id="resp_calls")),
            httpx.Response(200, json=payloads.response("It is 21:00 in Tokyo and 12:00 in Lisbon.")),
        ]
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert route.call_count == 2
    first, second = sent_json(route, 0), sent_json(route, 1)
    assert first["input"] == "What time is it right now in Tokyo and in Lisbon?"
    (tool,) = first["tools"]
    assert tool["type"] == "function"
    assert tool["name"] == "get_local_time"
    assert tool["strict"] is True
    assert tool["parameters"]["required"] == ["timezone"]
    assert tool["parameters"]["additionalProperties"] is False
    assert second["previous_response_id"] == "resp_calls"
    assert second["tools"] == first["tools"]
    assert [item["type"] for item in second["input"]] == ["function_call_output"] * 2
    assert outputs_sent(route) == {
        "call_tokyo": {"timezone": "Asia/Tokyo", "local_time": "2026-11-22T21:00+09:00"},
        "call_lisbon": {"timezone": "Europe/Lisbon", "local_time": "2026-11-22T12:00+00:00"},
    }
    assert result.stdout.splitlines() == [
        'get_local_time({"timezone": "Asia/Tokyo"}) -> {"timezone": "Asia/Tokyo", '
        '"local_time": "2026-11-22T21:00+09:00"}',
        'get_local_time({"timezone": "Europe/Lisbon"}) -> {"timezone": "Europe/Lisbon", '
        '"local_time": "2026-11-22T12:00+00:00"}',
        "",
        "It is 21:00 in Tokyo and 12:00 in Lisbon.",
    ]


def test_bad_calls_are_answered_with_error_outputs_instead_of_crashing(openai_api, run_script):
    calls = [
        payloads.function_call("get_local_time", '{"timezone": "Asia/Tok', call_id="call_truncated"),
        payloads.function_call("get_local_time", {"zone": "UTC"}, call_id="call_wrong_key"),
        payloads.function_call("get_local_time", {"timezone": "Mars/Olympus_Mons"}, call_id="call_unknown_zone"),
        payloads.function_call("get_local_time", {"timezone": "../etc"}, call_id="call_bad_zone_name"),
        payloads.function_call("get_weather", {"place": "Oslo"}, call_id="call_unknown_function"),
    ]
    route = openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(200, json=payloads.response(output=calls)),
            httpx.Response(200, json=payloads.response("Sorry, I could not look those up.")),
        ]
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    errors = {call_id: output["error"] for call_id, output in outputs_sent(route).items()}
    assert errors["call_truncated"].startswith("bad arguments for get_local_time: Unterminated string")
    assert errors["call_wrong_key"].startswith("bad arguments for get_local_time: ")
    assert "unexpected keyword argument 'zone'" in errors["call_wrong_key"]
    assert errors["call_unknown_zone"] == "bad arguments for get_local_time: unknown time zone 'Mars/Olympus_Mons'"
    assert errors["call_bad_zone_name"] == "bad arguments for get_local_time: unknown time zone '../etc'"
    assert errors["call_unknown_function"] == "no function named 'get_weather'"
    assert result.stdout.endswith("\nSorry, I could not look those up.\n")


def test_the_loop_gives_up_after_five_rounds_of_calls(openai_api, run_script):
    calls = [payloads.function_call("get_local_time", {"timezone": "UTC"})]
    route = openai_api.post("/responses").respond(json=payloads.response(output=calls))

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert route.call_count == 6
    assert result.stderr == "\nThe model was still calling functions after 5 rounds; stopping.\n"


def test_an_answer_without_calls_needs_one_request(openai_api, run_script):
    route = openai_api.post("/responses").respond(json=payloads.response("I can only tell the time."))

    result = run_script(SCRIPT, "What's", "the", "weather?")

    assert (result.exit_code, result.stdout) == (0, "\nI can only tell the time.\n")
    assert sent_json(route)["input"] == "What's the weather?"


def test_api_error_while_sending_outputs_prints_one_line_and_exits_1(openai_api, run_script):
    calls = [payloads.function_call("get_local_time", {"timezone": "UTC"})]
    openai_api.post("/responses").mock(
        side_effect=[httpx.Response(200, json=payloads.response(output=calls)), api_failure(500)]
    )

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(500))
