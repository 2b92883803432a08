"""File search: ground answers in your own documents, with citations to them.

Three steps: create a vector store (``vector_stores.create``); upload a file and attach it
(``files.create(purpose="assistants")``, then ``vector_stores.files.create_and_poll``,
which polls until the file is chunked and indexed, at most ``MAX_WAIT_SECONDS``); ask with
the ``file_search`` tool naming the store. The answer carries ``file_citation``
annotations, and ``include=["file_search_call.results"]`` returns the chunks the search
retrieved. Vector stores and files are kept (and billed for storage) until deleted, so the
``finally`` block deletes both, also when a step fails; ``--keep`` keeps them and prints
their ids. What to look for in the output: the retrieved chunks with their scores, the
answer, and the cited file.

Run: uv run python Responses_API/Basic_examples/17-file_search.py [path/to/file.pdf] [--keep]
API reference: https://developers.openai.com/api/docs/guides/tools-file-search
"""

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import openai

from openai_tutorial.client import UsageError, describe_api_error, get_client, get_model, run

DEFAULT_PDF = Path(__file__).parent / "resources" / "sample_document.pdf"
QUESTION = "Who is the volunteer coordinator of the garden, and when is it open in winter?"
MAX_WAIT_SECONDS = 120


def main() -> int:
    parser = argparse.ArgumentParser(description="Ask a question about a file with the file_search tool.")
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PDF)
    parser.add_argument("--keep", action="store_true", help="keep the vector store and the file; print their ids")
    args = parser.parse_args()
    if not args.path.is_file():
        raise UsageError(f"No file at {args.path}: give the path of a PDF or text file.")
    client = get_client()

    vector_store = client.vector_stores.create(name="tutorial-file-search")
    print(f"Created vector store {vector_store.id}")
    uploaded = None
    try:
        with args.path.open("rb") as document:
            uploaded = client.files.create(file=document, purpose="assistants")
        indexed = client.vector_stores.files.create_and_poll(
            uploaded.id, vector_store_id=vector_store.id, max_wait_seconds=MAX_WAIT_SECONDS
        )
        if indexed.status != "completed":
            reason = indexed.last_error.message if indexed.last_error else indexed.status
            print(f"{uploaded.filename} could not be indexed: {reason}", file=sys.stderr)
            return 1
        print(f"Indexed {uploaded.filename} ({indexed.usage_bytes} bytes)\n")

        response = client.responses.create(
            model=get_model(),
            input=QUESTION,
            tools=[{"type": "file_search", "vector_store_ids": [vector_store.id]}],
            include=["file_search_call.results"],
        )
        for item in response.output:
            if item.type == "file_search_call":
                print(f"searched for: {'; '.join(item.queries)}")
                for result in item.results or []:
                    print(f"  {result.score:.2f}  {result.filename}: {(result.text or '')[:100]}")
        print(f"\n{response.output_text}")
        cited = {
            annotation.filename
            for item in response.output
            if item.type == "message"
            for part in item.content
            if part.type == "output_text"
            for annotation in part.annotations
            if annotation.type == "file_citation"
        }
        print(f"\nCited: {', '.join(sorted(cited)) or '(nothing)'}")
        return 0
    except TimeoutError:
        print(f"The file was not indexed within {MAX_WAIT_SECONDS} seconds.", file=sys.stderr)
        return 1
    finally:
        clean_up(client, vector_store.id, uploaded.id if uploaded else None, keep=args.keep)


def clean_up(client: openai.OpenAI, vector_store_id: str, file_id: str | None, *, keep: bool) -> None:
    """Delete what this script made (or say what it kept); a delete that fails is said, with the id to delete."""
    if keep:
        print(f"\nKept vector store {vector_store_id} and file {file_id}.")
        return
    deletions: list[tuple[str, str, Callable[[str], object]]] = [
        ("vector store", vector_store_id, client.vector_stores.delete)
    ]
    if file_id:
        deletions.append(("file", file_id, client.files.delete))
    for what, object_id, delete in deletions:
        try:
            delete(object_id)
            print(f"Deleted {what} {object_id}.")
        except openai.APIError as error:
            print(
                f"Could not delete {what} {object_id} (delete it by hand): {describe_api_error(error)}", file=sys.stderr
            )


if __name__ == "__main__":
    run(main)
