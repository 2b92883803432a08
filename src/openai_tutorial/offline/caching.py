"""Prompt caching: what a request reads from the cache, what it writes there, and why it missed.

- Implicit (every model, the API's default): a prompt of 1024 tokens or more is cached by its
  beginning, in blocks of 128 tokens; ``prompt_cache_key`` groups requests that share a prefix.
- ``prompt_cache_options`` (gpt-5.6 and later): a ``prompt_cache_breakpoint`` on a content part
  marks the exact end of a reusable prefix; a request writes its latest three breakpoints
  besides the implicit one, or its latest four with ``mode: "explicit"`` (no implicit one then),
  each kept for its ``ttl``; ``prewarm`` writes without generating; ``comparison_response_id``
  asks for diagnostics against an earlier response, naming the first thing that differs.
"""

import hashlib
import json
import os
import time
from collections.abc import Callable
from typing import Any

from openai_tutorial.offline import model
from openai_tutorial.offline.errors import invalid
from openai_tutorial.offline.rules import check_one_of, is_gpt_5_6_or_later, served_tier
from openai_tutorial.offline.store import Transaction

MINIMUM_TOKENS = 1024
BLOCK_TOKENS = 128
TTL_SECONDS = {"30m": 30 * 60, "12h": 12 * 3600}
MODES = ("implicit", "explicit")
OPTION_KEYS = {"mode", "ttl", "prewarm", "comparison_response_id"}
WRITTEN_BREAKPOINTS = {"implicit": 3, "explicit": 4}
CONSIDERED_BREAKPOINTS = 80
# What changes the whole prefix, in the order a prompt is built: the first that differs is the reason for a miss.
PREFIX_PARAMETERS: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("model_changed", lambda body: body.get("model")),
    ("prompt_cache_key_changed", lambda body: body.get("prompt_cache_key")),
    ("service_tier_changed", served_tier),
    ("tools_changed", lambda body: body.get("tools") or []),
    ("text_format_changed", lambda body: (body.get("text") or {}).get("format") or {"type": "text"}),
    ("verbosity_changed", lambda body: (body.get("text") or {}).get("verbosity") or "medium"),
    ("reasoning_effort_changed", model.reasoning_effort),
]

type Items = list[dict[str, Any]]


def breakpoints_in(items: Any) -> list[tuple[str, dict[str, Any]]]:
    """Each ``prompt_cache_breakpoint`` in raw input, with the parameter that names it."""
    found = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        content = item.get("content") if isinstance(item, dict) else None
        for number, part in enumerate(content if isinstance(content, list) else []):
            if isinstance(part, dict) and part.get("prompt_cache_breakpoint") is not None:
                found.append((f"input[{index}].content[{number}].prompt_cache_breakpoint", part))
    return found


def check_options(body: dict[str, Any]) -> None:
    """``prompt_cache_options`` and breakpoints: values the SDK lists, on a model that takes them."""
    options = body.get("prompt_cache_options")
    marked = breakpoints_in(body.get("input"))
    if (options is not None or marked) and not is_gpt_5_6_or_later(body["model"]):
        param = "prompt_cache_options" if options is not None else marked[0][0]
        raise invalid(
            f"Prompt cache options and breakpoints are supported for gpt-5.6 and later models, not '{body['model']}'.",
            param=param,
            code="unsupported_parameter",
        )
    if options is not None:
        if not isinstance(options, dict):
            raise invalid("Invalid 'prompt_cache_options': expected an object.", param="prompt_cache_options")
        for key in options.keys() - OPTION_KEYS:
            param = f"prompt_cache_options.{key}"
            raise invalid(f"Unknown parameter: '{param}'.", param=param, code="unknown_parameter")
        check_one_of(options.get("mode", "implicit"), MODES, "prompt_cache_options.mode")
        check_one_of(options.get("ttl", "30m"), TTL_SECONDS, "prompt_cache_options.ttl")
        if not isinstance(options.get("prewarm", False), bool):
            raise invalid("Invalid 'prompt_cache_options.prewarm': expected a boolean.", param="prompt_cache_options")
    for param, part in marked:
        breakpoint = part["prompt_cache_breakpoint"]
        if not isinstance(breakpoint, dict):
            raise invalid(f"Invalid '{param}': expected an object.", param=param)
        check_one_of(breakpoint.get("mode"), ("explicit",), f"{param}.mode")
        check_one_of(breakpoint.get("ttl", "30m"), TTL_SECONDS, f"{param}.ttl")


def options_of(body: dict[str, Any]) -> dict[str, Any]:
    options = body.get("prompt_cache_options") or {}
    return {"mode": options.get("mode", "implicit"), "ttl": options.get("ttl", "30m"), **options}


def prefix_text(body: dict[str, Any], context: Items) -> str:
    """What a cached prefix is made of: what comes before the input, then the items (their ids aside)."""
    items = [{key: value for key, value in item.items() if key != "id"} for item in context]
    for item in items:
        if item.get("type") == "message":  # where a breakpoint is marked is not part of what is cached
            item["content"] = [without(part, "prompt_cache_breakpoint") for part in item["content"]]
    return json.dumps([body.get("instructions"), body.get("tools"), items])


def without(part: dict[str, Any], key: str) -> dict[str, Any]:
    return {name: value for name, value in part.items() if name != key}


