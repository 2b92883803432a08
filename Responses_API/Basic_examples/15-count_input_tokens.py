"""Counting input tokens: know what a request will cost before you send it.

``responses.input_tokens.count`` takes the same inputs as ``responses.create`` (model,
input, instructions, tools…) and returns how many input tokens they make, without
generating a reply. Use it to check a prompt against a context window or a budget.
Instructions count as input; and models can tokenize the same text differently.
What to look for in the output: the three counts side by side.

Run: uv run python Responses_API/Basic_examples/15-count_input_tokens.py [OTHER_MODEL]
API reference: https://developers.openai.com/api/reference/resources/responses/subresources/input_tokens/methods/count
"""

import sys

from openai_tutorial.client import get_client, get_model, run

TEXT = "The quick brown fox jumps over the lazy dog. Tokens are pieces of words, not whole words."
INSTRUCTIONS = "You are a patient teacher. Explain every answer step by step."
DEFAULT_OTHER_MODEL = "gpt-5.5"


def main() -> None:
    other_model = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OTHER_MODEL
    count = get_client().responses.input_tokens.count

    plain = count(model=get_model(), input=TEXT).input_tokens
    with_instructions = count(model=get_model(), instructions=INSTRUCTIONS, input=TEXT).input_tokens
    on_other_model = count(model=other_model, input=TEXT).input_tokens

    print(f"{'plain text':<32} {get_model():<16} {plain:>6} tokens")
    print(f"{'text + instructions':<32} {get_model():<16} {with_instructions:>6} tokens")
    print(f"{'plain text':<32} {other_model:<16} {on_other_model:>6} tokens")


if __name__ == "__main__":
    run(main)
