"""``/containers``: containers and their files (create, retrieve, list, delete, content), kept until deleted.

A container is where the hosted ``shell`` tool and the code interpreter work. A request
whose shell tool says ``container_auto`` (or whose code interpreter says ``{"type": "auto"}``)
gets a new one; ``container_reference`` (or the container's id) names one made here. Its files
live at their paths (``/mnt/data/...``), written by uploads or by the simulated shell,
and their bytes are read back by ``files.content``. ``responses.py`` loads a container's
files into the turn's ``Workspace`` and keeps what the shell wrote, through here.
"""

import base64
import time
from typing import TYPE_CHECKING, Any

from openai_tutorial.offline.coding_agent import is_local_shell
from openai_tutorial.offline.errors import invalid, not_found
from openai_tutorial.offline.files import form_fields
from openai_tutorial.offline.items import new_id
from openai_tutorial.offline.lists import page
from openai_tutorial.offline.skills import mounted_files
from openai_tutorial.offline.store import Transaction
from openai_tutorial.offline.turn import Workspace

if TYPE_CHECKING:
    from openai_tutorial.offline.call import Call

DATA_FOLDER = "/mnt/data"
IDLE_MINUTES = 20  # the API's default: a container unused for 20 minutes expires
MEMORY_LIMITS = ("1g", "4g", "16g", "64g")
EVERY_CONTAINER = "containers"  # the owner of every container, so that they can be listed in order


def new_container(store: Transaction, name: str, options: dict[str, Any]) -> dict[str, Any]:
    memory_limit = options.get("memory_limit") or "1g"
    if memory_limit not in MEMORY_LIMITS:
        raise invalid(
            f"Invalid 'memory_limit': '{memory_limit}'. Supported values are: {', '.join(MEMORY_LIMITS)}.",
            param="memory_limit",
        )
    now = int(time.time())
    container: dict[str, Any] = {
        "id": new_id("cntr"),
        "object": "container",
        "name": name,
        "created_at": now,
        "last_active_at": now,
        "status": "running",
        "expires_after": options.get("expires_after") or {"anchor": "last_active_at", "minutes": IDLE_MINUTES},
        "memory_limit": memory_limit,
        "network_policy": options.get("network_policy") or {"type": "disabled"},
    }
    store.put("container", container["id"], container, owner=EVERY_CONTAINER)
    for file_id in options.get("file_ids") or []:
        uploaded = store.get("file", file_id)
        if uploaded is None:
            raise invalid(f"The file '{file_id}' was not found.", param="file_ids")
        keep_file(store, container["id"], uploaded["file"]["filename"], base64.b64decode(uploaded["content"]), "user")
    return container


def kept_container(store: Transaction, container_id: str) -> dict[str, Any]:
    container = store.get("container", container_id)
    if container is None:
        raise not_found(f"Container with id '{container_id}' not found.")
    return container


def keep_file(
    store: Transaction, container_id: str, path: str, content: bytes, source: str, file_id: str | None = None
) -> dict[str, Any]:
    """Write a file at ``path`` (a bare name lands in /mnt/data), replacing the file already there."""
    path = path if path.startswith("/") else f"{DATA_FOLDER}/{path}"
    record = next((r for r in store.owned_by("container_file", container_id) if r["file"]["path"] == path), None)
    file = {
        "id": record["file"]["id"] if record else file_id or new_id("cfile"),
        "object": "container.file",
        "container_id": container_id,
        "path": path,
        "bytes": len(content),
        "created_at": int(time.time()),
        "source": source,
    }
    body = {"file": file, "content": base64.b64encode(content).decode()}
    store.put("container_file", f"{container_id}/{file['id']}", body, owner=container_id)
    return file


def workspace_for(store: Transaction, tools: list[dict[str, Any]]) -> Workspace | None:
    """The container of the request's shell tool or code interpreter, with its files; a new one when asked."""
    for index, tool in enumerate(tools):
        if tool.get("type") == "shell" and not is_local_shell(tool):
            container = shell_container(store, tool["environment"], f"tools[{index}].environment")
        elif tool.get("type") == "code_interpreter":
            container = interpreter_container(store, tool.get("container"), f"tools[{index}].container")
        else:
            continue
        records = store.owned_by("container_file", container["id"])
        files = {record["file"]["path"]: base64.b64decode(record["content"]) for record in records}
        file_ids = {record["file"]["path"]: record["file"]["id"] for record in records}
        return Workspace(container["id"], container["network_policy"], files, file_ids)
    return None


