"""What the offline "model" is given for one response: the request, what came before it, and its new input.

Every simulator (``functions.py``, ``hosted_tools.py``, ``shell.py``, ``text.py``) is a function of one ``Turn``;
the shell's reads and writes go to the turn's ``Workspace``, which ``responses.py`` loads and keeps.
"""

from dataclasses import dataclass, field
from typing import Any

from openai_tutorial.offline.items import last_user_text, new_id

CANNED_NOTE = "This is the offline stand-in, not a model, so this reply is canned"


@dataclass
class Workspace:
    """The container a hosted shell or the code interpreter works in: its id, network policy, files by path."""

    container_id: str
    network_policy: dict[str, Any]
    files: dict[str, bytes]
    file_ids: dict[str, str] = field(default_factory=dict)  # path -> the container file's id
    written: set[str] = field(default_factory=set)  # the paths this turn wrote, to be kept

    def write(self, path: str, content: bytes) -> str:
        """Write ``content`` at ``path``; returns the file's id (a new one for a new path), which a citation names."""
        self.files[path] = content
        self.written.add(path)
        return self.file_ids.setdefault(path, new_id("cfile"))


@dataclass
class Turn:
    """What the model is given: the request, what came before it, and its new input."""

    request: dict[str, Any]
    history: list[dict[str, Any]]
    new_items: list[dict[str, Any]]
    documents: dict[str, tuple[str, str]] = field(default_factory=dict)
    searchable: list[tuple[str, str, str]] = field(default_factory=list)  # (file id, filename, text)
    workspace: Workspace | None = None  # for a hosted shell or the code interpreter

    @property
    def context(self) -> list[dict[str, Any]]:
        return self.history + self.new_items

    @property
    def question(self) -> str:
        return last_user_text(self.new_items) or last_user_text(self.history)

    @property
    def since_question(self) -> list[dict[str, Any]]:
        """The items after the user's last message: this turn's calls, their outputs, approvals."""
        context = self.context
        users = [index for index, item in enumerate(context) if item.get("role") == "user"]
        return context[users[-1] + 1 :] if users else context

    @property
    def before_question(self) -> list[dict[str, Any]]:
        context = self.context
        return context[: len(context) - len(self.since_question)]
