"""Streams from the stand-in: the API's event sequence, visible pacing, and resuming a background stream."""

import asyncio
import json
import re

import httpx2
import openai
import pytest

from openai_tutorial.client import get_client, get_model
from openai_tutorial.offline import streams
from openai_tutorial.offline import transport as offline_transport
from openai_tutorial.offline.routes import ROUTES
from openai_tutorial.offline.store import Store
from openai_tutorial.offline.transport import OfflineTransport
from tests.support import payloads
from tests.support.refusals import error_of, refusal

MODEL = get_model()
WEATHER_TOOL = payloads.place_tool()


def test_a_stream_sends_the_api_event_sequence_and_its_deltas_make_the_text(client):
    with client.responses.create(model=MODEL, input="Write a poem.", stream=True) as stream:
        events = list(stream)

    types = [event.type for event in events]
    assert types[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.output_item.done",
    ]
    assert types[4:6] == ["response.output_item.added", "response.content_part.added"]
    assert types[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [event.sequence_number for event in events] == list(range(len(events)))
    deltas = [event.delta for event in events if event.type == "response.output_text.delta"]
    final = events[-1].response
    assert len(deltas) > 5
    assert "".join(deltas) == final.output_text
    assert events[0].response.status == "in_progress"
    assert events[0].response.output == []
    assert client.responses.retrieve(final.id).output_text == final.output_text


def test_a_stream_that_hits_the_cap_ends_incomplete(client):
    with client.responses.create(model=MODEL, input="Write a poem.", stream=True, max_output_tokens=16) as stream:
        last = list(stream)[-1]

    assert (last.type, last.response.incomplete_details.reason) == ("response.incomplete", "max_output_tokens")


def test_function_calls_and_reasoning_summaries_stream_as_their_own_events(client):
    with client.responses.create(
        model=MODEL, input="Weather in Oslo?", tools=[WEATHER_TOOL], reasoning={"summary": "auto"}, stream=True
    ) as stream:
        events = list(stream)

    types = [event.type for event in events]
    assert "response.reasoning_summary_part.added" in types
    summary = "".join(event.delta for event in events if event.type == "response.reasoning_summary_text.delta")
    assert summary == events[-1].response.output[0].summary[0].text
    arguments = next(event for event in events if event.type == "response.function_call_arguments.done")
    assert json.loads(arguments.arguments) == {"place": "Oslo"}


def test_each_delta_waits_the_configured_pause(monkeypatch, client):
    pauses = []
    monkeypatch.setattr(offline_transport.time, "sleep", pauses.append)
    monkeypatch.setenv("OPENAI_OFFLINE_STREAM_DELAY", "0.25")
    get_client.cache_clear()
    client = get_client()

    with client.responses.create(model=MODEL, input="Write.", stream=True) as stream:
        deltas = sum(event.type.endswith(".delta") for event in stream)

    assert pauses == [0.25] * deltas


def test_a_background_stream_can_be_resumed_after_the_last_event_seen(client):
    with client.responses.create(model=MODEL, input="An essay.", background=True, stream=True) as stream:
        seen = []
        for event in stream:
            seen.append(event)
            if len(seen) == 8:
                break
    response_id = seen[0].response.id

    with client.responses.retrieve(response_id, stream=True, starting_after=seen[-1].sequence_number) as resumed:
        rest = list(resumed)

    assert [event.type for event in seen[:2]] == ["response.created", "response.queued"]
    assert seen[0].response.status == "queued"
    assert rest[0].sequence_number == seen[-1].sequence_number + 1
    text = "".join(event.delta for event in [*seen, *rest] if event.type == "response.output_text.delta")
    assert text == rest[-1].response.output_text
    assert client.responses.retrieve(response_id).status == "completed"


def test_a_queued_background_response_streamed_again_is_finished_from_the_start(client):
    started = client.responses.create(model=MODEL, input="An essay.", background=True)

    with client.responses.retrieve(started.id, stream=True) as stream:
        events = list(stream)

    assert events[0].sequence_number == 0
    assert events[-1].type == "response.completed"
    kept = client.responses.retrieve(started.id)
    assert (kept.status, kept.output_text) == ("completed", events[-1].response.output_text)
    assert [item.content[0].text for item in client.responses.input_items.list(started.id)] == ["An essay."]


def test_only_background_responses_can_be_streamed_again(client):
    response = client.responses.create(model=MODEL, input="x")

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.retrieve(response.id, stream=True)

    assert error_of(raised) == refusal(
        "Only responses created with background=true can be streamed again.", param="stream"
    )


def test_a_custom_tool_call_streams_its_input(client):
    tool = {"type": "custom", "name": "calculator", "description": "Evaluates arithmetic."}
    with client.responses.create(model=MODEL, input="What is 3*4 + 2?", tools=[tool], stream=True) as stream:
        events = list(stream)

    call = next(item for item in events[-1].response.output if item.type == "custom_tool_call")
    added = next(event for event in events if event.type == "response.output_item.added" and event.item.id == call.id)
    deltas = [event.delta for event in events if event.type == "response.custom_tool_call_input.delta"]
    done = next(event for event in events if event.type == "response.custom_tool_call_input.done")
    assert (added.item.input, "".join(deltas), done.input, done.item_id) == ("", "3*4 + 2", "3*4 + 2", call.id)


def test_a_hosted_shell_streams_each_command_then_what_each_printed(client):
    tools = [{"type": "shell", "environment": {"type": "container_auto"}}]
    with client.responses.create(
        model=MODEL, input="Run `echo one` and `cat missing.txt`.", tools=tools, stream=True
    ) as stream:
        events = list(stream)

    shell = [event for event in events if event.type.startswith("response.shell_call_")]
    assert [(event.type, event.command_index) for event in shell] == [
        ("response.shell_call_command.added", 0),
        ("response.shell_call_command.delta", 0),
        ("response.shell_call_command.done", 0),
        ("response.shell_call_command.added", 1),
        ("response.shell_call_command.delta", 1),
        ("response.shell_call_command.done", 1),
        ("response.shell_call_output_content.delta", 0),
        ("response.shell_call_output_content.done", 0),
        ("response.shell_call_output_content.delta", 1),
        ("response.shell_call_output_content.done", 1),
    ]
    assert [event.command for event in shell if event.type == "response.shell_call_command.done"] == [
        "echo one",
        "cat missing.txt",
    ]
    assert [(event.delta.stdout, event.delta.stderr) for event in shell if event.type.endswith("content.delta")] == [
        ("one\n", ""),
        ("", "cat: /mnt/data/missing.txt: No such file or directory\n"),
    ]
    final = {item.type: item for item in events[-1].response.output}
    done = [event.output[0].model_dump() for event in shell if event.type.endswith("content.done")]
    assert done == [output.model_dump() for output in final["shell_call_output"].output]  # the types differ
    added = [event.item for event in events if event.type == "response.output_item.added"]
    assert [item.action.commands for item in added if item.type == "shell_call"] == [[]]
    assert [item.output for item in added if item.type == "shell_call_output"] == [[]]


def test_items_other_than_messages_calls_and_reasoning_stream_whole():
    response = {"background": False, "status": "completed", "output": [{"type": "web_search_call", "id": "ws_1"}]}

    events = streams.response_events(response)

    assert [event["type"] for event in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.output_item.done",
        "response.completed",
    ]
    item = {"type": "web_search_call", "id": "ws_1"}
    assert events[2] == {"type": "response.output_item.added", "output_index": 0, "item": item, "sequence_number": 2}


def test_a_refusal_part_is_sent_whole():
    refusal = {"type": "refusal", "refusal": "No."}
    message = {"type": "message", "id": "msg_1", "status": "completed", "role": "assistant", "content": [refusal]}

    events = streams.message_events(0, message)

    where = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
    assert events == [
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {**message, "status": "in_progress", "content": []},
        },
        {"type": "response.content_part.added", **where, "part": refusal},
        {"type": "response.content_part.done", **where, "part": refusal},
    ]


