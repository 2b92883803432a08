"""``/responses``: create (plain, streamed, in the background), retrieve, delete, cancel, input items, token counts.

A stored response keeps its input items and output, so a later request can continue it
with ``previous_response_id``; ``store: false`` keeps nothing, as with the API. A
background response moves queued → in_progress → completed over successive retrieves,
so polling shows a real progression.
"""

import functools
import time
from typing import TYPE_CHECKING, Any

from openai_tutorial.offline import caching, compaction, computer, containers, model, moderation
from openai_tutorial.offline.custom_tools import check_format
from openai_tutorial.offline.documents import document_text, searchable
from openai_tutorial.offline.errors import invalid, not_found
from openai_tutorial.offline.images import check_input_images
from openai_tutorial.offline.items import new_id, normalized_input
from openai_tutorial.offline.lists import page
from openai_tutorial.offline.programs import check_program_tools, check_programs
from openai_tutorial.offline.rules import (
    check_background_options,
    check_metadata,
    check_model,
    check_tool_type,
    served_tier,
    snapshot_of,
    strict_normalized,
    strict_schema_problem,
)
from openai_tutorial.offline.store import Transaction
from openai_tutorial.offline.streams import EventStream, obfuscated, response_events
from openai_tutorial.offline.text import compaction_item
from openai_tutorial.offline.tool_search import check_tool_search
from openai_tutorial.offline.turn import Turn

if TYPE_CHECKING:
    from openai_tutorial.offline.call import Call

MIN_OUTPUT_TOKENS = 16
MAX_PARTIAL_IMAGES = 3
TERMINAL_STATUSES = {"completed", "failed", "cancelled", "incomplete"}
# Each retrieve of a background response moves it one step on.
BACKGROUND_PROGRESSION = {"queued": "in_progress"}


def stored(store: Transaction, response_id: str) -> dict[str, Any]:
    record = store.get("response", response_id)
    if record is None:
        raise not_found(f"Response with id '{response_id}' not found.")
    return record


def conversation_id_of(body: dict[str, Any]) -> str | None:
    conversation = body.get("conversation")
    return conversation.get("id") if isinstance(conversation, dict) else conversation


