"""OpenAI's stream relayed to the browser as server-sent events: text deltas as they come, then done or error.

``relay_text`` sends each text delta on and returns the completed response; what ends a
stream early becomes ``StreamFailed``. ``failed_after`` decides what a failure is for the
client: before the first piece of text it is raised (the route answers a JSON error with
its status, as ``POST /chat`` would); after it, it is an ``error`` event.
"""

import json
from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import openai
from flask import current_app
from openai import Stream
from openai.types.responses import Response, ResponseStreamEvent
from sqlalchemy.exc import OperationalError

from openai_tutorial.client import UpstreamError
from openai_tutorial.conversations import RemoteConversation
from openai_tutorial.responses import usage_of
from openai_tutorial.web import APIProblem


class StreamFailed(Exception):
    """OpenAI's stream ended without a completed reply, or with one this backend cannot use."""


@dataclass
class Relayed:
    text: bool = False  # a piece of the reply was sent to the client


def relay_text(
    stream: Stream[ResponseStreamEvent], conversation: RemoteConversation, relayed: Relayed
) -> Generator[str, None, Response]:
    """Send each text delta on as it arrives; return the completed response, or raise ``StreamFailed``."""
    try:
        for event in stream:
            if event.type == "response.created":
                conversation.made(event.response)  # so that undoing a new conversation deletes it too
            elif event.type == "response.output_text.delta":
                if not isinstance(event.delta, str):  # the SDK builds events without checking them
                    raise TypeError(f"a text delta whose text is {event.delta!r}")
                relayed.text = True
                yield server_sent_event("delta", {"text": event.delta})
            elif event.type in ("response.completed", "response.incomplete"):
                return event.response
            elif event.type == "response.failed":
                error = event.response.error
                raise StreamFailed(
                    f"OpenAI could not finish the reply: {error.message if error else 'no reason given'}"
                )
            elif event.type == "error":
                raise StreamFailed(f"OpenAI's stream failed: {event.message}")
    except StreamFailed:
        raise
    except openai.OpenAIError as error:  # the SDK wraps a broken connection as APIConnectionError
        current_app.logger.warning("OpenAI's stream broke off: %s: %s", type(error).__name__, error)
        raise StreamFailed("The connection to OpenAI broke off before the reply was complete; send it again.") from None
    except Exception as error:  # an event that is not JSON, or that the SDK cannot read (a proxy's, a newer API's)
        current_app.logger.warning("OpenAI's stream could not be read: %s: %s", type(error).__name__, error)
        raise StreamFailed("OpenAI's stream could not be read; send the message again.") from None
    raise StreamFailed("OpenAI's stream ended before the reply was complete; send it again.")


def failed_after(relayed: Relayed, failure: Exception) -> Iterator[str]:
    """A turn that failed: raised while nothing was sent yet, else its ``error`` event."""
    if not relayed.text:
        if isinstance(failure, StreamFailed | UpstreamError):
            raise APIProblem(502, "upstream_error", str(failure)) from None
        raise failure
    if isinstance(failure, StreamFailed | UpstreamError):
        problem = {"type": "upstream_error", "message": str(failure)}
    elif isinstance(failure, OperationalError):
        problem = {"type": "database_unavailable", "message": "The reply could not be stored; send it again."}
    else:  # a bug: the same words as the JSON 500 of every route
        current_app.logger.error("Unhandled error in a streamed turn", exc_info=failure)
        problem = {"type": "internal_error", "message": "Something went wrong on the server."}
    yield server_sent_event("error", {"error": problem})


def turn_summary(response: Response) -> dict[str, Any]:
    usage = usage_of(response)
    return {
        "response_id": response.id,
        "usage": {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "total_tokens": usage.total_tokens,
        },
    }


def server_sent_event(name: str, data: dict[str, Any]) -> str:
    # JSON keeps a reply's own newlines from ending the event early.
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


def sent_after(first: str, events: Generator[str]) -> Iterator[str]:
    """``first``, then the rest of ``events``; closing it closes ``events``, wherever it stopped."""
    with closing(events):
        yield first
        yield from events
