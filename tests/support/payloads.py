"""Realistic API payloads, shaped like what the OpenAI API really returns.

Every test builds its mocked replies here, so the shapes live in one place. The test
client validates replies strictly against the SDK's types, and
``tests/support/test_payloads.py`` validates each builder, so a payload that drifts from
the API's schema fails loudly instead of passing a test by accident.
"""

import itertools
import json
from typing import Any

MODEL = "gpt-5.4-mini"
CREATED_AT = 1_763_800_000

_ids = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}_{next(_ids):04d}{'a3f9c2' * 6}"


def usage(input_tokens: int = 12, output_tokens: int = 9, *, cached: int = 0, reasoning: int = 0) -> dict:
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": cached, "cache_write_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": input_tokens + output_tokens,
    }


def output_text(text: str, annotations: list[dict] | None = None) -> dict:
    return {"type": "output_text", "text": text, "annotations": annotations or [], "logprobs": []}


def message(text: str, *, annotations: list[dict] | None = None, status: str = "completed") -> dict:
    return {
        "id": new_id("msg"),
        "type": "message",
        "status": status,
        "role": "assistant",
        "content": [output_text(text, annotations)],
    }


def refusal_message(reason: str) -> dict:
    return {
        "id": new_id("msg"),
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "refusal", "refusal": reason}],
    }


def url_citation(title: str, url: str, start: int = 0, end: int = 0) -> dict:
    return {"type": "url_citation", "title": title, "url": url, "start_index": start, "end_index": end}


def reasoning(summary: str | None = None, *, encrypted_content: str | None = None) -> dict:
    item = {
        "id": new_id("rs"),
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": summary}] if summary else [],
    }
    if encrypted_content is not None:
        item["encrypted_content"] = encrypted_content
    return item


def function_call(name: str, arguments: dict | str, *, call_id: str | None = None) -> dict:
    return {
        "id": new_id("fc"),
        "type": "function_call",
        "status": "completed",
        "name": name,
        "call_id": call_id or new_id("call"),
        "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
    }


def custom_tool_call(name: str, input: str, *, call_id: str | None = None) -> dict:
    return {
        "id": new_id("ctc"),
        "type": "custom_tool_call",
        "status": "completed",
        "name": name,
        "call_id": call_id or new_id("call"),
        "input": input,
    }


def web_search_call(query: str, sources: list[str] = ()) -> dict:
    return {
        "id": new_id("ws"),
        "type": "web_search_call",
        "status": "completed",
        "action": {"type": "search", "query": query, "sources": [{"type": "url", "url": url} for url in sources]},
    }


def web_page_visit(url: str) -> dict:
    return {
        "id": new_id("ws"),
        "type": "web_search_call",
        "status": "completed",
        "action": {"type": "open_page", "url": url},
    }


def mcp_list_tools(server_label: str, tool_names: list[str]) -> dict:
    return {
        "id": new_id("mcpl"),
        "type": "mcp_list_tools",
        "server_label": server_label,
        "tools": [
            {"name": name, "description": f"{name} tool", "input_schema": {"type": "object"}, "annotations": None}
            for name in tool_names
        ],
    }


def mcp_call(server_label: str, name: str, arguments: dict, output: str, *, error: str | None = None) -> dict:
    return {
        "id": new_id("mcp"),
        "type": "mcp_call",
        "status": "failed" if error else "completed",
        "server_label": server_label,
        "name": name,
        "arguments": json.dumps(arguments),
        "output": None if error else output,
        "error": {"type": "mcp_tool_execution_error", "content": [{"type": "text", "text": error}]} if error else None,
        "approval_request_id": None,
    }


def mcp_approval_request(server_label: str, name: str, arguments: dict) -> dict:
    return {
        "id": new_id("mcpr"),
        "type": "mcp_approval_request",
        "server_label": server_label,
        "name": name,
        "arguments": json.dumps(arguments),
    }


def response(
    text: str | None = "Hello! How can I help you today?",
    *,
    output: list[dict] | None = None,
    id: str | None = None,
    model: str = MODEL,
    status: str = "completed",
    usage_: dict | None = None,
    **fields: Any,
) -> dict:
    """A Response object; ``output`` defaults to one assistant message saying ``text``."""
    if output is None:
        output = [message(text)] if text is not None else []
    payload = {
        "id": id or new_id("resp"),
        "object": "response",
        "created_at": CREATED_AT,
        "completed_at": CREATED_AT + 2 if status == "completed" else None,
        "status": status,
        "background": False,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "max_tool_calls": None,
        "model": model,
        "output": output,
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "conversation": None,
        "reasoning": {"effort": "none", "summary": None},
        "service_tier": "default",
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": [],
        "top_logprobs": 0,
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": usage_ if usage_ is not None else (usage() if status == "completed" else None),
        "user": None,
        "safety_identifier": None,
        "prompt_cache_key": None,
        "metadata": {},
    }
    payload.update(fields)
    return payload


