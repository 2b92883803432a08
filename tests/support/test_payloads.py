"""Every payload builder produces what the SDK's own types accept, strictly."""

import json

import pytest
from openai._models import validate_type
from openai.types import ContainerCreateResponse, FileDeleted, FileObject
from openai.types.containers import FileListResponse
from openai.types.conversations import Conversation, ConversationDeletedResource, ConversationItemList
from openai.types.responses import InputTokenCountResponse, Response, ResponseItemList, ResponseStreamEvent

from tests.support import payloads

EVERY_OUTPUT_ITEM = [
    payloads.message("Paris.", annotations=[payloads.url_citation("Paris", "https://example.org/paris", 0, 6)]),
    payloads.refusal_message("I can't help with that."),
    payloads.reasoning("Looked up the city.", encrypted_content="gAAAAB-opaque"),
    payloads.function_call("get_weather", {"place": "Paris"}),
    payloads.custom_tool_call("calculator", "2 * (3 + 4)"),
    payloads.web_search_call("weather in Paris"),
    payloads.mcp_list_tools("docs", ["search", "fetch"]),
    payloads.mcp_call("docs", "search", {"q": "x"}, "found"),
    payloads.mcp_call("docs", "search", {"q": "x"}, "", error="timeout"),
    payloads.mcp_approval_request("docs", "fetch", {"url": "https://example.org"}),
    payloads.shell_call(["ls"], call_id="call_sh"),
    payloads.shell_call_output("call_sh", [("a.txt\n", "", 0), ("", "", None)]),
]


@pytest.mark.parametrize(
    ("schema", "payload"),
    [
        (Response, payloads.response()),
        (Response, payloads.response(output=EVERY_OUTPUT_ITEM)),
        (Response, payloads.response(None, status="in_progress", background=True)),
        (Conversation, payloads.conversation(metadata={"user_id": "alice"})),
        (ConversationDeletedResource, payloads.conversation_deleted("conv_1")),
        (ConversationItemList, payloads.item_list([payloads.input_message("hi"), payloads.message("hello")])),
        (ResponseItemList, payloads.item_list([payloads.input_message("hi")], has_more=True)),
        (FileObject, payloads.file_object()),
        (FileDeleted, payloads.file_deleted("file_1")),
        (InputTokenCountResponse, payloads.input_tokens(42)),
        (ContainerCreateResponse, payloads.container()),
        (FileListResponse, payloads.container_file("/mnt/data/notes.txt")),
    ],
)
def test_payload_matches_the_sdk_schema(schema, payload):
    validate_type(type_=schema, value=payload)


def test_streamed_events_match_the_sdk_schema_and_are_numbered():
    streams = [
        payloads.text_stream_events(["Hel", "lo"]),
        payloads.failed_stream_events(["Hel"]),
        payloads.number_events([payloads.error_event("Something went wrong.")]),
    ]
    for events in streams:
        for event in events:
            validate_type(type_=ResponseStreamEvent, value=event)
        assert [event["sequence_number"] for event in events] == list(range(len(events)))


def test_a_text_stream_has_the_documented_event_order_and_its_text_adds_up():
    events = payloads.text_stream_events(["Hel", "lo"])

    assert [event["type"] for event in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert events[-1]["response"]["output"][0]["content"][0]["text"] == "Hello"


def test_sse_body_is_event_and_data_lines_separated_by_blank_lines():
    body = payloads.sse_body(payloads.number_events([payloads.error_event("boom")])).decode()

    event_line, data_line, blank, end = body.split("\n")
    assert event_line == "event: error"
    assert json.loads(data_line.removeprefix("data: "))["message"] == "boom"
    assert (blank, end) == ("", "")
