"""Background mode: start a long response, poll it until it finishes, and cancel one.

``background=True`` returns at once with status ``queued`` (or ``in_progress``) while the
model works on OpenAI's side, so a slow task never holds your connection open. You
poll with ``responses.retrieve(id)`` until the status is terminal: ``completed``,
``failed``, ``cancelled`` or ``incomplete``. The polling loop is bounded and waits
between polls. ``responses.cancel(id)`` stops a background response that is still
running. What to look for in the output: the statuses as they change, the answer, then
a second response that ends ``cancelled``.

Run: uv run python Responses_API/Basic_examples/13-background_and_cancel.py
API reference: https://developers.openai.com/api/docs/guides/background
"""

import time

from openai.types.responses import Response

from openai_tutorial.client import get_client, get_model, run

PROMPT = "Write a detailed, five-paragraph history of the printing press."
TERMINAL_STATUSES = {"completed", "failed", "cancelled", "incomplete"}
POLL_INTERVAL_SECONDS = 2.0
MAX_POLLS = 90  # three minutes at most


def wait_until_finished(response: Response) -> Response:
    """Poll until the response reaches a terminal status, or MAX_POLLS runs out."""
    for _ in range(MAX_POLLS):
        if response.status in TERMINAL_STATUSES:
            break
        time.sleep(POLL_INTERVAL_SECONDS)
        response = get_client().responses.retrieve(response.id)
        print(f"  status: {response.status}")
    return response


def main() -> int:
    client = get_client()

    started = client.responses.create(model=get_model(), input=PROMPT, background=True)
    print(f"Started {started.id} in the background (status: {started.status}); polling:")
    finished = wait_until_finished(started)
    if finished.status not in TERMINAL_STATUSES:
        cancelled = client.responses.cancel(finished.id)
        print(f"Still {finished.status} after {MAX_POLLS} polls; cancelled it (status: {cancelled.status}).")
        return 1
    print(f"\nFinal status: {finished.status}\n{finished.output_text}\n")

    second = client.responses.create(model=get_model(), input=PROMPT, background=True)
    print(f"Started {second.id} (status: {second.status}) and cancelling it at once.")
    cancelled = client.responses.cancel(second.id)
    print(f"Its final status: {cancelled.status}")
    return 0


if __name__ == "__main__":
    run(main)
