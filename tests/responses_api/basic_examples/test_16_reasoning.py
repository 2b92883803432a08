import httpx

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/16-reasoning.py"


def answer(
    text: str, reasoning_tokens: int, summary: str | None = None, *, input_tokens: int = 40, id: str | None = None
) -> httpx.Response:
    return httpx.Response(
        200,
        json=payloads.response(
            output=[payloads.reasoning(summary), payloads.message(text)],
            usage_=payloads.usage(input_tokens, 20 + reasoning_tokens, reasoning=reasoning_tokens),
            id=id,
        ),
    )


def warm_up(openai_api) -> None:
    """The token count the lesson makes before timing anything, to open the connection."""
    openai_api.post("/responses/input_tokens").respond(json=payloads.input_tokens(30))


def follow_ups() -> list[httpx.Response]:
    return [answer("$1.05.", 30, input_tokens=120), answer("$1.05.", 30, input_tokens=190)]


def test_two_efforts_are_compared_then_the_summary_is_shown(openai_api, run_script, monkeypatch):
    warm_up(openai_api)
    monkeypatch.setattr("time.perf_counter", lambda: 0.0)  # the time column is real; only its place is checked
    route = openai_api.post("/responses").mock(
        side_effect=[
            answer("The ball costs 5 cents.", 64),
            answer("The ball costs $0.05.", 512),
            answer("5 cents.", 128, summary="**Setting up the equation**\n\nball + (ball + 1) = 1.10", id="resp_sum"),
            *follow_ups(),
        ]
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert [sent_json(route, n)["reasoning"] for n in range(5)] == [
        {"effort": "low"},
        {"effort": "high"},
        {"effort": "medium", "summary": "auto"},
        {"effort": "medium", "context": "current_turn"},
        {"effort": "medium", "context": "all_turns"},
    ]
    assert {sent_json(route, n)["previous_response_id"] for n in (3, 4)} == {"resp_sum"}
    assert sent_json(route, 3)["input"] == "And how much does the bat cost?"
    assert sent_json(route, 0)["input"].startswith("A bat and a ball cost $1.10 in total.")
    assert result.stdout == (
        "effort    reasoning   total  seconds  answer\n"
        "low              64     124     0.00  The ball costs 5 cents.\n"
        "high            512     572     0.00  The ball costs $0.05.\n"
        "\nReasoning summary (reasoning.summary='auto'):\n"
        "  **Setting up the equation**\n  \n  ball + (ball + 1) = 1.10\n"
        "\nAnswer: 5 cents.\n"
        "\nA follow-up under each reasoning.context (which earlier reasoning the model reads again):\n"
        "  current_turn   120 input tokens\n"
        "  all_turns      190 input tokens\n"
    )


def test_efforts_can_be_chosen_and_a_missing_summary_is_said(openai_api, run_script):
    warm_up(openai_api)
    route = openai_api.post("/responses").mock(
        side_effect=[answer("A.", 0), answer("B.", 30), answer("C.", 20), *follow_ups()]
    )

    result = run_script(SCRIPT, "none", "xhigh")

    assert [sent_json(route, n)["reasoning"]["effort"] for n in range(2)] == ["none", "xhigh"]
    assert "  (the model gave no summary this time)\n" in result.stdout


def test_one_effort_says_it_runs_alone(openai_api, run_script, monkeypatch):
    warm_up(openai_api)
    monkeypatch.setattr("time.perf_counter", lambda: 0.0)
    route = openai_api.post("/responses").mock(side_effect=[answer("A.", 40), answer("C.", 20), *follow_ups()])

    result = run_script(SCRIPT, "high")

    assert [sent_json(route, 0)["reasoning"]] == [{"effort": "high"}]
    assert result.stdout.splitlines()[:3] == [
        "One effort given: high runs alone, with nothing to compare (give two, such as: low high).",
        "effort    reasoning   total  seconds  answer",
        "high             40     100     0.00  A.",
    ]


def test_an_unknown_effort_is_refused_before_any_request(run_script):
    result = run_script(SCRIPT, "low", "extreme")

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "Unknown effort 'extreme': use none, minimal, low, medium, high, xhigh, max.\n"


def test_api_error_prints_one_line_and_exits_1(openai_api, run_script):
    warm_up(openai_api)
    openai_api.post("/responses").mock(return_value=api_failure(429))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(429))
