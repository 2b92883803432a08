"""The stand-in's WebSocket mode: a session driven message by message, then the real socket through the SDK.

A ``FakeSocket`` hands the session the client's events at chosen moments: between responses, or
during the pause before a chosen piece of a response being written, so steering lands where a test
says, every time.
"""

import json
from collections.abc import Callable

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from openai_tutorial.client import get_client
from openai_tutorial.offline import websocket
from openai_tutorial.offline.routes import ROUTES
from openai_tutorial.offline.store import Store
from openai_tutorial.offline.transport import OfflineTransport
from openai_tutorial.offline.websocket import Session
from tests.support import payloads

MODEL = "gpt-5.4-mini"
WEATHER = payloads.place_tool()

type Sent = list[dict]
type Later = Callable[[Sent], str | dict | None]


class FakeSocket:
    """Between responses the session reads ``between`` in order; during the pause before a piece it reads the
    first of ``during`` whose function, given what was sent so far, returns an event."""

    def __init__(self, between: list[str | dict | Later], during: list[Later] = ()) -> None:
        self.between, self.during, self.sent = list(between), list(during), []

    def recv(self, timeout: float | None = None) -> str:
        if timeout is None:
            if not self.between:
                raise ConnectionClosed(None, None)
            event = self.between.pop(0)
            if isinstance(event, str):  # a message as it is, JSON or not
                return event
            return json.dumps(event if isinstance(event, dict) else event(self.sent))
        for later in self.during:
            if (event := later(self.sent)) is not None:
                self.during.remove(later)
                return event if isinstance(event, str) else json.dumps(event)
        raise TimeoutError

    def send(self, message: str) -> None:
        self.sent.append(json.loads(message))


@pytest.fixture
def transport(tmp_path):
    """The stand-in, keeping what the offline ``client`` keeps."""
    return OfflineTransport(Store(tmp_path / "repo" / ".offline" / "state.sqlite3"), ROUTES, stream_delay=0)


def play(transport, between, during=(), *, latest=None) -> Sent:
    socket = FakeSocket(between, during)
    session = Session(socket, transport)
    session.latest = latest if latest is not None else session.latest
    session.run()
    return socket.sent


def create(**fields) -> dict:
    return {"type": "response.create", "model": MODEL, **fields}


def types(sent: Sent) -> list[str]:
    return [event["type"] for event in sent]


def created_id(sent: Sent, number: int = 0) -> str:
    return [event["response"]["id"] for event in sent if event["type"] == "response.created"][number]


def after_first_words(steer_input="Shorter, please.") -> Later:
    """A steer of the first response, once its first piece of text was sent."""

    def later(sent: Sent) -> dict | None:
        if "response.output_text.delta" not in types(sent):
            return None
        return {"type": "response.steer", "input": steer_input, "previous_response_id": created_id(sent)}

    return later


def test_a_response_is_streamed_one_event_a_message_with_its_lane_and_numbered_in_order(transport):
    sent = play(transport, [create(input="Hello", stream_id="lane-a")])

    assert types(sent)[0] == "response.created"
    assert types(sent)[-1] == "response.completed"
    assert {event["stream_id"] for event in sent} == {"lane-a"}
    assert [event["sequence_number"] for event in sent] == list(range(len(sent)))
    assert "Hello" in sent[-1]["response"]["output"][-1]["content"][0]["text"]


@pytest.mark.parametrize(
    ("message", "error"),
    [
        (
            create(background=True),
            {
                "type": "invalid_request_error",
                "code": None,
                "message": "Background mode is not supported over a WebSocket.",
                "param": "background",
            },
        ),
        (
            {"type": "response.create", "input": "Hi"},
            {
                "type": "invalid_request_error",
                "code": "missing_required_parameter",
                "message": "Missing required parameter: 'model'.",
                "param": "model",
            },
        ),
        (
            {"type": "session.update"},
            {
                "type": "invalid_request_error",
                "code": "invalid_value",
                "message": "Invalid event type: 'session.update'.",
                "param": "type",
            },
        ),
    ],
    ids=["background", "no-model", "unknown-event"],
)
def test_a_request_the_api_refuses_is_an_error_event_with_its_status(transport, message, error):
    assert play(transport, [message]) == [{"type": "error", "status": 400, "error": error}]


