"""Fixtures shared by the Conversation_API backend tests."""

import httpx
import pytest
import time_machine

from tests.support import payloads
from tests.support.conversations import deleting
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
