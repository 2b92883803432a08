"""Files API: upload a local PDF, ask about it by file id, then delete the upload.

``files.create(purpose="user_data")`` stores the file on OpenAI's side and returns a
``file-…`` id; an ``input_file`` part with ``file_id`` then refers to it without
sending the bytes again (handy when you ask several questions about one document).
Uploads stay until you delete them, so the ``finally`` block deletes this one even when
the question fails; if that delete fails too, the script says which file to delete by hand.
What to look for in the output: the file id, the answer, and the line confirming the
upload was deleted.

Run: uv run python Responses_API/Basic_examples/04-upload_and_analyse_local_file.py [path/to/file.pdf]
API reference: https://developers.openai.com/api/reference/resources/files/methods/create
"""

import sys
from pathlib import Path

import openai

from openai_tutorial.client import UsageError, describe_api_error, get_client, get_model, run

DEFAULT_PDF = Path(__file__).parent / "resources" / "sample_document.pdf"
QUESTION = "Summarise this document in three bullet points, then say who to contact."


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PDF
    if not path.is_file():
        raise UsageError(f"No file at {path}: give the path of a PDF to upload.")
    client = get_client()

    with path.open("rb") as pdf:
        uploaded = client.files.create(file=pdf, purpose="user_data")
    print(f"Uploaded {uploaded.filename} ({uploaded.bytes} bytes) as {uploaded.id}\n")
    try:
        response = client.responses.create(
            model=get_model(),
            input=[
                {
                    "role": "user",
                    "content": [
                        {"type": "input_file", "file_id": uploaded.id},
                        {"type": "input_text", "text": QUESTION},
                    ],
                }
            ],
        )
        print(response.output_text)
    finally:
        try:
            client.files.delete(uploaded.id)
            print(f"\nDeleted {uploaded.id} from your OpenAI files.")
        except openai.APIError as error:
            print(f"Could not delete {uploaded.id}: {describe_api_error(error)}", file=sys.stderr)
            print(f"Delete it by hand: https://platform.openai.com/storage/files/{uploaded.id}", file=sys.stderr)


if __name__ == "__main__":
    run(main)
