"""The Conversations-API helpers the two Conversations apps share: the user hash, undo, remote removal, compaction."""

import httpx
import openai
import pytest
from openai.types.responses import ResponseUsage

from openai_tutorial.conversations import bound_cost, delete_remotely, new_conversation, safety_identifier
from tests.support import payloads
from tests.support.conversations import deleting
from tests.support.helpers import api_failure, sent_json


def test_the_safety_identifier_is_a_stable_hash_that_does_not_contain_the_user_id():
    assert safety_identifier("ada@example.org") == safety_identifier("ada@example.org")
    assert safety_identifier("ada@example.org") != safety_identifier("bob@example.org")
    assert "ada" not in safety_identifier("ada@example.org")
    assert len(safety_identifier("ada@example.org")) == 64


def deletes(openai_api) -> list[str]:
    return [call.request.url.path for call in openai_api.calls if call.request.method == "DELETE"]


def test_delete_remotely_deletes_every_item_then_the_responses_then_the_conversation(openai_api):
    items = [payloads.input_message("one", id="msg_1"), payloads.input_message("two", id="msg_2")]
    routes = deleting(openai_api)
    routes["list_items"].mock(return_value=httpx.Response(200, json=payloads.item_list(items)))

    delete_remotely("conv_1", ["resp_1", "resp_2"])

    assert routes["list_items"].calls.last.request.url.params["limit"] == "100"
    assert deletes(openai_api) == [
        "/v1/conversations/conv_1/items/msg_1",
        "/v1/conversations/conv_1/items/msg_2",
        "/v1/responses/resp_1",
        "/v1/responses/resp_2",
        "/v1/conversations/conv_1",
    ]


def test_delete_remotely_counts_what_is_already_gone_as_deleted(openai_api):
    gone = httpx.Response(404, json=payloads.api_error("Not found.", type="invalid_request_error"))
    openai_api.get("/conversations/conv_1/items").mock(return_value=gone)
    openai_api.delete("/responses/resp_1").mock(return_value=gone)
    openai_api.delete("/conversations/conv_1").mock(return_value=gone)

    delete_remotely("conv_1", ["resp_1"])

    assert deletes(openai_api) == ["/v1/responses/resp_1", "/v1/conversations/conv_1"]


def test_delete_remotely_raises_when_openai_fails_and_stops_there(openai_api):
    openai_api.get("/conversations/conv_1/items").respond(json=payloads.item_list([]))
    openai_api.delete("/responses/resp_1").mock(return_value=api_failure(500))

    with pytest.raises(openai.InternalServerError):
        delete_remotely("conv_1", ["resp_1", "resp_2"])

    assert deletes(openai_api) == ["/v1/responses/resp_1"]


def test_a_new_conversation_carries_only_the_user_hash_and_is_not_retried(openai_api, monkeypatch):
    monkeypatch.setenv("OPENAI_MAX_RETRIES", "2")
    create = openai_api.post("/conversations").mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.Response(200, json=payloads.conversation(id="conv_2"))]
    )

    with pytest.raises(openai.APITimeoutError), new_conversation("ada@example.org"):
        pass
    with new_conversation("ada@example.org") as conversation:
        pass

    assert (conversation.id, conversation.created) == ("conv_2", True)
    assert create.call_count == 2
    assert sent_json(create) == {"metadata": {"user": safety_identifier("ada@example.org")}}


def test_a_failed_block_deletes_the_new_conversation_and_what_was_made_in_it(openai_api):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_1"))
    deleting(openai_api)

    def first_turn_that_fails_to_store():
        with new_conversation("ada") as conversation:
            conversation.made(payloads_response("resp_9"))
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        first_turn_that_fails_to_store()

    assert deletes(openai_api) == [
        "/v1/conversations/conv_1/items/item_of_conv_1",
        "/v1/responses/resp_9",
        "/v1/conversations/conv_1",
    ]


def test_an_undo_that_fails_is_logged_and_the_first_error_stands(openai_api, caplog):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_1"))
    openai_api.get("/conversations/conv_1/items").mock(return_value=api_failure(500))

    with pytest.raises(RuntimeError, match="disk full"), new_conversation("ada"):
        raise RuntimeError("disk full")

    assert "Could not delete conversation conv_1 after a failed first turn" in caplog.text


def payloads_response(response_id: str):
    return openai.types.responses.Response.model_validate(payloads.response(id=response_id))


COMPACTION = {"id": "cmp_1", "type": "compaction", "encrypted_content": "gAAAA-sealed"}


COMPACTED = {
    "id": "resp_c",
    "object": "response.compaction",
    "created_at": 0,
    "output": [COMPACTION],
    "usage": payloads.usage(30, 5),
}


def compaction_routes(openai_api, *, compact=None):
    items = [payloads.input_message("My name is Ada.", id="msg_1"), payloads.input_message("Hi.", id="msg_2")]
    routes = {
        "list": openai_api.get("/conversations/conv_1/items").respond(json=payloads.item_list(items)),
        "compact": openai_api.post("/responses/compact").mock(
            return_value=compact or httpx.Response(200, json=COMPACTED)
        ),
    }
    if compact is None:
        routes["add"] = openai_api.post("/conversations/conv_1/items").respond(json=payloads.item_list([COMPACTION]))
        routes["delete"] = openai_api.delete(url__regex=r"/conversations/conv_1/items/").respond(
            json=payloads.conversation(id="conv_1")
        )
    return routes


def usage_of(input_tokens: int) -> ResponseUsage:
    return ResponseUsage.model_validate(payloads.usage(input_tokens))


def test_a_turn_over_the_budget_replaces_the_items_by_their_compaction_added_first_then_the_old_ones_deleted(
    openai_api,
):
    routes = compaction_routes(openai_api)

    assert bound_cost("conv_1", usage_of(2001), 2000) is True

    assert routes["list"].calls.last.request.url.params["order"] == "asc"
    sent = sent_json(routes["compact"])
    assert [item["id"] for item in sent["input"]] == ["msg_1", "msg_2"]
    assert sent["model"] == "gpt-5.4-mini"
    assert sent_json(routes["add"]) == {"items": [COMPACTION]}
    assert [call.request.url.path for call in openai_api.calls][-3:] == [
        "/v1/conversations/conv_1/items",
        "/v1/conversations/conv_1/items/msg_1",
        "/v1/conversations/conv_1/items/msg_2",
    ]


@pytest.mark.parametrize("usage", [usage_of(2000), None], ids=["at the budget", "no usage"])
def test_a_turn_within_the_budget_or_without_its_usage_sends_nothing(openai_api, usage):
    assert bound_cost("conv_1", usage, 2000) is False

    assert not openai_api.calls


def test_a_compaction_that_fails_changes_nothing_and_is_logged_for_the_next_turn_to_retry(openai_api, caplog):
    compaction_routes(openai_api, compact=api_failure(500))

    assert bound_cost("conv_1", usage_of(5000), 2000) is False

    assert [call.request.method for call in openai_api.calls] == ["GET", "POST"]  # nothing added, nothing deleted
    assert "Could not compact conversation conv_1; the next turn tries again" in caplog.text
