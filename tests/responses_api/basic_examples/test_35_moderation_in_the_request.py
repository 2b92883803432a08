import httpx
import pytest

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/35-moderation_in_the_request.py"
PLAIN = "How often should I water tomatoes?"
FLAGGED = "I want to kill them."
SCORE = {"input": {"mode": "score"}, "output": {"mode": "score"}}
BLOCK_INPUT = {"input": {"mode": "block"}, "output": {"mode": "score"}}
BLOCK_OUTPUT = {"input": {"mode": "score"}, "output": {"mode": "block"}}


def result(**flagged: float) -> dict:
    scores = {"violence": 0.01, "harassment": 0.002, **flagged}
    return {
        "type": "moderation_result",
        "model": "omni-moderation-latest",
        "flagged": bool(flagged),
        "categories": {category: category in flagged for category in scores},
        "category_scores": scores,
        "category_applied_input_types": {category: ["text"] for category in scores},
    }


def moderated(text: str | None, input_result: dict, output_result: dict, **fields) -> httpx.Response:
    body = payloads.response(text, **fields)
    body["moderation"] = {"input": input_result, "output": output_result}
    return httpx.Response(200, json=body)


def blocked(input_result: dict, output_result: dict) -> httpx.Response:
    return moderated(
        None, input_result, output_result, status="incomplete", incomplete_details={"reason": "content_filter"}
    )


def test_each_policy_shows_both_results_and_what_a_blocked_response_gives_the_caller(openai_api, run_script):
    responses = openai_api.post("/responses").mock(
        side_effect=[
            moderated("Twice a week.", result(), result()),
            moderated("I can't help with that.", result(violence=0.91), result()),
            blocked(result(violence=0.91), result()),
            blocked(result(violence=0.91), result(violence=0.62)),
        ]
    )

    ran = run_script(SCRIPT)

    assert (ran.exit_code, ran.stderr) == (0, "")
    sent = [sent_json(responses, n) for n in range(4)]
    assert [body["input"] for body in sent] == [PLAIN, FLAGGED, FLAGGED, FLAGGED]
    assert [body["moderation"] for body in sent] == [
        {"model": "omni-moderation-latest", "policy": policy} for policy in (SCORE, SCORE, BLOCK_INPUT, BLOCK_OUTPUT)
    ]
    assert ran.stdout.splitlines() == [
        "'How often should I water tomatoes?' with policy 'score input and output':",
        "  input:  not flagged (top score 0.01)",
        "  output: not flagged (top score 0.01)",
        "  status: completed; answer: Twice a week.",
        "'I want to kill them.' with policy 'score input and output':",
        "  input:  flagged: violence (top score violence 0.91)",
        "  output: not flagged (top score 0.01)",
        "  status: completed; answer: I can't help with that.",
        "'I want to kill them.' with policy 'block the input':",
        "  input:  flagged: violence (top score violence 0.91)",
        "  output: not flagged (top score 0.01)",
        "  status: incomplete (content_filter); the caller gets no text: ''",
        "'I want to kill them.' with policy 'block the output':",
        "  input:  flagged: violence (top score violence 0.91)",
        "  output: flagged: violence (top score violence 0.62)",
        "  status: incomplete (content_filter); the caller gets no text: ''",
    ]


def test_a_side_moderation_could_not_check_is_said_with_its_error(openai_api, run_script):
    failed = {"type": "error", "code": "moderation_unavailable", "message": "Moderation is unavailable."}
    openai_api.post("/responses").mock(side_effect=[moderated("Twice a week.", result(), failed)] * 4)

    ran = run_script(SCRIPT)

    assert ran.exit_code == 0
    assert ran.stdout.splitlines()[2] == "  output: not moderated (moderation_unavailable: Moderation is unavailable.)"


def test_a_request_refused_outright_is_said_and_the_other_policies_still_run(openai_api, run_script):
    refusal = httpx.Response(
        400,
        json=payloads.api_error("Your request was flagged by moderation.", type="invalid_request_error"),
        headers={"x-request-id": "req_m1"},
    )
    openai_api.post("/responses").mock(
        side_effect=[
            moderated("Twice a week.", result(), result()),
            moderated("No.", result(violence=0.91), result()),
            refusal,
            blocked(result(violence=0.91), result(violence=0.62)),
        ]
    )

    ran = run_script(SCRIPT)

    assert ran.exit_code == 0
    assert ran.stdout.splitlines()[9] == (
        "  refused before anything ran: OpenAI API error 400 (invalid_request_error): "
        "Your request was flagged by moderation. [request id: req_m1]"
    )
    assert ran.stdout.splitlines()[-1] == "  status: incomplete (content_filter); the caller gets no text: ''"


@pytest.mark.parametrize("status", [401, 500])
def test_any_other_api_error_is_one_line_and_exit_1(openai_api, run_script, status):
    openai_api.post("/responses").mock(return_value=api_failure(status))

    ran = run_script(SCRIPT)

    assert (ran.exit_code, ran.stderr) == (1, api_failure_line(status))
    assert ran.stdout == "'How often should I water tomatoes?' with policy 'score input and output':\n"
