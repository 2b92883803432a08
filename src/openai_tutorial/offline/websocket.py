"""WebSocket mode offline: a loopback server that speaks the Responses socket protocol (``client.responses.connect()``).

The SDK dials its socket itself, past any HTTP transport, so the stand-in listens for real: one
server per process, on a free port of 127.0.0.1, in a daemon thread started with the first
offline client and closed at exit. A client's ``websocket_base_url`` carries a token naming the
stand-in that answers it (its state file, its pace), so every offline client shares the server.

On a connection:
- ``response.create`` is answered by the handler of ``POST /responses`` (every rule, tool and
  store of it), streamed one event a message, with the request's ``stream_id``; a request the
  API refuses is an ``error`` event carrying the HTTP status. ``stream`` is implied and ignored;
  ``background`` is refused. Requests are answered one at a time, in the order they came.
- The connection keeps its latest response, stored or not, so a ``store: false`` chain works on
  it; after a reconnect, continuing that response is ``previous_response_not_found``.
- ``response.steer`` on the response being written is accepted (``response.steer.accepted``),
  and the response stops at the next piece of text, ``incomplete`` with reason ``steered``; a
  successor with the same settings continues from it with the steering input. On a response
  that stopped for the client's tool output, the input waits (``response.steer.pending``, with
  the outputs still required) and goes first in the request that brings them. Anything else
  is ``response.steer.failed``: unknown or finished responses, input that is not user
  messages, and responses bound to a conversation or compacting automatically.
Between two pieces of text the server waits the stand-in's stream pace for a message, which
is when steering can land, as with the API: a steer sent after the last piece is too late.
"""

import atexit
import json
import secrets
import threading
import time
import weakref
from collections import deque
from typing import TYPE_CHECKING, Any

import httpx2
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from openai_tutorial.offline.items import new_id
from openai_tutorial.offline.responses import ANSWERED_BY
from openai_tutorial.offline.streams import EventStream, response_events

if TYPE_CHECKING:
    from openai_tutorial.offline.transport import OfflineTransport

HOST = "127.0.0.1"
# Client event fields that are not request parameters.
SOCKET_FIELDS = {"type", "stream_id", "stream"}