def shell_container(store: Transaction, environment: Any, param: str) -> dict[str, Any]:
    kind = environment.get("type") if isinstance(environment, dict) else None
    if kind == "container_auto":
        mounted = mounted_files(store, environment.get("skills"), f"{param}.skills")  # checked before anything is made
        container = new_container(store, "container_auto", environment)
        for path, content in mounted.items():
            keep_file(store, container["id"], path, content, "user")
        return container
    if kind == "container_reference":
        return named_container(store, environment.get("container_id"), f"{param}.container_id")
    raise invalid(
        "Invalid shell environment: expected one of 'container_auto', 'container_reference' or 'local'.",
        param=param,
    )


def interpreter_container(store: Transaction, container: Any, param: str) -> dict[str, Any]:
    if isinstance(container, dict):  # {"type": "auto", ...}: the only object the tool takes
        return new_container(store, "code_interpreter auto", container)
    return named_container(store, container, param)


def named_container(store: Transaction, container_id: Any, param: str) -> dict[str, Any]:
    container = store.get("container", str(container_id))
    if container is None:
        raise invalid(f"Container with id '{container_id}' not found.", param=param)
    return container


def keep_workspace(store: Transaction, workspace: Workspace) -> None:
    """Keep the files the shell wrote, and mark the container active now (its idle clock restarts)."""
    for path in sorted(workspace.written):
        content, file_id = workspace.files[path], workspace.file_ids[path]
        keep_file(store, workspace.container_id, path, content, "assistant", file_id)
    container = kept_container(store, workspace.container_id)
    store.put("container", container["id"], {**container, "last_active_at": int(time.time())})


def create(call: "Call") -> dict[str, Any]:
    name = call.body.get("name")
    if not name:
        raise invalid("Missing required parameter: 'name'.", param="name", code="missing_required_parameter")
    return new_container(call.store, name, call.body)


def retrieve(call: "Call") -> dict[str, Any]:
    return kept_container(call.store, call.path["container_id"])


def list_containers(call: "Call") -> dict[str, Any]:
    name = call.query.get("name")
    everything = call.store.owned_by("container", EVERY_CONTAINER)
    return page([c for c in everything if name in (None, c["name"])], call.query, default_order="desc")


def delete(call: "Call") -> dict[str, Any]:
    container_id = kept_container(call.store, call.path["container_id"])["id"]
    for record in call.store.owned_by("container_file", container_id):
        call.store.delete("container_file", f"{container_id}/{record['file']['id']}")
    call.store.delete("container", container_id)
    return {"id": container_id, "object": "container.deleted", "deleted": True}


def create_file(call: "Call") -> dict[str, Any]:
    """Upload a file (multipart ``file``) or copy an uploaded one (JSON ``file_id``) into /mnt/data."""
    container_id = kept_container(call.store, call.path["container_id"])["id"]
    if file_id := call.body.get("file_id"):
        uploaded = call.store.get("file", file_id)
        if uploaded is None:
            raise invalid(f"The file '{file_id}' was not found.", param="file_id")
        filename, content = uploaded["file"]["filename"], base64.b64decode(uploaded["content"])
    else:
        fields = form_fields(call)
        if "file" not in fields:
            raise invalid("Send either 'file' or 'file_id'.", param="file", code="missing_required_parameter")
        filename, content = fields["file"]
    return keep_file(call.store, container_id, filename or "upload", content, "user")


def kept_file(call: "Call") -> dict[str, Any]:
    container_id = kept_container(call.store, call.path["container_id"])["id"]
    record = call.store.get("container_file", f"{container_id}/{call.path['file_id']}")
    if record is None:
        raise not_found(f"File with id '{call.path['file_id']}' not found in container '{container_id}'.")
    return record


def retrieve_file(call: "Call") -> dict[str, Any]:
    file: dict[str, Any] = kept_file(call)["file"]
    return file


def list_files(call: "Call") -> dict[str, Any]:
    container_id = kept_container(call.store, call.path["container_id"])["id"]
    files = [record["file"] for record in call.store.owned_by("container_file", container_id)]
    return page(files, call.query, default_order="desc")


def delete_file(call: "Call") -> dict[str, Any]:
    file = kept_file(call)["file"]
    call.store.delete("container_file", f"{file['container_id']}/{file['id']}")
    return {"id": file["id"], "object": "container.file.deleted", "deleted": True}


def file_content(call: "Call") -> bytes:
    return base64.b64decode(kept_file(call)["content"])
