"""The built-in tools, simulated: each is one function of the turn and the tool's entry in ``tools``.

``model.TOOLS`` maps each tool type to its function here. None of them reaches anything:
a ``web_search_call`` cites example.com pages, MCP tools are listed, called or held for approval
with canned results, ``file_search`` quotes the uploaded files' own sentences, the code
interpreter runs nothing (asked for a file, it writes one and cites it), and an image is a placeholder PNG.
"""

import json
import re
from typing import Any

from openai_tutorial.offline.images import placeholder_png
from openai_tutorial.offline.items import assistant_message, new_id
from openai_tutorial.offline.turn import CANNED_NOTE, Turn

MCP_TOOL_NAMES = ("read_wiki_structure", "read_wiki_contents", "ask_question")


def web_search(turn: Turn, tool: dict[str, Any]) -> list[dict[str, Any]]:
    query = " ".join(turn.question.split())[:100]
    # Pages of the first allowed site (filters.allowed_domains), as a search held to it finds; else example.com.
    domains = (tool.get("filters") or {}).get("allowed_domains") or ["example.com"]
    site = str(domains[0]).removeprefix("https://").removeprefix("http://").strip("/")
    sources = [f"https://{site}/offline-search/{index}" for index in (1, 2)]
    action: dict[str, Any] = {"type": "search", "query": query, "queries": [query]}
    if "web_search_call.action.sources" in (turn.request.get("include") or []):
        action["sources"] = [{"type": "url", "url": url} for url in sources]
    call = {"id": new_id("ws"), "type": "web_search_call", "status": "completed", "action": action}
    text = (
        f"{CANNED_NOTE} and it searched nothing: this is how an answer with sources looks. "
        "The first example page is cited here [1], the second here [2]."
    )
    annotations = []
    for index, url in enumerate(sources, start=1):
        start = text.index(f"[{index}]")  # pragma: no mutate: equivalent
        annotations.append(
            {
                "type": "url_citation",
                "title": f"Example page {index} (offline stand-in, not a real search result)",
                "url": url,
                "start_index": start,
                "end_index": start + 3,
            }
        )
    return [call, assistant_message(text, annotations=annotations)]


def mcp_tool_names(tool: dict[str, Any]) -> list[str]:
    allowed: list[str] | dict[str, Any] | None = tool.get("allowed_tools")
    if isinstance(allowed, dict):
        allowed = allowed.get("tool_names")
    return [name for name in MCP_TOOL_NAMES if not allowed or name in allowed] or list(allowed or ())


def needs_approval(tool: dict[str, Any], name: str) -> bool:
    policy = tool.get("require_approval")  # unset: always
    if isinstance(policy, dict):
        never = (policy.get("never") or {}).get("tool_names") or []
        return name not in never
    return policy != "never"


def use_mcp(turn: Turn, tool: dict[str, Any]) -> list[dict[str, Any]]:
    label = tool["server_label"]  # required: the request was refused without it
    names = mcp_tool_names(tool)
    output = []
    listed = any(item["type"] == "mcp_list_tools" and item.get("server_label") == label for item in turn.context)
    if not listed:
        output.append(
            {
                "id": new_id("mcpl"),
                "type": "mcp_list_tools",
                "server_label": label,
                "tools": [
                    {"name": name, "description": f"{name} (offline stand-in)", "input_schema": {"type": "object"}}
                    for name in names
                ],
            }
        )
    name = names[-1]
    call_arguments = json.dumps({"question": turn.question})
    if needs_approval(tool, name):
        request = {
            "id": new_id("mcpr"),
            "type": "mcp_approval_request",
            "server_label": label,
            "name": name,
            "arguments": call_arguments,
        }
        return [*output, request]
    return [*output, mcp_call(label, name, call_arguments, None), mcp_answer(label, name)]


def mcp_call(label: str, name: str, call_arguments: str, approval_request_id: str | None) -> dict[str, Any]:
    return {
        "id": new_id("mcp"),
        "type": "mcp_call",
        "status": "completed",
        "server_label": label,
        "name": name,
        "arguments": call_arguments,
        "output": f"Offline stand-in result of {label}.{name}: no MCP server was contacted.",
        "error": None,
        "approval_request_id": approval_request_id,
    }


def mcp_answer(label: str, name: str) -> dict[str, Any]:
    return assistant_message(f"{CANNED_NOTE}: it called {label}.{name} (in pretence) and got a canned result.")


