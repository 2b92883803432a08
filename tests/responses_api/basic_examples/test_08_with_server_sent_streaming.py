import httpx

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/08-with_server_sent_streaming.py"
SSE_HEADERS = {"content-type": "text/event-stream"}


def stream_reply(events: list[dict]) -> httpx.Response:
    return httpx.Response(200, content=payloads.sse_body(events), headers=SSE_HEADERS)


def padded(events: list[dict], paddings: list[str]) -> list[dict]:
    """The events with each delta padded by the next of ``paddings``, as the API sends them by default."""
    pads = iter(paddings)
    return [{**event, "obfuscation": next(pads)} if event["type"].endswith(".delta") else event for event in events]


def test_prints_each_delta_then_the_usage_and_the_padding_the_pieces_carried(openai_api, run_script):
    chunks = ["Bits ", "flow ", "like ", "rivers."]
    final = payloads.response("".join(chunks), usage_=payloads.usage(17, 6))
    events = padded(payloads.text_stream_events(chunks, final=final), ["abc", "de", "fghij", ""])
    route = openai_api.post("/responses").mock(return_value=stream_reply(events))

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert sent_json(route) == {
        "model": "gpt-5.4-mini",
        "input": "Write a short poem (four lines) about streams of data.",
        "stream": True,
        "stream_options": {"include_obfuscation": True},
    }
    assert result.stdout == (
        "Bits flow like rivers.\n\n[completed: 17 in + 6 out tokens]\n"
        "[text deltas: 4; obfuscation padding in them: 10 characters]\n"
    )


def test_no_obfuscation_asks_for_the_pieces_without_padding(openai_api, run_script):
    route = openai_api.post("/responses").mock(return_value=stream_reply(payloads.text_stream_events(["Hi."])))

    result = run_script(SCRIPT, "Say", "hi", "--no-obfuscation")

    assert result.exit_code == 0, result.stderr
    assert sent_json(route)["input"] == "Say hi"
    assert sent_json(route)["stream_options"] == {"include_obfuscation": False}
    assert result.stdout.splitlines()[-1] == "[text deltas: 1; obfuscation padding in them: 0 characters]"


def test_a_failed_stream_reports_the_error_and_exits_1(openai_api, run_script):
    events = payloads.failed_stream_events(["Half a "], code="server_error", message="The model crashed.")
    openai_api.post("/responses").mock(return_value=stream_reply(events))

    result = run_script(SCRIPT, "a", "prompt")

    assert result.exit_code == 1
    assert result.stdout == "Half a "
    assert result.stderr == "\n\n[failed: server_error: The model crashed.]\n"


def test_an_error_event_reports_the_error_and_exits_1(openai_api, run_script):
    events = [*payloads.text_stream_events(["Hel"])[:5], payloads.error_event("Overloaded.", code="server_overloaded")]
    openai_api.post("/responses").mock(return_value=stream_reply(payloads.number_events(events)))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stdout) == (1, "Hel")
    assert result.stderr == "\n\n[stream error: server_overloaded: Overloaded.]\n"


def test_an_incomplete_stream_says_why(openai_api, run_script):
    events = payloads.text_stream_events(["Cut "])
    incomplete = {
        **events[-1]["response"],
        "status": "incomplete",
        "incomplete_details": {"reason": "max_output_tokens"},
        "completed_at": None,
    }
    events[-1] = {
        "type": "response.incomplete",
        "response": incomplete,
        "sequence_number": events[-1]["sequence_number"],
    }
    openai_api.post("/responses").mock(return_value=stream_reply(events))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stdout) == (
        0,
        "Cut \n\n[incomplete: max_output_tokens]\n[text deltas: 1; obfuscation padding in them: 0 characters]\n",
    )


def test_ctrl_c_mid_stream_stops_cleanly(openai_api, run_script):
    events = payloads.text_stream_events(["One ", "two ", "three"])
    delivered = payloads.sse_body(events[:5])

    def body():
        yield delivered
        raise KeyboardInterrupt

    openai_api.post("/responses").mock(return_value=httpx.Response(200, content=body(), headers=SSE_HEADERS))

    result = run_script(SCRIPT)

    assert result.exit_code == 130
    assert result.stdout == "One "
    assert result.stderr == "\nInterrupted.\n"  # on a line of its own, below the half-written text


def test_api_error_before_the_stream_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.post("/responses").mock(return_value=api_failure(429))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(429))
