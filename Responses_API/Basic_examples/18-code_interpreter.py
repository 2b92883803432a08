"""Code interpreter: the model writes Python and runs it in a sandbox on OpenAI's side.

The ``code_interpreter`` tool needs a ``container``: ``{"type": "auto"}`` makes one for you
(a container is billed per session and expires after some idle minutes; pass its id to
reuse it). The response's ``code_interpreter_call`` item holds the ``code`` the model ran,
and with ``include=["code_interpreter_call.outputs"]`` its ``outputs``: the logs it printed
and any images it drew. A file the code saved stays in the container, and the answer cites it
with a ``container_file_citation`` annotation (container id, file id, filename): download it
with ``containers.files.content``, before the container expires (20 idle minutes). What to
look for in the output: the code, what it printed, the answer that uses it, and where the
file it saved was downloaded to.

Run: uv run python Responses_API/Basic_examples/18-code_interpreter.py ["question"]
(saves the files the answer cites in output/ when run from the repository's root, which git
ignores, or in the current folder when run from elsewhere)
API reference: https://developers.openai.com/api/docs/guides/tools-code-interpreter
"""

import sys
from pathlib import Path

from openai_tutorial.client import get_client, get_model, run
from openai_tutorial.output import output_folder

DEFAULT_QUESTION = (
    "What is the sum of the squares of the first 20 prime numbers? Use Python to compute it, "
    "and save each prime and its square in a CSV file."
)


def main() -> None:
    question = " ".join(sys.argv[1:]) or DEFAULT_QUESTION
    client = get_client()
    response = client.responses.create(
        model=get_model(),
        input=question,
        tools=[{"type": "code_interpreter", "container": {"type": "auto"}}],
        include=["code_interpreter_call.outputs"],
    )

    for item in response.output:
        if item.type != "code_interpreter_call":
            continue
        print(f"Code run in container {item.container_id}:")
        print("  " + (item.code or "").replace("\n", "\n  "))
        for output in item.outputs or []:
            if output.type == "logs":
                print("It printed:\n  " + output.logs.rstrip().replace("\n", "\n  "))
            else:
                print(f"It drew an image: {output.url}")
    print(f"\n{response.output_text}")

    cited_files = [
        annotation
        for item in response.output
        if item.type == "message"
        for part in item.content
        for annotation in getattr(part, "annotations", [])  # a refusal part has none
        if annotation.type == "container_file_citation"
    ]
    for cited in cited_files:
        content = client.containers.files.content.retrieve(cited.file_id, container_id=cited.container_id)
        saved = output_folder() / Path(cited.filename).name  # the name only: never a path the reply chose
        saved.write_bytes(content.read())
        print(f"Downloaded {cited.filename} from {cited.container_id} to {saved.resolve()}")


if __name__ == "__main__":
    run(main)
