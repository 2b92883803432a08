import httpx

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Conversation_API/Basic_examples/04-conversation_items.py"
QUESTION = "What is my name, and what is my favourite colour?"


def items_api(openai_api):
    name = payloads.input_message("Hi! My name is Ada.", id="msg_1")
    hello = {**payloads.message("Nice to meet you, Ada."), "id": "msg_2"}
    colour = payloads.input_message("Remember that my favourite colour is teal.", id="msg_colour")
    return {
        "create": openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_1")),
        "add": openai_api.post("/conversations/conv_1/items").respond(json=payloads.item_list([colour])),
        "list": openai_api.get("/conversations/conv_1/items").mock(
            side_effect=[
                httpx.Response(200, json=payloads.item_list([name, hello], has_more=True)),
                httpx.Response(200, json=payloads.item_list([colour])),
            ]
        ),
        "retrieve": openai_api.get("/conversations/conv_1/items/msg_colour").respond(json=colour),
        "delete_item": openai_api.delete("/conversations/conv_1/items/msg_colour").respond(
            json=payloads.conversation(id="conv_1")
        ),
        "respond": openai_api.post("/responses").mock(
            side_effect=[
                httpx.Response(200, json=payloads.response("Ada; teal.", id="resp_1")),
                httpx.Response(200, json=payloads.response("Ada; you did not say a colour.", id="resp_2")),
            ]
        ),
    }


def test_seeds_adds_lists_retrieves_then_deletes_an_item_the_model_then_no_longer_sees(openai_api, run_script):
    routes = items_api(openai_api)
    delete_responses = [openai_api.delete(f"/responses/resp_{n}").respond(200) for n in (1, 2)]
    delete_conversation = openai_api.delete("/conversations/conv_1").respond(
        json=payloads.conversation_deleted("conv_1")
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert sent_json(routes["create"]) == {
        "items": [
            {"role": "user", "content": "Hi! My name is Ada."},
            {"role": "assistant", "content": "Nice to meet you, Ada."},
        ]
    }
    assert sent_json(routes["add"]) == {
        "items": [{"role": "user", "content": "Remember that my favourite colour is teal."}]
    }
    assert [dict(call.request.url.params) for call in routes["list"].calls] == [
        {"order": "asc", "limit": "2"},
        {"order": "asc", "limit": "2", "after": "msg_2"},
    ]
    assert [sent_json(routes["respond"], n) for n in (0, 1)] == [
        {"model": "gpt-5.4-mini", "conversation": "conv_1", "input": QUESTION}
    ] * 2
    assert routes["delete_item"].call_count == 1
    assert (delete_responses[0].call_count, delete_responses[1].call_count, delete_conversation.call_count) == (1, 1, 1)
    assert "  page 1: user: Hi! My name is Ada.\n  page 1: assistant: Nice to meet you, Ada.\n" in result.stdout
    assert "  page 2: user: Remember that my favourite colour is teal.\n" in result.stdout
    assert "Retrieved one by id: user: Remember that my favourite colour is teal.\n" in result.stdout
    assert result.stdout.index("model: Ada; teal.") < result.stdout.index("Deleted msg_colour (the favourite colour)")
    assert result.stdout.endswith(
        "model: Ada; you did not say a colour.\n\nDeleted conv_1 and the 2 responses made in it.\n"
    )


def test_keep_keeps_the_conversation_and_its_responses(openai_api, run_script):
    items_api(openai_api)

    result = run_script(SCRIPT, "--keep")

    assert result.stdout.endswith("\nKept conv_1.\n")


def test_a_failure_half_way_still_cleans_up_what_was_made(openai_api, run_script):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_1"))
    openai_api.post("/conversations/conv_1/items").respond(
        json=payloads.item_list([payloads.input_message("teal", id="msg_colour")])
    )
    openai_api.get("/conversations/conv_1/items").mock(return_value=api_failure(500))
    delete_conversation = openai_api.delete("/conversations/conv_1").respond(
        json=payloads.conversation_deleted("conv_1")
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert result.stderr == api_failure_line(500)
    assert delete_conversation.call_count == 1
    assert result.stdout.endswith("Deleted conv_1 and the 0 responses made in it.\n")


def test_an_item_that_is_not_a_message_is_listed_by_its_type(openai_api, run_script):
    routes = items_api(openai_api)
    routes["list"].mock(side_effect=[httpx.Response(200, json=payloads.item_list([payloads.reasoning("Ada, teal.")]))])

    result = run_script(SCRIPT, "--keep")

    assert result.exit_code == 0, result.stderr
    assert "The items, oldest first, 2 a page:\n  page 1: reasoning\nRetrieved one by id:" in result.stdout
