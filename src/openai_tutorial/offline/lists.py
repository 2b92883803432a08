"""A page of a list, as the API's list endpoints answer: ``limit``, ``order``, ``after``, ``has_more``."""

from typing import Any

import httpx2

from openai_tutorial.offline.errors import invalid
from openai_tutorial.offline.rules import integer_query

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def page(items: list[dict[str, Any]], query: httpx2.QueryParams, *, default_order: str) -> dict[str, Any]:
    """``items`` oldest first; the page the query asks for, in the order it asks for."""
    limit = integer_query(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    order = query.get("order", default_order)
    if order not in {"asc", "desc"}:
        raise invalid(
            f"Invalid value: '{order}'. Supported values are: 'asc' and 'desc'.", param="order", code="invalid_value"
        )
    ordered = items if order == "asc" else items[::-1]
    start = 0
    if after := query.get("after"):
        ids = [item["id"] for item in ordered]
        if after not in ids:
            raise invalid(f"Invalid 'after': no item with id '{after}' in this list.", param="after")
        start = ids.index(after) + 1
    data = ordered[start : start + limit]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": start + limit < len(ordered),
    }
