import json

import httpx

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Conversation_API/Basic_examples/06-conversation_with_tools.py"
QUESTION = "What time is it in Tokyo and in Lisbon?"


def calls(*zones: str) -> httpx.Response:
    output = [payloads.function_call("get_local_time", {"timezone": z}, call_id=f"call_{z}") for z in zones]
    return httpx.Response(200, json=payloads.response(output=output))


def test_calls_and_outputs_go_into_the_conversation_and_the_follow_up_needs_no_new_call(openai_api, run_script):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_1"))
    respond = openai_api.post("/responses").mock(
        side_effect=[
            calls("Asia/Tokyo", "Europe/Lisbon"),
            httpx.Response(200, json=payloads.response("Tokyo 21:00, Lisbon 12:00.")),
            httpx.Response(200, json=payloads.response("Tokyo is later.")),
        ]
    )
    held = [payloads.input_message(QUESTION), payloads.function_call("get_local_time", {"timezone": "Asia/Tokyo"})]
    openai_api.get("/conversations/conv_1/items").respond(json=payloads.item_list(held))
    delete = openai_api.delete("/conversations/conv_1").respond(json=payloads.conversation_deleted("conv_1"))

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    bodies = [sent_json(respond, n) for n in range(3)]
    assert all(body["conversation"] == "conv_1" and "previous_response_id" not in body for body in bodies)
    assert bodies[0]["input"] == QUESTION
    outputs = bodies[1]["input"]
    assert [output["type"] for output in outputs] == ["function_call_output"] * 2  # only outputs, never the calls
    assert [output["call_id"] for output in outputs] == ["call_Asia/Tokyo", "call_Europe/Lisbon"]
    assert json.loads(outputs[0]["output"])["timezone"] == "Asia/Tokyo"
    assert bodies[2]["input"].startswith("Based on what you found earlier")
    assert "The conversation now holds:\n  - message\n  - function_call (get_local_time)\n" in result.stdout
    assert "model: Tokyo is later.\n(tool calls for the follow-up's answer: 0)\n" in result.stdout
    assert delete.call_count == 1


def test_the_loop_is_bounded_and_the_conversation_still_deleted(openai_api, run_script):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_1"))
    openai_api.post("/responses").mock(side_effect=lambda request: calls("Asia/Tokyo"))
    delete = openai_api.delete("/conversations/conv_1").respond(json=payloads.conversation_deleted("conv_1"))

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert result.stderr == "The model was still calling tools after 5 rounds; stopping.\n"
    assert delete.call_count == 1


def test_a_follow_up_that_keeps_calling_is_bounded_too(openai_api, run_script):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_1"))
    first = [httpx.Response(200, json=payloads.response("Done."))]
    openai_api.post("/responses").mock(side_effect=first + [calls("x")] * 6)
    openai_api.get("/conversations/conv_1/items").respond(json=payloads.item_list([]))
    openai_api.delete("/conversations/conv_1").respond(json=payloads.conversation_deleted("conv_1"))

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert "  get_local_time" in result.stdout
    assert '"error": "unknown time zone \'x\'"' in result.stdout


def test_bad_arguments_become_an_error_output(openai_api, run_script):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_1"))
    broken = payloads.response(output=[payloads.function_call("get_local_time", '{"zone": 1}', call_id="call_x")])
    respond = openai_api.post("/responses").mock(
        side_effect=[httpx.Response(200, json=broken)] + [httpx.Response(200, json=payloads.response("Sorry."))] * 2
    )
    openai_api.get("/conversations/conv_1/items").respond(json=payloads.item_list([]))
    openai_api.delete("/conversations/conv_1").respond(json=payloads.conversation_deleted("conv_1"))

    result = run_script(SCRIPT)

    assert result.exit_code == 0
    assert json.loads(sent_json(respond, 1)["input"][0]["output"])["error"].startswith("bad arguments:")


def test_api_error_prints_one_line_and_deletes_the_conversation(openai_api, run_script):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_1"))
    openai_api.post("/responses").mock(return_value=api_failure(429))
    delete = openai_api.delete("/conversations/conv_1").respond(json=payloads.conversation_deleted("conv_1"))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(429))
    assert delete.call_count == 1
