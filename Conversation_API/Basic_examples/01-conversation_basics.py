"""Conversations API basics: two turns that share one server-side conversation.

``conversations.create()`` makes a conversation object on OpenAI's side. Each
``responses.create(conversation=<id>)`` then reads everything said so far from it and
appends its own input and output, so the client never resends history (compare
``previous_response_id`` in Responses_API/Basic_examples/09-…: there you chain response
ids; here one id names the whole conversation). What to look for in the output: the
second reply knows what the first message said, and the item list shows what the
conversation now holds: the four messages, and before each reply a ``reasoning`` item, the
model's thinking, which the conversation keeps so that later turns can build on it. The
conversation is deleted at the end unless you pass ``--keep``, which prints its id for the
metadata lessons next door (02 and 03).

Run: uv run python Conversation_API/Basic_examples/01-conversation_basics.py [--keep]
API reference: https://developers.openai.com/api/reference/resources/conversations
"""

import argparse

from openai.types.conversations import ConversationItem

from openai_tutorial.client import get_client, get_model, run

FIRST_MESSAGE = "Hi! My name is Ada and I love astronomy."
SECOND_MESSAGE = "What is my name, and what do I love?"


# What an item that is not a message is, for a reader who meets it in the list.
EXPLAINED = {"reasoning": "reasoning: the model's thinking before its reply, kept for the turns after it"}


def describe(item: ConversationItem) -> str:
    if item.type != "message":
        return EXPLAINED.get(item.type, item.type)
    text = " ".join(part.text for part in item.content if part.type == "input_text" or part.type == "output_text")
    return f"{item.role}: {text}"


def main() -> None:
    parser = argparse.ArgumentParser(description="Two turns in one Conversations API conversation.")
    parser.add_argument("--keep", action="store_true", help="keep the conversation and print its id")
    keep = parser.parse_args().keep
    client = get_client()

    conversation = client.conversations.create(metadata={"example": "conversation_api_basic"})
    print(f"Created conversation {conversation.id}\n")
    try:
        first = client.responses.create(model=get_model(), conversation=conversation.id, input=FIRST_MESSAGE)
        print(f"you:   {FIRST_MESSAGE}\nmodel: {first.output_text}\n")
        second = client.responses.create(model=get_model(), conversation=conversation.id, input=SECOND_MESSAGE)
        print(f"you:   {SECOND_MESSAGE}\nmodel: {second.output_text}\n")

        print("The conversation now holds (oldest first):")
        for item in client.conversations.items.list(conversation.id, order="asc"):
            print(f"  - {describe(item)}")
    finally:
        if keep:
            print(f"\nKept {conversation.id}; try lessons 02 and 03 of Conversation_API/Basic_examples/ on it.")
        else:
            client.conversations.delete(conversation.id)
            print(f"\nDeleted {conversation.id}.")


if __name__ == "__main__":
    run(main)
