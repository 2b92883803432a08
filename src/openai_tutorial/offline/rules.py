"""The API's rules on request parameters that the stand-in enforces, with the API's error bodies."""

import functools
import re
import typing
from typing import Any

import httpx2
from openai.types.shared import ResponsesModel

from openai_tutorial.offline.errors import APIError, invalid

MAX_METADATA_PAIRS = 16
MAX_METADATA_KEY_CHARS = 64
MAX_METADATA_VALUE_CHARS = 512
# Every tool type the API takes, as the SDK's ToolParam lists them.
TOOL_TYPES = (
    "apply_patch",
    "code_interpreter",
    "computer",
    "computer_use_preview",
    "custom",
    "file_search",
    "function",
    "image_generation",
    "local_shell",
    "mcp",
    "namespace",
    "programmatic_tool_calling",
    "shell",
    "tool_search",
    "web_search",
    "web_search_2025_08_26",
    "web_search_preview",
    "web_search_preview_2025_03_11",
)
# A GPT model's family as numbers: gpt-5.4-mini is (5, 4), gpt-6-astra (6, 0), gpt-5.10 (5, 10).
GPT_FAMILY = re.compile(r"gpt-(\d+)(?:\.(\d+))?(?![\d.])")
JSON_TYPES = {"string", "number", "integer", "boolean", "object", "array", "null"}


DATED = re.compile(r"-\d{4}-\d{2}-\d{2}$")


@functools.cache
def model_names() -> frozenset[str]:
    """Every model the installed SDK names for the Responses API (its ``ResponsesModel``)."""

    def names(kind: Any) -> list[str]:
        return [name for arg in typing.get_args(kind) for name in ([arg] if isinstance(arg, str) else names(arg))]

    return frozenset(names(ResponsesModel))


def check_model(model: Any) -> None:
    """A model the SDK knows, or a dated snapshot of one; anything else does not exist (404), as with the API."""
    if str(model) in model_names() or DATED.sub("", str(model)) in model_names():
        return
    raise APIError(
        404,
        f"The model '{model}' does not exist or you do not have access to it.",
        param="model",
        code="model_not_found",
    )


def snapshot_of(model: str) -> str:
    """The dated snapshot that answers for an alias (gpt-5.4-mini is gpt-5.4-mini-2026-03-17), as a response says."""
    dated = sorted(name for name in model_names() if DATED.sub("", name) == model and name != model)
    return dated[-1] if dated else model


def served_tier(request: dict[str, Any]) -> str:
    """The tier that serves a request: the one asked for, where it is a tier of its own, else ``default``."""
    tier = request.get("service_tier")
    return tier if tier in {"flex", "priority", "scale"} else "default"


COMPLETION_WINDOWS = ("soonest", "2h", "8h")
MAX_CONTINUATION_ID_CHARS = 64


def check_background_options(body: dict[str, Any]) -> None:
    """The 2h and 8h windows are discounted background work: background, Standard processing, no stream."""
    options = body.get("background_options")
    if options is None:
        return
    if not isinstance(options, dict):
        raise invalid("Invalid 'background_options': expected an object.", param="background_options")
    window = options.get("completion_window", "soonest")
    check_one_of(window, COMPLETION_WINDOWS, "background_options.completion_window")
    continuation = options.get("continuation_id")
    if continuation is not None and not (isinstance(continuation, str) and continuation):
        raise invalid(
            "Invalid 'background_options.continuation_id': expected a non-empty string.",
            param="background_options.continuation_id",
        )
    if isinstance(continuation, str) and len(continuation) > MAX_CONTINUATION_ID_CHARS:
        raise too_long("background_options.continuation_id", MAX_CONTINUATION_ID_CHARS, len(continuation))
    if window == "soonest":
        return
    if not body.get("background"):
        problem, param = "requires background: true", "background"
    elif body.get("stream"):
        problem, param = "cannot be streamed: set stream to false or leave it out", "stream"
    elif served_tier(body) != "default":
        problem, param = (
            "requires Standard processing: leave service_tier out, or set it to 'auto' or 'default'",
            "service_tier",
        )
    else:
        return
    raise invalid(f"The '{window}' completion window {problem}.", param=param)


def check_metadata(metadata: Any) -> dict[str, str]:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise invalid("Invalid 'metadata': expected an object.", param="metadata", code="invalid_type")
    if len(metadata) > MAX_METADATA_PAIRS:
        raise invalid(
            f"Invalid 'metadata': too many properties. Expected an object with at most {MAX_METADATA_PAIRS} "
            f"properties, but got an object with {len(metadata)} properties instead.",
            param="metadata",
            code="object_above_max_properties",
        )
    for key, value in metadata.items():
        if len(key) > MAX_METADATA_KEY_CHARS:
            raise too_long("metadata", MAX_METADATA_KEY_CHARS, len(key))
        if not isinstance(value, str):
            raise invalid(f"Invalid type for 'metadata.{key}': expected a string.", param=f"metadata.{key}")
        if len(value) > MAX_METADATA_VALUE_CHARS:
            raise too_long(f"metadata.{key}", MAX_METADATA_VALUE_CHARS, len(value))
    return metadata


def gpt_family(model: Any) -> tuple[int, int]:
    """(major, minor) of a GPT model's name, or (0, 0) for any other model."""
    match = GPT_FAMILY.match(str(model))
    return (int(match[1]), int(match[2] or 0)) if match else (0, 0)


