"""Streaming: print the reply as it is written, from server-sent events.

With ``stream=True`` the API sends a sequence of typed events instead of one reply:
``response.created``, then ``response.output_text.delta`` events carrying the text a few
characters at a time, then ``response.completed`` with the whole response and its usage.
A stream can also end in ``response.failed``, ``response.incomplete`` or an ``error``
event, so those are handled too. Using the stream as a context manager closes the
connection however the loop ends, Ctrl-C included.

Each delta event also carries an ``obfuscation`` field of random characters that pads it.
Streams are encrypted, but the size of each encrypted event still shows how long its piece
of text is, and a run of such sizes can give away what was written; padding hides that.
If you trust every network link between you and OpenAI (your own servers, a private link),
``stream_options={"include_obfuscation": False}`` leaves it out and saves those bytes on
every event (``--no-obfuscation`` here). What to look for in the output: text appearing bit
by bit, then the usage line, then how many deltas came and how much padding they carried.

Run: uv run python Responses_API/Basic_examples/08-with_server_sent_streaming.py ["your prompt"] [--no-obfuscation]
API reference: https://developers.openai.com/api/docs/guides/streaming-responses
"""

import argparse
import sys

from openai_tutorial.client import get_client, get_model, run
from openai_tutorial.responses import usage_of

DEFAULT_PROMPT = "Write a short poem (four lines) about streams of data."


def main() -> int:
    parser = argparse.ArgumentParser(description="Stream a reply as it is written.")
    parser.add_argument("prompt", nargs="*", help="what to ask")
    parser.add_argument("--no-obfuscation", action="store_true", help="leave the padding out of delta events")
    args = parser.parse_args()
    prompt = " ".join(args.prompt) or DEFAULT_PROMPT
    pieces = padding = 0
    with get_client().responses.create(
        model=get_model(),
        input=prompt,
        stream=True,
        stream_options={"include_obfuscation": not args.no_obfuscation},
    ) as stream:
        for event in stream:
            match event.type:
                case "response.output_text.delta":
                    print(event.delta, end="", flush=True)
                    pieces += 1
                    padding += len((event.model_extra or {}).get("obfuscation", ""))
                case "response.completed":
                    usage = usage_of(event.response)
                    print(f"\n\n[completed: {usage.input_tokens} in + {usage.output_tokens} out tokens]")
                case "response.incomplete":
                    details = event.response.incomplete_details  # typed as optional, and always there when incomplete
                    print(f"\n\n[incomplete: {details.reason if details else 'no reason given'}]")
                case "response.failed":
                    error = event.response.error  # the same: optional, and always there when failed
                    reason = f"{error.code}: {error.message}" if error else "no reason given"
                    print(f"\n\n[failed: {reason}]", file=sys.stderr)
                    return 1
                case "error":
                    print(f"\n\n[stream error: {event.code}: {event.message}]", file=sys.stderr)
                    return 1
    print(f"[text deltas: {pieces}; obfuscation padding in them: {padding} characters]")
    return 0


if __name__ == "__main__":
    run(main)
