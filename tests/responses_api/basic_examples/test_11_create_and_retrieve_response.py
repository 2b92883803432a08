import httpx

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/11-create_and_retrieve_response.py"
PROMPT = "Name three uses of the Responses API in one short paragraph."


def test_creates_retrieves_and_walks_the_response_then_shows_a_capped_one(openai_api, run_script):
    stored = payloads.response(
        "Chat, tools and agents.",
        id="resp_stored",
        output=[payloads.reasoning(), payloads.message("Chat, tools and agents.")],
        usage_=payloads.usage(40, 25, cached=32, reasoning=11),
        metadata={"lesson": "retrieve"},
    )
    capped = payloads.response(
        id="resp_capped",
        status="incomplete",
        output=[payloads.message("The Responses API lets you", status="incomplete")],
        usage_=payloads.usage(40, 16),
        incomplete_details={"reason": "max_output_tokens"},
        max_output_tokens=16,
    )
    create = openai_api.post("/responses").mock(
        side_effect=[httpx.Response(200, json=stored), httpx.Response(200, json=capped)]
    )
    retrieve = openai_api.get("/responses/resp_stored").respond(json=stored)

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert [f"{call.request.method} {call.request.url.path}" for call in openai_api.calls] == [
        "POST /v1/responses",
        "GET /v1/responses/resp_stored",
        "POST /v1/responses",
    ]
    assert retrieve.call_count == 1
    assert sent_json(create, 0) == {"model": "gpt-5.4-mini", "input": PROMPT, "metadata": {"lesson": "retrieve"}}
    assert sent_json(create, 1) == {"model": "gpt-5.4-mini", "input": PROMPT, "max_output_tokens": 16}
    assert result.stdout.splitlines() == [
        "Retrieved resp_stored (same as created: True):",
        "  id:       resp_stored",
        "  status:   completed",
        "  metadata: {'lesson': 'retrieve'}",
        "  output[0]: reasoning",
        "  output[1]: message",
        "  usage:    40 in (32 cached), 25 out (11 reasoning)",
        "  text:     'Chat, tools and agents.'",
        "",
        "The same prompt with max_output_tokens=16:",
        "  id:       resp_capped",
        "  status:   incomplete",
        "  incomplete because: max_output_tokens",
        "  metadata: {}",
        "  output[0]: message",
        "  usage:    40 in (0 cached), 16 out (0 reasoning)",
        "  text:     'The Responses API lets you'",
    ]


def test_a_failed_retrieve_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.post("/responses").respond(json=payloads.response(id="resp_x"))
    openai_api.get("/responses/resp_x").mock(return_value=api_failure(500))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stdout, result.stderr) == (1, "", api_failure_line(500))