def is_gpt_5_4_or_later(model: Any) -> bool:
    """The models the newest tools need (tool search, the computer tool)."""
    return gpt_family(model) >= (5, 4)


def is_gpt_5_6_or_later(model: Any) -> bool:
    """The models prompt cache options need."""
    return gpt_family(model) >= (5, 6)


def check_one_of(value: Any, allowed: tuple[str, ...] | dict[str, Any], param: str) -> None:
    """A parameter that takes one of a few values: anything else is the API's ``invalid_value`` 400."""
    if value not in allowed:
        raise invalid(
            f"Invalid value: {value!r}. Supported values are: {', '.join(repr(name) for name in allowed)}.",
            param=param,
            code="invalid_value",
        )


def check_tool_type(tool: Any, param: str) -> None:
    check_one_of(tool.get("type") if isinstance(tool, dict) else None, TOOL_TYPES, f"{param}.type")


def too_long(param: str, limit: int, length: int) -> APIError:
    return invalid(
        f"Invalid '{param}': string too long. Expected a string with maximum length {limit}, "
        f"but got a string with length {length} instead.",
        param=param,
        code="string_above_max_length",
    )


def check_array_length(value: Any, param: str, limit: int) -> list[Any]:
    if not isinstance(value, list):
        raise invalid(f"Invalid '{param}': expected an array.", param=param, code="invalid_type")
    if len(value) > limit:
        raise invalid(
            f"Invalid '{param}': array too long. Expected an array with maximum length {limit}, "
            f"but got an array with length {len(value)} instead.",
            param=param,
            code="array_above_max_length",
        )
    return value


def integer_query(query: httpx2.QueryParams, name: str, default: int, low: int, high: int) -> int:
    text = query.get(name)
    if text is None:
        return default
    if not (text.isascii() and text.isdigit()):
        raise invalid(f"Invalid '{name}': expected an integer, but got '{text}' instead.", param=name)
    if not low <= int(text) <= high:
        raise invalid(
            f"Invalid '{name}': integer out of range. Expected a value from {low} to {high}, but got {text} instead.",
            param=name,
            code="integer_out_of_range",
        )
    return int(text)


# The JSON Schema keywords strict mode takes: anything else (a misspelt "typ", "patternProperties") is refused.
STRICT_KEYWORDS = {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "anyOf",
    "allOf",
    "$defs",
    "definitions",
    "$ref",
    "description",
    "title",
    "default",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
}


def strict_normalized(schema: Any) -> Any:
    """A schema made strict as the API makes a function's that does not say ``strict``: every object lists all
    its properties as required and allows no others, all the way down."""
    if not isinstance(schema, dict):
        return schema
    normalized = {key: strict_normalized(value) if key in {"items"} else value for key, value in schema.items()}
    for keyword in ("anyOf", "allOf"):
        if keyword in schema:
            normalized[keyword] = [strict_normalized(branch) for branch in schema[keyword]]
    for keyword in ("$defs", "definitions"):
        if keyword in schema:
            normalized[keyword] = {name: strict_normalized(value) for name, value in schema[keyword].items()}
    declared: Any = schema.get("type")
    if "object" in (declared if isinstance(declared, list) else [declared]):
        properties = {name: strict_normalized(value) for name, value in (schema.get("properties") or {}).items()}
        normalized |= {"properties": properties, "required": list(properties), "additionalProperties": False}
    return normalized


def strict_schema_problem(schema: Any, context: tuple[str | int, ...] = ()) -> str | None:
    """What breaks strict mode in a JSON schema, as the API words it, or None.

    Strict mode asks for every object to list all of its properties in ``required`` and to
    say ``additionalProperties: false``; optional fields are typed with ``null`` instead.
    """
    if not isinstance(schema, dict):
        return f"In context={context}, schema must be a JSON Schema of 'type: \"object\"', got '{schema}'."
    for keyword in ("anyOf", "allOf"):
        for index, branch in enumerate(schema.get(keyword) or []):
            if problem := strict_schema_problem(branch, (*context, keyword, index)):
                return problem
    for keyword in ("$defs", "definitions"):
        for name, definition in (schema.get(keyword) or {}).items():
            if problem := strict_schema_problem(definition, (*context, keyword, name)):
                return problem
    if unknown := sorted(key for key in schema if key not in STRICT_KEYWORDS):
        return f"In context={context}, '{unknown[0]}' is not permitted."
    if "$ref" in schema:
        return None
    types = schema.get("type")
    if types is None:
        return (
            None
            if {"anyOf", "allOf", "enum", "const"} & schema.keys()
            else (f"In context={context}, schema must have a 'type' key.")
        )
    for kind in types if isinstance(types, list) else [types]:
        if kind not in JSON_TYPES:
            return f"In context={context}, '{kind}' is not a valid type; use one of {', '.join(sorted(JSON_TYPES))}."
    if "object" in types:
        properties = schema.get("properties") or {}
        if schema.get("additionalProperties") is not False:
            return f"In context={context}, 'additionalProperties' is required to be supplied and to be false."
        missing = [key for key in properties if key not in (schema.get("required") or [])]
        if missing:
            return (
                f"In context={context}, 'required' is required to be supplied and to be an array including "
                f"every key in properties. Missing '{missing[0]}'."
            )
        for key, spec in properties.items():
            if problem := strict_schema_problem(spec, (*context, "properties", key)):
                return problem
    if "array" in types and "items" in schema:
        return strict_schema_problem(schema["items"], (*context, "items"))
    return None
