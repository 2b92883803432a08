"""Keeping a long conversation small: measure it, then compact it with the API.

Every turn of a conversation sends all of it to the model, so a long one costs more input
tokens each turn and, past the context window, fails. ``responses.input_tokens.count``
measures a conversation before you send the next turn. ``responses.compact(model=...,
input=...)`` returns a ``CompactedResponse`` whose output is a short list of items (a
``compaction`` item, sealed in ``encrypted_content``) that keeps what matters; a new
conversation seeded with it continues where the old one stopped, for far fewer tokens.
(``responses.create(context_management=[{"type": "compaction", "compact_threshold": N}])``
asks the API to compact on its own once the input passes N tokens.)

The client-side alternative is to keep the last N turns plus a summary you ask the model
to write: you see and control exactly what is kept, but the summary costs a request and
loses what it leaves out, and you must keep reasoning items next to their messages. The
API's compaction keeps the model's own view of the conversation, opaque to you.

What to look for in the output: the token count before and after, and an answer after
compaction that still knows the facts said at the start.

Run: uv run python Conversation_API/Basic_examples/05-compact_conversation.py
API reference: https://developers.openai.com/api/docs/guides/conversation-state#managing-the-context-window
"""

from openai.types.responses import ResponseInputItemParam

from openai_tutorial.client import get_client, get_model, run
from openai_tutorial.responses import as_input

FACTS = ["Hi! My name is Ada.", "Remember that my favourite colour is teal.", "I love astronomy."]
CHATTER = [
    f"Here is note {number} about my garden: the beans are growing and the weeds too." for number in range(1, 16)
]
QUESTION = "What is my name, and what is my favourite colour?"


def main() -> None:
    client = get_client()
    history: list[ResponseInputItemParam] = [{"role": "user", "content": text} for text in FACTS + CHATTER]
    long = client.conversations.create(items=history[:20])
    new = None
    try:
        before = client.responses.input_tokens.count(model=get_model(), conversation=long.id, input=QUESTION)
        print(f"The long conversation ({len(history)} items): {before.input_tokens} input tokens for the next turn")

        items = [as_input(item) for item in client.conversations.items.list(long.id, order="asc")]
        compacted = client.responses.compact(model=get_model(), input=items)
        print(f"Compacted into {len(compacted.output)} item(s): {', '.join(item.type for item in compacted.output)}")

        new = client.conversations.create(items=[as_input(item) for item in compacted.output])
        after = client.responses.input_tokens.count(model=get_model(), conversation=new.id, input=QUESTION)
        print(f"The compacted conversation: {after.input_tokens} input tokens for the next turn\n")

        answer = client.responses.create(model=get_model(), conversation=new.id, input=QUESTION)
        print(f"you:   {QUESTION}\nmodel: {answer.output_text}")
        client.responses.delete(answer.id)
    finally:
        for conversation in (long, new):
            if conversation is not None:
                client.conversations.delete(conversation.id)
        print("\nDeleted both conversations.")


if __name__ == "__main__":
    run(main)
