import asyncio
import json

import httpx

from tests.support import payloads
from tests.support.helpers import sent_json

SCRIPT = "Responses_API/Basic_examples/22-async_client.py"


def test_all_prompts_are_answered_one_failure_is_its_own_line_and_at_most_three_run_at_once(openai_api, run_script):
    in_flight, most = 0, 0

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        body = json.loads(request.content)
        if body.get("max_output_tokens") == 1:
            return httpx.Response(
                400,
                json=payloads.api_error("Invalid 'max_output_tokens'.", type="invalid_request_error"),
                headers={"x-request-id": "req_1"},
            )
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.01)  # long enough for the other tasks to start theirs
        in_flight -= 1
        return httpx.Response(200, json=payloads.response(f"Answer to: {body['input']}"))

    route = openai_api.post("/responses").mock(side_effect=answer)
    counted = openai_api.post("/responses/input_tokens").respond(json=payloads.input_tokens(9))

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert route.call_count == 10  # five one after another, five at once, after the warm-up below
    assert counted.call_count == 1
    assert sorted(sent_json(route, n)["input"] for n in range(5)) == sorted(
        ["Name a river in Portugal.", "Name a mountain in Japan.", "Name a desert in Chile.", "Name a lake in Canada.",
         "Name a forest in Germany."]
    )  # fmt: skip
    lines = result.stdout.splitlines()
    assert lines[:2] == ["Name a river in Portugal.", "  -> Answer to: Name a river in Portugal."]
    assert lines[8:10] == [
        "Name a forest in Germany.",
        "  -> failed: OpenAI API error 400 (invalid_request_error): Invalid 'max_output_tokens'. [request id: req_1]",
    ]
    assert lines[-1].startswith("one after another: ")
    assert lines[-1].endswith(" s")
    assert "3 at a time:" in lines[-1]
    assert most == 3  # the semaphore: never more, and gather does reach it
