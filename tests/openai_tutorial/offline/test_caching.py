"""Prompt caching in the stand-in: implicit writes, explicit breakpoints with their ttl, prewarm, diagnostics."""

import re

import openai
import pytest
import time_machine

from openai_tutorial.offline.rules import gpt_family, is_gpt_5_4_or_later, is_gpt_5_6_or_later

MODEL = "gpt-5.6-luna"
HANDBOOK = "Rule: water before noon and cite the handbook. " * 120  # about 1,450 tokens


def prefix(text: str = HANDBOOK, **breakpoint) -> dict:
    mark = {"mode": "explicit", **breakpoint}
    return {"role": "developer", "content": [{"type": "input_text", "text": text, "prompt_cache_breakpoint": mark}]}


def ask(client, *items, model=MODEL, key=None, **options):
    return client.responses.create(
        model=model,
        input=[*items, {"role": "user", "content": "Hi"}],
        prompt_cache_key=key,
        prompt_cache_options=options,
    )


def details(response) -> tuple[int, int]:
    usage = response.usage.input_tokens_details
    return usage.cached_tokens, usage.cache_write_tokens


@pytest.mark.parametrize(
    ("model", "family", "at_least_5_4", "at_least_5_6"),
    [
        ("gpt-5.4-mini", (5, 4), True, False),
        ("gpt-5.6-luna", (5, 6), True, True),
        ("gpt-5.10", (5, 10), True, True),
        ("gpt-6-astra", (6, 0), True, True),
        ("gpt-12", (12, 0), True, True),
        ("gpt-5", (5, 0), False, False),
        ("gpt-4.1-mini", (4, 1), False, False),
        ("o3", (0, 0), False, False),
    ],
)
def test_a_models_family_is_read_from_its_name(model, family, at_least_5_4, at_least_5_6):
    assert (gpt_family(model), is_gpt_5_4_or_later(model), is_gpt_5_6_or_later(model)) == (
        family,
        at_least_5_4,
        at_least_5_6,
    )


def test_an_implicit_prefix_is_written_in_blocks_once_then_read(client):
    first = client.responses.create(model="gpt-5.4-mini", instructions=HANDBOOK, input="Hi", prompt_cache_key="k")
    second = client.responses.create(model="gpt-5.4-mini", instructions=HANDBOOK, input="Hi", prompt_cache_key="k")

    spans = first.usage.input_tokens // 128 * 128
    assert details(first) == (0, spans)
    assert details(second) == (spans, 0)
    assert first.prompt_cache_options is None
    assert first.prompt_cache_diagnostics is None
    assert first.usage.input_tokens_details.cache_write_tokens_details is None  # no options: no ttl to report


def test_an_explicit_breakpoint_caches_its_exact_prefix_by_ttl_and_is_read_by_the_next_request(client):
    first = ask(client, prefix(), mode="explicit", ttl="12h")
    second = ask(client, prefix(), mode="explicit")

    written = first.usage.input_tokens_details
    assert written.cached_tokens == 0
    assert written.cache_write_tokens % 128 != 0  # the exact prefix, not rounded to a block
    assert written.cache_write_tokens_details.model_dump() == {
        "ttl_12h_tokens": written.cache_write_tokens,
        "ttl_30m_tokens": 0,
    }
    assert details(second) == (written.cache_write_tokens, 0)
    assert first.prompt_cache_options.model_dump() == {"mode": "explicit", "ttl": "12h", "comparison_response_id": None}


def test_a_breakpoints_own_ttl_wins_and_an_entry_expires_after_it(client):
    with time_machine.travel(0, tick=False) as clock:
        first = ask(client, prefix(ttl="30m"), mode="explicit", ttl="12h")
        assert first.usage.input_tokens_details.cache_write_tokens_details.ttl_30m_tokens > 0
        clock.shift(29 * 60)
        assert details(ask(client, prefix(), mode="explicit"))[0] > 0
        clock.shift(31 * 60)  # 30 minutes after the second request wrote it again
        assert details(ask(client, prefix(), mode="explicit"))[0] == 0


def test_explicit_mode_without_a_breakpoint_caches_nothing(client):
    first = ask(client, {"role": "developer", "content": HANDBOOK}, mode="explicit")
    second = ask(client, {"role": "developer", "content": HANDBOOK}, mode="explicit")

    assert details(first) == details(second) == (0, 0)


def test_only_the_latest_breakpoints_are_written_four_explicit_or_three_beside_the_implicit_one(client):
    marked = [prefix(f"Part {n}. " + HANDBOOK) for n in range(5)]

    ask(client, *marked, mode="explicit", key="four")
    oldest_explicit = ask(client, marked[0], mode="explicit", key="four")
    second_explicit = ask(client, *marked[:2], mode="explicit", key="four")
    ask(client, *marked, key="three")
    ask(client, marked[4], key="three")  # the implicit cache now holds another prefix
    second_implicit = ask(client, *marked[:2], key="three")
    third_implicit = ask(client, *marked[:3], key="three")

    assert details(oldest_explicit)[0] == 0  # the oldest of five was not written
    assert details(second_explicit)[0] > 0
    assert details(second_implicit)[0] == 0  # beside the implicit one, only the latest three were
    assert details(third_implicit)[0] > details(second_explicit)[0]


