import httpx

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/21-cost_and_latency_controls.py"


def reply(usage: dict | None = None, output: list | None = None, **fields) -> httpx.Response:
    return httpx.Response(200, json=payloads.response("ok", usage_=usage or payloads.usage(), output=output, **fields))


def test_each_knob_is_sent_and_the_closing_table_says_what_it_changed(openai_api, run_script):
    searches = [payloads.web_search_call("garden news"), payloads.message("One story.")]
    route = openai_api.post("/responses").mock(
        side_effect=[
            reply(payloads.usage(1685, 20)),
            reply(payloads.usage(1685, 20, cached=1664)),
            reply(payloads.usage(10, 12)),
            reply(payloads.usage(10, 90)),
            reply(truncation="auto"),
            reply(output=searches),
            reply(service_tier="default"),
        ]
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    first, second = sent_json(route, 0), sent_json(route, 1)
    assert first["prompt_cache_key"] == second["prompt_cache_key"] == "garden-help-desk"
    assert first["instructions"] == second["instructions"]
    assert len(first["instructions"]) > 4 * 1024  # past the 1024-token threshold of the cache
    assert [sent_json(route, n)["text"] for n in (2, 3)] == [{"verbosity": "low"}, {"verbosity": "high"}]
    assert sent_json(route, 4)["truncation"] == "auto"
    assert (sent_json(route, 5)["max_tool_calls"], sent_json(route, 5)["tools"]) == (1, [{"type": "web_search"}])
    assert sent_json(route, 6)["service_tier"] == "auto"
    assert result.stdout == (
        "call 1: 1685 input tokens, 0 of them cached\n"
        "call 2: 1685 input tokens, 1664 of them cached\n"
        "verbosity=low: 12 output tokens\n"
        "verbosity=high: 90 output tokens\n"
        "\nknob                  what it changed\n"
        "prompt_cache_key      cached input tokens: 0 then 1664\n"
        "text.verbosity        output tokens: 12 (low) vs 90 (high)\n"
        "truncation            'auto': old items are dropped if the context overflows\n"
        "max_tool_calls=1      1 tool call(s) made\n"
        "service_tier='auto'   served by the 'default' tier\n"
    )


def test_api_error_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.post("/responses").mock(return_value=api_failure(429))

    assert run_script(SCRIPT).stderr == api_failure_line(429)
