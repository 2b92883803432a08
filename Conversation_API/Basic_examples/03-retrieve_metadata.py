"""Conversation metadata: read back what a conversation carries.

``conversations.retrieve(id)`` returns the conversation object: its id, when it was
created, and its metadata map. An unknown or deleted id is a 404, printed as one line.

Run: uv run python Conversation_API/Basic_examples/03-retrieve_metadata.py CONV_ID
API reference: https://developers.openai.com/api/reference/resources/conversations/methods/retrieve
"""

import argparse
import json
from datetime import UTC, datetime

from openai_tutorial.client import api_id, get_client, run


def main() -> None:
    parser = argparse.ArgumentParser(description="Show a conversation's metadata.")
    parser.add_argument("conversation_id", type=api_id)
    conversation_id = parser.parse_args().conversation_id

    conversation = get_client().conversations.retrieve(conversation_id)
    created = datetime.fromtimestamp(conversation.created_at, UTC)
    print(f"Conversation {conversation.id}, created {created:%Y-%m-%d %H:%M} UTC")
    print(json.dumps(conversation.metadata, indent=2, sort_keys=True))


if __name__ == "__main__":
    run(main)
