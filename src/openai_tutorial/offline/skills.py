"""``/skills``: bundles of files with a ``SKILL.md``, uploaded, kept, mounted in automatic containers, deleted.

A skill is uploaded as ``files[]`` parts whose names share one top-level folder, or as one
zip of such a folder; the folder must hold a ``SKILL.md`` whose front matter gives a
``name`` and a ``description``. A ``container_auto`` environment that names skills by
``skill_reference`` gets their files under ``/mnt/skills/<folder>/`` (``mounted_files``),
where the model reads the ``SKILL.md`` and does what it says (``shell.py``).
"""

import base64
import io
import posixpath
import re
import time
import zipfile
from typing import TYPE_CHECKING, Any

from openai_tutorial.offline.errors import invalid, not_found
from openai_tutorial.offline.files import form_parts
from openai_tutorial.offline.items import new_id
from openai_tutorial.offline.lists import page
from openai_tutorial.offline.store import Transaction

if TYPE_CHECKING:
    from openai_tutorial.offline.call import Call

SKILLS_FOLDER = "/mnt/skills"
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
EVERY_SKILL = "skills"


def uploaded_files(call: "Call") -> dict[str, bytes]:
    """The skill's files by their path inside its folder's parent, from ``files[]`` parts or one zip."""
    parts = [(filename or "", content) for name, filename, content in form_parts(call) if name in {"files", "files[]"}]
    if len(parts) == 1 and parts[0][0].endswith(".zip"):
        try:
            with zipfile.ZipFile(io.BytesIO(parts[0][1])) as archive:
                return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
        except zipfile.BadZipFile:
            raise invalid("Invalid 'files': the zip could not be read.", param="files") from None
    return dict(parts)


def check_bundle(files: dict[str, bytes]) -> tuple[str, str, str]:
    """The folder, name and description of a bundle, or the 400 that says what is wrong with it."""
    folders = {posixpath.normpath(path).split("/")[0] for path in files}
    if not files or len(folders) != 1 or any(path.startswith("/") or ".." in path.split("/") for path in files):
        raise invalid("Invalid 'files': a skill is the files of one top-level folder.", param="files")
    (folder,) = folders
    manifest = files.get(f"{folder}/SKILL.md")
    if manifest is None:
        raise invalid(f"Invalid 'files': the folder '{folder}' has no SKILL.md.", param="files")
    found = FRONT_MATTER.match(manifest.decode(errors="replace"))
    fields = dict(re.findall(r"^(\w+):\s*(.+?)\s*$", found[1], re.MULTILINE)) if found else {}
    if not fields.get("name") or not fields.get("description"):
        raise invalid("Invalid 'files': the front matter of SKILL.md needs a name and a description.", param="files")
    return folder, fields["name"], fields["description"]


def create(call: "Call") -> dict[str, Any]:
    files = uploaded_files(call)
    folder, name, description = check_bundle(files)
    skill: dict[str, Any] = {
        "id": new_id("skill"),
        "object": "skill",
        "name": name,
        "description": description,
        "created_at": int(time.time()),
        "default_version": "1",
        "latest_version": "1",
    }
    encoded = {path: base64.b64encode(content).decode() for path, content in files.items()}
    call.store.put("skill", skill["id"], {"skill": skill, "folder": folder, "files": encoded}, owner=EVERY_SKILL)
    return skill


def stored(call: "Call") -> dict[str, Any]:
    record = call.store.get("skill", call.path["skill_id"])
    if record is None:
        raise not_found(f"Skill with id '{call.path['skill_id']}' not found.")
    return record


def retrieve(call: "Call") -> dict[str, Any]:
    skill: dict[str, Any] = stored(call)["skill"]
    return skill


def list_skills(call: "Call") -> dict[str, Any]:
    return page(
        [record["skill"] for record in call.store.owned_by("skill", EVERY_SKILL)], call.query, default_order="desc"
    )


def delete(call: "Call") -> dict[str, Any]:
    skill = stored(call)["skill"]
    call.store.delete("skill", skill["id"])
    return {"id": skill["id"], "object": "skill.deleted", "deleted": True}


def mounted_files(store: Transaction, references: Any, param: str) -> dict[str, bytes]:
    """The files of the skills an environment names, at the paths the container sees them."""
    files = {}
    for index, reference in enumerate(references or []):
        where = f"{param}[{index}]"
        if not isinstance(reference, dict) or reference.get("type") != "skill_reference":
            raise invalid(
                "The offline stand-in mounts uploaded skills only: name each one as "
                "{'type': 'skill_reference', 'skill_id': ...}.",
                param=where,
            )
        record = store.get("skill", str(reference.get("skill_id")))
        if record is None:
            raise invalid(f"Skill with id '{reference.get('skill_id')}' not found.", param=f"{where}.skill_id")
        for path, content in record["files"].items():
            files[posixpath.join(SKILLS_FOLDER, path)] = base64.b64decode(content)
    return files
