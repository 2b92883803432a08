import httpx
import pytest

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Conversation_API/Basic_examples/01-conversation_basics.py"


@pytest.fixture
def conversation_api(openai_api):
    create = openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_demo"))
    respond = openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(200, json=payloads.response("Nice to meet you, Ada!")),
            httpx.Response(200, json=payloads.response("You are Ada, and you love astronomy.")),
        ]
    )
    items = openai_api.get("/conversations/conv_demo/items").respond(
        json=payloads.item_list(
            [
                payloads.input_message("Hi! My name is Ada and I love astronomy."),
                payloads.message("Nice to meet you, Ada!"),
                payloads.input_message("What is my name, and what do I love?"),
                payloads.reasoning(),
                payloads.message("You are Ada, and you love astronomy."),
            ]
        )
    )
    return create, respond, items


def test_two_turns_share_one_conversation_then_it_is_listed_and_deleted(openai_api, conversation_api, run_script):
    create, respond, items = conversation_api
    delete = openai_api.delete("/conversations/conv_demo").respond(json=payloads.conversation_deleted("conv_demo"))

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert sent_json(create) == {"metadata": {"example": "conversation_api_basic"}}
    assert [sent_json(respond, call) for call in range(2)] == [
        {"model": "gpt-5.4-mini", "conversation": "conv_demo", "input": "Hi! My name is Ada and I love astronomy."},
        {"model": "gpt-5.4-mini", "conversation": "conv_demo", "input": "What is my name, and what do I love?"},
    ]
    assert dict(items.calls.last.request.url.params) == {"order": "asc"}
    assert delete.call_count == 1
    assert result.stdout.splitlines() == [
        "Created conversation conv_demo",
        "",
        "you:   Hi! My name is Ada and I love astronomy.",
        "model: Nice to meet you, Ada!",
        "",
        "you:   What is my name, and what do I love?",
        "model: You are Ada, and you love astronomy.",
        "",
        "The conversation now holds (oldest first):",
        "  - user: Hi! My name is Ada and I love astronomy.",
        "  - assistant: Nice to meet you, Ada!",
        "  - user: What is my name, and what do I love?",
        "  - reasoning: the model's thinking before its reply, kept for the turns after it",
        "  - assistant: You are Ada, and you love astronomy.",
        "",
        "Deleted conv_demo.",
    ]


def test_keep_leaves_the_conversation_and_prints_its_id(openai_api, conversation_api, run_script):
    result = run_script(SCRIPT, "--keep")

    assert result.exit_code == 0
    assert not any(call.request.method == "DELETE" for call in openai_api.calls)
    assert result.stdout.endswith(
        "\nKept conv_demo; try lessons 02 and 03 of Conversation_API/Basic_examples/ on it.\n"
    )


def test_a_failed_turn_still_deletes_the_conversation_and_exits_1(openai_api, run_script):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_demo"))
    openai_api.post("/responses").mock(return_value=api_failure(500))
    delete = openai_api.delete("/conversations/conv_demo").respond(json=payloads.conversation_deleted("conv_demo"))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(500))
    assert delete.call_count == 1