def api_error(message: str, *, type: str, code: str | None = None, param: str | None = None) -> dict:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def conversation(*, id: str | None = None, metadata: dict | None = None) -> dict:
    return {"id": id or new_id("conv"), "object": "conversation", "created_at": CREATED_AT, "metadata": metadata or {}}


def conversation_deleted(conversation_id: str) -> dict:
    return {"id": conversation_id, "object": "conversation.deleted", "deleted": True}


def input_message(text: str, role: str = "user", *, id: str | None = None) -> dict:
    return {
        "id": id or new_id("msg"),
        "type": "message",
        "status": "completed",
        "role": role,
        "content": [{"type": "input_text", "text": text}],
    }


def item_list(items: list[dict], *, has_more: bool = False) -> dict:
    """A page of items, as conversations.items.list and responses.input_items.list return."""
    return {
        "object": "list",
        "data": items,
        "first_id": items[0]["id"] if items else None,
        "last_id": items[-1]["id"] if items else None,
        "has_more": has_more,
    }


def file_object(filename: str = "sample.pdf", *, size: int = 2048, id: str | None = None) -> dict:
    return {
        "id": id or new_id("file"),
        "object": "file",
        "bytes": size,
        "created_at": CREATED_AT,
        "expires_at": None,
        "filename": filename,
        "purpose": "user_data",
        "status": "processed",
        "status_details": None,
    }


def file_deleted(file_id: str) -> dict:
    return {"id": file_id, "object": "file", "deleted": True}


def response_deleted(response_id: str) -> dict:
    return {"id": response_id, "object": "response.deleted", "deleted": True}


def input_tokens(count: int) -> dict:
    return {"object": "response.input_tokens", "input_tokens": count}


def text_stream_events(chunks: list[str], *, final: dict | None = None) -> list[dict]:
    """The event sequence of a streamed reply that says ``"".join(chunks)``."""
    text = "".join(chunks)
    final = final or response(text)
    item = final["output"][0]
    started = {**final, "status": "in_progress", "output": [], "usage": None, "completed_at": None}
    events: list[dict] = [
        {"type": "response.created", "response": started},
        {"type": "response.in_progress", "response": started},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {**item, "status": "in_progress", "content": []},
        },
        {
            "type": "response.content_part.added",
            "item_id": item["id"],
            "output_index": 0,
            "content_index": 0,
            "part": output_text(""),
        },
    ]
    events += [
        {
            "type": "response.output_text.delta",
            "item_id": item["id"],
            "output_index": 0,
            "content_index": 0,
            "delta": chunk,
            "logprobs": [],
        }
        for chunk in chunks
    ]
    events += [
        {
            "type": "response.output_text.done",
            "item_id": item["id"],
            "output_index": 0,
            "content_index": 0,
            "text": text,
            "logprobs": [],
        },
        {
            "type": "response.content_part.done",
            "item_id": item["id"],
            "output_index": 0,
            "content_index": 0,
            "part": output_text(text),
        },
        {"type": "response.output_item.done", "output_index": 0, "item": item},
        {"type": "response.completed", "response": final},
    ]
    return number_events(events)


def failed_stream_events(
    chunks: list[str], *, code: str = "server_error", message: str = "The model failed."
) -> list[dict]:
    """A stream that starts, sends some text, then fails."""
    started = text_stream_events(chunks)[: 4 + len(chunks)]
    failed = {
        **started[0]["response"],
        "status": "failed",
        "error": {"code": code, "message": message},
    }
    return number_events([*started, {"type": "response.failed", "response": failed}])


def error_event(message: str, code: str = "server_error") -> dict:
    return {"type": "error", "code": code, "message": message, "param": None}


def number_events(events: list[dict]) -> list[dict]:
    return [{**event, "sequence_number": number} for number, event in enumerate(events)]