def test_a_function_call_streams_its_arguments_in_one_delta():
    call = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "noop", "arguments": '{"a": 1}'}

    events = streams.function_call_events(2, {**call, "status": "completed"})

    assert events == [
        {
            "type": "response.output_item.added",
            "output_index": 2,
            "item": {**call, "arguments": "", "status": "in_progress"},
        },
        {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 2, "delta": '{"a": 1}'},
        {
            "type": "response.function_call_arguments.done",
            "item_id": "fc_1",
            "output_index": 2,
            "arguments": '{"a": 1}',
        },
    ]


def test_a_reasoning_summary_streams_part_by_part():
    part = {"type": "summary_text", "text": "Thinking it over."}
    reasoning = {"type": "reasoning", "id": "rs_1", "summary": [part]}

    events = streams.reasoning_events(0, reasoning)

    where = {"item_id": "rs_1", "output_index": 0, "summary_index": 0}
    assert events == [
        {"type": "response.output_item.added", "output_index": 0, "item": {**reasoning, "summary": []}},
        {"type": "response.reasoning_summary_part.added", **where, "part": {**part, "text": ""}},
        {"type": "response.reasoning_summary_text.delta", **where, "delta": "Thinking it over."},
        {"type": "response.reasoning_summary_text.done", **where, "text": "Thinking it over."},
        {"type": "response.reasoning_summary_part.done", **where, "part": part},
    ]


