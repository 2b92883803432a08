"""``/files``: upload (multipart, as the SDK sends it), retrieve and delete; kept until deleted.

What the stand-in can read in what it keeps is in ``documents.py``.
"""

import base64
import time
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any, cast

from openai_tutorial.offline.errors import invalid, not_found
from openai_tutorial.offline.items import new_id

if TYPE_CHECKING:
    from openai_tutorial.offline.call import Call

PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")


def form_parts(call: "Call") -> list[tuple[str, str | None, bytes]]:
    """The parts of a multipart/form-data body, in order: (name, filename, content)."""
    content_type = call.request.headers.get("content-type", "")  # pragma: no mutate: case-blind
    if not content_type.startswith("multipart/form-data"):
        raise invalid("Uploads must be sent as multipart/form-data.")
    header = b"Content-Type: " + content_type.encode()  # pragma: no mutate: case-blind
    mime = header + b"\r\n\r\n" + call.request.content
    # The email package types a header's parameter as text or an RFC 2231 triple, and a payload as
    # whatever a message can hold: a form-data part's name is plain text and its decoded payload bytes.
    return [
        (
            cast(str, part.get_param("name", header="content-disposition")),  # pragma: no mutate: case-blind
            part.get_filename(),
            cast(bytes, part.get_payload(decode=True)),
        )
        for part in BytesParser(policy=HTTP).parsebytes(mime).iter_parts()
    ]


def form_fields(call: "Call") -> dict[str, tuple[str | None, bytes]]:
    """The parts of a multipart/form-data body, by name (the last of a name): (filename, content)."""
    return {name: (filename, content) for name, filename, content in form_parts(call)}


def create(call: "Call") -> dict[str, Any]:
    fields = form_fields(call)
    for required in ("file", "purpose"):
        if required not in fields:
            message = f"Missing required parameter: '{required}'."
            raise invalid(message, param=required, code="missing_required_parameter")
    purpose = fields["purpose"][1].decode()
    if purpose not in PURPOSES:
        raise invalid(
            f"Invalid value for 'purpose': '{purpose}'. Supported values are: {', '.join(PURPOSES)}.",
            param="purpose",
        )
    filename, content = fields["file"]
    file: dict[str, Any] = {
        "id": new_id("file").replace("file_", "file-"),
        "object": "file",
        "bytes": len(content),
        "created_at": int(time.time()),
        "expires_at": None,
        "filename": filename or "upload",
        "purpose": purpose,
        "status": "processed",
        "status_details": None,
    }
    call.store.put("file", file["id"], {"file": file, "content": base64.b64encode(content).decode()})
    return file


def existing(call: "Call") -> dict[str, Any]:
    record = call.store.get("file", call.path["file_id"])
    if record is None:
        raise not_found(f"No such File object: {call.path['file_id']}", param="id")
    return record


def retrieve(call: "Call") -> dict[str, Any]:
    file: dict[str, Any] = existing(call)["file"]
    return file


def delete(call: "Call") -> dict[str, Any]:
    file_id = existing(call)["file"]["id"]
    call.store.delete("file", file_id)
    return {"id": file_id, "object": "file", "deleted": True}