def test_a_message_that_is_not_a_json_object_is_an_error_and_the_connection_goes_on(transport):
    socket = FakeSocket(["not json", '"a string"', create(input="Hi")])
    Session(socket, transport).run()

    assert socket.sent[0] == {
        "type": "error",
        "status": 400,
        "error": {
            "type": "invalid_request_error",
            "code": None,
            "message": "We could not parse the JSON body of your event.",
            "param": None,
        },
    }
    assert socket.sent[1] == socket.sent[0]
    assert types(socket.sent)[-1] == "response.completed"


def test_a_store_false_chain_works_on_its_connection_and_is_not_found_on_another(transport):
    sent = play(
        transport,
        [
            create(input="My name is Ada.", store=False),
            lambda sent: create(input="What is my name?", store=False, previous_response_id=created_id(sent)),
        ],
    )
    lost = created_id(sent)
    elsewhere = play(transport, [create(input="What is my name?", previous_response_id=lost)])

    assert "Ada" in sent[-1]["response"]["output"][-1]["content"][0]["text"]
    assert elsewhere == [
        {
            "type": "error",
            "status": 400,
            "error": {
                "type": "invalid_request_error",
                "code": "previous_response_not_found",
                "message": f"Previous response with id '{lost}' not found.",
                "param": "previous_response_id",
            },
        }
    ]


def test_a_steer_stops_the_response_at_the_next_piece_and_a_successor_continues_with_its_settings(transport):
    sent = play(transport, [create(input="Tell me a long story.", instructions="Be brief.")], [after_first_words()])

    first, successor = created_id(sent, 0), created_id(sent, 1)
    accepted = next(event for event in sent if event["type"] == "response.steer.accepted")
    stopped = next(event for event in sent if event["type"] == "response.incomplete")["response"]
    done = sent[-1]["response"]
    assert accepted["steer"]["previous_response_id"] == first
    assert accepted["steer"]["id"].startswith("steer_")
    assert types(sent).index("response.steer.accepted") == types(sent).index("response.output_text.delta") + 1
    assert stopped["incomplete_details"] == {"reason": "steered"}
    written = [event["delta"] for event in sent if event["type"] == "response.output_text.delta"]
    assert stopped["output"][-1]["content"][0]["text"] == written[0]  # what was shown, no more
    assert stopped["output"][-1]["status"] == "incomplete"
    assert (done["previous_response_id"], done["instructions"], done["status"]) == (first, "Be brief.", "completed")
    assert done["id"] == successor
    assert "Shorter, please." in done["output"][-1]["content"][0]["text"]
    numbers = [event["sequence_number"] for event in sent[: types(sent).index("response.incomplete") + 1]]
    assert numbers == list(range(len(numbers)))


def test_a_response_kept_only_by_the_connection_is_steered_too_and_a_bad_message_meanwhile_is_an_error(transport):
    def garbage(sent: Sent) -> str | None:
        return "{not json" if "response.output_text.delta" in types(sent) else None

    sent = play(transport, [create(input="Tell me a long story.", store=False)], [garbage, after_first_words()])

    assert types(sent)[: types(sent).index("response.steer.accepted")].count("error") == 1
    assert next(e for e in sent if e["type"] == "response.incomplete")["response"]["store"] is False
    assert sent[-1]["response"]["previous_response_id"] == created_id(sent, 0)