def breakpoints(body: dict[str, Any], context: Items) -> list[tuple[int, str, str]]:
    """Each breakpoint in what the model reads, oldest first: (the prefix's tokens, its digest, its ttl)."""
    found = []
    request_ttl = options_of(body)["ttl"]
    for index, item in enumerate(context):
        for number, part in enumerate(item.get("content") or [] if item.get("type") == "message" else []):
            if part.get("prompt_cache_breakpoint") is None:
                continue
            prefix = [*context[:index], {**item, "content": item["content"][: number + 1]}]
            digest = f"{body['model']}:{body.get('prompt_cache_key') or ''}:{prefix_text(body, prefix)}"
            tokens = model.count_input_tokens(body, prefix)
            ttl = part["prompt_cache_breakpoint"].get("ttl") or request_ttl
            found.append((tokens, hashlib.sha256(digest.encode()).hexdigest(), ttl))
    return found[-CONSIDERED_BREAKPOINTS:]


def implicit_prefix(store: Transaction, body: dict[str, Any], context: Items) -> tuple[int, int]:
    """The implicit cache: (tokens read, tokens the request's own prefix spans), by the last request of its key."""
    prefix = prefix_text(body, context)
    key = f"prompt_cache:{body['model']}:{body.get('prompt_cache_key') or ''}"  # pragma: no mutate: equivalent
    previous = store.get("prompt_cache", key)
    store.put("prompt_cache", key, {"prefix": prefix})
    tokens = model.count_input_tokens(body, context)
    spans = tokens // BLOCK_TOKENS * BLOCK_TOKENS if tokens >= MINIMUM_TOKENS else 0
    if previous is None or not spans:
        return 0, spans
    # Character by character is what is meant here: the prompt's shared start, not a path.
    shared = len(os.path.commonprefix([previous["prefix"], prefix])) // 4  # noqa: RUF071
    return (shared // BLOCK_TOKENS * BLOCK_TOKENS if shared >= MINIMUM_TOKENS else 0), spans


def read_and_write(store: Transaction, body: dict[str, Any], context: Items) -> dict[str, Any]:
    """The request's ``usage.input_tokens_details``: tokens read from the cache, and written to it by ttl."""
    options = options_of(body)
    now = time.time()
    marked = breakpoints(body, context)
    live = {digest for _, digest, _ in marked if (store.get("prompt_cache_entry", digest) or {}).get("until", 0) > now}
    read = max((tokens for tokens, digest, _ in marked if digest in live), default=0)
    writes: list[tuple[int, str | None, str]] = list(marked[-WRITTEN_BREAKPOINTS[options["mode"]] :])
    if options["mode"] == "implicit":
        implicit_read, spans = implicit_prefix(store, body, context)
        read = max(read, implicit_read)
        writes.append((spans, None, options["ttl"]))
    written = {ttl: 0 for ttl in TTL_SECONDS}
    for tokens, digest, ttl in writes:
        if digest is not None:
            store.put("prompt_cache_entry", digest, {"until": now + TTL_SECONDS[ttl]})
        written[ttl] = max(written[ttl], tokens - read)
    details: dict[str, Any] = {"cached_tokens": read, "cache_write_tokens": sum(written.values())}
    if body.get("prompt_cache_options") is not None:
        details["cache_write_tokens_details"] = {f"ttl_{ttl}_tokens": tokens for ttl, tokens in written.items()}
    return details


def signature(body: dict[str, Any], context: Items) -> dict[str, Any]:
    """What a later request's diagnostics compare with: the parameters that shape the prefix, and the prefix."""
    return {
        "parameters": {reason: value(body) for reason, value in PREFIX_PARAMETERS},
        "prefix": prefix_text(body, context),
    }


def diagnostics(
    store: Transaction, body: dict[str, Any], now: dict[str, Any], usage: dict[str, Any]
) -> dict[str, Any] | None:
    """Why this request (its ``signature``, its ``usage``) did or did not reuse the compared response's prefix."""
    compared = options_of(body).get("comparison_response_id")
    if not compared:
        return None
    record = store.get("response", compared)
    if record is None or "cache_signature" not in record:
        return {"type": "comparison_response_not_found"}
    then = record["cache_signature"]
    earlier = (record.get("finished") or record["response"])["usage"]["input_tokens_details"]
    reusable = earlier["cached_tokens"] + earlier["cache_write_tokens"]
    for reason, _ in PREFIX_PARAMETERS:
        if now["parameters"][reason] != then["parameters"][reason]:
            return cache_miss(reason, usage["input_tokens"], reusable)
    if usage["input_tokens_details"]["cached_tokens"]:
        return {"type": "cache_hit"}
    # Character by character is what is meant here: the prompts' shared start, not a path.
    shared = len(os.path.commonprefix([then["prefix"], now["prefix"]])) // 4  # noqa: RUF071
    return cache_miss("input_changed", max(usage["input_tokens"] - shared, 0), reusable)


def cache_miss(reason: str, missed: int, reusable: int) -> dict[str, Any]:
    return {
        "type": "cache_miss",
        "reason": reason,
        "cache_missed_tokens": missed,
        "comparison_reusable_tokens": reusable,
    }


def reported(store: Transaction, body: dict[str, Any], now: dict[str, Any], usage: dict[str, Any]) -> dict[str, Any]:
    """What a response says of its caching, when the request gave options: those applied, and any diagnostics."""
    if body.get("prompt_cache_options") is None:
        return {}
    options = options_of(body)
    return {
        "prompt_cache_options": {key: options.get(key) for key in ("mode", "ttl", "comparison_response_id")},
        "prompt_cache_diagnostics": diagnostics(store, body, now, usage),
    }
