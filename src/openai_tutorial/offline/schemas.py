"""JSON that fits a schema, filled from the user's words where a property's name says how.

Used for function call arguments (``functions.py``) and for structured output (``text.format``).
"""

import re
from typing import Any

SENTENCE_STARTERS = {"I", "What", "Which", "Is", "And", "Or", "How", "The", "It", "Please", "Tell", "Hi", "Hello"}

WEEKDAYS_AND_MONTHS = (
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|tomorrow|January|February|March|April|May|June"
    "|July|August|September|October|November|December"
)


def resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        *_, kind, name = schema["$ref"].split("/")
        schema = root.get(kind, {}).get(name, {})
    return schema


def instance_of(schema: dict[str, Any], text: str, root: dict[str, Any] | None = None, name: str = "") -> Any:
    """A value valid against ``schema``, filled from ``text`` where a property's name says how."""
    root = root or schema
    schema = resolve(schema, root)
    if "anyOf" in schema:
        branches = [resolve(branch, root) for branch in schema["anyOf"]]
        real = [branch for branch in branches if branch.get("type") != "null"]
        if not real:
            return None
        branch = real[0]
        if len(real) < len(branches) and branch.get("type") == "string":
            branch = {**branch, "type": ["string", "null"]}
        return instance_of(branch, text, root, name)
    declared = schema.get("type", "object")
    types: list[str] = declared if isinstance(declared, list) else [declared]
    kind = next((t for t in types if t != "null"), "null")  # pragma: no mutate: equivalent
    if "enum" in schema:
        named = [option for option in schema["enum"] if isinstance(option, str) and option.lower() in text.lower()]
        return named[0] if named else (None if None in schema["enum"] else schema["enum"][0])
    if kind == "object":
        properties = schema.get("properties") or {}
        return {key: instance_of(spec, text, root, key) for key, spec in properties.items()}
    if kind == "array":
        if "string" in str(resolve(schema.get("items") or {}, root).get("type")):
            return names_in(text)
        return []
    if kind == "string":
        found = string_from(name, text)
        return None if not found and "null" in types else found or f"offline {name or 'value'}"
    return {"integer": 1, "number": 1.0, "boolean": False}.get(kind)


def names_in(text: str) -> list[str]:
    words = re.findall(rf"\b(?!(?:{WEEKDAYS_AND_MONTHS})\b)[A-Z][a-z]+\b", text)
    return [word for word in dict.fromkeys(words) if word not in SENTENCE_STARTERS]


def string_from(name: str, text: str) -> str:
    """Guess a string property from the words around it: dates, places, names of events."""
    key = name.lower()
    patterns = []
    if re.search(r"date|day|when|time", key):
        patterns = [rf"\b({WEEKDAYS_AND_MONTHS})\b", r"\b(\d{4}-\d{2}-\d{2})\b"]
    elif re.search(r"location|place|where|city|venue|address", key):
        patterns = [r"\b(?:at|in)\s+((?:the\s+)?[\w' -]+?)(?=[.,;!?]|$)"]
    elif re.search(r"(^|_)(id|number|code|sku)$", key):
        patterns = [r"\b([A-Za-z]+[-_]?\d[\w-]*)\b"]  # an identifier written in the question: ORD-1042, cus_42
    elif re.search(r"name|title|event|subject|topic", key):
        patterns = [r"\b(?:to|for|at) (?:a|an|the) ([\w' -]+?)(?= on | at | in |[.,;!?]|$)"]
    for pattern in patterns:
        if match := re.search(pattern, text):
            return match.group(1).strip()
    return ""
