import httpx

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/09-multi_turn_previous_response_id.py"
INSTRUCTIONS = "Talk like a pirate. Keep every answer to one sentence."


def test_chains_turns_by_id_and_resends_instructions_only_where_wanted(openai_api, run_script):
    route = openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(200, json=payloads.response("Ahoy, Ada!", id="resp_turn1", instructions=INSTRUCTIONS)),
            httpx.Response(200, json=payloads.response("Your name is Ada, and I like reading.", id="resp_turn2")),
            httpx.Response(200, json=payloads.response("Fair winds, Ada!", id="resp_turn3", instructions=INSTRUCTIONS)),
        ]
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    first, second, third = (sent_json(route, call) for call in range(3))
    assert first == {"model": "gpt-5.4-mini", "instructions": INSTRUCTIONS, "input": "Hi! My name is Ada."}
    assert second == {
        "model": "gpt-5.4-mini",
        "previous_response_id": "resp_turn1",
        "input": "What is my name, and what do you like?",
    }
    assert third == {
        "model": "gpt-5.4-mini",
        "previous_response_id": "resp_turn2",
        "instructions": INSTRUCTIONS,
        "input": "Say goodbye to me.",
    }
    assert result.stdout.splitlines() == [
        "turn 1 (with instructions):    Ahoy, Ada!",
        "turn 2 (instructions omitted): Your name is Ada, and I like reading.",
        "        second.instructions = None: they were not carried over",
        "turn 3 (instructions re-sent): Fair winds, Ada!",
    ]


def test_an_expired_previous_response_is_an_api_error_and_exit_1(openai_api, run_script):
    openai_api.post("/responses").mock(
        side_effect=[httpx.Response(200, json=payloads.response("Ahoy!")), api_failure(500)]
    )

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(500))
    assert result.stdout == "turn 1 (with instructions):    Ahoy!\n"
