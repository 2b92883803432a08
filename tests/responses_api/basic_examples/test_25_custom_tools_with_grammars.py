import httpx
import pytest

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/25-custom_tools_with_grammars.py"
LARK_LINES = [
    "start: sum",
    "sum: product (OPERATOR_LOW product)*",
    "product: factor (OPERATOR_HIGH factor)*",
    'factor: NUMBER | "(" sum ")"',
    'OPERATOR_LOW: "+" | "-"',
    'OPERATOR_HIGH: "*" | "/"',
    "NUMBER: /\\d+(\\.\\d+)?/",
    '%ignore " "',
]


def calls(text: str, call_id: str) -> httpx.Response:
    return httpx.Response(
        200, json=payloads.response(output=[payloads.custom_tool_call("calculator", text, call_id=call_id)])
    )


def test_each_format_is_sent_forced_and_its_input_evaluated_and_answered(openai_api, run_script):
    route = openai_api.post("/responses").mock(
        side_effect=[
            calls("12 * (7 + 5) - 4", "call_free"),
            httpx.Response(200, json=payloads.response("It is 140.")),
            calls("12 * 12 - 4", "call_regex"),
            httpx.Response(200, json=payloads.response("Also 140.")),
            calls("(12 - 4) * ((7 + 5) / 3)", "call_lark"),
            httpx.Response(200, json=payloads.response("32.")),
        ]
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    asked = [sent_json(route, n) for n in (0, 2, 4)]
    assert [body["input"] for body in asked] == [
        "What is 12 * (7 + 5) - 4?",
        "What is 12*12-4?",
        "What is (12 - 4) * ((7 + 5) / 3)?",
    ]
    assert {body["tool_choice"]["type"] for body in asked} == {"custom"}
    free, regex, lark = (body["tools"][0] for body in asked)
    assert free == {
        "type": "custom",
        "name": "calculator",
        "description": "Evaluates one arithmetic expression written in plain text, such as 2 * (3 + 4).",
        "format": {"type": "text"},
    }
    assert regex["format"] == {"type": "grammar", "syntax": "regex", "definition": r"\d+(\.\d+)?( [-+*/] \d+(\.\d+)?)*"}
    assert (lark["format"]["syntax"], lark["format"]["definition"].strip().splitlines()) == ("lark", LARK_LINES)
    answers = [sent_json(route, n) for n in (1, 3, 5)]
    assert [body["input"] for body in answers] == [
        [{"type": "custom_tool_call_output", "call_id": "call_free", "output": "140"}],
        [{"type": "custom_tool_call_output", "call_id": "call_regex", "output": "140"}],
        [{"type": "custom_tool_call_output", "call_id": "call_lark", "output": "32"}],
    ]
    assert [body["previous_response_id"] for body in answers] == [
        route.calls[n].response.json()["id"] for n in (0, 2, 4)
    ]
    assert all("tool_choice" not in body and body["tools"] == asked[n]["tools"] for n, body in enumerate(answers))
    assert result.stdout.splitlines() == [
        "",
        "[free text] question: What is 12 * (7 + 5) - 4?",
        "[free text] calculator input: '12 * (7 + 5) - 4' -> 140",
        "[free text] answer: It is 140.",
        "",
        "[regex grammar] question: What is 12*12-4?",
        "[regex grammar] calculator input: '12 * 12 - 4' -> 140",
        "[regex grammar] answer: Also 140.",
        "",
        "[Lark grammar] question: What is (12 - 4) * ((7 + 5) / 3)?",
        "[Lark grammar] calculator input: '(12 - 4) * ((7 + 5) / 3)' -> 32",
        "[Lark grammar] answer: 32.",
    ]


def test_a_question_of_ones_own_is_asked_in_every_format_and_a_reply_without_a_call_is_shown(openai_api, run_script):
    route = openai_api.post("/responses").mock(
        side_effect=lambda request: httpx.Response(200, json=payloads.response("I would rather not."))
    )

    result = run_script(SCRIPT, "What is 2 + 2?")

    assert result.exit_code == 0, result.stderr
    assert [sent_json(route, n)["input"] for n in range(3)] == ["What is 2 + 2?"] * 3
    assert "[regex grammar] no call: I would rather not." in result.stdout.splitlines()


@pytest.mark.parametrize(
    ("expression", "shown"),
    [
        ("2 / 0", "error: division by zero"),
        ("__import__('os')", "error: only numbers, + - * / and parentheses are allowed"),
        ("2 **", "error: invalid syntax"),
        ("-1.5 * 2", "-3"),
        ("True + 1", "error: only numbers, + - * / and parentheses are allowed"),
    ],
)
def test_only_arithmetic_is_evaluated_and_anything_else_is_an_error_the_model_is_told(
    openai_api, run_script, expression, shown
):
    route = openai_api.post("/responses").mock(
        side_effect=[calls(expression, "call_1"), *[httpx.Response(200, json=payloads.response("ok"))] * 5]
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert sent_json(route, 1)["input"][0]["output"] == shown


def test_api_error_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.post("/responses").mock(return_value=api_failure(401))

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert result.stderr == api_failure_line(401)
