"""The stream helper, and resuming a background stream after the connection drops.

Part 1: ``client.responses.stream(...)`` is the SDK's streaming helper. Used as a context
manager it closes the connection however the block ends; its events are typed, and
``get_final_response()`` gives the finished response without assembling it yourself.

Part 2: a response created with ``background=True, stream=True`` keeps being written on
OpenAI's side even if your connection breaks. Every event carries a ``sequence_number``;
``responses.retrieve(id, stream=True, starting_after=n)`` resumes the stream after event
``n``, so nothing is lost or repeated. Here the first stream is cut on purpose after a few
text pieces. Background responses are stored (so they cannot be ``store=False``), and
users report that a background stream can only be resumed for a few minutes after it
finished. What to look for in the output: the text streaming, the cut, the resumed rest,
and the check that the pieces make the whole answer.

Run: uv run python Responses_API/Basic_examples/20-stream_helper_and_resume.py
API reference: https://developers.openai.com/api/docs/guides/background
"""

from openai import OpenAI

from openai_tutorial.client import get_client, get_model, run
from openai_tutorial.responses import usage_of

PROMPT = "In four short sentences, explain what a lighthouse keeper did."
BACKGROUND_PROMPT = "In five short sentences, tell the history of the printing press."
DELTAS_BEFORE_THE_CUT = 3


def stream_with_the_helper(client: OpenAI) -> None:
    print("1. The stream helper:")
    with client.responses.stream(model=get_model(), input=PROMPT) as stream:
        for event in stream:
            if event.type == "response.output_text.delta":
                print(event.delta, end="", flush=True)
        final = stream.get_final_response()
    print(f"\n[{final.status}: {usage_of(final).output_tokens} output tokens]\n")


def cut_and_resume(client: OpenAI) -> int:
    print("2. A background stream, cut and resumed:")
    pieces: list[str] = []
    last_seen, response_id = -1, None
    with client.responses.create(model=get_model(), input=BACKGROUND_PROMPT, background=True, stream=True) as cut:
        for event in cut:
            last_seen = event.sequence_number
            if event.type == "response.created":
                response_id = event.response.id
            elif event.type == "response.output_text.delta":
                pieces.append(event.delta)
                print(event.delta, end="", flush=True)
                if len(pieces) == DELTAS_BEFORE_THE_CUT:
                    break  # as if the connection had dropped here
    if response_id is None:
        print("\n[the stream ended before it named its response: there is nothing to resume]")
        return 1
    print(f"\n[connection cut after event {last_seen}; resuming {response_id} from there]")

    finished = None
    with client.responses.retrieve(response_id, stream=True, starting_after=last_seen) as resumed:
        for event in resumed:
            if event.type == "response.output_text.delta":
                pieces.append(event.delta)
                print(event.delta, end="", flush=True)
            elif event.type in {"response.completed", "response.incomplete", "response.failed"}:
                finished = event.response
    if finished is None:
        print("\n[the resumed stream ended without a final event]")
        return 1
    whole = "".join(pieces) == finished.output_text
    print(f"\n[{finished.status}; the pieces make the whole answer: {whole}]")
    return 0 if whole else 1


def main() -> int:
    client = get_client()
    stream_with_the_helper(client)
    return cut_and_resume(client)


if __name__ == "__main__":
    run(main)
