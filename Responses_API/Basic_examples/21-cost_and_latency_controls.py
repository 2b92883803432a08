"""Cost and latency controls: the request parameters that make a call cheaper or faster.

- ``prompt_cache_key``: prompts of 1024 tokens or more are cached by their beginning; a
  second request that starts the same way is billed less for the cached part, reported in
  ``usage.input_tokens_details.cached_tokens``. The key groups requests that share a prefix,
  so they reach the same cache: put the long, unchanging part (instructions, tools) first.
- ``text.verbosity``: ``low``, ``medium`` or ``high``; fewer words are fewer output tokens.
- ``truncation="auto"``: when a conversation outgrows the context window, drop its oldest
  items instead of failing.
- ``max_tool_calls``: a ceiling on built-in tool calls in one response.
- ``service_tier``: ``flex`` is cheaper and slower (some models only), ``priority`` faster
  and dearer; ``auto`` uses the project's default. The response says which tier served it.
What to look for in the output: cached tokens on the second call, output tokens per
verbosity, and a closing table of what each knob changed.

Run: uv run python Responses_API/Basic_examples/21-cost_and_latency_controls.py
API reference: https://developers.openai.com/api/docs/guides/prompt-caching
"""

from openai_tutorial.client import get_client, get_model, run
from openai_tutorial.responses import usage_of

# A long, fixed prefix: caching starts at 1024 tokens, about 4,000 characters of English.
HOUSE_RULES = "You are the help desk of the Harbour Lane Community Garden. Follow these rules.\n" + "\n".join(
    f"Rule {number}: answer questions about plot {number} politely, cite the members' handbook, and never "
    f"promise a plot before the committee has met; plot {number} is twelve square metres."
    for number in range(1, 41)
)
QUESTION = "Can I have a plot this season?"


def main() -> None:
    client = get_client()
    rows: list[tuple[str, str]] = []

    cached: list[int] = []
    for attempt in (1, 2):
        response = client.responses.create(
            model=get_model(), instructions=HOUSE_RULES, input=QUESTION, prompt_cache_key="garden-help-desk"
        )
        usage = usage_of(response)
        cached.append(usage.input_tokens_details.cached_tokens)
        print(f"call {attempt}: {usage.input_tokens} input tokens, {cached[-1]} of them cached")
    rows.append(("prompt_cache_key", f"cached input tokens: {cached[0]} then {cached[1]}"))

    outputs: dict[str, int] = {}
    for verbosity in ("low", "high"):
        response = client.responses.create(model=get_model(), input=QUESTION, text={"verbosity": verbosity})
        outputs[verbosity] = usage_of(response).output_tokens
        print(f"verbosity={verbosity}: {outputs[verbosity]} output tokens")
    rows.append(("text.verbosity", f"output tokens: {outputs['low']} (low) vs {outputs['high']} (high)"))

    truncated = client.responses.create(model=get_model(), input=QUESTION, truncation="auto")
    rows.append(("truncation", f"{truncated.truncation!r}: old items are dropped if the context overflows"))

    searched = client.responses.create(
        model=get_model(),
        input="Find two recent news stories about gardens.",
        tools=[{"type": "web_search"}],
        max_tool_calls=1,
    )
    searches = sum(item.type == "web_search_call" for item in searched.output)
    rows.append(("max_tool_calls=1", f"{searches} tool call(s) made"))

    tiered = client.responses.create(model=get_model(), input=QUESTION, service_tier="auto")
    rows.append(("service_tier='auto'", f"served by the {tiered.service_tier!r} tier"))

    print(f"\n{'knob':<22}what it changed")
    for knob, effect in rows:
        print(f"{knob:<22}{effect}")


if __name__ == "__main__":
    run(main)