class Listener:
    """The process's one server, and which stand-in each token names."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.server: Server | None = None
        self.transports: weakref.WeakValueDictionary[str, OfflineTransport] = weakref.WeakValueDictionary()

    def url_for(self, transport: "OfflineTransport") -> str:
        """The ``websocket_base_url`` of a client that ``transport`` answers, the server started if need be."""
        with self.lock:
            if self.server is None:
                self.server = serve(self.serve_connection, HOST, 0, compression=None)
                threading.Thread(target=self.server.serve_forever, name="offline websocket", daemon=True).start()
                atexit.register(self.close)
            token = secrets.token_urlsafe(16)
            self.transports[token] = transport
            port = self.server.socket.getsockname()[1]
        return f"ws://{HOST}:{port}/v1?offline_client={token}"

    def close(self) -> None:
        with self.lock:
            if self.server is not None:
                self.server.shutdown()
                self.server = None

    def serve_connection(self, socket: ServerConnection) -> None:
        query = httpx2.URL(socket.request.path).params if socket.request else httpx2.QueryParams()
        transport = self.transports.get(query.get("offline_client", ""))
        if transport is None:
            socket.close(code=1008, reason="Unknown offline client")
            return
        Session(socket, transport).run()


LISTENER = Listener()


class Session:
    """One connection: its latest response, requests that wait their turn, steering input that waits for tools."""

    def __init__(self, socket: ServerConnection, transport: "OfflineTransport") -> None:
        self.socket, self.transport = socket, transport
        self.latest: dict[str, Any] = {}  # response id -> record, for the connection's latest response
        self.waiting: deque[dict[str, Any]] = deque()  # client events that came while a response was written
        self.pending: dict[str, list[dict[str, Any]]] = {}  # response id -> steering input waiting for tool output
        self.sequence = 0  # the next sequence number of the response being written, which steering events share
        self.held: list[dict[str, Any]] = []  # steering of the response being written, answered once it ends

    def run(self) -> None:
        try:
            while True:
                event = self.waiting.popleft() if self.waiting else self.parsed(self.socket.recv())
                if event is not None:
                    self.handle(event)
        except ConnectionClosed:
            return

    def parsed(self, message: str | bytes) -> dict[str, Any] | None:
        try:
            event = json.loads(message)
        except ValueError:
            event = None
        if not isinstance(event, dict):
            self.error(400, "We could not parse the JSON body of your event.")
            return None
        return event

    def send(self, event: dict[str, Any], stream_id: str | None) -> None:
        self.socket.send(json.dumps({**event, "stream_id": stream_id} if stream_id else event))

    def send_numbered(self, event: dict[str, Any], stream_id: str | None) -> None:
        """Send an event of the response being written (or of steering it), numbered in the order sent."""
        self.send({**event, "sequence_number": self.sequence}, stream_id)
        self.sequence += 1

    def error(
        self, status: int, message: str, *, code: str | None = None, param: str | None = None, **lane: str | None
    ) -> None:
        error = {"type": "invalid_request_error", "code": code, "message": message, "param": param}
        self.send({"type": "error", "status": status, "error": error}, lane.get("stream_id"))

    def handle(self, event: dict[str, Any]) -> None:
        if event.get("type") == "response.create":
            self.create(event)
        elif event.get("type") == "response.steer":
            self.steer(event, None)
        else:
            self.error(400, f"Invalid event type: {event.get('type')!r}.", code="invalid_value", param="type")

    def create(self, event: dict[str, Any]) -> None:
        stream_id = event.get("stream_id")
        body = {key: value for key, value in event.items() if key not in SOCKET_FIELDS}
        if body.get("background"):
            self.error(
                400, "Background mode is not supported over a WebSocket.", param="background", stream_id=stream_id
            )
            return
        queued = self.pending.pop(body.get("previous_response_id") or "", [])
        if queued:  # steering input that waited for these tool outputs goes first, in the order it came
            given = body.get("input", [])
            body["input"] = [*queued, *([{"role": "user", "content": given}] if isinstance(given, str) else given)]
        request = httpx2.Request("POST", "http://offline.invalid/v1/responses", json={**body, "stream": True})
        request.read()
        status, result = self.transport.answer(request, self.latest)
        if waited := self.transport.time_to_answer(result):
            time.sleep(waited)
        if not isinstance(result, EventStream):
            assert isinstance(result, dict)  # a response is answered with events or an error, never with bytes
            self.send({"type": "error", "status": status, **result}, stream_id)
            return
        self.stream(result.events, body, stream_id)

    def stream(self, events: list[dict[str, Any]], body: dict[str, Any], stream_id: str | None) -> None:
        """Send a response's events, pausing before each piece as the stand-in's streams do, and looking then
        for steering: it stops the response before a piece of text; during anything else it waits its end."""
        response = events[-1]["response"]
        self.sequence, written = 0, ""
        for index, event in enumerate(events):
            if event["type"].endswith(".delta") and (arrived := self.steer_arriving(response)):
                if event["type"] != "response.output_text.delta":
                    self.held.append(arrived)
                elif accepted := self.steer(arrived, response, stream_id):
                    self.steered(response, events[:index], written, accepted, body, stream_id)
                    return
            if event["type"] == "response.output_item.added":
                written = ""
            written += event.get("delta", "") if event["type"] == "response.output_text.delta" else ""
            self.send_numbered(event, stream_id)
        if waiting := required_outputs(response):
            self.latest[response["id"]]["required"] = waiting
        for held in self.held:  # steering that came while no text was written: answered now the response is done
            self.steer(held, None, stream_id)
        self.held.clear()

    def steer_arriving(self, response: dict[str, Any]) -> dict[str, Any] | None:
        """Wait the stand-in's pace for a client event: a steer of this response is returned, another steer is
        answered now, and a request waits for this response to end."""
        try:
            message = self.socket.recv(timeout=self.transport.stream_delay)
        except TimeoutError:
            return None
        event = self.parsed(message)
        if event is None:
            return None
        if event.get("type") == "response.steer" and event.get("previous_response_id") == response["id"]:
            return event
        if event.get("type") == "response.steer":
            self.steer(event, None)
        else:
            self.waiting.append(event)
        return None

    def steer(
        self, event: dict[str, Any], active: dict[str, Any] | None, stream_id: str | None = None
    ) -> dict[str, Any] | None:
        """Answer a ``response.steer``: accepted (returned, when it steers ``active``), pending or failed."""
        target: str = event.get("previous_response_id") or ""
        given: Any = event.get("input")  # checked just below
        request = (self.latest.get(target) or {}).get("request") or {}
        if not steering_input_is_valid(given):
            self.steer_failed(event, "invalid_input", "Steering input must be user messages with content.")
            return None
        if active is not None and (request.get("conversation") or request.get("context_management")):
            self.steer_failed(
                event,
                "steering_not_supported",
                "Responses bound to a conversation or using automatic compaction do not support steering.",
            )
            return None
        steer = {"id": new_id("steer"), "previous_response_id": target}
        if active is not None:
            self.send_numbered({"type": "response.steer.accepted", "steer": steer}, stream_id)
            return {"steer": steer, "input": given}
        required = (self.latest.get(target) or {}).get("required")
        if required is None:
            code, known = ("response_already_completed", target in self.latest)
            self.steer_failed(
                event,
                code if known else "response_not_found",
                "The response completed and is no longer accepting steering input."
                if known
                else f"Response '{target}' is not available on this connection.",
            )
            return None
        self.pending.setdefault(target, []).extend(as_messages(given))
        self.send_numbered({"type": "response.steer.accepted", "steer": steer}, None)
        pending = {"type": "response.steer.pending", "steer": steer, "reason": "waiting_for_required_input"}
        self.send_numbered({**pending, "required_input": required}, None)
        return None

    def steer_failed(self, event: dict[str, Any], code: str, message: str) -> None:
        steer = {"input": event.get("input"), "previous_response_id": event.get("previous_response_id")}
        error = {"code": code, "message": message, "type": "invalid_request_error"}
        self.send_numbered({"type": "response.steer.failed", "steer": steer, "error": error}, None)

    def steered(
        self,
        response: dict[str, Any],
        sent: list[dict[str, Any]],
        written: str,
        steer: dict[str, Any],
        body: dict[str, Any],
        stream_id: str | None,
    ) -> None:
        """Stop ``response`` where it was (its text so far), say so, then write its successor."""
        stopped = cut(response, sent, written)
        with self.transport.store.transaction() as store:
            if (record := store.get("response", response["id"])) is not None:
                store.put("response", response["id"], {**record, "response": stopped})
        self.latest[response["id"]]["response"] = stopped
        for event in response_events(stopped)[len(sent) :]:
            self.send_numbered(event, stream_id)
        settings = {key: value for key, value in body.items() if key not in {"input", "previous_response_id"}}
        successor = {**settings, "input": steer["input"], "previous_response_id": response["id"]}
        self.create({**successor, "type": "response.create", "stream_id": stream_id})


def steering_input_is_valid(given: Any) -> bool:
    if isinstance(given, str):
        return bool(given.strip())
    if not isinstance(given, list) or not given:
        return False
    return all(
        isinstance(item, dict)
        and item.get("role") == "user"
        and item.get("type", "message") == "message"
        and set(item) <= {"type", "role", "content"}
        and item.get("content")
        for item in given
    )


def as_messages(given: str | list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"role": "user", "content": given}] if isinstance(given, str) else given


def required_outputs(response: dict[str, Any]) -> list[dict[str, Any]]:
    """What a finished response waits for from the client, as the stubs ``response.steer.pending`` lists."""
    stubs = []
    for item in response["output"]:
        if item["type"] in ANSWERED_BY:
            stub = {"type": ANSWERED_BY[item["type"]][1], "call_id": item["call_id"]}
            stub |= {"name": item["name"]} if item["type"] == "function_call" else {}
            stub |= {"execution": "client"} if item["type"] == "tool_search_call" else {}
            stubs.append(stub)
    return stubs


def cut(response: dict[str, Any], sent: list[dict[str, Any]], written: str) -> dict[str, Any]:
    """``response`` as it stood once ``sent`` was sent: the message being written ends at ``written``."""
    shown = {event["item"]["id"] for event in sent if event["type"] == "response.output_item.added"}
    output = [item for item in response["output"] if item["id"] in shown]
    last = output[-1]
    output[-1] = {**last, "status": "incomplete", "content": [{**last["content"][0], "text": written}]}
    return {**response, "status": "incomplete", "incomplete_details": {"reason": "steered"}, "output": output}
