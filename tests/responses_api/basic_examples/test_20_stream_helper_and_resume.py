import httpx

from openai_tutorial.offline.streams import response_events
from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/20-stream_helper_and_resume.py"
TEXT = "The press spread books. It made them cheap. Ideas travelled far. Literacy grew. Europe changed."


def sse(events: list[dict]) -> httpx.Response:
    return httpx.Response(200, content=payloads.sse_body(events), headers={"content-type": "text/event-stream"})


def background_events() -> list[dict]:
    return response_events(payloads.response(TEXT, id="resp_bg", background=True))


def test_streams_with_the_helper_then_cuts_and_resumes_a_background_stream(openai_api, run_script):
    helper = payloads.text_stream_events(["Keepers ", "lit the ", "lamp."])
    events = background_events()
    create = openai_api.post("/responses").mock(side_effect=[sse(helper), sse(events)])
    cut = [e for e in events if e["type"] == "response.output_text.delta"][2]["sequence_number"]  # the third piece
    resume = openai_api.get("/responses/resp_bg").mock(
        return_value=sse([e for e in events if e["sequence_number"] > cut])
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert sent_json(create, 0)["stream"] is True
    assert (sent_json(create, 1)["background"], sent_json(create, 1)["stream"]) == (True, True)
    query = resume.calls.last.request.url.params
    assert (query["stream"], query["starting_after"]) == ("true", str(cut))
    assert result.stdout.startswith("1. The stream helper:\nKeepers lit the lamp.\n[completed: 9 output tokens]\n\n")
    before = result.stdout.split("cut and resumed:\n")[1].split("\n[connection cut")[0]
    after = result.stdout.split("from there]\n")[1].split("\n[completed;")[0]
    assert f"[connection cut after event {cut}; resuming resp_bg from there]" in result.stdout
    assert (before + after, before.count(" ")) == (TEXT, 9)  # nothing lost or repeated; three 3-word pieces first
    assert result.stdout.endswith("[completed; the pieces make the whole answer: True]\n")


def test_a_resumed_stream_that_never_finishes_is_exit_1(openai_api, run_script):
    events = background_events()
    openai_api.post("/responses").mock(side_effect=[sse(payloads.text_stream_events(["Hi."])), sse(events)])
    openai_api.get("/responses/resp_bg").mock(
        return_value=sse([e for e in events if e["type"] == "response.in_progress"])
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert result.stdout.endswith("[the resumed stream ended without a final event]\n")


def test_api_error_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.post("/responses").mock(return_value=api_failure(500))

    assert run_script(SCRIPT).stderr == api_failure_line(500)


def test_a_background_stream_shorter_than_the_cut_is_resumed_from_its_end(openai_api, run_script):
    events = response_events(payloads.response("Short.", id="resp_bg", background=True))
    openai_api.post("/responses").mock(side_effect=[sse(payloads.text_stream_events(["Hi."])), sse(events)])
    resume = openai_api.get("/responses/resp_bg").mock(return_value=sse(events[-1:]))

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert resume.calls.last.request.url.params["starting_after"] == str(events[-1]["sequence_number"])
    assert result.stdout.endswith("[completed; the pieces make the whole answer: True]\n")


def test_a_background_stream_that_ends_before_naming_its_response_is_exit_1(openai_api, run_script):
    openai_api.post("/responses").mock(side_effect=[sse(payloads.text_stream_events(["Hi."])), sse([])])

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert result.stdout.endswith(
        "2. A background stream, cut and resumed:\n"
        "\n[the stream ended before it named its response: there is nothing to resume]\n"
    )
