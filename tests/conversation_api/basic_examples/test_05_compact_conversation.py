import httpx

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Conversation_API/Basic_examples/05-compact_conversation.py"
QUESTION = "What is my name, and what is my favourite colour?"
COMPACTION = {"id": "cmp_1", "type": "compaction", "encrypted_content": "gAAAA-sealed"}


def compacted() -> dict:
    return {
        "id": "resp_cmp",
        "object": "response.compaction",
        "created_at": payloads.CREATED_AT,
        "output": [COMPACTION],
        "usage": payloads.usage(400, 30),
    }


def test_measures_compacts_into_a_new_conversation_and_asks_there(openai_api, run_script):
    numbers = iter(["conv_long", "conv_small"])
    create = openai_api.post("/conversations").mock(
        side_effect=lambda request: httpx.Response(200, json=payloads.conversation(id=next(numbers)))
    )
    count = openai_api.post("/responses/input_tokens").mock(
        side_effect=[
            httpx.Response(200, json=payloads.input_tokens(386)),
            httpx.Response(200, json=payloads.input_tokens(27)),
        ]
    )
    items = [payloads.input_message("Hi! My name is Ada.", id="msg_1")]
    openai_api.get("/conversations/conv_long/items").respond(json=payloads.item_list(items))
    compact = openai_api.post("/responses/compact").respond(json=compacted())
    ask = openai_api.post("/responses").respond(json=payloads.response("Ada; teal.", id="resp_9"))
    delete_answer = openai_api.delete("/responses/resp_9").respond(200)
    deletes = [
        openai_api.delete(f"/conversations/{c}").respond(json=payloads.conversation_deleted(c))
        for c in ("conv_long", "conv_small")
    ]

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    seeded = sent_json(create, 0)["items"]
    assert len(seeded) == 18
    assert seeded[:2] == [
        {"role": "user", "content": "Hi! My name is Ada."},
        {"role": "user", "content": "Remember that my favourite colour is teal."},
    ]
    assert [sent_json(count, n)["conversation"] for n in (0, 1)] == ["conv_long", "conv_small"]
    assert sent_json(compact) == {
        "model": "gpt-5.4-mini",
        "input": [{"id": "msg_1", "type": "message", "status": "completed", "role": "user",
                   "content": [{"type": "input_text", "text": "Hi! My name is Ada."}]}],
    }  # fmt: skip
    assert sent_json(create, 1) == {"items": [COMPACTION]}
    assert sent_json(ask) == {"model": "gpt-5.4-mini", "conversation": "conv_small", "input": QUESTION}
    assert delete_answer.call_count == 1
    assert [route.call_count for route in deletes] == [1, 1]
    assert result.stdout == (
        "The long conversation (18 items): 386 input tokens for the next turn\n"
        "Compacted into 1 item(s): compaction\n"
        "The compacted conversation: 27 input tokens for the next turn\n\n"
        f"you:   {QUESTION}\nmodel: Ada; teal.\n"
        "\nDeleted both conversations.\n"
    )


def test_a_failed_compaction_still_deletes_the_long_conversation(openai_api, run_script):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_long"))
    openai_api.post("/responses/input_tokens").respond(json=payloads.input_tokens(386))
    openai_api.get("/conversations/conv_long/items").respond(json=payloads.item_list([]))
    openai_api.post("/responses/compact").mock(return_value=api_failure(500))
    delete = openai_api.delete("/conversations/conv_long").respond(json=payloads.conversation_deleted("conv_long"))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(500))
    assert delete.call_count == 1