def check_request(body: dict[str, Any]) -> None:
    """The parameter rules that hold before anything is looked up."""
    if not body.get("model"):
        raise invalid("Missing required parameter: 'model'.", param="model", code="missing_required_parameter")
    check_model(body["model"])
    if body.get("previous_response_id") and body.get("conversation"):
        raise invalid(
            "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or "
            "'conversation'.",
            code="mutually_exclusive_parameters",
        )
    cap = body.get("max_output_tokens")
    if cap is not None and cap < MIN_OUTPUT_TOKENS:
        raise invalid(
            f"Invalid 'max_output_tokens': integer below minimum value. Expected a value >= {MIN_OUTPUT_TOKENS}, "
            f"but got {cap} instead.",
            param="max_output_tokens",
            code="integer_below_min_value",
        )
    check_metadata(body.get("metadata"))
    for index, tool in enumerate(body.get("tools") or []):
        check_tool_type(tool, f"tools[{index}]")
        required = {"code_interpreter": "container", "file_search": "vector_store_ids", "mcp": "server_label"}
        if tool.get("type") in required and required[tool["type"]] not in tool:
            param = f"tools[{index}].{required[tool['type']]}"
            raise invalid(f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter")
        if tool.get("type") == "custom":
            check_format(tool, f"tools[{index}].format")
        partial = tool.get("partial_images", 0) if tool.get("type") == "image_generation" else 0
        if not (isinstance(partial, int) and 0 <= partial <= MAX_PARTIAL_IMAGES):
            param = f"tools[{index}].partial_images"
            raise invalid(
                f"Invalid '{param}': expected an integer from 0 to {MAX_PARTIAL_IMAGES}, but got {partial!r} instead.",
                param=param,
                code="integer_out_of_range",
            )
        inner = enumerate(tool.get("tools") or []) if tool.get("type") == "namespace" else []
        for param, function in [(f"tools[{index}]", tool), *((f"tools[{index}].tools[{n}]", f) for n, f in inner)]:
            check_function_schema(function, f"{param}.parameters")
    check_tool_search(body)
    caching.check_options(body)
    compaction.threshold_of(body)
    check_program_tools(body.get("tools") or [])
    moderation.check_moderation(body)
    computer.check_computer_tool(body)
    text_format = (body.get("text") or {}).get("format") or {}
    if text_format.get("type") == "json_schema" and "schema" not in text_format:
        param = "text.format.schema"
        raise invalid(f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter")
    strict = text_format.get("type") == "json_schema" and text_format.get("strict")
    if strict and (problem := strict_schema_problem(text_format["schema"])):
        raise invalid(
            f"Invalid schema for response_format '{text_format.get('name')}': {problem}",
            param="text.format.schema",
            code="invalid_json_schema",
        )
    if body.get("background") and body.get("store") is False:
        raise invalid("Background mode requires store=true: a background response must be stored.", param="store")
    check_background_options(body)
    model.reasoning_context(body)


def check_function_schema(tool: dict[str, Any], param: str) -> None:
    """A function's parameters are an object schema, held to strict mode unless it says ``strict: false``; one
    that does not say ``strict`` is made strict first, as the API does (every property required, no others)."""
    parameters = tool.get("parameters")  # a function may take none
    if tool.get("type") != "function" or parameters is None:
        problem = None
    elif not isinstance(parameters, dict) or "object" not in types_of(parameters):
        found = parameters.get("type") if isinstance(parameters, dict) else parameters
        problem = f"In context=(), schema must be a JSON Schema of 'type: \"object\"', got 'type: \"{found}\"'."
    elif tool.get("strict") is False:
        problem = None
    else:
        problem = strict_schema_problem(parameters if "strict" in tool else strict_normalized(parameters))
    if problem:
        raise invalid(
            f"Invalid schema for function '{tool.get('name')}': {problem}",
            param=param,
            code="invalid_function_parameters",
        )


def types_of(schema: dict[str, Any]) -> list[Any]:
    kinds = schema.get("type")
    return kinds if isinstance(kinds, list) else [kinds]


def history_of(
    store: Transaction, body: dict[str, Any], connection: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Every item the model sees before this request's input: a chain of responses, or a conversation.

    Over a WebSocket, the connection's latest response is found too, stored or not."""
    if conversation_id := conversation_id_of(body):
        if store.get("conversation", conversation_id) is None:
            raise not_found(f"Conversation with id '{conversation_id}' not found.", param="conversation")
        return store.owned_by("item", conversation_id)
    chain: list[dict[str, Any]] = []
    response_id = body.get("previous_response_id")
    while response_id:
        record = store.get("response", response_id) or (connection or {}).get(response_id)
        if record is None and not chain:
            raise invalid(
                f"Previous response with id '{response_id}' not found.",
                param="previous_response_id",
                code="previous_response_not_found",
            )
        if record is None:
            break
        chain.append(record)
        response_id = record["response"]["previous_response_id"]
    return [item for record in reversed(chain) for item in [*record["input_items"], *record["response"]["output"]]]


# The calls that need an output: call type -> (what made it, the type of the item that answers it).
ANSWERED_BY = {
    "function_call": ("function", "function_call_output"),
    "custom_tool_call": ("custom tool", "custom_tool_call_output"),
    "shell_call": ("shell", "shell_call_output"),
    "apply_patch_call": ("apply_patch", "apply_patch_call_output"),
    "tool_search_call": ("tool_search", "tool_search_output"),
    "computer_call": ("computer", "computer_call_output"),
}
CALLS = {call: kind for call, (kind, _) in ANSWERED_BY.items()}
OUTPUTS = {output: kind for kind, output in ANSWERED_BY.values()}


def check_items(history: list[dict[str, Any]], new_items: list[dict[str, Any]]) -> None:
    """The rules on items learners trip over: duplicates, unanswered calls, stray outputs and approvals."""
    seen = {item["id"] for item in history}
    for item in new_items:
        if item["id"] in seen:
            raise invalid(
                f"Duplicate item found with id {item['id']}. Remove duplicate items from your input and try again.",
                param="input",
            )
        seen.add(item["id"])
    answered: dict[str, bool] = {}
    kinds: dict[str, str] = {}  # call id -> what made the call: "function", "custom tool", "shell"...
    approval_requests = set()
    for item in [*history, *new_items]:
        if item["type"] in CALLS:
            answered[item["call_id"]] = False  # pragma: no mutate: equivalent
            kinds[item["call_id"]] = CALLS[item["type"]]
        elif item["type"] in OUTPUTS:
            if kinds.get(item["call_id"]) != OUTPUTS[item["type"]]:
                raise invalid(
                    f"No tool call found for {OUTPUTS[item['type']]} call output with call_id {item['call_id']}.",
                    param="input",
                )
            answered[item["call_id"]] = True
        elif item["type"] == "mcp_approval_request":
            approval_requests.add(item["id"])
        elif item["type"] == "mcp_approval_response" and item["approval_request_id"] not in approval_requests:
            raise invalid(f"No approval request found with id '{item['approval_request_id']}'.", param="input")
    if unanswered := [call_id for call_id, done in answered.items() if not done]:
        raise invalid(f"No tool output found for {kinds[unanswered[0]]} call {unanswered[0]}.", param="input")
    if new_items and new_items[-1]["type"] == "reasoning":
        raise invalid(
            f"Item '{new_items[-1]['id']}' of type 'reasoning' was provided without its required following item.",
            param="input",
        )


def documents_in(store: Transaction, items: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """The uploaded files that ``input_file`` parts name, as (filename, text)."""
    documents = {}
    for item in items:
        parts = item.get("content") or [] if item["type"] == "message" else []  # pragma: no mutate: equivalent
        for part in parts:
            if part["type"] == "input_file" and part.get("file_id"):
                record = store.get("file", part["file_id"])
                if record is None:
                    raise invalid(f"The file '{part['file_id']}' was not found.", param="input")
                documents[part["file_id"]] = (record["file"]["filename"], document_text(record))
    return documents


def response_object(body: dict[str, Any], reply: model.Reply, conversation_id: str | None) -> dict[str, Any]:
    now = int(time.time())
    text = body.get("text") or {}
    reasoning = body.get("reasoning") or {}
    return {
        "id": new_id("resp"),
        "object": "response",
        "created_at": now,
        "completed_at": now,
        "status": "incomplete" if reply.incomplete_reason else "completed",
        "background": bool(body.get("background")),
        "error": None,
        "incomplete_details": {"reason": reply.incomplete_reason} if reply.incomplete_reason else None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "max_tool_calls": body.get("max_tool_calls"),
        "model": snapshot_of(body["model"]),
        "output": reply.output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "previous_response_id": body.get("previous_response_id"),
        "conversation": {"id": conversation_id} if conversation_id else None,
        "reasoning": {"effort": model.reasoning_effort(body), "summary": reasoning.get("summary")}
        | ({"context": model.reasoning_context(body)} if reasoning.get("context") else {}),
        "service_tier": served_tier(body),
        "store": body.get("store") is not False,  # unset: stored
        "temperature": body.get("temperature", 1.0),
        "text": {"format": text.get("format") or {"type": "text"}, "verbosity": text.get("verbosity", "medium")},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools") or [],
        "top_logprobs": body.get("top_logprobs", 0),
        "top_p": body.get("top_p", 1.0),
        "truncation": body.get("truncation", "disabled"),
        "usage": reply.usage,
        "user": None,
        "safety_identifier": body.get("safety_identifier"),
        "prompt_cache_key": body.get("prompt_cache_key"),
        "metadata": body.get("metadata") or {},
    }


def compact(call: "Call") -> dict[str, Any]:
    """``responses.compact``: the input (or a chain) made into one sealed compaction item."""
    body = call.body
    if not body.get("model"):
        raise invalid("Missing required parameter: 'model'.", param="model", code="missing_required_parameter")
    context = history_of(call.store, body) + normalized_input(body.get("input", []))
    item = compaction_item(context)
    input_tokens = model.count_input_tokens(body, context)
    return {
        "id": new_id("resp"),
        "object": "response.compaction",
        "created_at": int(time.time()),
        "output": [item],
        "usage": model.usage(input_tokens, model.count_input_tokens({}, [item]) + 16),
    }


def generated(turn: Turn, *, triggered: bool) -> model.Reply:
    """What the model writes: a compaction a trigger asks for, nothing for a prewarm, or its reply."""
    body = turn.request
    if triggered:
        item = compaction_item(turn.context)
        input_tokens = model.count_input_tokens(body, turn.context)
        return model.Reply([item], model.usage(input_tokens, model.count_input_tokens({}, [item])))
    if caching.options_of(body).get("prewarm"):  # the cache is written, nothing is generated
        return model.Reply([], model.usage(model.count_input_tokens(body, turn.context), 0))
    reply = model.reply(turn)
    threshold = compaction.threshold_of(body)
    if threshold is not None and model.count_input_tokens(body, turn.context) > threshold:
        reply.output.insert(0, compaction_item(turn.context))
    return reply


def queued(response: dict[str, Any]) -> dict[str, Any]:
    return {
        **response,
        "status": "queued",
        "output": [],
        "usage": None,
        "completed_at": None,
        "incomplete_details": None,
    }


def create(call: "Call") -> dict[str, Any] | EventStream:
    body = call.body
    check_request(body)
    history = history_of(call.store, body, call.connection)
    new_items = normalized_input(body.get("input", []))
    check_items(history, new_items)
    check_programs(history, new_items)
    computer.check_screenshots(history, new_items)
    check_input_images(new_items)
    searched = [tool for tool in body.get("tools") or [] if tool.get("type") == "file_search"]
    stores = [store_id for tool in searched for store_id in tool["vector_store_ids"]]
    workspace = containers.workspace_for(call.store, body.get("tools") or [])
    seen = model.rendered(compaction.visible(history + new_items), body)  # what the model reads
    earlier = seen[: max(len(seen) - len(new_items), 0)]
    documents = documents_in(call.store, new_items)
    turn = Turn(body, earlier, seen[len(earlier) :], documents, searchable(call.store, stores), workspace)
    generate = functools.partial(generated, triggered=compaction.triggered(new_items))
    if body.get("moderation") is None:
        reply, moderated = generate(turn), None
    else:
        reply, moderated = moderation.moderated(turn, generate)
    if workspace is not None:
        containers.keep_workspace(call.store, workspace)
    reply.usage["input_tokens_details"] = caching.read_and_write(call.store, body, seen)
    signature = caching.signature(body, seen)
    response = response_object(body, reply, conversation_id_of(body))
    response |= caching.reported(call.store, body, signature, reply.usage)
    if moderated is not None:
        response["moderation"] = moderated

    if response["store"]:
        record = {"response": response, "input_items": new_items, "cache_signature": signature}
        if response["background"] and not body.get("stream"):
            record = {**record, "response": queued(response), "finished": response}
        call.store.put("response", response["id"], record)
    if call.connection is not None:  # a WebSocket connection keeps its latest response, stored or not
        call.connection.clear()
        call.connection[response["id"]] = {"response": response, "input_items": new_items, "request": body}
    if response["background"] and call.webhooks is not None:
        call.after_commit.append(functools.partial(call.webhooks.settle_and_deliver_later, response["id"], settled))
    if conversation_id := conversation_id_of(body):
        for item in [*new_items, *response["output"]]:
            call.store.put("item", item["id"], item, owner=conversation_id)
    if body.get("stream"):
        events = response_events(response)
        keep_padding = (body.get("stream_options") or {}).get("include_obfuscation") is not False
        return EventStream(obfuscated(events) if keep_padding else events)
    return queued(response) if response["background"] else response


def advanced(store: Transaction, response_id: str) -> dict[str, Any]:
    """A background response one step further on: queued → in_progress → its finished state."""
    record = stored(store, response_id)
    response: dict[str, Any] = record["response"]
    if "finished" in record and response["status"] not in TERMINAL_STATUSES:  # pragma: no mutate: equivalent
        status = BACKGROUND_PROGRESSION.get(response["status"])
        response = {**response, "status": status} if status else record.pop("finished")
        store.put("response", response_id, {**record, "response": response})
    return response


def settled(store: Transaction, response_id: str) -> str | None:
    """A background response taken to its final state, as polling would; its status, or None if it is gone."""
    if store.get("response", response_id) is None:
        return None
    status: str = advanced(store, response_id)["status"]
    return status if status in TERMINAL_STATUSES else advanced(store, response_id)["status"]


def retrieve(call: "Call") -> dict[str, Any] | EventStream:
    response_id = call.path["response_id"]
    if call.query.get("stream") != "true":
        return advanced(call.store, response_id)
    record = stored(call.store, response_id)
    if not record["response"]["background"]:
        raise invalid("Only responses created with background=true can be streamed again.", param="stream")
    finished = record.get("finished", record["response"])
    if "finished" in record:
        del record["finished"]
        call.store.put("response", response_id, {**record, "response": finished})
    starting_after = int(call.query.get("starting_after", "-1"))
    events = [event for event in response_events(finished) if event["sequence_number"] > starting_after]
    return EventStream(events if call.query.get("include_obfuscation") == "false" else obfuscated(events))


def delete(call: "Call") -> dict[str, Any]:
    response_id = call.path["response_id"]
    if not call.store.delete("response", response_id):
        raise not_found(f"Response with id '{response_id}' not found.")
    return {"id": response_id, "object": "response.deleted", "deleted": True}


def cancel(call: "Call") -> dict[str, Any]:
    response_id = call.path["response_id"]
    record = stored(call.store, response_id)
    response: dict[str, Any] = record["response"]
    if not response["background"]:
        raise invalid("Only responses created with background=true can be cancelled.")
    if response["status"] == "cancelled":
        return response
    if response["status"] in TERMINAL_STATUSES:
        raise invalid(f"Cannot cancel a response that is already {response['status']}.")
    response = {**response, "status": "cancelled"}
    record.pop("finished", None)  # a cancelled response never finishes
    call.store.put("response", response_id, {**record, "response": response})
    return response


def list_input_items(call: "Call") -> dict[str, Any]:
    record = stored(call.store, call.path["response_id"])
    return page(record["input_items"], call.query, default_order="desc")


def count_input_tokens(call: "Call") -> dict[str, Any]:
    body = call.body
    check_request(body)
    history = history_of(call.store, body)
    new_items = normalized_input(body.get("input", []))
    return {"object": "response.input_tokens", "input_tokens": model.count_input_tokens(body, history + new_items)}
