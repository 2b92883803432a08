"""Discounted background work, and a webhook that says when it is done instead of polling.

``background=True`` returns at once with a ``queued`` response (lesson 13 polls it).
``background_options={"completion_window": "2h"}`` (or ``"8h"``) lets OpenAI finish it at any
time within that window, for less: 30% off for 2h, 40% for 8h, per OpenAI's background guide.
Those windows need ``background: true``, Standard processing (no ``service_tier`` of its own)
and no stream, and the API refuses anything else. ``continuation_id`` marks related requests
so they are scheduled together; it adds no history to the input.

Instead of polling for hours, let OpenAI call you: a project's webhook endpoint receives
``response.completed`` (or ``failed``, ``cancelled``, ``incomplete``) naming the response, and the
receiver (``Responses_API/webhook_receiver/backend.py``) verifies it and retrieves the answer.
This script starts the work and exits; the receiver prints each answer when it arrives.

What to look for in the output: the API refusing a streamed 2h request, two queued responses
sharing a continuation id, and nothing polled (the receiver's terminal shows the answers).

Run: uv run python Responses_API/Basic_examples/33-background_work_with_webhooks.py [--window 2h|8h]
API reference: https://developers.openai.com/api/docs/guides/background
"""

import argparse
import datetime

import openai

from openai_tutorial.client import describe_api_error, get_client, get_model, run

QUESTIONS = [
    "Write a one-paragraph summary of what a community garden needs in winter.",
    "List five tools a community garden should buy before spring.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", choices=["2h", "8h"], default="2h", help="the completion window (default 2h)")
    window = parser.parse_args().window
    client = get_client()

    try:
        with client.responses.create(
            model=get_model(),
            input=QUESTIONS[0],
            background=True,
            background_options={"completion_window": window},
            stream=True,
        ):
            print(f"A streamed {window} request was accepted; closed unread.")
    except openai.BadRequestError as error:
        print(f"A streamed {window} request is refused: {describe_api_error(error)}")

    continuation_id = f"garden-report-{datetime.date.today()}"  # one id for today's related requests
    print(f"\nStarting {len(QUESTIONS)} related requests (completion window {window}, continuation {continuation_id}):")
    for question in QUESTIONS:
        response = client.responses.create(
            model=get_model(),
            input=question,
            background=True,
            background_options={"completion_window": window, "continuation_id": continuation_id},
        )
        print(f"  {response.id}: {response.status}")
    print(
        f"\nNothing to poll: within {window}, OpenAI posts response.completed for each to your webhook endpoint,"
        "\nand the receiver prints its answer."
    )


if __name__ == "__main__":
    run(main)
