"""Server-side compaction: ``context_management`` and the ``compaction_trigger`` item.

With ``context_management=[{"type": "compaction", "compact_threshold": N}]`` a response whose
input passes ``N`` tokens starts with a ``compaction`` item (``responses.create``); the
reference sets ``N`` at 1000 or more. A ``compaction_trigger`` item, last in the input, asks
for one now: the response is that item alone. Either way the model sees, from then on, the
newest compaction item and what follows it (``visible``), which is what keeps a long chat's
input small.
"""

from typing import Any

from openai_tutorial.offline.errors import invalid

MIN_THRESHOLD = 1000


def threshold_of(body: dict[str, Any]) -> int | None:
    """The compaction threshold a request sets, after checking its ``context_management``."""
    threshold = None
    for index, rule in enumerate(body.get("context_management") or []):
        param = f"context_management[{index}]"
        if not isinstance(rule, dict) or rule.get("type") != "compaction":
            kind = rule.get("type") if isinstance(rule, dict) else None
            raise invalid(
                f"Invalid value: {kind!r}. Supported values are: 'compaction'.",
                param=f"{param}.type",
                code="invalid_value",
            )
        value = rule.get("compact_threshold")
        if value is not None and (not isinstance(value, int) or value < MIN_THRESHOLD):
            raise invalid(
                f"Invalid '{param}.compact_threshold': integer below minimum value. Expected a value >= "
                f"{MIN_THRESHOLD}, but got {value} instead.",
                param=f"{param}.compact_threshold",
                code="integer_below_min_value",
            )
        threshold = value if value is not None else MIN_THRESHOLD
    return threshold


def triggered(new_items: list[dict[str, Any]]) -> bool:
    """Whether the input asks for compaction now; a trigger anywhere but last is a 400."""
    for index, item in enumerate(new_items):
        if item["type"] == "compaction_trigger" and index != len(new_items) - 1:
            raise invalid("A 'compaction_trigger' item must be the last input item.", param=f"input[{index}]")
    return bool(new_items) and new_items[-1]["type"] == "compaction_trigger"


def visible(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the model sees of ``items``: from the newest compaction item on, or all of them."""
    starts = [index for index, item in enumerate(items) if item.get("type") == "compaction"]
    return items[starts[-1] :] if starts else items
