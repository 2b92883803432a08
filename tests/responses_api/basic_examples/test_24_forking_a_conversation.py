import httpx

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/24-forking_a_conversation.py"


def test_two_branches_continue_the_same_response_and_do_not_see_each_other(openai_api, run_script):
    route = openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(200, json=payloads.response("Hello Ada.", id="resp_shared")),
            httpx.Response(200, json=payloads.response("Teal, noted.", id="resp_a")),
            httpx.Response(200, json=payloads.response("Ada, and teal.", id="resp_a2")),
            httpx.Response(200, json=payloads.response("Ada; you never said a colour.", id="resp_b")),
        ]
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert "previous_response_id" not in sent_json(route, 0)
    assert [sent_json(route, n)["previous_response_id"] for n in (1, 2, 3)] == ["resp_shared", "resp_a", "resp_shared"]
    assert sent_json(route, 3)["input"] == "What is my name and favourite colour?"
    assert "branch B: you: What is my name and favourite colour?\n          model: Ada; you never said a colour.\n" in (
        result.stdout
    )
    assert result.stdout.endswith("Both branches continue resp_shared; B never saw A's colour.\n")


def test_api_error_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.post("/responses").mock(return_value=api_failure(500))

    assert run_script(SCRIPT).stderr == api_failure_line(500)
