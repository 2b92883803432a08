"""``/vector_stores``: a store of files for the ``file_search`` tool; its files are "processed" by the next poll.

A file attached to a store starts ``in_progress`` and is ``completed`` when next retrieved
(or ``failed`` when the stand-in finds no text in it), so the SDK's ``upload_and_poll``
really polls. What the ``file_search`` tool searches is in ``documents.py``.
"""

import time
from typing import TYPE_CHECKING, Any

from openai_tutorial.offline.documents import document_text, kept_vector_store
from openai_tutorial.offline.errors import invalid, not_found
from openai_tutorial.offline.items import new_id
from openai_tutorial.offline.rules import check_metadata
from openai_tutorial.offline.store import Transaction

if TYPE_CHECKING:
    from openai_tutorial.offline.call import Call


def counted(store: Transaction, vector_store: dict[str, Any]) -> dict[str, Any]:
    files = store.owned_by("vector_store_file", vector_store["id"])
    counts = {status: sum(f["status"] == status for f in files) for status in ("in_progress", "completed", "failed")}
    return {
        **vector_store,
        "file_counts": {**counts, "cancelled": 0, "total": len(files)},
        "usage_bytes": sum(f["usage_bytes"] for f in files),
    }


def create(call: "Call") -> dict[str, Any]:
    now = int(time.time())
    vector_store: dict[str, Any] = {
        "id": new_id("vs"),
        "object": "vector_store",
        "created_at": now,
        "last_active_at": now,
        "name": call.body.get("name") or "",
        "metadata": check_metadata(call.body.get("metadata")),
        "status": "completed",
        "expires_after": call.body.get("expires_after"),
        "expires_at": None,
    }
    call.store.put("vector_store", vector_store["id"], vector_store)
    return counted(call.store, vector_store)


def retrieve(call: "Call") -> dict[str, Any]:
    return counted(call.store, kept_vector_store(call.store, call.path["vector_store_id"]))


def delete(call: "Call") -> dict[str, Any]:
    vector_store_id = kept_vector_store(call.store, call.path["vector_store_id"])["id"]
    for attached in call.store.owned_by("vector_store_file", vector_store_id):
        call.store.delete("vector_store_file", f"{vector_store_id}/{attached['id']}")
    call.store.delete("vector_store", vector_store_id)
    return {"id": vector_store_id, "object": "vector_store.deleted", "deleted": True}


def attach(call: "Call") -> dict[str, Any]:
    vector_store_id = kept_vector_store(call.store, call.path["vector_store_id"])["id"]
    file_id = call.body.get("file_id")
    if not file_id:
        raise invalid("Missing required parameter: 'file_id'.", param="file_id", code="missing_required_parameter")
    uploaded = call.store.get("file", file_id)
    if uploaded is None:
        raise not_found(f"No such File object: {file_id}", param="file_id")
    attached = {
        "id": file_id,
        "object": "vector_store.file",
        "created_at": int(time.time()),
        "vector_store_id": vector_store_id,
        "status": "in_progress",
        "last_error": None,
        "usage_bytes": uploaded["file"]["bytes"],
        "attributes": call.body.get("attributes"),
        "chunking_strategy": {"type": "static", "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}},
    }
    call.store.put("vector_store_file", f"{vector_store_id}/{file_id}", attached, owner=vector_store_id)
    return attached


def attached_file(call: "Call") -> dict[str, Any]:
    vector_store_id = kept_vector_store(call.store, call.path["vector_store_id"])["id"]
    attached = call.store.get("vector_store_file", f"{vector_store_id}/{call.path['file_id']}")
    if attached is None:
        raise not_found(f"No file found with id '{call.path['file_id']}' in vector store '{vector_store_id}'.")
    return attached


def retrieve_file(call: "Call") -> dict[str, Any]:
    attached = attached_file(call)
    if attached["status"] == "in_progress":
        uploaded = call.store.get("file", attached["id"])
        if uploaded is not None and document_text(uploaded).strip():
            attached = {**attached, "status": "completed"}
        else:
            error = {"code": "unsupported_file", "message": "The offline stand-in found no text in this file."}
            attached = {**attached, "status": "failed", "last_error": error}
        call.store.put("vector_store_file", f"{attached['vector_store_id']}/{attached['id']}", attached)
    return attached


def delete_file(call: "Call") -> dict[str, Any]:
    attached = attached_file(call)
    call.store.delete("vector_store_file", f"{attached['vector_store_id']}/{attached['id']}")
    return {"id": attached["id"], "object": "vector_store.file.deleted", "deleted": True}
