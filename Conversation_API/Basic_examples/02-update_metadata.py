"""Conversation metadata: attach your own key=value pairs to a conversation.

Metadata is for your bookkeeping (which user, which ticket, which topic…) and can be
read back or used to find conversations in the dashboard. The API's limits are checked
here before calling, with a clear message: at most 16 pairs, keys of at most 64
characters, values of at most 512.

Replace or merge? ``conversations.update(id, metadata=…)`` takes a whole map, and the API
reference does not say what happens to keys you leave out. So that the result never
depends on that, ``--merge`` reads the current map first, merges your pairs into it,
checks the limits on the merged map and sends all of it. Either way the script prints
the map the API returns, which is the truth.

Run: uv run python Conversation_API/Basic_examples/02-update_metadata.py \
         CONV_ID key=value [key=value …] [--merge]
(make a conversation to try it on with conversation_api_basic.py --keep)
API reference: https://developers.openai.com/api/reference/resources/conversations/methods/update
"""

import argparse
import json

from openai_tutorial.client import UsageError, api_id, get_client, run

MAX_PAIRS = 16
MAX_KEY_CHARS = 64
MAX_VALUE_CHARS = 512


def parse_pair(text: str) -> tuple[str, str]:
    key, separator, value = text.partition("=")
    if not separator or not key:
        raise UsageError(f"{text!r} is not key=value.")
    if len(key) > MAX_KEY_CHARS:
        raise UsageError(f"The key {key[:20]!r}… is longer than {MAX_KEY_CHARS} characters.")
    if len(value) > MAX_VALUE_CHARS:
        raise UsageError(f"The value of {key!r} is longer than {MAX_VALUE_CHARS} characters.")
    return key, value


def check_size(metadata: dict[str, str]) -> None:
    if len(metadata) > MAX_PAIRS:
        raise UsageError(f"That makes {len(metadata)} pairs; a conversation holds at most {MAX_PAIRS}.")


def main() -> None:
    parser = argparse.ArgumentParser(description="Set metadata on a conversation.")
    parser.add_argument("conversation_id", type=api_id)
    parser.add_argument("pairs", nargs="+", metavar="key=value")
    parser.add_argument("--merge", action="store_true", help="keep the keys already set and add these")
    args = parser.parse_args()
    metadata = dict(parse_pair(pair) for pair in args.pairs)
    check_size(metadata)
    client = get_client()

    if args.merge:
        current = client.conversations.retrieve(args.conversation_id).metadata  # the SDK types it as any JSON
        metadata = {**(current if isinstance(current, dict) else {}), **metadata}
        check_size(metadata)
    updated = client.conversations.update(args.conversation_id, metadata=metadata)
    print(f"Metadata of {updated.id} is now:")
    print(json.dumps(updated.metadata, indent=2, sort_keys=True))


if __name__ == "__main__":
    run(main)