def test_the_steered_response_is_stored_as_it_stopped(transport, client):
    sent = play(transport, [create(input="Tell me a long story.")], [after_first_words()])

    stored = client.responses.retrieve(created_id(sent, 0))

    assert (stored.status, stored.incomplete_details.reason) == ("incomplete", "steered")
    assert stored.output_text == next(event["delta"] for event in sent if event["type"] == "response.output_text.delta")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"context_management": [{"type": "compaction", "compact_threshold": 1000}]}, "steering_not_supported"),
        ({"store": True, "conversation": "CONVERSATION"}, "steering_not_supported"),
    ],
    ids=["automatic-compaction", "conversation"],
)
def test_a_response_with_automatic_compaction_or_a_conversation_cannot_be_steered(transport, client, fields, code):
    if fields.get("conversation"):
        fields["conversation"] = client.conversations.create().id

    sent = play(transport, [create(input="Tell me a long story.", **fields)], [after_first_words()])

    failed = next(event for event in sent if event["type"] == "response.steer.failed")
    assert failed["error"] == {
        "code": code,
        "message": "Responses bound to a conversation or using automatic compaction do not support steering.",
        "type": "invalid_request_error",
    }
    assert failed["steer"] == {"input": "Shorter, please.", "previous_response_id": created_id(sent)}
    assert types(sent)[-1] == "response.completed"  # written to its end


@pytest.mark.parametrize(
    "steer_input",
    ["", [{"role": "assistant", "content": "Hi"}], [{"role": "user", "content": "Hi", "id": "msg_1"}], []],
    ids=["empty", "not-user", "extra-field", "no-items"],
)
def test_steering_input_that_is_not_user_messages_fails_as_invalid(transport, steer_input):
    sent = play(transport, [create(input="Tell me a long story.")], [after_first_words(steer_input)])

    failed = next(event for event in sent if event["type"] == "response.steer.failed")
    assert failed["error"]["code"] == "invalid_input"
    assert "id" not in failed["steer"]


def test_steering_a_finished_response_or_an_unknown_one_fails(transport):
    finished = play(
        transport,
        [
            create(input="Hello"),
            lambda sent: {"type": "response.steer", "input": "More.", "previous_response_id": created_id(sent)},
            {"type": "response.steer", "input": "More.", "previous_response_id": "resp_unknown"},
        ],
    )

    codes = [event["error"]["code"] for event in finished if event["type"] == "response.steer.failed"]
    messages = [event["error"]["message"] for event in finished if event["type"] == "response.steer.failed"]
    assert codes == ["response_already_completed", "response_not_found"]
    assert messages[1] == "Response 'resp_unknown' is not available on this connection."


def test_steering_a_response_waiting_for_tool_output_is_pending_then_goes_first_with_the_outputs(transport, client):
    def outputs(sent: Sent) -> dict:
        completed = next(event for event in sent if event["type"] == "response.completed")
        call = next(item for item in completed["response"]["output"] if item["type"] == "function_call")
        output = {"type": "function_call_output", "call_id": call["call_id"], "output": '{"sky": "clear"}'}
        pending = next(event for event in sent if event["type"] == "response.steer.pending")
        return create(input=[output], tools=[WEATHER], previous_response_id=pending["steer"]["previous_response_id"])

    def steer(sent: Sent) -> dict:
        return {"type": "response.steer", "input": "And in Celsius.", "previous_response_id": created_id(sent)}

    sent = play(transport, [create(input="Weather in Oslo?", tools=[WEATHER]), steer, outputs])

    pending = next(event for event in sent if event["type"] == "response.steer.pending")
    call = next(
        item
        for item in sent[types(sent).index("response.completed")]["response"]["output"]
        if item["type"] == "function_call"
    )
    assert types(sent)[types(sent).index("response.completed") + 1 :][:2] == [
        "response.steer.accepted",
        "response.steer.pending",
    ]
    assert pending["reason"] == "waiting_for_required_input"
    assert pending["required_input"] == [
        {"type": "function_call_output", "call_id": call["call_id"], "name": "get_weather"}
    ]
    continuation = client.responses.input_items.list(created_id(sent, 1), order="asc").data
    assert [item.type for item in continuation] == ["message", "function_call_output"]
    assert continuation[0].content[0].text == "And in Celsius."