def sse_body(events: list[dict]) -> bytes:
    """Server-sent events as the API writes them: an event line, a data line, a blank line."""
    return "".join(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n" for event in events).encode()


def file_search_call(query: str, results: list[dict] | None = None) -> dict:
    return {
        "id": new_id("fs"),
        "type": "file_search_call",
        "status": "completed",
        "queries": [query],
        "results": results,
    }


def file_search_result(
    text: str, *, file_id: str = "file-doc", filename: str = "handbook.pdf", score: float = 0.9
) -> dict:
    return {"file_id": file_id, "filename": filename, "score": score, "text": text, "attributes": {}}


def file_citation(file_id: str = "file-doc", filename: str = "handbook.pdf", index: int = 0) -> dict:
    return {"type": "file_citation", "file_id": file_id, "filename": filename, "index": index}


def code_interpreter_call(code: str, outputs: list[dict] | None) -> dict:
    return {
        "id": new_id("ci"),
        "type": "code_interpreter_call",
        "status": "completed",
        "code": code,
        "container_id": "cntr_0001",
        "outputs": outputs,
    }


def shell_call(
    commands: list[str],
    *,
    container_id: str | None = "cntr_0001",
    call_id: str | None = None,
    timeout_ms: int | None = 10000,
    max_output_length: int | None = 4096,
) -> dict:
    """A hosted shell's call in ``container_id``; with None, a call in the local environment, for the client to run."""
    environment = {"type": "local"}
    if container_id is not None:
        environment = {"type": "container_reference", "container_id": container_id}
    return {
        "id": new_id("sh"),
        "type": "shell_call",
        "status": "completed",
        "call_id": call_id or new_id("call"),
        "action": {"commands": commands, "timeout_ms": timeout_ms, "max_output_length": max_output_length},
        "environment": environment,
    }


def apply_patch_call(kind: str, path: str, diff: str | None = None, *, call_id: str | None = None) -> dict:
    """One ``operation`` (create_file, update_file, delete_file) for the client to apply."""
    operation = {"type": kind, "path": path} if diff is None else {"type": kind, "path": path, "diff": diff}
    return {
        "id": new_id("apc"),
        "type": "apply_patch_call",
        "status": "completed",
        "call_id": call_id or new_id("call"),
        "operation": operation,
    }


def shell_call_output(call_id: str, outputs: list[tuple[str, str, int | None]]) -> dict:
    """One output per command, as (stdout, stderr, exit code), the exit code None for a command that timed out."""
    return {
        "id": new_id("sho"),
        "type": "shell_call_output",
        "status": "completed",
        "call_id": call_id,
        "max_output_length": 4096,
        "output": [
            {
                "stdout": stdout,
                "stderr": stderr,
                "outcome": {"type": "timeout"} if code is None else {"type": "exit", "exit_code": code},
            }
            for stdout, stderr, code in outputs
        ],
    }


def container(id: str = "cntr_0001", name: str = "lesson-26") -> dict:
    return {
        "id": id,
        "object": "container",
        "name": name,
        "created_at": CREATED_AT,
        "last_active_at": CREATED_AT,
        "status": "running",
        "expires_after": {"anchor": "last_active_at", "minutes": 20},
        "memory_limit": "1g",
        "network_policy": {"type": "disabled"},
    }


def container_file(path: str, *, id: str = "cfile_0001", container_id: str = "cntr_0001", size: int = 16) -> dict:
    return {
        "id": id,
        "object": "container.file",
        "container_id": container_id,
        "path": path,
        "bytes": size,
        "created_at": CREATED_AT,
        "source": "assistant",
    }


def image_generation_call(result: str | None, revised_prompt: str = "A lighthouse.") -> dict:
    return {
        "id": new_id("ig"),
        "type": "image_generation_call",
        "status": "completed",
        "result": result,
        "revised_prompt": revised_prompt,
    }


def vector_store(id: str = "vs_1") -> dict:
    return {
        "id": id,
        "object": "vector_store",
        "created_at": CREATED_AT,
        "file_counts": {"cancelled": 0, "completed": 0, "failed": 0, "in_progress": 0, "total": 0},
        "last_active_at": CREATED_AT,
        "metadata": {},
        "name": "tutorial-file-search",
        "status": "completed",
        "usage_bytes": 0,
        "expires_after": None,
        "expires_at": None,
    }


def vector_store_file(file_id: str, *, status: str = "completed", last_error: dict | None = None) -> dict:
    return {
        "id": file_id,
        "object": "vector_store.file",
        "created_at": CREATED_AT,
        "vector_store_id": "vs_1",
        "status": status,
        "last_error": last_error,
        "usage_bytes": 1589,
        "attributes": None,
        "chunking_strategy": None,
    }


def deleted(object_type: str, object_id: str) -> dict:
    return {"id": object_id, "object": f"{object_type}.deleted", "deleted": True}


def place_tool(name: str = "get_weather") -> dict:
    """A strict function tool with one string parameter, ``place``."""
    return {
        "type": "function",
        "name": name,
        "strict": True,
        "parameters": {
            "type": "object",
            "properties": {"place": {"type": "string"}},
            "required": ["place"],
            "additionalProperties": False,
        },
    }
