"""``/conversations``: a conversation and its items, kept until deleted.

As the SDK's docstring of ``conversations.delete`` says of the API, deleting a
conversation does not delete its items: they stay in the store, unreachable.
"""

import time
from typing import TYPE_CHECKING, Any

from openai_tutorial.offline.errors import invalid, not_found
from openai_tutorial.offline.items import new_id, normalized_input
from openai_tutorial.offline.lists import page
from openai_tutorial.offline.rules import check_array_length, check_metadata
from openai_tutorial.offline.store import Transaction

if TYPE_CHECKING:
    from openai_tutorial.offline.call import Call

MAX_ITEMS_PER_REQUEST = 20


def existing(store: Transaction, conversation_id: str) -> dict[str, Any]:
    conversation = store.get("conversation", conversation_id)
    if conversation is None:
        raise not_found(f"Conversation with id '{conversation_id}' not found.")
    return conversation


def added_items(store: Transaction, conversation_id: str, sent: Any) -> list[dict[str, Any]]:
    items = normalized_input(check_array_length(sent, "items", MAX_ITEMS_PER_REQUEST), "items")
    for item in items:
        store.put("item", item["id"], item, owner=conversation_id)
    return items


def create(call: "Call") -> dict[str, Any]:
    metadata = check_metadata(call.body.get("metadata"))
    conversation: dict[str, Any] = {
        "id": new_id("conv"),
        "object": "conversation",
        "created_at": int(time.time()),
        "metadata": metadata,
    }
    call.store.put("conversation", conversation["id"], conversation)
    added_items(call.store, conversation["id"], call.body.get("items") or [])
    return conversation


def retrieve(call: "Call") -> dict[str, Any]:
    return existing(call.store, call.path["conversation_id"])


def update(call: "Call") -> dict[str, Any]:
    # The reference does not say whether the new map replaces or merges into the old one;
    # the stand-in replaces it, so a script that needs a merge must send the merged map.
    conversation = {
        **existing(call.store, call.path["conversation_id"]),
        "metadata": check_metadata(call.body.get("metadata")),
    }
    call.store.put("conversation", conversation["id"], conversation)
    return conversation


def delete(call: "Call") -> dict[str, Any]:
    conversation_id = existing(call.store, call.path["conversation_id"])["id"]
    call.store.delete("conversation", conversation_id)
    return {"id": conversation_id, "object": "conversation.deleted", "deleted": True}


def create_items(call: "Call") -> dict[str, Any]:
    conversation_id = existing(call.store, call.path["conversation_id"])["id"]
    if call.body.get("items") == []:
        raise invalid(
            "Invalid 'items': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            param="items",
            code="empty_array",
        )
    items = added_items(call.store, conversation_id, call.body.get("items"))
    return {"object": "list", "data": items, "first_id": items[0]["id"], "last_id": items[-1]["id"], "has_more": False}


def list_items(call: "Call") -> dict[str, Any]:
    conversation_id = existing(call.store, call.path["conversation_id"])["id"]
    return page(call.store.owned_by("item", conversation_id), call.query, default_order="desc")


def owned_item(call: "Call") -> tuple[str, dict[str, Any]]:
    conversation_id = existing(call.store, call.path["conversation_id"])["id"]
    item_id = call.path["item_id"]
    item = next((item for item in call.store.owned_by("item", conversation_id) if item["id"] == item_id), None)
    if item is None:
        raise not_found(f"Item with id '{item_id}' not found in conversation '{conversation_id}'.")
    return conversation_id, item


def retrieve_item(call: "Call") -> dict[str, Any]:
    return owned_item(call)[1]


def delete_item(call: "Call") -> dict[str, Any]:
    conversation_id, item = owned_item(call)
    call.store.delete("item", item["id"])
    return existing(call.store, conversation_id)
