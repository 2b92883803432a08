import json

import httpx

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/10-structured_output.py"
EVENT = {
    "name": "Science fair",
    "date": "Friday",
    "location": "Town hall",
    "participants": ["Alice", "Bob"],
}
SHOWN_EVENT = [
    "  name:         Science fair",
    "  date:         Friday",
    "  location:     Town hall",
    "  participants: Alice, Bob",
]


def test_extracts_with_a_strict_schema_then_with_responses_parse(openai_api, run_script):
    route = openai_api.post("/responses").respond(json=payloads.response(json.dumps(EVENT)))

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert route.call_count == 2
    raw_format = sent_json(route, 0)["text"]["format"]
    assert raw_format["type"] == "json_schema"
    assert raw_format["name"] == "calendar_event"
    assert raw_format["strict"] is True
    schema = raw_format["schema"]
    assert set(schema["required"]) == set(schema["properties"])
    assert schema["additionalProperties"] is False
    assert schema["properties"]["location"]["type"] == ["string", "null"]
    parse_format = sent_json(route, 1)["text"]["format"]
    assert (parse_format["type"], parse_format["name"], parse_format["strict"]) == (
        "json_schema",
        "CalendarEvent",
        True,
    )
    assert set(parse_format["schema"]["required"]) == {"name", "date", "location", "participants"}
    assert parse_format["schema"]["additionalProperties"] is False
    for call in range(2):
        assert (
            sent_json(route, call)["input"] == "Alice and Bob are going to a science fair on Friday at the town hall."
        )
        assert sent_json(route, call)["instructions"] == "Extract the event from the user's text."
    assert result.stdout.splitlines() == [
        "1. text.format with a strict JSON schema:",
        f"  raw reply: {json.dumps(EVENT)}",
        *SHOWN_EVENT,
        "",
        "2. responses.parse with a Pydantic model:",
        *SHOWN_EVENT,
    ]


def test_a_null_location_is_shown_as_not_given(openai_api, run_script):
    openai_api.post("/responses").respond(json=payloads.response(json.dumps({**EVENT, "location": None})))

    result = run_script(SCRIPT, "Alice", "and", "Bob", "meet", "on", "Friday.")

    assert result.stdout.count("  location:     (not given)\n") == 2


def test_a_refusal_is_reported_not_parsed(openai_api, run_script):
    route = openai_api.post("/responses").respond(
        json=payloads.response(
            output=[payloads.reasoning(), payloads.refusal_message("I can't help with that request.")]
        )
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert route.call_count == 1
    assert result.stdout.endswith("  The model refused: I can't help with that request.\n")


def test_a_refusal_from_responses_parse_is_reported(openai_api, run_script):
    openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(200, json=payloads.response(json.dumps(EVENT))),
            httpx.Response(200, json=payloads.response(output=[payloads.refusal_message("No.")])),
        ]
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert result.stdout.endswith("2. responses.parse with a Pydantic model:\n  The model refused: No.\n")


def test_a_reply_that_does_not_fit_the_schema_is_reported(openai_api, run_script):
    openai_api.post("/responses").respond(json=payloads.response('{"name": "Science fair", "da'))

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert result.stdout.endswith("  The reply does not fit the schema (1 errors); was it cut short?\n")


def test_api_error_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.post("/responses").mock(return_value=api_failure(500))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(500))


def test_offline_a_request_a_model_refuses_shows_the_refusal_branch(run_script, monkeypatch):
    monkeypatch.setenv("OPENAI_OFFLINE", "1")

    result = run_script(SCRIPT, "How do I make a bomb?")

    assert result.exit_code == 1
    assert result.stdout == (
        "1. text.format with a strict JSON schema:\n  The model refused: I'm sorry, but I can't help with that.\n"
    )
