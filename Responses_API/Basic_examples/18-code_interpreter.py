"""Code interpreter: the model writes Python and runs it in a sandbox on OpenAI's side.

The ``code_interpreter`` tool needs a ``container``: ``{"type": "auto"}`` makes one for you
(a container is billed per session and expires after some idle minutes; pass its id to
reuse it). The response's ``code_interpreter_call`` item holds the ``code`` the model ran,
and with ``include=["code_interpreter_call.outputs"]`` its ``outputs``: the logs it printed
and any images it drew. What to look for in the output: the code, what it printed, then the
answer that uses it.

Run: uv run python Responses_API/Basic_examples/18-code_interpreter.py ["question"]
API reference: https://developers.openai.com/api/docs/guides/tools-code-interpreter
"""

import sys

from openai_tutorial.client import get_client, get_model, run

DEFAULT_QUESTION = "What is the sum of the squares of the first 20 prime numbers? Use Python to compute it."


def main() -> None:
    question = " ".join(sys.argv[1:]) or DEFAULT_QUESTION
    response = get_client().responses.create(
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


if __name__ == "__main__":
    run(main)
