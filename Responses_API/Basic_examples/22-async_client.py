"""The async client: several requests at once, with a bound on how many run together.

``AsyncOpenAI`` has the same methods as ``OpenAI``, awaited. ``asyncio.gather`` starts
every request at once; an ``asyncio.Semaphore`` lets at most ``MAX_CONCURRENT`` run at a
time, so a long list of prompts does not hit your rate limit in one burst. Each task
catches its own ``openai.APIError``, so one failing prompt does not sink the others: here
the last prompt is sent with ``max_output_tokens=1``, which the API refuses (the minimum is
16). Both runs are timed after a first request that opens the connection, so neither pays
for it. What to look for in the output: every answer or error, then the wall time one after
another versus all at once: close to three times faster with three at a time.

Run: uv run python Responses_API/Basic_examples/22-async_client.py
API reference: https://github.com/openai/openai-python#async-usage
"""

import asyncio
import time

import openai

from openai_tutorial.client import answered_offline, describe_api_error, get_async_client, get_model, run

MAX_CONCURRENT = 3
PROMPTS = [
    "Name a river in Portugal.",
    "Name a mountain in Japan.",
    "Name a desert in Chile.",
    "Name a lake in Canada.",
    "Name a forest in Germany.",
]
TOO_SMALL = 1  # below the API's minimum max_output_tokens: this prompt fails on purpose


async def ask(client: openai.AsyncOpenAI, limit: asyncio.Semaphore, prompt: str, max_output_tokens: int | None) -> str:
    async with limit:
        try:
            response = await client.responses.create(
                model=get_model(), input=prompt, max_output_tokens=max_output_tokens or openai.omit
            )
        except openai.APIError as error:
            return f"failed: {describe_api_error(error)}"
        return response.output_text


async def ask_all() -> None:
    async with get_async_client() as client:
        caps = [None] * (len(PROMPTS) - 1) + [TOO_SMALL]
        limit = asyncio.Semaphore(MAX_CONCURRENT)
        # Warm up: counting tokens is free, and opens the connection before anything is timed.
        await client.responses.input_tokens.count(model=get_model(), input=PROMPTS[0])

        started = time.perf_counter()
        for prompt, cap in zip(PROMPTS, caps, strict=True):
            await ask(client, limit, prompt, cap)
        one_by_one = time.perf_counter() - started

        started = time.perf_counter()
        answers = await asyncio.gather(*(ask(client, limit, p, cap) for p, cap in zip(PROMPTS, caps, strict=True)))
        together = time.perf_counter() - started

    for prompt, answer in zip(PROMPTS, answers, strict=True):
        print(f"{prompt}\n  -> {answer}")
    print(f"\none after another: {one_by_one:.2f} s; {MAX_CONCURRENT} at a time: {together:.2f} s")
    if answered_offline():
        print("(offline, these are the times the stand-in takes to answer, set by OPENAI_OFFLINE_LATENCY)")


def main() -> None:
    asyncio.run(ask_all())


if __name__ == "__main__":
    run(main)
