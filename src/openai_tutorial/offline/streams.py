"""The events of a streamed response, in the order the API sends them.

They are made from the finished response, so a stream and a later ``retrieve(id,
stream=True, starting_after=n)`` give the very same numbered events: a resumed stream
neither loses nor repeats anything.
"""

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from openai_tutorial.offline.images import placeholder_png

WORDS_PER_DELTA = 3


@dataclass
class EventStream:
    events: list[dict[str, Any]]


def encode_event(event: dict[str, Any]) -> bytes:
    return f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()


def chunks(text: str) -> list[str]:
    """A text in pieces of a few words, as deltas arrive."""
    words = re.findall(r"\S+\s*|\s+", text)
    return ["".join(words[start : start + WORDS_PER_DELTA]) for start in range(0, len(words), WORDS_PER_DELTA)]


def message_events(index: int, item: dict[str, Any]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [
        {"type": "response.output_item.added", "output_index": index, "item": {**item, "content": []}}
    ]
    events[0]["item"]["status"] = "in_progress"
    for part_index, part in enumerate(item["content"]):
        where = {"item_id": item["id"], "output_index": index, "content_index": part_index}
        if part["type"] != "output_text":
            events.append({"type": "response.content_part.added", **where, "part": part})
        else:
            events.append({"type": "response.content_part.added", **where, "part": {**part, "text": ""}})
            events += [
                {"type": "response.output_text.delta", **where, "delta": delta, "logprobs": []}
                for delta in chunks(part["text"])
            ]
            events.append({"type": "response.output_text.done", **where, "text": part["text"], "logprobs": []})
        events.append({"type": "response.content_part.done", **where, "part": part})
    return events


def function_call_events(index: int, item: dict[str, Any]) -> list[dict[str, Any]]:
    where = {"item_id": item["id"], "output_index": index}
    return [
        {
            "type": "response.output_item.added",
            "output_index": index,
            "item": {**item, "arguments": "", "status": "in_progress"},
        },
        {"type": "response.function_call_arguments.delta", **where, "delta": item["arguments"]},
        {"type": "response.function_call_arguments.done", **where, "arguments": item["arguments"]},
    ]


def reasoning_events(index: int, item: dict[str, Any]) -> list[dict[str, Any]]:
    events = [{"type": "response.output_item.added", "output_index": index, "item": {**item, "summary": []}}]
    for summary_index, part in enumerate(item["summary"]):
        where = {"item_id": item["id"], "output_index": index, "summary_index": summary_index}
        events += [
            {"type": "response.reasoning_summary_part.added", **where, "part": {**part, "text": ""}},
            *(
                {"type": "response.reasoning_summary_text.delta", **where, "delta": delta}
                for delta in chunks(part["text"])
            ),
            {"type": "response.reasoning_summary_text.done", **where, "text": part["text"]},
            {"type": "response.reasoning_summary_part.done", **where, "part": part},
        ]
    return events


def custom_tool_call_events(index: int, item: dict[str, Any]) -> list[dict[str, Any]]:
    where = {"item_id": item["id"], "output_index": index}
    return [
        {"type": "response.output_item.added", "output_index": index, "item": {**item, "input": ""}},
        {"type": "response.custom_tool_call_input.delta", **where, "delta": item["input"]},
        {"type": "response.custom_tool_call_input.done", **where, "input": item["input"]},
    ]


def shell_call_events(index: int, item: dict[str, Any]) -> list[dict[str, Any]]:
    """The call, then each command as it is written."""
    started = {**item, "status": "in_progress", "action": {**item["action"], "commands": []}}
    events = [{"type": "response.output_item.added", "output_index": index, "item": started}]
    for command_index, command in enumerate(item["action"]["commands"]):
        where = {"output_index": index, "command_index": command_index}
        events += [
            {"type": "response.shell_call_command.added", **where, "command": ""},
            {"type": "response.shell_call_command.delta", **where, "delta": command},
            {"type": "response.shell_call_command.done", **where, "command": command},
        ]
    return events


def shell_call_output_events(index: int, item: dict[str, Any]) -> list[dict[str, Any]]:
    """The output, then what each command printed, command by command."""
    events = [{"type": "response.output_item.added", "output_index": index, "item": {**item, "output": []}}]
    for command_index, output in enumerate(item["output"]):
        where = {"item_id": item["id"], "output_index": index, "command_index": command_index}
        delta = {"stdout": output["stdout"], "stderr": output["stderr"]}
        events += [
            {"type": "response.shell_call_output_content.delta", **where, "delta": delta},
            {"type": "response.shell_call_output_content.done", **where, "output": [output]},
        ]
    return events


def compaction_events(index: int, item: dict[str, Any]) -> list[dict[str, Any]]:
    """A compaction item says that it is being written, and shows nothing of its sealed content until done."""
    return [
        {"type": "response.output_item.added", "output_index": index, "item": item},
        {"type": "response.compaction.compacting", "item_id": item["id"], "output_index": index},
    ]


def image_generation_events(index: int, item: dict[str, Any], partial_images: int) -> list[dict[str, Any]]:
    """The call in progress, generating, each partial image asked for (``partial_images``), then completed."""
    where = {"item_id": item["id"], "output_index": index}
    started = {**item, "status": "in_progress", "result": None}
    events = [
        {"type": "response.output_item.added", "output_index": index, "item": started},
        {"type": "response.image_generation_call.in_progress", **where},
        {"type": "response.image_generation_call.generating", **where},
    ]
    for number in range(partial_images):
        events.append(
            {
                "type": "response.image_generation_call.partial_image",
                **where,
                "partial_image_index": number,
                "partial_image_b64": placeholder_png(f"{item['revised_prompt']} (partial {number + 1})"),
                "output_format": item.get("output_format"),
                "size": item.get("size"),
                "quality": item.get("quality"),
                "background": item.get("background"),
            }
        )
    return [*events, {"type": "response.image_generation_call.completed", **where}]


def partial_images_of(response: dict[str, Any]) -> int:
    tools = [tool for tool in response.get("tools") or [] if tool.get("type") == "image_generation"]
    return tools[0].get("partial_images", 0) if tools else 0


ITEM_EVENTS = {
    "message": message_events,
    "function_call": function_call_events,
    "reasoning": reasoning_events,
    "custom_tool_call": custom_tool_call_events,
    "shell_call": shell_call_events,
    "shell_call_output": shell_call_output_events,
    "compaction": compaction_events,
}
FINAL_EVENTS = {"completed": "response.completed", "incomplete": "response.incomplete", "failed": "response.failed"}


def response_events(response: dict[str, Any]) -> list[dict[str, Any]]:
    """Every event of ``response`` being written, numbered from 0 by ``sequence_number``."""
    started = {
        **response,
        "status": "in_progress",
        "output": [],
        "usage": None,
        "completed_at": None,
        "incomplete_details": None,
        "error": None,
    }
    if response["background"]:
        queued = {**started, "status": "queued"}
        events: list[dict[str, Any]] = [
            {"type": "response.created", "response": queued},
            {"type": "response.queued", "response": queued},
        ]
    else:
        events = [{"type": "response.created", "response": started}]
    events.append({"type": "response.in_progress", "response": started})
    for index, item in enumerate(response["output"]):
        item_events = ITEM_EVENTS.get(item["type"])
        if item["type"] == "image_generation_call":  # how many partial images is the tool's to say
            events += image_generation_events(index, item, partial_images_of(response))
        elif item_events is None:
            events.append({"type": "response.output_item.added", "output_index": index, "item": item})
        else:
            events += item_events(index, item)
        events.append({"type": "response.output_item.done", "output_index": index, "item": item})
    if response["status"] in FINAL_EVENTS:
        events.append({"type": FINAL_EVENTS[response["status"]], "response": response})
    return [{**event, "sequence_number": number} for number, event in enumerate(events)]


# Obfuscation pads each delta event so that every payload's length is a multiple of this many characters.
OBFUSCATION_BLOCK = 32


def obfuscated(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each delta event with an ``obfuscation`` field that pads it, as the API sends unless told not to.

    The padding hides how long each piece is, which a network observer could otherwise read off the sizes of
    the encrypted events; the stand-in's is deterministic (from the event), the API's random."""
    padded = []
    for event in events:
        if event["type"].endswith(".delta"):
            size = len(json.dumps(event.get("delta", "")))
            seed = hashlib.sha256(f"{event['sequence_number']}:{event.get('delta')}".encode()).digest()
            filler = base64.b64encode(seed * 2).decode().rstrip("=")
            event = {**event, "obfuscation": filler[: OBFUSCATION_BLOCK - size % OBFUSCATION_BLOCK]}
        padded.append(event)
    return padded
