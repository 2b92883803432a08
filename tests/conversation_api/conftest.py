"""Fixtures shared by the Conversation_API backend tests."""

import httpx
import pytest
import time_machine

from tests.support import payloads
from tests.support.helpers import START, fresh_replies


@pytest.fixture
def clock():
    """Time stands still at START until the test moves it with ``clock.shift(...)``."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def openai_conversations(openai_api):
    """OpenAI as it behaves: a new conversation id per create (conv_1, conv_2…), a new response id per turn.

    Tests of closing and forgetting add ``openai_deletes``.
    """
    numbers = iter(range(1, 1000))
    create = openai_api.post("/conversations").mock(
        side_effect=lambda request: httpx.Response(200, json=payloads.conversation(id=f"conv_{next(numbers)}"))
    )
    respond = openai_api.post("/responses").mock(side_effect=fresh_replies("Nice to meet you, Ada."))
    return create, respond


@pytest.fixture
def openai_deletes(openai_api) -> dict:
    """Deleting on OpenAI's side, as it behaves: each conversation holds one item, ``item_of_<conversation id>``."""
    return deleting(openai_api)


def deleting(openai_api, *, responses: bool = True) -> dict:
    """The routes of ``openai_deletes``; without ``responses`` when no response was made to delete."""

    def one_item(request, conversation_id):
        return httpx.Response(
            200, json=payloads.item_list([payloads.input_message("hi", id=f"item_of_{conversation_id}")])
        )

    def deleted_conversation(request, conversation_id):
        return httpx.Response(200, json=payloads.conversation_deleted(conversation_id))

    routes = {
        "list_items": openai_api.get(
            path__regex=r"/conversations/(?P<conversation_id>[^/]+)/items$", name="list_items"
        ).mock(side_effect=one_item),
        "delete_item": openai_api.delete(
            path__regex=r"/conversations/(?P<conversation_id>[^/]+)/items/[^/]+$", name="delete_item"
        ).mock(
            side_effect=lambda request, conversation_id: httpx.Response(
                200, json=payloads.conversation(id=conversation_id)
            )
        ),
        "delete_conversation": openai_api.delete(
            path__regex=r"/conversations/(?P<conversation_id>[^/]+)$", name="delete_conversation"
        ).mock(side_effect=deleted_conversation),
    }
    if responses:
        routes["delete_response"] = openai_api.delete(
            path__regex=r"/responses/(?P<response_id>[^/]+)$", name="delete_response"
        ).mock(
            side_effect=lambda request, response_id: httpx.Response(200, json=payloads.response_deleted(response_id))
        )
    return routes
