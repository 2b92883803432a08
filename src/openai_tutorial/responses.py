"""What every lesson and app reads from a Response, or sends back from it, the same way.

- ``usage_of(response)``: its token usage. The SDK types it as optional, since a response still
  being written has none; a finished one without it is a reply the script cannot use.
- ``as_input(item)``: an output item sent back as input, as a client that keeps its own history
  replays what the model said. The API takes back every item it returned (a message, a function
  call, a reasoning or compaction item) but rejects the null fields of the SDK's objects
  ("Unknown parameter input[0].status"), so an item is sent without them.
"""

from typing import cast

from openai import BaseModel
from openai.types.responses import Response, ResponseInputItemParam, ResponseUsage

from openai_tutorial.client import UpstreamError


def usage_of(response: Response) -> ResponseUsage:
    """The tokens a finished response was billed for; an ``UpstreamError`` if OpenAI left them out."""
    if response.usage is None:
        raise UpstreamError(f"OpenAI's reply {response.id} came without its token usage; try again.")
    return response.usage


def as_input(item: BaseModel) -> ResponseInputItemParam:
    """``item`` (an output or conversation item) as an input item: its fields without the nulls."""
    # The SDK types what it returns (models) apart from what it takes (TypedDicts); an item the API
    # returned is one it takes back, so this cast only says so.
    return cast(ResponseInputItemParam, item.to_dict(exclude_none=True))
