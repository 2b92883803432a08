import httpx

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/15-count_input_tokens.py"
TEXT = "The quick brown fox jumps over the lazy dog. Tokens are pieces of words, not whole words."
INSTRUCTIONS = "You are a patient teacher. Explain every answer step by step."


def counts(*numbers: int) -> list[httpx.Response]:
    return [httpx.Response(200, json=payloads.input_tokens(number)) for number in numbers]


def test_counts_plain_text_with_instructions_and_on_another_model(openai_api, run_script):
    route = openai_api.post("/responses/input_tokens").mock(side_effect=counts(22, 37, 24))

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert [sent_json(route, call) for call in range(3)] == [
        {"model": "gpt-5.4-mini", "input": TEXT},
        {"model": "gpt-5.4-mini", "instructions": INSTRUCTIONS, "input": TEXT},
        {"model": "gpt-5.5", "input": TEXT},
    ]
    assert result.stdout.splitlines() == [
        "plain text                       gpt-5.4-mini         22 tokens",
        "text + instructions              gpt-5.4-mini         37 tokens",
        "plain text                       gpt-5.5              24 tokens",
    ]
    assert not any(call.request.url.path == "/v1/responses" for call in openai_api.calls)


def test_the_other_model_comes_from_the_command_line(openai_api, run_script):
    route = openai_api.post("/responses/input_tokens").mock(side_effect=counts(1, 2, 3))

    result = run_script(SCRIPT, "gpt-6-luna")

    assert sent_json(route)["model"] == "gpt-6-luna"
    assert result.stdout.splitlines()[-1].split() == ["plain", "text", "gpt-6-luna", "3", "tokens"]


def test_api_error_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.post("/responses/input_tokens").mock(return_value=api_failure(401))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(401))
