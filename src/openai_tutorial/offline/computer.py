"""The ``computer`` tool, simulated: one batch of keyboard actions from the task's quoted values, then an answer.

The stand-in cannot see, so it does not aim at anything: it types each value the task quotes
("Ada Lovelace") into whatever has the focus, moves on with Tab, and presses Enter after the
last, which fills and sends a form whose first field has the focus. Its first call carries a
pending safety check (``irrelevant_domain``: the page is on no site the task names), which
the next ``computer_call_output`` must acknowledge. The screenshots are only checked to be
PNG or JPEG images (``check_screenshots``); what they show changes nothing, so every run is
the same. After one batch it answers in words.
"""

import re
from typing import Any

from openai_tutorial.offline.errors import invalid
from openai_tutorial.offline.images import format_of
from openai_tutorial.offline.items import assistant_message, new_id
from openai_tutorial.offline.rules import is_gpt_5_4_or_later
from openai_tutorial.offline.turn import CANNED_NOTE, Turn

QUOTED = re.compile(r"\"([^\"]+)\"")
SAFETY_CHECK = {
    "code": "irrelevant_domain",
    "message": "The page is not on a site the task names: make sure you trust it before the model types into it.",
}


def batch(question: str) -> list[dict[str, Any]]:
    """Type each quoted value, Tab between them, Enter after the last; a screenshot when nothing is quoted."""
    actions: list[dict[str, Any]] = []
    for value in QUOTED.findall(question):
        if actions:
            actions.append({"type": "keypress", "keys": ["TAB"]})
        actions.append({"type": "type", "text": value})
    return [*actions, {"type": "keypress", "keys": ["ENTER"]}] if actions else [{"type": "screenshot"}]


def use_computer(turn: Turn, tool: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": new_id("cu"),
            "type": "computer_call",
            "call_id": new_id("call"),
            "status": "completed",
            "actions": batch(turn.question),
            "pending_safety_checks": [{"id": new_id("cu_sc"), **SAFETY_CHECK}],
        }
    ]


def after_screenshot(turn: Turn, outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    done = [item for item in turn.since_question if item["type"] == "computer_call"]
    typed = sum(1 for call in done for action in call.get("actions") or [] if action["type"] == "type")
    text = (
        f"{CANNED_NOTE}: it typed the {typed} value(s) the task quoted, Tab between them and Enter after the last, "
        "without looking at the screenshots; the page itself says what happened."
    )
    return [assistant_message(text)]


def check_screenshots(history: list[dict[str, Any]], new_items: list[dict[str, Any]]) -> None:
    """Each computer_call_output holds an image and acknowledges every safety check of its call."""
    calls = {item["call_id"]: item for item in history if item["type"] == "computer_call"}
    for index, item in enumerate(new_items):
        if item["type"] != "computer_call_output":
            continue
        param = f"input[{index}]"
        url = (item.get("output") or {}).get("image_url") or ""
        if not url.startswith(("data:image/png;", "data:image/jpeg;")) or format_of(url) not in {"png", "jpeg"}:
            raise invalid(
                f"Invalid '{param}.output.image_url': expected a PNG or JPEG screenshot as a base64 data URL.",
                param=f"{param}.output.image_url",
            )
        pending = {check["id"] for check in (calls.get(item["call_id"]) or {}).get("pending_safety_checks") or []}
        acknowledged = {check.get("id") for check in item.get("acknowledged_safety_checks") or []}
        if missing := sorted(pending - acknowledged):
            raise invalid(
                f"The computer call {item['call_id']} has pending safety checks that were not acknowledged: "
                f"{', '.join(missing)}. Acknowledge them in '{param}.acknowledged_safety_checks' to go on.",
                param=f"{param}.acknowledged_safety_checks",
            )


def check_computer_tool(body: dict[str, Any]) -> None:
    """``computer_use_preview`` is refused by gpt-5.4 and later, which know the GA ``computer`` tool."""
    for index, tool in enumerate(body.get("tools") or []):
        if tool.get("type") == "computer_use_preview" and is_gpt_5_4_or_later(body["model"]):
            raise invalid(
                f"The tool 'computer_use_preview' is not supported with the model '{body['model']}': use the "
                "'computer' tool.",
                param=f"tools[{index}].type",
            )
