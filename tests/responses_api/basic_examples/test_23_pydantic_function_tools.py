import json

import httpx

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/23-pydantic_function_tools.py"
TOOL = {
    "type": "function",
    "name": "GetLocalTime",
    "description": "Get the current local date and time in a time zone.",
    "strict": True,
    "parameters": {
        "type": "object",
        "properties": {
            "timezone": {
                "type": "string",
                "title": "Timezone",
                "description": "An IANA time zone name, such as Europe/Paris.",
            }
        },
        "required": ["timezone"],
        "title": "GetLocalTime",
        "description": "Get the current local date and time in a time zone.",
        "additionalProperties": False,
    },
}


DAY_TOOL = {
    **TOOL,
    "name": "GetDayOfWeek",
    "description": "Get today's day of the week in a time zone.",
    "parameters": {
        **TOOL["parameters"],
        "title": "GetDayOfWeek",
        "description": "Get today's day of the week in a time zone.",
    },
}


def calls(*zones: str, name: str = "GetLocalTime") -> httpx.Response:
    output = [payloads.function_call(name, {"timezone": z}, call_id=f"call_{z}") for z in zones]
    return httpx.Response(200, json=payloads.response(output=output))


def test_a_pydantic_tool_is_forced_then_called_one_at_a_time_with_parsed_arguments(openai_api, run_script):
    route = openai_api.post("/responses").mock(
        side_effect=[
            calls("Asia/Tokyo"),
            calls("Mars/Olympus"),
            httpx.Response(200, json=payloads.response("Done.")),
            calls("Australia/Sydney", name="GetDayOfWeek"),
        ]
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    first, second = sent_json(route, 0), sent_json(route, 1)
    assert first["tools"] == [TOOL]
    assert first["tool_choice"] == {"type": "function", "name": "GetLocalTime"}
    assert first["parallel_tool_calls"] is False
    assert "tool_choice" not in second
    assert second["previous_response_id"] == route.calls[0].response.json()["id"]
    (output,) = second["input"]
    assert output["call_id"] == "call_Asia/Tokyo"
    assert json.loads(output["output"])["timezone"] == "Asia/Tokyo"
    lines = result.stdout.splitlines()
    assert lines[0].startswith("GetLocalTime(timezone='Asia/Tokyo') -> {'timezone': 'Asia/Tokyo', 'local_time': ")
    assert lines[1] == "GetLocalTime(timezone='Mars/Olympus') -> {'error': \"unknown time zone 'Mars/Olympus'\"}"
    assert lines[2:] == [
        "",
        "Done.",
        "",
        "Which day of the week is it in Sydney? (both tools sent, only GetDayOfWeek allowed)",
        "GetDayOfWeek(timezone='Australia/Sydney')",
    ]
    allowed = sent_json(route, 3)
    assert allowed["tools"] == [TOOL, DAY_TOOL]
    assert allowed["tool_choice"] == {
        "type": "allowed_tools",
        "mode": "auto",
        "tools": [{"type": "function", "name": "GetDayOfWeek"}],
    }


def test_the_loop_is_bounded(openai_api, run_script):
    openai_api.post("/responses").mock(side_effect=lambda request: calls("Europe/Paris"))

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert result.stderr == "\nThe model was still calling functions after 5 rounds; stopping.\n"


def test_api_error_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.post("/responses").mock(return_value=api_failure(401))

    assert run_script(SCRIPT).stderr == api_failure_line(401)
