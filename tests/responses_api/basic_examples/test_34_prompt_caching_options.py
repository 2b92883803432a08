import httpx

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/34-prompt_caching_options.py"
MODEL = "gpt-5.6-luna"


def cached(response_id: str, *, read: int, written: int, output: list | None = None, diagnostics=None, **fields):
    usage = payloads.usage(input_tokens=1300, output_tokens=0 if output == [] else 20, cached=read)
    usage["input_tokens_details"] |= {
        "cache_write_tokens": written,
        "cache_write_tokens_details": {"ttl_12h_tokens": written, "ttl_30m_tokens": 0},
    }
    body = payloads.response(
        f"Answer {response_id}.", output=output, id=response_id, model=MODEL, usage_=usage, **fields
    )
    body["prompt_cache_options"] = {"mode": "explicit", "ttl": "12h", "comparison_response_id": None}
    body["prompt_cache_diagnostics"] = diagnostics
    return httpx.Response(200, json=body)


MISS = {
    "type": "cache_miss",
    "reason": "input_changed",
    "cache_missed_tokens": 1268,
    "comparison_reusable_tokens": 1290,
}


def test_the_prewarm_the_reads_and_an_edited_prefix_missing_are_shown_with_the_diagnostics(openai_api, run_script):
    responses = openai_api.post("/responses").mock(
        side_effect=[
            cached("resp_warm", read=0, written=1290, output=[]),
            cached("resp_1", read=1290, written=0),
            cached("resp_2", read=1290, written=0, diagnostics={"type": "cache_hit"}),
            cached("resp_3", read=0, written=1290, diagnostics=MISS),
        ]
    )

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (0, "")
    warm, first, second, edited = (sent_json(responses, n) for n in range(4))
    assert {body["model"] for body in (warm, first, second, edited)} == {MODEL}
    handbook = warm["input"][0]
    assert handbook["role"] == "developer"
    assert handbook["content"][0]["prompt_cache_breakpoint"] == {"mode": "explicit"}
    assert len(warm["input"]) == 1  # the shared prefix alone
    assert warm["prompt_cache_options"] == {"mode": "explicit", "ttl": "12h", "prewarm": True}
    assert first["input"] == [handbook, {"role": "user", "content": "Can I have a plot this season?"}]
    assert first["prompt_cache_options"] == {"mode": "explicit", "ttl": "12h"}
    assert second["prompt_cache_options"] == {"mode": "explicit", "ttl": "12h", "comparison_response_id": "resp_1"}
    assert second["input"][0] == handbook
    edited_text = edited["input"][0]["content"][0]["text"]
    assert edited_text == handbook["content"][0]["text"].replace("Harbour Lane", "Harbour Road")
    assert edited["prompt_cache_options"]["comparison_response_id"] == "resp_2"
    assert "prompt_cache_retention" not in first  # deprecated: ttl replaces it
    assert result.stdout.splitlines() == [
        "1. Prewarm: 1300 input, 0 read from the cache, 1290 written, 0 output; output items: 0",
        "2. A member asks: 1300 input, 1290 read from the cache, 0 written, 20 output",
        "   Answer resp_1.",
        "3. Another question, compared with 2: 1300 input, 1290 read from the cache, 0 written, 20 output; cache_hit",
        "4. The handbook edited by one word, compared with 3: 1300 input, 0 read from the cache, 1290 written, "
        "20 output; cache_miss: input_changed, 1268 tokens missed",
    ]


def test_a_response_without_diagnostics_says_so(openai_api, run_script):
    openai_api.post("/responses").mock(
        side_effect=[
            cached("resp_warm", read=0, written=1290, output=[]),
            cached("resp_1", read=1290, written=0),
            cached("resp_2", read=1290, written=0),
            cached("resp_3", read=0, written=1290, diagnostics={"type": "unavailable"}),
        ]
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0
    assert result.stdout.splitlines()[3].endswith("; no diagnostics")
    assert result.stdout.splitlines()[4].endswith("; unavailable")


def test_an_api_error_is_one_line_and_exit_1(openai_api, run_script):
    openai_api.post("/responses").mock(
        side_effect=[cached("resp_warm", read=0, written=1290, output=[]), api_failure(429)]
    )

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(429))
    assert result.stdout.splitlines() == [
        "1. Prewarm: 1300 input, 0 read from the cache, 1290 written, 0 output; output items: 0"
    ]
