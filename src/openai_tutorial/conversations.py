"""What the Conversations apps share about the Conversations API: who a user is to OpenAI, and removal.

- ``safety_identifier(user_id)``: a stable hash, so OpenAI can tell users apart without
  learning who they are. It is also what conversation metadata says about the user.
- ``new_conversation(user_id)``: create a remote conversation for a first turn, and undo it
  (with everything made in it) if that turn fails before it is stored; the app records it
  locally before the turn is sent, so that an undo that fails too is finished by its purge.
- ``delete_remotely(conversation_id, response_ids)``: remove a conversation's content from
  OpenAI. ``conversations.delete`` does not delete the conversation's items (its docstring
  says so), and the responses made in it are separate objects kept for 30 days, so all
  three are deleted: the items one by one, each response, then the conversation. Something
  already gone (404) counts as deleted.
- ``compact_conversation(conversation_id)``: keep a long conversation's cost bounded, in place.
  Every turn in a conversation is billed for all of its items as input, and server-side
  compaction (``context_management``) is for chains and input lists, not conversations. So
  once a turn's input passes the app's budget, the app compacts the conversation itself:
  ``responses.compact`` over its items gives a short sealed ``compaction`` item that carries
  what the chat said, which is added to the conversation, and the items before it are
  deleted. The conversation keeps its id; the next turn is billed for the compaction item
  and what follows it.
"""

import contextlib
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import openai
from openai.types.responses import Response, ResponseUsage

from openai_tutorial.client import get_client, get_model
from openai_tutorial.responses import as_input

log = logging.getLogger(__name__)
ITEMS_PAGE_SIZE = 100


def safety_identifier(user_id: str) -> str:
    """A stable hash of the user id: OpenAI can tell users apart without learning who they are."""
    return hashlib.sha256(user_id.encode()).hexdigest()


def delete_if_present(delete: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    with contextlib.suppress(openai.NotFoundError):  # already gone: that is what we wanted
        delete(*args, **kwargs)


def delete_remotely(conversation_id: str, response_ids: Iterable[str]) -> None:
    """Delete a conversation's items, the responses made in it, then the conversation; raises if one fails."""
    client = get_client()
    try:
        items = [item.id for item in client.conversations.items.list(conversation_id, limit=ITEMS_PAGE_SIZE)]
    except openai.NotFoundError:
        items = []  # the conversation is gone, and its items can no longer be listed
    for item_id in items:
        delete_if_present(client.conversations.items.delete, item_id, conversation_id=conversation_id)
    for response_id in response_ids:
        delete_if_present(client.responses.delete, response_id)
    delete_if_present(client.conversations.delete, conversation_id)


def bound_cost(conversation_id: str, usage: ResponseUsage | None, budget: int) -> bool:
    """Compact the conversation if the turn just answered was billed more than ``budget`` input tokens
    (a reply without its usage cannot say, and is left alone).

    Best effort: the turn is answered and stored already, so a compaction that fails is logged, and
    the next turn, over the budget too, tries again. True if it was compacted.
    """
    if usage is None or usage.input_tokens <= budget:
        return False
    try:
        compact_conversation(conversation_id)
    except openai.OpenAIError as error:
        log.warning("Could not compact conversation %s; the next turn tries again: %s", conversation_id, error)
        return False
    return True


def compact_conversation(conversation_id: str) -> int:
    """Replace the conversation's items by their compaction; returns how many items it had. Raises if OpenAI fails.

    The compaction item is added before anything is deleted, so a failure at any step leaves the
    conversation whole: the model reads from the newest compaction item on, and what a failed
    delete left behind is compacted and deleted again next time.
    """
    client = get_client()
    items = list(client.conversations.items.list(conversation_id, limit=ITEMS_PAGE_SIZE, order="asc"))
    compacted = client.responses.compact(model=get_model(), input=[as_input(item) for item in items])
    client.conversations.items.create(conversation_id, items=[as_input(item) for item in compacted.output])
    for item in items:
        delete_if_present(client.conversations.items.delete, item.id, conversation_id=conversation_id)
    return len(items)


@dataclass
class RemoteConversation:
    id: str
    created: bool = False  # made for this turn, by ``new_conversation``
    response_ids: list[str] = field(default_factory=list)

    def made(self, response: Response) -> None:
        """Note a response made in this conversation, so that an undo deletes it too."""
        self.response_ids.append(response.id)


@contextmanager
def new_conversation(user_id: str, *, undone: Callable[[str], None] | None = None) -> Iterator[RemoteConversation]:
    """A new remote conversation for ``user_id`` that is deleted again if the block fails.

    ``undone(id)`` runs once that delete succeeded, so the caller can drop its own record of the
    conversation (a pending row, written before the turn is sent); if the delete fails, that
    record is what lets a later purge find the conversation.
    """
    # No retries: a create that timed out may still have succeeded, and a retry would leave a
    # second conversation that nobody knows about. The user retries the whole turn instead.
    creating = get_client().with_options(max_retries=0).conversations
    created = creating.create(metadata={"user": safety_identifier(user_id)})
    conversation = RemoteConversation(created.id, created=True)
    try:
        yield conversation
    except BaseException:
        try:
            delete_remotely(conversation.id, conversation.response_ids)
        except openai.OpenAIError as error:
            log.warning("Could not delete conversation %s after a failed first turn: %s", conversation.id, error)
        else:
            if undone is not None:
                undone(conversation.id)
        raise
