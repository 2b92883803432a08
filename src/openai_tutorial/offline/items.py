"""Input items as the API stores them: every item gets an id, a type and a status.

Callers may send a plain string, role/content messages, or typed items (function call
outputs, MCP approval responses, output items replayed from an earlier response); the
API keeps each as a full item, and so does the stand-in.
"""

import json
import secrets
from typing import Any

from openai_tutorial.offline.errors import invalid

ID_PREFIXES = {
    "message": "msg",
    "function_call": "fc",
    "function_call_output": "fco",
    "custom_tool_call": "ctc",
    "custom_tool_call_output": "ctco",
    "reasoning": "rs",
    "mcp_approval_response": "mcpa",
    "apply_patch_call": "apc",
    "apply_patch_call_output": "apco",
    "shell_call": "sh",
    "shell_call_output": "sho",
    "tool_search_call": "ts",
    "tool_search_output": "tso",
    "computer_call": "cu",
    "computer_call_output": "cuo",
    "program": "prog",
    "program_output": "progo",
}
# The fields an item the client sends must have, by its type.
REQUIRED_FIELDS = {
    "function_call_output": ("call_id", "output"),
    "custom_tool_call_output": ("call_id", "output"),
    "shell_call_output": ("call_id", "output"),
    "apply_patch_call_output": ("call_id", "status"),
    "tool_search_output": ("call_id", "tools"),
    "computer_call_output": ("call_id", "output"),
    "program": ("call_id", "code", "fingerprint"),
    "program_output": ("call_id", "result", "status"),
}
# What such an item is given when it does not say: a status, unless its type has none (programs) or more.
DEFAULTS = {"tool_search_output": {"status": "completed", "execution": "client"}, "program": {}, "program_output": {}}
ROLES = ("user", "assistant", "system", "developer")


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(24)}"


def text_part(role: str, text: str) -> dict[str, Any]:
    if role == "assistant":
        return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
    return {"type": "input_text", "text": text}


def user_message(text: str) -> dict[str, Any]:
    return {
        "id": new_id("msg"),
        "type": "message",
        "role": "user",
        "status": "completed",
        "content": [{"type": "input_text", "text": text}],
    }


def assistant_message(text: str, *, annotations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    part = {**text_part("assistant", text), "annotations": annotations or []}
    return {"id": new_id("msg"), "type": "message", "role": "assistant", "status": "completed", "content": [part]}


def normalized_part(part: Any, param: str) -> dict[str, Any]:
    if not isinstance(part, dict) or not isinstance(part.get("type"), str):
        raise invalid(f"Invalid '{param}': expected a content part object with a 'type'.", param=param)
    if part["type"] in {"input_text", "output_text"} and not isinstance(part.get("text"), str):
        raise invalid(f"Missing required parameter: '{param}.text'.", param=f"{param}.text")
    if part["type"] == "output_text":
        return {"annotations": [], "logprobs": [], **part}
    if part["type"] == "input_image":
        return {"detail": "auto", **part}
    return dict(part)


def normalized_item(item: Any, param: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise invalid(f"Invalid '{param}': expected an object.", param=param)
    kind = item.get("type", "message")
    if kind == "message":
        role = item.get("role")
        if role not in ROLES:
            raise invalid(
                f"Invalid value: '{role}'. Supported values are: {', '.join(repr(r) for r in ROLES)}.",
                param=f"{param}.role",
                code="invalid_value",
            )
        content = item.get("content")
        if isinstance(content, str):
            parts = [text_part(role, content)]
        elif isinstance(content, list):
            parts = [normalized_part(part, f"{param}.content[{i}]") for i, part in enumerate(content)]
        else:
            raise invalid(f"Missing required parameter: '{param}.content'.", param=f"{param}.content")
        return {
            "id": item.get("id") or new_id("msg"),
            "type": "message",
            "role": role,
            "status": "completed",
            "content": parts,
        }
    if kind in REQUIRED_FIELDS:
        for field in REQUIRED_FIELDS[kind]:
            if field not in item:
                raise invalid(f"Missing required parameter: '{param}.{field}'.", param=f"{param}.{field}")
        defaults = DEFAULTS.get(kind, {"status": "completed"})
        return {**defaults, **item, "id": item.get("id") or new_id(ID_PREFIXES[kind])}
    if kind == "mcp_approval_response":
        for field in ("approval_request_id", "approve"):
            if field not in item:
                raise invalid(f"Missing required parameter: '{param}.{field}'.", param=f"{param}.{field}")
        return {"reason": None, **item, "id": item.get("id") or new_id("mcpa")}
    return {**item, "id": item.get("id") or new_id(ID_PREFIXES.get(kind, "item"))}


def normalized_input(value: Any, param: str = "input") -> list[dict[str, Any]]:
    if isinstance(value, str):
        return [user_message(value)]
    if not isinstance(value, list):
        raise invalid(f"Invalid '{param}': expected a string or an array of input items.", param=param)
    return [normalized_item(item, f"{param}[{index}]") for index, item in enumerate(value)]


def text_of(item: dict[str, Any]) -> str:
    """The text of a message item, its parts joined."""
    return " ".join(part["text"] for part in item["content"] if part["type"] in {"input_text", "output_text"})


def last_user_text(items: list[dict[str, Any]]) -> str:
    return next((text_of(item) for item in reversed(items) if item.get("role") == "user"), "")


def estimated_tokens(value: Any) -> int:
    """About four characters a token, as OpenAI's rule of thumb for English says."""
    text = value if isinstance(value, str) else json.dumps(value)
    return max(1, (len(text) + 3) // 4) if text else 0
