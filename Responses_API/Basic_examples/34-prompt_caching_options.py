"""Prompt caching options: say where the shared prefix ends, how long to keep it, warm it, and ask why it missed.

Lesson 21 relies on implicit caching: the API picks one breakpoint by itself, in blocks of 128
tokens, for as long as it likes. ``prompt_cache_options`` (gpt-5.6 and later) gives you control:
- ``prompt_cache_breakpoint`` on a content part marks the exact end of a reusable prefix, so the
  long, fixed part (here a handbook, in a developer message) goes first and carries the mark;
  with ``mode: "explicit"`` only your breakpoints are written (up to four per request);
- ``ttl``: ``"30m"`` (the default) or ``"12h"``, the least time the prefix is kept. It replaces
  ``prompt_cache_retention``, which is deprecated (and was a maximum, not a minimum);
- ``prewarm: True`` writes the cache and generates nothing, so no user waits for the write;
- ``comparison_response_id`` asks for ``prompt_cache_diagnostics`` against an earlier response:
  ``cache_hit``, or ``cache_miss`` with the reason (input, tools, model... changed).
The default model of this tutorial takes no cache options, so this lesson names gpt-5.6-luna.

What to look for in the output: the tokens written by the prewarm request (with no output), the
same tokens read back by each question, and a handbook edited by one word missing the cache,
with the reason the diagnostics give.

Run: uv run python Responses_API/Basic_examples/34-prompt_caching_options.py
API reference: https://developers.openai.com/api/docs/guides/prompt-caching
"""

from typing import Unpack

from openai import OpenAI
from openai.types.responses import Response, ResponseInputItemParam
from openai.types.responses.response_create_params import PromptCacheOptions

from openai_tutorial.client import get_client, run
from openai_tutorial.responses import usage_of

# prompt_cache_options needs gpt-5.6 or later (the SDK's docstring of the parameter).
MODEL = "gpt-5.6-luna"
CACHE_OPTIONS: PromptCacheOptions = {"mode": "explicit", "ttl": "12h"}
HANDBOOK = "You answer questions from members of the Harbour Lane Community Garden.\n" + "\n".join(
    f"Rule {number}: plot {number} is twelve square metres, is watered before noon, and is never "
    f"promised to anyone before the committee has met."
    for number in range(1, 41)
)


def ask(client: OpenAI, handbook: str, *questions: str, **cache_options: Unpack[PromptCacheOptions]) -> Response:
    shared: ResponseInputItemParam = {
        "role": "developer",
        # The breakpoint marks the end of what every request shares: everything up to here is cached.
        "content": [{"type": "input_text", "text": handbook, "prompt_cache_breakpoint": {"mode": "explicit"}}],
    }
    asked: list[ResponseInputItemParam] = [{"role": "user", "content": question} for question in questions]
    options: PromptCacheOptions = {**CACHE_OPTIONS, **cache_options}
    return client.responses.create(model=MODEL, input=[shared, *asked], prompt_cache_options=options)


def tokens(response: Response) -> str:
    usage = usage_of(response)
    details = usage.input_tokens_details
    return (
        f"{usage.input_tokens} input, {details.cached_tokens} read from the cache, "
        f"{details.cache_write_tokens} written, {usage.output_tokens} output"
    )


def diagnosis(response: Response) -> str:
    found = response.prompt_cache_diagnostics
    if found is None or found.type != "cache_miss":
        return found.type if found else "no diagnostics"
    return f"cache_miss: {found.reason}, {found.cache_missed_tokens} tokens missed"


def main() -> None:
    client = get_client()

    warm = ask(client, HANDBOOK, prewarm=True)  # the shared prefix alone
    print(f"1. Prewarm: {tokens(warm)}; output items: {len(warm.output)}")

    first = ask(client, HANDBOOK, "Can I have a plot this season?")
    print(f"2. A member asks: {tokens(first)}")
    print(f"   {first.output_text}")

    second = ask(client, HANDBOOK, "When is plot 7 watered?", comparison_response_id=first.id)
    print(f"3. Another question, compared with 2: {tokens(second)}; {diagnosis(second)}")

    edited = HANDBOOK.replace("Harbour Lane", "Harbour Road", 1)
    third = ask(client, edited, "When is plot 7 watered?", comparison_response_id=second.id)
    print(f"4. The handbook edited by one word, compared with 3: {tokens(third)}; {diagnosis(third)}")


if __name__ == "__main__":
    run(main)