def test_the_async_client_gets_the_same_answers_and_streams(tmp_path):
    async def main():
        transport = OfflineTransport(Store(tmp_path / "state.sqlite3"), ROUTES, stream_delay=0)
        client = openai.AsyncOpenAI(
            api_key="offline",
            base_url="http://offline.invalid/v1",
            http_client=httpx2.AsyncClient(transport=transport),
            _strict_response_validation=True,
        )
        plain = await client.responses.create(model=MODEL, input="hi")
        stream = await client.responses.create(model=MODEL, input="hi", stream=True)
        events = [event async for event in stream]
        return plain, events

    plain, events = asyncio.run(main())

    assert events[-1].response.output_text == plain.output_text


def test_the_async_stream_pauses_before_each_delta_and_nowhere_else(tmp_path, monkeypatch):
    pauses, real_sleep = [], asyncio.sleep

    async def pause(seconds: float) -> None:
        pauses.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(offline_transport.asyncio, "sleep", pause)

    async def main():
        transport = OfflineTransport(Store(tmp_path / "state.sqlite3"), ROUTES, stream_delay=0.25)
        client = openai.AsyncOpenAI(
            api_key="offline", base_url="http://offline.invalid/v1", http_client=httpx2.AsyncClient(transport=transport)
        )
        stream = await client.responses.create(model=MODEL, input="hi", stream=True)
        return [event.type async for event in stream]

    types = asyncio.run(main())

    assert pauses == [0.25] * types.count("response.output_text.delta")
    assert len(pauses) > 1


def test_a_stream_is_a_200_of_server_sent_events_with_a_request_id(raw_api):
    reply = raw_api.post("/responses", json={"model": MODEL, "input": "hi", "stream": True})

    assert reply.status_code == 200
    assert reply.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert re.fullmatch(r"req_offline_[0-9a-f]{24}", reply.headers["x-request-id"])
    assert reply.text.startswith("event: response.created\ndata: ")


def test_a_compaction_streams_that_it_is_compacting(client):
    rule = [{"type": "compaction", "compact_threshold": 1000}]
    with client.responses.create(
        model=MODEL, input="My name is Ada. " + "Beans. " * 700, context_management=rule, stream=True
    ) as stream:
        events = list(stream)

    compacting = [event for event in events if event.type == "response.compaction.compacting"]
    (compaction,) = [item for item in events[-1].response.output if item.type == "compaction"]
    assert [(event.item_id, event.output_index) for event in compacting] == [(compaction.id, 0)]


def test_each_delta_is_padded_to_a_block_unless_obfuscation_is_turned_off(client):
    with client.responses.create(model=MODEL, input="Write a poem.", stream=True) as stream:
        padded = [event for event in stream if event.type.endswith(".delta")]
    with client.responses.create(
        model=MODEL, input="Write a poem.", stream=True, stream_options={"include_obfuscation": False}
    ) as stream:
        plain = [event for event in stream if event.type.endswith(".delta")]

    for event in padded:
        padding = event.model_extra["obfuscation"]
        assert re.fullmatch(r"[A-Za-z0-9+/]+", padding)
        assert (len(json.dumps(event.delta)) + len(padding)) % streams.OBFUSCATION_BLOCK == 0
    assert len({len(json.dumps(event.delta)) + len(event.model_extra["obfuscation"]) for event in padded}) <= 2
    assert [event.delta for event in plain] == [event.delta for event in padded]
    assert all("obfuscation" not in (event.model_extra or {}) for event in plain)


def test_a_resumed_stream_is_padded_unless_asked_not_to_be(client):
    started = client.responses.create(model=MODEL, input="Write a poem.", background=True)

    with client.responses.retrieve(started.id, stream=True) as stream:
        padded = [event for event in stream if event.type.endswith(".delta")]
    with client.responses.retrieve(started.id, stream=True, include_obfuscation=False) as stream:
        plain = [event for event in stream if event.type.endswith(".delta")]

    assert all(event.model_extra["obfuscation"] for event in padded)
    assert all("obfuscation" not in (event.model_extra or {}) for event in plain)
