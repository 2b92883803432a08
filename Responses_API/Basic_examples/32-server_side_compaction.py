"""Server-side compaction: a long chat stays small because the API compacts it during a turn.

Every turn of a chained chat sends the whole history to the model again, so its input tokens
grow turn by turn. With ``context_management=[{"type": "compaction", "compact_threshold": N}]``
(N is 1000 or more), a turn whose input passes N tokens first writes a ``compaction`` item
(sealed, ``encrypted_content``) that stands for everything before it; from then on the model
reads that item and what follows, and the input drops. Three ways are shown:
1. chained with ``previous_response_id``: send only the new message, prune nothing, the API
   keeps the compaction in the chain;
2. stateless (``store=False``, the history in ``input``): append each output as usual and,
   when a compaction item appears, drop everything before it;
3. a ``compaction_trigger`` item, last in the input, compacts now.
Compared with ``responses.compact`` (Conversation_API lesson 05), which is a separate call you
make when you choose, this happens inside a turn, when the threshold says. Steering a running
response (WebSocket mode) is refused for a response that uses automatic compaction.

What to look for in the output: the input tokens turn by turn, the turn where a compaction
item appears, the shorter history kept after it, and the name still recalled at the end.

Run: uv run python Responses_API/Basic_examples/32-server_side_compaction.py
API reference: https://developers.openai.com/api/docs/guides/compaction
"""

import sys

from openai.types.responses import Response, ResponseInputItemParam
from openai.types.responses.response_create_params import ContextManagement

from openai_tutorial.client import get_client, get_model, run
from openai_tutorial.responses import as_input, usage_of

COMPACTION: list[ContextManagement] = [{"type": "compaction", "compact_threshold": 1000}]
NOTES = "The tomatoes need stakes, the beans need water before noon, and the roses need pruning. " * 8
TURNS = [
    "Hi! My name is Ada and I grow tomatoes.",
    *(f"Note {day} of my garden diary: {NOTES}" for day in range(1, 6)),
    "What is my name?",
]


def compacted(response: Response) -> str:
    return "  <- compaction item" if any(item.type == "compaction" for item in response.output) else ""


def main() -> int:
    client = get_client()

    print("1. Chained: only the new message each turn")
    previous = None
    for number, text in enumerate(TURNS, start=1):
        response = client.responses.create(
            model=get_model(), input=text, previous_response_id=previous, context_management=COMPACTION
        )
        previous = response.id
        print(f"  turn {number}: {usage_of(response).input_tokens} input tokens{compacted(response)}")
    print(f"  answer: {response.output_text}")

    print("\n2. Stateless: the history in input, everything before the newest compaction dropped")
    history: list[ResponseInputItemParam] = []
    for number, text in enumerate(TURNS, start=1):
        history.append({"role": "user", "content": text})
        response = client.responses.create(
            model=get_model(),
            input=history,
            store=False,
            include=["reasoning.encrypted_content"],  # stateless reasoning goes back sealed
            context_management=COMPACTION,
        )
        history += [as_input(item) for item in response.output]
        newest = max((at for at, item in enumerate(history) if item.get("type") == "compaction"), default=0)
        history = history[newest:]
        kept = f"{len(history)} items kept"
        print(f"  turn {number}: {usage_of(response).input_tokens} input tokens, {kept}{compacted(response)}")
    print(f"  answer: {response.output_text}")

    print("\n3. A compaction_trigger compacts now")
    response = client.responses.create(
        model=get_model(),
        input=[{"role": "user", "content": TURNS[0]}, {"type": "compaction_trigger"}],
        store=False,
    )
    item = next((item for item in response.output if item.type == "compaction"), None)
    if item is None:
        print("The trigger brought no compaction item back.", file=sys.stderr)
        return 1
    size = len(item.encrypted_content)
    print(f"  {usage_of(response).input_tokens} input tokens became one compaction item of {size} characters")
    return 0


if __name__ == "__main__":
    run(main)