def test_a_steer_that_comes_while_a_call_is_written_waits_for_the_response_to_end(transport):
    def during_the_call(sent: Sent) -> dict | None:
        if "response.function_call_arguments.delta" in types(sent) or "response.output_item.added" not in types(sent):
            return None
        if not any(e["type"] == "response.output_item.added" and e["item"]["type"] == "function_call" for e in sent):
            return None
        return {"type": "response.steer", "input": "In Celsius.", "previous_response_id": created_id(sent)}

    sent = play(transport, [create(input="Weather in Oslo?", tools=[WEATHER])], [during_the_call])

    assert types(sent)[-3:] == ["response.completed", "response.steer.accepted", "response.steer.pending"]


def test_a_request_or_another_steer_sent_while_a_response_is_written_waits_or_fails_at_once(transport):
    def another_request(sent: Sent) -> dict | None:
        return create(input="Second") if "response.output_text.delta" in types(sent) else None

    def a_stray_steer(sent: Sent) -> dict | None:
        if "response.output_text.delta" not in types(sent):
            return None
        return {"type": "response.steer", "input": "x", "previous_response_id": "resp_other"}

    sent = play(transport, [create(input="First")], [a_stray_steer, another_request])

    assert types(sent).count("response.completed") == 2  # the second request, after the first
    assert types(sent).index("response.steer.failed") < types(sent).index("response.completed")
    assert "Second" in sent[-1]["response"]["output"][-1]["content"][0]["text"]


def test_the_sdk_connects_to_the_offline_server_and_a_reconnect_loses_a_store_false_response(client):
    with client.responses.connect() as connection:
        connection.response.create(model=MODEL, input="My name is Ada.", store=False)
        first = next(event for event in connection if event.type == "response.completed").response
    with client.responses.connect() as connection:
        connection.response.create(model=MODEL, input="And my name?", store=False, previous_response_id=first.id)
        error = next(iter(connection))

    assert client.websocket_base_url.startswith("ws://127.0.0.1:")
    assert (error.type, error.status, error.error.code) == ("error", 400, "previous_response_not_found")


def test_a_connection_naming_no_offline_client_is_refused(client):
    url = client.websocket_base_url.split("?")[0] + "/responses?offline_client=unknown"

    with connect(url) as socket, pytest.raises(ConnectionClosed) as closed:
        socket.recv()

    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1008, "Unknown offline client")


def test_every_offline_client_shares_the_one_server(client, monkeypatch):
    other = get_client.__wrapped__()

    assert other.websocket_base_url.split("?")[0] == client.websocket_base_url.split("?")[0]
    assert other.websocket_base_url != client.websocket_base_url
    assert websocket.LISTENER.server is not None


def test_a_listener_that_is_closed_starts_again_when_asked(transport):
    listener = websocket.Listener()
    first = listener.url_for(transport)
    listener.close()
    listener.close()  # once closed, closing again does nothing
    second = listener.url_for(transport)
    listener.close()

    assert first.split(":")[:2] == second.split(":")[:2] == ["ws", "//127.0.0.1"]
    with pytest.raises((OSError, InvalidStatus)):
        connect(first.replace("/v1?", "/v1/responses?"), open_timeout=5)


def test_an_answer_over_the_socket_takes_the_stand_ins_latency_too(tmp_path, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(websocket.time, "sleep", slept.append)
    slow = OfflineTransport(Store(tmp_path / "slow.sqlite3"), ROUTES, stream_delay=0, latency=0.5)

    sent = play(slow, [create(input="Hello")])

    assert types(sent)[-1] == "response.completed"
    assert slept == [0.5]  # before the first event; the text then comes at the stream's pace
