"""Reasoning: how hard the model thinks before it answers, what that costs, and a summary of it.

Every current model reasons: before writing its answer it produces reasoning tokens you
never see. ``reasoning.effort`` sets how many it may spend; the SDK accepts ``none``,
``minimal``, ``low``, ``medium``, ``high``, ``xhigh`` and ``max``
(``openai/types/shared/reasoning_effort.py``), though not every model takes every value.
Reasoning tokens are billed as output tokens, and counted in
``usage.output_tokens_details.reasoning_tokens``. ``reasoning.summary`` (``auto``,
``concise`` or ``detailed``) asks for a readable summary of that reasoning, which comes back
as ``summary_text`` parts of the response's ``reasoning`` item. On later turns of a chain,
``reasoning.context`` says which earlier reasoning the model reads again: ``current_turn``
(only this turn's, the default before gpt-5.6), ``all_turns`` (every turn's, the default
from gpt-5.6 on: more input tokens, more continuity) or ``auto`` (the model's choice). What
to look for in the output: the same question at two efforts, with their reasoning tokens,
total tokens and time; then the reasoning summary and the answer; then a follow-up's input
tokens under each reasoning context.

Run: uv run python Responses_API/Basic_examples/16-reasoning.py [EFFORT ...]   (default: low high)
API reference: https://developers.openai.com/api/docs/guides/reasoning
"""

import sys
import time
from typing import cast

from openai.types.shared import ReasoningEffort

from openai_tutorial.client import UsageError, answered_offline, get_client, get_model, run
from openai_tutorial.responses import usage_of

PROMPT = (
    "A bat and a ball cost $1.10 in total. The bat costs $1.00 more than the ball. "
    "How much does the ball cost? Answer in one sentence."
)
EFFORTS: tuple[ReasoningEffort, ...] = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
DEFAULT_EFFORTS: list[ReasoningEffort] = ["low", "high"]


def main() -> None:
    names = sys.argv[1:]
    if unknown := [name for name in names if name not in EFFORTS]:
        raise UsageError(f"Unknown effort {unknown[0]!r}: use {', '.join(map(str, EFFORTS))}.")
    efforts = cast(list[ReasoningEffort], names) or DEFAULT_EFFORTS  # each one of EFFORTS, checked just above
    if len(efforts) == 1:
        print(f"One effort given: {efforts[0]} runs alone, with nothing to compare (give two, such as: low high).")
    client = get_client()

    # Warm up: counting tokens is free, and opens the connection before anything is timed.
    client.responses.input_tokens.count(model=get_model(), input=PROMPT)
    print(f"{'effort':<9}{'reasoning':>10}{'total':>8}{'seconds':>9}  answer")
    for effort in efforts:
        started = time.perf_counter()
        response = client.responses.create(model=get_model(), input=PROMPT, reasoning={"effort": effort})
        seconds = time.perf_counter() - started
        usage = usage_of(response)
        reasoning_tokens = usage.output_tokens_details.reasoning_tokens
        print(f"{effort:<9}{reasoning_tokens:>10}{usage.total_tokens:>8}{seconds:>9.2f}  {response.output_text}")
    if answered_offline():
        print("(offline, the seconds are the stand-in's: more tokens written take longer, as with a model)")

    summarised = client.responses.create(
        model=get_model(), input=PROMPT, reasoning={"effort": "medium", "summary": "auto"}
    )
    summaries = [part.text for item in summarised.output if item.type == "reasoning" for part in item.summary]
    print("\nReasoning summary (reasoning.summary='auto'):")
    for text in summaries or ["(the model gave no summary this time)"]:
        print("  " + text.replace("\n", "\n  "))
    print(f"\nAnswer: {summarised.output_text}")

    print("\nA follow-up under each reasoning.context (which earlier reasoning the model reads again):")
    for context in ("current_turn", "all_turns"):
        follow_up = client.responses.create(
            model=get_model(),
            previous_response_id=summarised.id,
            input="And how much does the bat cost?",
            reasoning={"effort": "medium", "context": context},
        )
        print(f"  {context:<13}{usage_of(follow_up).input_tokens:>5} input tokens")


if __name__ == "__main__":
    run(main)
