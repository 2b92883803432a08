"""Streaming: print the reply as it is written, from server-sent events.

With ``stream=True`` the API sends a sequence of typed events instead of one reply:
``response.created``, then ``response.output_text.delta`` events carrying the text a few
characters at a time, then ``response.completed`` with the whole response and its usage.
A stream can also end in ``response.failed``, ``response.incomplete`` or an ``error``
event, so those are handled too. Using the stream as a context manager closes the
connection however the loop ends, Ctrl-C included. What to look for in the output: text
appearing bit by bit, then the usage line.

Run: uv run python Responses_API/Basic_examples/08-with_server_sent_streaming.py ["your prompt"]
API reference: https://developers.openai.com/api/docs/guides/streaming-responses
"""

import sys

from openai_tutorial.client import get_client, get_model, run

DEFAULT_PROMPT = "Write a short poem (four lines) about streams of data."


def main() -> int:
    prompt = " ".join(sys.argv[1:]) or DEFAULT_PROMPT
    with get_client().responses.create(model=get_model(), input=prompt, stream=True) as stream:
        for event in stream:
            match event.type:
                case "response.output_text.delta":
                    print(event.delta, end="", flush=True)
                case "response.completed":
                    usage = event.response.usage
                    print(f"\n\n[completed: {usage.input_tokens} in + {usage.output_tokens} out tokens]")
                case "response.incomplete":
                    print(f"\n\n[incomplete: {event.response.incomplete_details.reason}]")
                case "response.failed":
                    error = event.response.error
                    print(f"\n\n[failed: {error.code}: {error.message}]", file=sys.stderr)
                    return 1
                case "error":
                    print(f"\n\n[stream error: {event.code}: {event.message}]", file=sys.stderr)
                    return 1
    return 0


if __name__ == "__main__":
    run(main)
