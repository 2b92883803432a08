"""Deleting a response: remove a stored response from OpenAI, then show it is gone.

Responses are stored by default so they can be retrieved or continued later; when you
no longer need one (or must not keep it), ``responses.delete(id)`` removes it. After
that, retrieving it is an HTTP 404, which the SDK raises as ``openai.NotFoundError``:
this script catches that error on purpose, to show what "gone" looks like. What to look
for in the output: the id, the deletion, then the 404 explained.

Run: uv run python Responses_API/Basic_examples/12-delete_response.py
API reference: https://developers.openai.com/api/reference/resources/responses/methods/delete
"""

import openai

from openai_tutorial.client import get_client, get_model, run


def main() -> int:
    client = get_client()

    response = client.responses.create(model=get_model(), input="Say hello in five words.")
    print(f"Created {response.id}: {response.output_text}")

    client.responses.delete(response.id)
    print(f"Deleted {response.id}.")

    try:
        client.responses.retrieve(response.id)
    except openai.NotFoundError as error:
        print(f"Retrieving it now gives HTTP {error.status_code}, as expected: it no longer exists.")
        return 0
    print(f"Unexpected: {response.id} can still be retrieved.")
    return 1


if __name__ == "__main__":
    run(main)
