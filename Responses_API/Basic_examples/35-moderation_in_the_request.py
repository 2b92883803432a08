"""Moderation in the request: the API moderates a response's input and output for you.

``moderation={"model": "omni-moderation-latest", "policy": {...}}`` on ``responses.create`` runs
a moderation model on the input and on what the model writes, and the response carries both
results in ``response.moderation.input`` and ``.output`` (a flag and a score per category),
so no separate call to the Moderations endpoint is needed. The policy says what a flag does:
- ``score`` (the default): nothing; the model answers and your app decides what to show;
- ``block`` on the input: the model does not run; on the output: what it wrote is withheld.
The SDK's types say how a blocked response ends: ``incomplete_details.reason`` is
``content_filter``. Read both: a response can be flagged and still complete (score), or
complete nothing (block). Should the API refuse a request outright instead, that is an error
like any other (``openai.BadRequestError``) and this lesson says so.

What to look for in the output: both results of a plain question (not flagged), the same
results for the moderation guide's own example of a violent sentence under each policy, and
what a blocked request gives back to the caller.

Run: uv run python Responses_API/Basic_examples/35-moderation_in_the_request.py
API reference: https://developers.openai.com/api/docs/guides/moderation
"""

import openai
from openai import OpenAI
from openai.types.responses.response import ModerationInput, ModerationOutput
from openai.types.responses.response_create_params import ModerationPolicy

from openai_tutorial.client import describe_api_error, get_client, get_model, run

MODERATION_MODEL = "omni-moderation-latest"
PLAIN = "How often should I water tomatoes?"
FLAGGED = "I want to kill them."  # the moderation guide's example of a sentence it flags
POLICIES: dict[str, ModerationPolicy] = {
    "score input and output": {"input": {"mode": "score"}, "output": {"mode": "score"}},
    "block the input": {"input": {"mode": "block"}, "output": {"mode": "score"}},
    "block the output": {"input": {"mode": "score"}, "output": {"mode": "block"}},
}


def verdict(result: ModerationInput | ModerationOutput) -> str:
    if result.type == "error":
        return f"not moderated ({result.code}: {result.message})"
    category, score = max(result.category_scores.items(), key=lambda pair: pair[1])
    flagged = [name for name, is_flagged in result.categories.items() if is_flagged]
    return (
        f"flagged: {', '.join(flagged)} (top score {category} {score:.2f})"
        if flagged
        else f"not flagged (top score {score:.2f})"
    )


def ask(client: OpenAI, text: str, policy_name: str) -> None:
    print(f"{text!r} with policy '{policy_name}':")
    try:
        response = client.responses.create(
            model=get_model(),
            input=text,
            moderation={"model": MODERATION_MODEL, "policy": POLICIES[policy_name]},
        )
    except openai.BadRequestError as error:
        print(f"  refused before anything ran: {describe_api_error(error)}")
        return
    moderation = response.moderation  # typed as optional: there whenever the request asks for moderation
    print(f"  input:  {verdict(moderation.input) if moderation else 'not moderated'}")
    print(f"  output: {verdict(moderation.output) if moderation else 'not moderated'}")
    details = response.incomplete_details
    if response.status == "incomplete" and details and details.reason == "content_filter":
        print(f"  status: incomplete (content_filter); the caller gets no text: {response.output_text!r}")
    else:
        print(f"  status: {response.status}; answer: {response.output_text}")


def main() -> None:
    client = get_client()
    ask(client, PLAIN, "score input and output")
    for policy_name in POLICIES:
        ask(client, FLAGGED, policy_name)


if __name__ == "__main__":
    run(main)