def test_prewarm_writes_the_cache_and_generates_nothing(client):
    warm = client.responses.create(model=MODEL, input=[prefix()], prompt_cache_options={"prewarm": True})
    asked = ask(client, prefix())

    assert (warm.status, warm.output, warm.usage.output_tokens) == ("completed", [], 0)
    assert details(warm) == (0, warm.usage.input_tokens)  # the breakpoint's exact prefix
    assert details(asked)[0] > 0


def test_diagnostics_name_a_hit_the_first_changed_parameter_or_the_input_and_a_missing_response(client):
    first = ask(client, prefix(), mode="explicit")
    hit = ask(client, prefix(), mode="explicit", comparison_response_id=first.id)
    tools = client.responses.create(
        model=MODEL,
        input=[prefix(), {"role": "user", "content": "Hi"}],
        tools=[{"type": "web_search"}],
        tool_choice="none",
        prompt_cache_options={"mode": "explicit", "comparison_response_id": first.id},
    )
    edited = ask(client, prefix("Edited. " + HANDBOOK), mode="explicit", comparison_response_id=first.id)
    other_model = ask(client, prefix(), model="gpt-6-astra", comparison_response_id=first.id)
    missing = ask(client, prefix(), comparison_response_id="resp_missing")

    assert hit.prompt_cache_diagnostics.type == "cache_hit"
    assert tools.prompt_cache_diagnostics.model_dump() == {
        "type": "cache_miss",
        "reason": "tools_changed",
        "cache_missed_tokens": tools.usage.input_tokens,
        "comparison_reusable_tokens": first.usage.input_tokens_details.cache_write_tokens,
    }
    assert edited.prompt_cache_diagnostics.reason == "input_changed"
    assert 0 < edited.prompt_cache_diagnostics.cache_missed_tokens < edited.usage.input_tokens
    assert other_model.prompt_cache_diagnostics.reason == "model_changed"
    assert missing.prompt_cache_diagnostics.type == "comparison_response_not_found"
    assert hit.prompt_cache_options.comparison_response_id == first.id


@pytest.mark.parametrize(
    ("request_fields", "message", "param"),
    [
        (
            {"model": "gpt-5.4-mini", "prompt_cache_options": {"ttl": "12h"}},
            "Prompt cache options and breakpoints are supported for gpt-5.6 and later models, not 'gpt-5.4-mini'.",
            "prompt_cache_options",
        ),
        (
            {"model": "gpt-5.4-mini", "input": [prefix()]},
            "Prompt cache options and breakpoints are supported for gpt-5.6 and later models, not 'gpt-5.4-mini'.",
            "input[0].content[0].prompt_cache_breakpoint",
        ),
        (
            {"prompt_cache_options": {"mode": "always"}},
            "Invalid value: 'always'. Supported values are: 'implicit', 'explicit'.",
            "prompt_cache_options.mode",
        ),
        (
            {"prompt_cache_options": {"ttl": "24h"}},
            "Invalid value: '24h'. Supported values are: '30m', '12h'.",
            "prompt_cache_options.ttl",
        ),
        (
            {"prompt_cache_options": {"prewarm": "yes"}},
            "Invalid 'prompt_cache_options.prewarm': expected a boolean.",
            "prompt_cache_options",
        ),
        (
            {"prompt_cache_options": {"retention": "24h"}},
            "Unknown parameter: 'prompt_cache_options.retention'.",
            "prompt_cache_options.retention",
        ),
        (
            {"input": [prefix(mode="implicit")]},
            "Invalid value: 'implicit'. Supported values are: 'explicit'.",
            "input[0].content[0].prompt_cache_breakpoint.mode",
        ),
        (
            {"input": [prefix(ttl="1h")]},
            "Invalid value: '1h'. Supported values are: '30m', '12h'.",
            "input[0].content[0].prompt_cache_breakpoint.ttl",
        ),
    ],
    ids=["old-model", "old-model-breakpoint", "mode", "ttl", "prewarm", "unknown", "breakpoint-mode", "breakpoint-ttl"],
)
def test_cache_options_the_api_refuses_are_a_400_naming_the_parameter(raw_api, request_fields, message, param):
    body = {"model": MODEL, "input": "Hi", **request_fields}

    reply = raw_api.post("responses", json=body)

    assert reply.status_code == 400
    assert reply.json()["error"]["message"] == message
    assert reply.json()["error"]["param"] == param


def test_options_that_are_not_an_object_are_refused(client):
    with pytest.raises(openai.BadRequestError, match=re.escape("Invalid 'prompt_cache_options': expected an object.")):
        client.responses.create(model=MODEL, input="Hi", prompt_cache_options="12h")
    with pytest.raises(openai.BadRequestError, match=re.escape("prompt_cache_breakpoint': expected an object.")):
        client.responses.create(
            model=MODEL,
            input=[
                {"role": "user", "content": [{"type": "input_text", "text": "Hi", "prompt_cache_breakpoint": "yes"}]}
            ],
        )
