"""Text completion: send one prompt to the Responses API and print the reply.

What to look for in the output: the reply first (``response.output_text`` joins every
text part the model produced), then the response's id, its status (``completed``),
the model that actually answered (a dated snapshot of the one you asked for) and the
token usage the request was billed for.

Run: uv run python Responses_API/Basic_examples/01-basic_example.py ["your own prompt"]
API reference: https://developers.openai.com/api/reference/resources/responses/methods/create
"""

import sys

from openai_tutorial.client import get_client, get_model, run
from openai_tutorial.responses import usage_of

DEFAULT_PROMPT = "In two sentences, what is the OpenAI Responses API for?"


def main() -> None:
    prompt = " ".join(sys.argv[1:]) or DEFAULT_PROMPT
    response = get_client().responses.create(model=get_model(), input=prompt)

    print(response.output_text)
    print()
    print(f"response id: {response.id}")
    print(f"status:      {response.status}")
    print(f"model:       {response.model}")
    usage = usage_of(response)  # the SDK types it as optional: a response still being written has none
    print(f"tokens:      {usage.input_tokens} in + {usage.output_tokens} out = {usage.total_tokens}")


if __name__ == "__main__":
    run(main)
