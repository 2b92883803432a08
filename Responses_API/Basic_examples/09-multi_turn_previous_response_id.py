"""Multi-turn: continue a conversation with ``previous_response_id``.

OpenAI stores each response (``store`` defaults to true), so the next turn can say
``previous_response_id=<last id>`` instead of sending the history again: the model sees
the earlier turns (and you are billed for them as input). One thing is *not* carried
over: ``instructions``. They apply to the one request that sends them, so an app that
wants them on every turn must send them every time. What to look for in the output: turn
2 remembers the name from turn 1 but has dropped the pirate voice (its ``instructions``
is None); turn 3 sends the instructions again and the voice is back.

Run: uv run python Responses_API/Basic_examples/09-multi_turn_previous_response_id.py
API reference: https://developers.openai.com/api/docs/guides/conversation-state
"""

from openai_tutorial.client import get_client, get_model, run

INSTRUCTIONS = "Talk like a pirate. Keep every answer to one sentence."


def main() -> None:
    client = get_client()

    first = client.responses.create(model=get_model(), instructions=INSTRUCTIONS, input="Hi! My name is Ada.")
    print(f"turn 1 (with instructions):    {first.output_text}")

    second = client.responses.create(
        model=get_model(), previous_response_id=first.id, input="What is my name, and what do you like?"
    )
    print(f"turn 2 (instructions omitted): {second.output_text}")
    print(f"        second.instructions = {second.instructions!r}: they were not carried over")

    third = client.responses.create(
        model=get_model(), previous_response_id=second.id, instructions=INSTRUCTIONS, input="Say goodbye to me."
    )
    print(f"turn 3 (instructions re-sent): {third.output_text}")


if __name__ == "__main__":
    run(main)
