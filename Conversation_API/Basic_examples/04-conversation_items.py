"""Conversation items: look inside a conversation, add to it, and take something out of it.

A conversation is a list of items (messages, function calls and outputs, reasoning...).
``conversations.create(items=[...])`` seeds it (at most 20 items per request);
``conversations.items.create`` adds items without asking the model for a reply;
``conversations.items.list`` pages through them (``order``, ``limit``, ``after``; ``include``
can add fields such as ``message.output_text.logprobs``); ``items.retrieve`` and
``items.delete`` take an item id and the conversation's id. Deleting an item removes it from
what the model reads on the next turn. What to look for in the output: the items page by
page, then an answer that knows the favourite colour, and, after that item is deleted, one
that does not. The conversation is deleted at the end unless ``--keep``; the responses
made in it are deleted too (deleting a conversation leaves its responses, and its items).

Run: uv run python Conversation_API/Basic_examples/04-conversation_items.py [--keep]
API reference: https://developers.openai.com/api/reference/resources/conversations/subresources/items/methods/list
"""

import argparse

from openai.types.conversations import ConversationItem

from openai_tutorial.client import get_client, get_model, run

PAGE_SIZE = 2
QUESTION = "What is my name, and what is my favourite colour?"


def describe(item: ConversationItem) -> str:
    """An item as one line: a message's role and text; any other item (a tool call...) its type."""
    if item.type != "message":
        return item.type
    text = " ".join(part.text for part in item.content if part.type == "input_text" or part.type == "output_text")
    return f"{item.role}: {text}"


def main() -> None:
    parser = argparse.ArgumentParser(description="Look inside a conversation, add to it, and delete from it.")
    parser.add_argument("--keep", action="store_true", help="keep the conversation and print its id")
    keep = parser.parse_args().keep
    client = get_client()

    conversation = client.conversations.create(
        items=[
            {"role": "user", "content": "Hi! My name is Ada."},
            {"role": "assistant", "content": "Nice to meet you, Ada."},
        ]
    )
    print(f"Created {conversation.id}, seeded with two items")
    added = client.conversations.items.create(
        conversation.id, items=[{"role": "user", "content": "Remember that my favourite colour is teal."}]
    )
    colour_id = added.first_id  # the one item added
    print(f"Added {colour_id} without asking for a reply\n")
    response_ids = []
    try:
        print(f"The items, oldest first, {PAGE_SIZE} a page:")
        page = client.conversations.items.list(conversation.id, order="asc", limit=PAGE_SIZE)
        number = 1
        while True:
            for item in page.data:
                print(f"  page {number}: {describe(item)}")
            if not page.has_next_page():
                break
            page = page.get_next_page()  # the same request, with after=<the last item's id>
            number += 1
        retrieved = client.conversations.items.retrieve(colour_id, conversation_id=conversation.id)
        print(f"Retrieved one by id: {describe(retrieved)}\n")

        before = client.responses.create(model=get_model(), conversation=conversation.id, input=QUESTION)
        response_ids.append(before.id)
        print(f"you:   {QUESTION}\nmodel: {before.output_text}\n")

        client.conversations.items.delete(colour_id, conversation_id=conversation.id)
        print(f"Deleted {colour_id} (the favourite colour)")
        after = client.responses.create(model=get_model(), conversation=conversation.id, input=QUESTION)
        response_ids.append(after.id)
        print(f"you:   {QUESTION}\nmodel: {after.output_text}")
    finally:
        if keep:
            print(f"\nKept {conversation.id}.")
        else:
            for response_id in response_ids:
                client.responses.delete(response_id)
            client.conversations.delete(conversation.id)
            print(f"\nDeleted {conversation.id} and the {len(response_ids)} responses made in it.")


if __name__ == "__main__":
    run(main)
