"""Forking: two follow-ups from the same earlier response, each with its own future.

``previous_response_id`` names the turn to continue from, and any stored response can be
continued more than once. Two requests that both continue response A make two branches:
each sees everything up to A, and neither sees the other. (A Conversations API
conversation, by contrast, is one line: every response appends to it.) What to look for
in the output: both branches know the shared fact; branch B does not know what was said
only in branch A.

Run: uv run python Responses_API/Basic_examples/24-forking_a_conversation.py
API reference: https://developers.openai.com/api/docs/guides/conversation-state
"""

from openai_tutorial.client import get_client, get_model, run


def main() -> None:
    client = get_client()

    shared = client.responses.create(model=get_model(), input="Hi! My name is Ada.")
    print(f"shared:   you: Hi! My name is Ada.\n          model: {shared.output_text}\n")

    branch_a = client.responses.create(
        model=get_model(), previous_response_id=shared.id, input="Remember that my favourite colour is teal."
    )
    print(f"branch A: you: Remember that my favourite colour is teal.\n          model: {branch_a.output_text}")
    in_a = client.responses.create(
        model=get_model(), previous_response_id=branch_a.id, input="What is my name and favourite colour?"
    )
    print(f"          you: What is my name and favourite colour?\n          model: {in_a.output_text}\n")

    in_b = client.responses.create(
        model=get_model(), previous_response_id=shared.id, input="What is my name and favourite colour?"
    )
    print(f"branch B: you: What is my name and favourite colour?\n          model: {in_b.output_text}")
    print(f"\nBoth branches continue {shared.id}; B never saw A's colour.")


if __name__ == "__main__":
    run(main)