def after_approvals(turn: Turn, approvals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    requests = {item["id"]: item for item in turn.context if item["type"] == "mcp_approval_request"}
    output, declined = [], []
    for approval in approvals:
        request = requests[approval["approval_request_id"]]
        if approval["approve"]:
            output.append(mcp_call(request["server_label"], request["name"], request["arguments"], request["id"]))
        else:
            declined.append(f"{request['server_label']}.{request['name']}")
    if declined:
        return [
            *output,
            assistant_message(f"Offline stand-in: you declined {', '.join(declined)}, so it was not called."),
        ]
    request = requests[approvals[-1]["approval_request_id"]]
    return [*output, mcp_answer(request["server_label"], request["name"])]


def words_of(text: str) -> set[str]:
    return {word.lower().rstrip("s") for word in re.findall(r"[A-Za-z]{3,}", text)}  # pragma: no mutate: equivalent


def file_search(turn: Turn, tool: dict[str, Any]) -> list[dict[str, Any]]:
    """Search the stores' files sentence by sentence, by the words they share with the question."""
    asked = words_of(turn.question)
    passages = [
        (len(asked & words_of(sentence)), file_id, filename, sentence.strip())
        for file_id, filename, text in turn.searchable
        for sentence in re.split(r"(?<=[.!?])\s+", text)
        if sentence.strip()
    ]
    found = sorted((p for p in passages if p[0]), key=lambda passage: -passage[0])[: tool.get("max_num_results", 3)]
    call: dict[str, Any] = {
        "id": new_id("fs"),
        "type": "file_search_call",
        "status": "completed",
        "queries": [" ".join(turn.question.split())],
    }
    if "file_search_call.results" in (turn.request.get("include") or []):
        call["results"] = [
            {"file_id": file_id, "filename": filename, "score": round(score / len(asked), 3), "text": text}
            for score, file_id, filename, text in found
        ]
    if not found:
        return [call, assistant_message("Offline stand-in: nothing in the files matches the question.")]
    _, file_id, filename, text = found[0]
    answer = f"Offline stand-in, quoting the best matching passage of {filename}: “{text}”"
    citation = {"type": "file_citation", "file_id": file_id, "filename": filename, "index": len(answer)}
    return [call, assistant_message(answer, annotations=[citation])]


def code_interpreter(turn: Turn, tool: dict[str, Any]) -> list[dict[str, Any]]:
    """Code that runs nothing; asked for a file, it writes one in the container and cites it, as a real run does."""
    workspace = turn.workspace
    assert workspace is not None, "responses.create loads the container of every code interpreter"
    logs = "offline: nothing was run\n"
    call: dict[str, Any] = {
        "id": new_id("ci"),
        "type": "code_interpreter_call",
        "status": "completed",
        "container_id": workspace.container_id,
        "code": (
            "# The offline stand-in writes and runs no code. A real model writes Python here for:\n"
            f"# {' '.join(turn.question.split())}\n"
            'print("offline: nothing was run")'
        ),
    }
    if "code_interpreter_call.outputs" in (turn.request.get("include") or []):
        call["outputs"] = [{"type": "logs", "logs": logs}]
    text = f"{CANNED_NOTE}: it ran no code, so it has no result; the call above shows where the code and its output go."
    asked = words_of(turn.question)
    if not asked & {"file", "save", "csv"}:
        return [call, assistant_message(text)]
    filename = "result.csv" if "csv" in asked else "result.txt"
    file_id = workspace.write(f"/mnt/data/{filename}", b"offline stand-in: no code ran, so this file holds no result\n")
    text += f" It saved a file all the same, so that you can download it: {filename}"
    citation = {
        "type": "container_file_citation",
        "container_id": workspace.container_id,
        "file_id": file_id,
        "filename": filename,
        "start_index": len(text) - len(filename),
        "end_index": len(text),
    }
    return [call, assistant_message(text, annotations=[citation])]


def generate_image(turn: Turn, tool: dict[str, Any]) -> list[dict[str, Any]]:
    earlier = [item for item in turn.history if item["type"] == "image_generation_call"]
    prompt = " ".join(turn.question.split())
    call = {
        "id": new_id("ig"),
        "type": "image_generation_call",
        "status": "completed",
        "action": "edit" if earlier else "generate",
        "result": placeholder_png(prompt, edit_of=earlier[-1]["revised_prompt"] if earlier else None),
        "revised_prompt": f"A placeholder picture (offline stand-in) for: {prompt}",
        "output_format": "png",
        "size": "64x64",
        "quality": "low",
        "background": "opaque",
    }
    what = "an edit of the previous picture, same frame, new colours" if earlier else "a frame and a colour field"
    return [call, assistant_message(f"{CANNED_NOTE}, and so is the picture: {what}.")]
