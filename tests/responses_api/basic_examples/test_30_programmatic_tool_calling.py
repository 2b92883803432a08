import httpx

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/30-programmatic_tool_calling.py"
QUESTION = (
    "Which of desk-lamp, ergonomic-keyboard and usb-c-dock should we reorder this week, and how many of each? "
    "Keep a safety stock of 5: reorder max(forecast + 5 - available - inbound, 0)."
)
INSTRUCTIONS = "Get every figure for every product before you answer; never guess a number."
NAMES = ["get_inventory", "get_weekly_demand", "get_inbound_units"]
CODE = "const n = await tools.get_inventory({sku: 'desk-lamp'});\nreturn n;"
PROGRAM = {
    "id": "prog_1",
    "type": "program",
    "call_id": "call_prog",
    "code": CODE,
    "fingerprint": "fp_sealed_by_openai",
}
FROM_PROGRAM = {"type": "program", "caller_id": "call_prog"}


def call(name: str, sku: str, call_id: str, caller: dict | None = None) -> dict:
    made = payloads.function_call(name, {"sku": sku}, call_id=call_id)
    return made if caller is None else {**made, "caller": caller}


def reply(*output: dict, input_tokens: int) -> httpx.Response:
    return httpx.Response(200, json=payloads.response(output=list(output), usage_=payloads.usage(input_tokens)))


PROGRAM_CALLS = [
    call("get_inventory", "desk-lamp", "call_a", FROM_PROGRAM),
    call("get_inbound_units", "usb-c-dock", "call_b", FROM_PROGRAM),
]
DIRECT_CALLS = [
    call("get_weekly_demand", "ergonomic-keyboard", "call_c"),
    call("get_inventory", "usb-c-dock", "call_d"),
]
PROGRAM_OUTPUT = {
    "id": "progo_1",
    "type": "program_output",
    "call_id": "call_prog",
    "status": "completed",
    "result": '{"reorder": 2}',
}


def test_the_program_its_calls_and_its_result_are_shown_and_both_ways_are_counted(openai_api, run_script):
    responses = openai_api.post("/responses").mock(
        side_effect=[
            reply(PROGRAM, *PROGRAM_CALLS, input_tokens=300),
            reply(PROGRAM_OUTPUT, payloads.message("Reorder 2 desk lamps."), input_tokens=350),
            reply(*DIRECT_CALLS, input_tokens=280),
            reply(payloads.message("Reorder some keyboards."), input_tokens=600),
        ]
    )

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (0, "")
    asked = [sent_json(responses, n) for n in range(4)]
    assert all(body["instructions"] == INSTRUCTIONS and "previous_response_id" not in body for body in asked)
    programmatic, direct = asked[0]["tools"], asked[2]["tools"]
    assert programmatic[-1] == {"type": "programmatic_tool_calling"}
    assert [(tool["name"], tool["allowed_callers"]) for tool in programmatic[:-1]] == [
        (n, ["programmatic"]) for n in NAMES
    ]
    assert [(tool["name"], tool["allowed_callers"]) for tool in direct] == [(n, ["direct"]) for n in NAMES]
    assert programmatic[0]["parameters"]["properties"]["sku"]["enum"] == [
        "desk-lamp",
        "ergonomic-keyboard",
        "usb-c-dock",
    ]
    user = {"role": "user", "content": QUESTION}
    assert asked[0]["input"] == asked[2]["input"] == [user]
    program_sent, *calls_sent = asked[1]["input"][1:4]
    assert program_sent == PROGRAM  # the fingerprint goes back as it came
    assert [(each["call_id"], each["caller"]) for each in calls_sent] == [
        ("call_a", FROM_PROGRAM),
        ("call_b", FROM_PROGRAM),
    ]
    assert asked[1]["input"][4:] == [
        {
            "type": "function_call_output",
            "call_id": "call_a",
            "output": '{"sku": "desk-lamp", "available_units": 12}',
            "caller": FROM_PROGRAM,
        },
        {
            "type": "function_call_output",
            "call_id": "call_b",
            "output": '{"sku": "usb-c-dock", "inbound_units": 0}',
            "caller": FROM_PROGRAM,
        },
    ]
    assert asked[3]["input"][3:] == [
        {
            "type": "function_call_output",
            "call_id": "call_c",
            "output": '{"sku": "ergonomic-keyboard", "forecast_units": 16}',
        },
        {"type": "function_call_output", "call_id": "call_d", "output": '{"sku": "usb-c-dock", "available_units": 22}'},
    ]
    assert result.stdout.splitlines() == [
        "1. The model writes a program that makes the calls",
        "  program call_prog (an opaque fingerprint of 19 characters):",
        "    | const n = await tools.get_inventory({sku: 'desk-lamp'});",
        "    | return n;",
        '    [from the program] get_inventory({"sku": "desk-lamp"}) -> {"sku": "desk-lamp", "available_units": 12}',
        '    [from the program] get_inbound_units({"sku": "usb-c-dock"}) -> {"sku": "usb-c-dock", "inbound_units": 0}',
        '  program_output (completed): {"reorder": 2}',
        "  answer: Reorder 2 desk lamps.",
        "",
        "2. The same question with direct function calls",
        '    [direct] get_weekly_demand({"sku": "ergonomic-keyboard"}) -> '
        '{"sku": "ergonomic-keyboard", "forecast_units": 16}',
        '    [direct] get_inventory({"sku": "usb-c-dock"}) -> {"sku": "usb-c-dock", "available_units": 22}',
        "  answer: Reorder some keyboards.",
        "",
        "Input tokens, all requests: 650 with a program, 880 with direct calls",
    ]


def test_a_model_still_calling_after_five_requests_is_stopped_with_exit_1(openai_api, run_script):
    calling = reply(PROGRAM, *PROGRAM_CALLS, input_tokens=10)
    responses = openai_api.post("/responses").mock(
        side_effect=[calling] * 5 + [reply(*DIRECT_CALLS, input_tokens=1)] * 5
    )

    result = run_script(SCRIPT)

    assert (result.exit_code, responses.call_count) == (1, 10)
    assert result.stderr == "The model was still calling tools after 5 requests.\n" * 2
    assert "Input tokens" not in result.stdout


def test_an_api_error_is_one_line_and_exit_1(openai_api, run_script):
    openai_api.post("/responses").mock(side_effect=[reply(PROGRAM, *PROGRAM_CALLS, input_tokens=10), api_failure(500)])

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(500))
    assert result.stdout.splitlines()[-1].startswith("    [from the program] get_inbound_units(")
