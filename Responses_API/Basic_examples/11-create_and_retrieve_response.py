"""The response object: create one, fetch it again by id, and read what it holds.

A stored response can be retrieved later with ``responses.retrieve(id)``, for example
by another process. Walking it shows: its ``status``; its ``output``, a list of typed
items (reasoning, messages, tool calls…) rather than one string; its ``usage``,
including cached and reasoning tokens; your own ``metadata``. A second request caps the
reply with ``max_output_tokens``: it comes back ``incomplete``, and
``incomplete_details.reason`` says why, with whatever text was written before the cap.

Run: uv run python Responses_API/Basic_examples/11-create_and_retrieve_response.py
API reference: https://developers.openai.com/api/reference/resources/responses/methods/retrieve
"""

from openai.types.responses import Response

from openai_tutorial.client import get_client, get_model, run
from openai_tutorial.responses import usage_of

PROMPT = "Name three uses of the Responses API in one short paragraph."
SMALLEST_OUTPUT_CAP = 16  # the API's minimum for max_output_tokens


def describe(response: Response) -> None:
    print(f"  id:       {response.id}")
    print(f"  status:   {response.status}")
    if response.incomplete_details is not None:
        print(f"  incomplete because: {response.incomplete_details.reason}")
    print(f"  metadata: {response.metadata}")
    for index, item in enumerate(response.output):
        print(f"  output[{index}]: {item.type}")
    usage = usage_of(response)
    print(
        f"  usage:    {usage.input_tokens} in ({usage.input_tokens_details.cached_tokens} cached), "
        f"{usage.output_tokens} out ({usage.output_tokens_details.reasoning_tokens} reasoning)"
    )
    print(f"  text:     {response.output_text!r}")


def main() -> None:
    client = get_client()

    created = client.responses.create(model=get_model(), input=PROMPT, metadata={"lesson": "retrieve"})
    retrieved = client.responses.retrieve(created.id)
    print(f"Retrieved {retrieved.id} (same as created: {retrieved.id == created.id}):")
    describe(retrieved)

    capped = client.responses.create(model=get_model(), input=PROMPT, max_output_tokens=SMALLEST_OUTPUT_CAP)
    print(f"\nThe same prompt with max_output_tokens={SMALLEST_OUTPUT_CAP}:")
    describe(capped)


if __name__ == "__main__":
    run(main)
