from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/18-code_interpreter.py"


def test_asks_with_an_automatic_container_and_prints_code_output_and_answer(openai_api, run_script):
    call = payloads.code_interpreter_call(
        "primes = [2, 3, 5]\nprint(sum(p * p for p in primes))",
        [{"type": "logs", "logs": "38\n"}, {"type": "image", "url": "https://files.example/plot.png"}],
    )
    route = openai_api.post("/responses").respond(
        json=payloads.response(output=[call, payloads.message("The sum is 38.")])
    )

    result = run_script(SCRIPT, "Sum", "the", "squares.")

    assert result.exit_code == 0, result.stderr
    body = sent_json(route)
    assert body["tools"] == [{"type": "code_interpreter", "container": {"type": "auto"}}]
    assert body["include"] == ["code_interpreter_call.outputs"]
    assert body["input"] == "Sum the squares."
    assert result.stdout == (
        "Code run in container cntr_0001:\n"
        "  primes = [2, 3, 5]\n  print(sum(p * p for p in primes))\n"
        "It printed:\n  38\n"
        "It drew an image: https://files.example/plot.png\n"
        "\nThe sum is 38.\n"
    )


def test_an_answer_without_code_prints_just_the_answer(openai_api, run_script):
    openai_api.post("/responses").respond(json=payloads.response("I know this one: 2."))

    result = run_script(SCRIPT)

    assert result.stdout == "\nI know this one: 2.\n"


def test_api_error_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.post("/responses").mock(return_value=api_failure(500))

    assert run_script(SCRIPT).stderr == api_failure_line(500)
