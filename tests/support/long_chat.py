"""A long chat for the backends' compaction tests: facts said first, chatter, then the facts asked back."""

import pytest

from openai_tutorial.client import get_client

BUDGET = 1000  # COMPACT_AFTER_TOKENS at the lowest the API takes, so that a short test chat passes it
FIRST_MESSAGE = "Hi! My name is Ada, and my favourite colour is teal."
LAST_MESSAGE = "What is my name, and what is my favourite colour?"


def chatter(turns: int) -> list[str]:
    return [
        f"Note {number} from my garden diary: the beans grew a little, and so did the weeds." for number in range(turns)
    ]


def recalls_the_first_facts(reply: str) -> bool:
    return "Ada" in reply and "teal" in reply


def use_the_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_OFFLINE", "1")
    monkeypatch.setenv("OPENAI_OFFLINE_STREAM_DELAY", "0")
    get_client.cache_clear()


def messages(chatter_turns: int) -> list[str]:
    """The whole chat: the facts, ``chatter_turns`` of chatter, the facts asked back."""
    return [FIRST_MESSAGE, *chatter(chatter_turns), LAST_MESSAGE]
