"""The stand-in's built-in tools and cost knobs: vector stores and file search, code interpreter, images, caching."""

import base64
import json
import sqlite3
import typing

import openai
import pytest
from openai.types.responses.tool_param import ToolParam

from openai_tutorial import client as client_module
from openai_tutorial.client import get_model
from openai_tutorial.offline import rules
from tests.conftest import REPO_ROOT
from tests.support import payloads
from tests.support.refusals import error_of, refusal

MODEL = get_model()
SAMPLE_PDF = REPO_ROOT / "Responses_API" / "Basic_examples" / "resources" / "sample_document.pdf"


@pytest.fixture
def store_with_pdf(client):
    vector_store = client.vector_stores.create(name="docs", metadata={"lesson": "17"})
    with SAMPLE_PDF.open("rb") as pdf:
        uploaded = client.files.create(file=pdf, purpose="assistants")
    attached = client.vector_stores.files.create_and_poll(
        uploaded.id, vector_store_id=vector_store.id, poll_interval_ms=1
    )
    return vector_store, uploaded, attached


@pytest.fixture
def note_and_blob(tmp_path):
    """Two files to upload: a note whose text the stand-in reads, and bytes in which it finds no text."""
    note, blob = tmp_path / "note.txt", tmp_path / "blob.bin"
    note.write_text("The shed key hangs by the door.")
    blob.write_bytes(b"\xff\xfe")
    return note, blob


def test_an_attached_file_is_in_progress_until_it_is_next_retrieved(client, note_and_blob):
    vector_store = client.vector_stores.create(name="steps")
    statuses = []
    for path in note_and_blob:
        uploaded = client.files.create(file=path, purpose="assistants")
        attached = client.vector_stores.files.create(vector_store_id=vector_store.id, file_id=uploaded.id)
        polls = [client.vector_stores.files.retrieve(uploaded.id, vector_store_id=vector_store.id) for _ in range(2)]
        statuses.append([attached.status, *(poll.status for poll in polls)])

    assert statuses == [["in_progress", "completed", "completed"], ["in_progress", "failed", "failed"]]


def test_a_file_attached_to_a_store_is_processed_by_the_next_poll(client, store_with_pdf):
    vector_store, uploaded, attached = store_with_pdf

    again = client.vector_stores.retrieve(vector_store.id)

    assert (attached.id, attached.status, attached.vector_store_id) == (uploaded.id, "completed", vector_store.id)
    assert (again.name, again.metadata, again.file_counts.completed, again.file_counts.total) == (
        "docs",
        {"lesson": "17"},
        1,
        1,
    )
    assert again.usage_bytes == SAMPLE_PDF.stat().st_size


def test_a_file_without_text_fails_to_process(client, tmp_path):
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"\x00\xff")
    vector_store = client.vector_stores.create(name="x")
    uploaded = client.files.create(file=blob, purpose="assistants")

    attached = client.vector_stores.files.create_and_poll(
        uploaded.id, vector_store_id=vector_store.id, poll_interval_ms=1
    )

    assert attached.status == "failed"
    assert attached.last_error.to_dict() == {
        "code": "unsupported_file",
        "message": "The offline stand-in found no text in this file.",
    }


def test_file_search_quotes_the_best_sentence_with_a_citation_and_returns_chunks_when_asked(client, store_with_pdf):
    vector_store, uploaded, _ = store_with_pdf
    tool = {"type": "file_search", "vector_store_ids": [vector_store.id], "max_num_results": 2}

    response = client.responses.create(
        model=MODEL, input="Who is the volunteer coordinator?", tools=[tool], include=["file_search_call.results"]
    )
    plain = client.responses.create(model=MODEL, input="Who is the volunteer coordinator?", tools=[tool])
    nothing = client.responses.create(model=MODEL, input="Quantum chromodynamics?", tools=[tool])

    search, message = response.output[1:]
    assert search.queries == ["Who is the volunteer coordinator?"]
    assert search.results[0].text == "Contact The volunteer coordinator this season is Mira Okafor."
    assert len(search.results) == 2  # max_num_results
    assert search.results[0].score >= search.results[1].score
    assert search.results[0].file_id == uploaded.id
    text = message.content[0]
    assert text.text.endswith("“Contact The volunteer coordinator this season is Mira Okafor.”")
    assert text.annotations[0].model_dump() == {
        "type": "file_citation",
        "file_id": uploaded.id,
        "filename": "sample_document.pdf",
        "index": len(text.text),
    }
    assert plain.output[1].results is None
    assert nothing.output_text == "Offline stand-in: nothing in the files matches the question."


def test_files_and_stores_can_be_detached_and_deleted_then_are_404(client, store_with_pdf):
    vector_store, uploaded, _ = store_with_pdf

    detached = client.vector_stores.files.delete(uploaded.id, vector_store_id=vector_store.id)
    deleted = client.vector_stores.delete(vector_store.id)

    assert (detached.id, detached.deleted) == (uploaded.id, True)
    assert (deleted.id, deleted.deleted) == (vector_store.id, True)
    with pytest.raises(openai.NotFoundError):
        client.vector_stores.retrieve(vector_store.id)
    with pytest.raises(openai.NotFoundError):
        client.vector_stores.files.retrieve(uploaded.id, vector_store_id=vector_store.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.create(
            model=MODEL, input="x", tools=[{"type": "file_search", "vector_store_ids": [vector_store.id]}]
        )


def attachment_rows() -> int:
    """How many file attachments the stand-in's state file holds, in any store."""
    with sqlite3.connect(client_module.client_options()["offline"]["state"]) as state:
        (count,) = state.execute("SELECT count(*) FROM objects WHERE kind = 'vector_store_file'").fetchone()
    state.close()
    return count


def test_a_store_keeps_what_it_was_given_and_a_detached_file_is_gone_from_it(client, note_and_blob):
    expiry = {"anchor": "last_active_at", "days": 7}
    named = client.vector_stores.create(name="docs", expires_after=expiry)
    unnamed = client.vector_stores.create()
    note, _ = note_and_blob
    uploaded = client.files.create(file=note, purpose="assistants")
    attached = client.vector_stores.files.create(
        vector_store_id=named.id, file_id=uploaded.id, attributes={"lang": "en"}
    )

    client.vector_stores.files.delete(uploaded.id, vector_store_id=named.id)

    assert (named.name, named.expires_after.to_dict(), unnamed.name) == ("docs", expiry, "")
    assert attached.attributes == {"lang": "en"}
    with pytest.raises(openai.NotFoundError) as detached:
        client.vector_stores.files.retrieve(uploaded.id, vector_store_id=named.id)
    assert error_of(detached) == refusal(f"No file found with id '{uploaded.id}' in vector store '{named.id}'.")
    with pytest.raises(openai.NotFoundError) as unknown:
        client.vector_stores.retrieve("vs_nowhere")
    assert error_of(unknown) == refusal("No vector store found with id 'vs_nowhere'.")


def test_a_processed_file_deleted_from_files_is_no_longer_searched(client, note_and_blob):
    vector_store = client.vector_stores.create(name="gone")
    note, _ = note_and_blob
    uploaded = client.files.create(file=note, purpose="assistants")
    client.vector_stores.files.create_and_poll(uploaded.id, vector_store_id=vector_store.id, poll_interval_ms=1)
    client.files.delete(uploaded.id)

    answer = client.responses.create(
        model=MODEL,
        input="Where is the shed key?",
        tools=[{"type": "file_search", "vector_store_ids": [vector_store.id]}],
    )

    assert answer.output_text == "Offline stand-in: nothing in the files matches the question."


def test_a_deleted_store_takes_its_attachments_and_bad_attachments_are_refused(client, store_with_pdf):
    vector_store, _, _ = store_with_pdf

    with pytest.raises(openai.BadRequestError) as no_file_id:
        client.post(f"/vector_stores/{vector_store.id}/files", body={}, cast_to=object)
    with pytest.raises(openai.NotFoundError) as no_file:
        client.vector_stores.files.create(vector_store_id=vector_store.id, file_id="file-nowhere")
    attachments_before = attachment_rows()
    client.vector_stores.delete(vector_store.id)

    assert (attachments_before, attachment_rows()) == (1, 0)
    assert error_of(no_file_id) == refusal(
        "Missing required parameter: 'file_id'.", param="file_id", code="missing_required_parameter"
    )
    assert error_of(no_file) == refusal("No such File object: file-nowhere", param="file_id")


@pytest.mark.parametrize(
    ("tool", "param"),
    [
        ({"type": "code_interpreter"}, "tools[0].container"),
        ({"type": "file_search"}, "tools[0].vector_store_ids"),
        ({"type": "mcp", "server_url": "https://x.example"}, "tools[0].server_label"),
    ],
)
def test_built_in_tools_need_their_required_parameter(client, tool, param):
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="x", tools=[tool])

    assert raised.value.body == {
        "message": f"Missing required parameter: '{param}'.",
        "type": "invalid_request_error",
        "param": param,
        "code": "missing_required_parameter",
    }


def test_the_code_interpreter_shows_where_code_and_output_go_and_runs_nothing(client):
    tool = {"type": "code_interpreter", "container": {"type": "auto"}}
    mine = client.containers.create(name="mine")

    response = client.responses.create(
        model=MODEL, input="Sum 1 to 10.", tools=[tool], include=["code_interpreter_call.outputs"]
    )
    in_container = client.responses.create(
        model=MODEL, input="Sum.", tools=[{"type": "code_interpreter", "container": mine.id}]
    )

    call = response.output[1]
    assert call.code.splitlines()[1] == "# Sum 1 to 10."
    assert [output.logs for output in call.outputs] == ["offline: nothing was run\n"]
    assert [c.name for c in client.containers.list()] == ["code_interpreter auto", "mine"]
    assert call.container_id == client.containers.list().data[0].id
    assert (in_container.output[1].container_id, in_container.output[1].outputs) == (mine.id, None)
    assert in_container.output[-1].content[0].annotations == []
    assert list(client.containers.files.list(mine.id)) == []


@pytest.mark.parametrize(
    ("question", "filename"), [("Save the sums in a file.", "result.txt"), ("Make a CSV.", "result.csv")]
)
def test_asked_for_a_file_the_code_interpreter_saves_one_in_its_container_and_cites_it(client, question, filename):
    mine = client.containers.create(name="mine")

    response = client.responses.create(
        model=MODEL, input=question, tools=[{"type": "code_interpreter", "container": mine.id}]
    )

    text = response.output[-1].content[0]
    (citation,) = text.annotations
    (file,) = client.containers.files.list(mine.id)
    assert (citation.type, citation.container_id, citation.file_id, citation.filename) == (
        "container_file_citation",
        mine.id,
        file.id,
        filename,
    )
    assert text.text[citation.start_index : citation.end_index] == filename
    assert (file.path, file.source) == (f"/mnt/data/{filename}", "assistant")
    assert client.containers.files.content.retrieve(file.id, container_id=mine.id).read() == (
        b"offline stand-in: no code ran, so this file holds no result\n"
    )


def test_a_code_interpreter_container_that_does_not_exist_is_refused(client):
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model=MODEL, input="Sum.", tools=[{"type": "code_interpreter", "container": "cntr_gone"}]
        )

    assert error_of(raised) == refusal("Container with id 'cntr_gone' not found.", "tools[0].container")


def test_image_generation_returns_a_png_and_a_follow_up_edits_it(client):
    first = client.responses.create(model=MODEL, input="A lighthouse.", tools=[{"type": "image_generation"}])
    edit = client.responses.create(
        model=MODEL, previous_response_id=first.id, input="At night.", tools=[{"type": "image_generation"}]
    )

    drawn, edited = first.output[1], edit.output[1]
    assert (drawn.action, edited.action) == ("generate", "edit")
    assert base64.b64decode(drawn.result).startswith(b"\x89PNG\r\n\x1a\n")
    assert drawn.result != edited.result
    assert drawn.revised_prompt == "A placeholder picture (offline stand-in) for: A lighthouse."
    assert edit.usage.input_tokens < 200  # the image in the history is not counted as text


def test_a_streamed_image_sends_the_partial_images_asked_for_before_the_image(client):
    tools = [{"type": "image_generation", "partial_images": 3}]
    with client.responses.stream(model=MODEL, input="A lighthouse.", tools=tools) as stream:
        events = list(stream)
        final = stream.get_final_response()

    kinds = [event.type for event in events]
    partials = [event for event in events if event.type == "response.image_generation_call.partial_image"]
    (call,) = [item for item in final.output if item.type == "image_generation_call"]
    assert kinds.index("response.image_generation_call.in_progress") < kinds.index(
        "response.image_generation_call.generating"
    )
    assert [event.partial_image_index for event in partials] == [0, 1, 2]
    assert len({event.partial_image_b64 for event in partials} | {call.result}) == 4  # each a picture of its own
    assert all(base64.b64decode(event.partial_image_b64).startswith(b"\x89PNG") for event in partials)
    assert kinds.index("response.image_generation_call.completed") > kinds.index(
        "response.image_generation_call.partial_image"
    )
    assert all(event.item_id == call.id for event in partials)


def test_no_partial_images_unless_asked_and_more_than_three_is_refused(client, raw_api):
    with client.responses.stream(model=MODEL, input="A lighthouse.", tools=[{"type": "image_generation"}]) as stream:
        kinds = [event.type for event in stream]
    tools = [{"type": "image_generation", "partial_images": 4}]

    reply = raw_api.post("responses", json={"model": MODEL, "input": "Hi", "tools": tools})

    assert "response.image_generation_call.partial_image" not in kinds
    assert "response.image_generation_call.completed" in kinds
    assert reply.status_code == 400
    assert reply.json()["error"] == {
        "message": "Invalid 'tools[0].partial_images': expected an integer from 0 to 3, but got 4 instead.",
        "type": "invalid_request_error",
        "param": "tools[0].partial_images",
        "code": "integer_out_of_range",
    }


def test_a_long_prefix_sent_twice_with_a_cache_key_is_cached_in_blocks(client):
    rules = "Rule: be kind to every gardener and cite the handbook. " * 100

    first = client.responses.create(model=MODEL, instructions=rules, input="Hi", prompt_cache_key="k")
    second = client.responses.create(model=MODEL, instructions=rules, input="Hello", prompt_cache_key="k")
    other_key = client.responses.create(model=MODEL, instructions=rules, input="Hello", prompt_cache_key="other")
    short = client.responses.create(model=MODEL, input="Hi", prompt_cache_key="k")
    short_again = client.responses.create(model=MODEL, input="Hi", prompt_cache_key="k")

    cached = second.usage.input_tokens_details.cached_tokens
    assert first.usage.input_tokens_details.cached_tokens == 0
    assert 1024 <= cached <= second.usage.input_tokens
    assert cached % 128 == 0
    assert other_key.usage.input_tokens_details.cached_tokens == 0
    assert (short.usage.input_tokens_details.cached_tokens, short_again.usage.input_tokens_details.cached_tokens) == (
        0,
        0,
    )


def test_a_prompt_of_exactly_1024_tokens_is_cached_and_a_shorter_shared_start_is_not(client):
    exactly = "x" * 4076  # with "Hi" and its message's framing: 1024 input tokens
    long_a, long_b = "a" * 4400, "a" * 2000 + "b" * 2400  # over 1024 tokens each, sharing about 500

    client.responses.create(model=MODEL, instructions=exactly, input="Hi", prompt_cache_key="edge")
    at_the_edge = client.responses.create(model=MODEL, instructions=exactly, input="Hi", prompt_cache_key="edge")
    client.responses.create(model=MODEL, instructions=long_a, input="Hi", prompt_cache_key="half")
    half_shared = client.responses.create(model=MODEL, instructions=long_b, input="Hi", prompt_cache_key="half")
    # The cached prefix starts with '["' and the instructions: 4,096 characters shared, exactly 1,024 tokens.
    client.responses.create(model=MODEL, instructions="a" * 4094 + "b" * 1000, input="Hi", prompt_cache_key="1024")
    just_enough = client.responses.create(
        model=MODEL, instructions="a" * 4094 + "c" * 1000, input="Hi", prompt_cache_key="1024"
    )

    assert (at_the_edge.usage.input_tokens, at_the_edge.usage.input_tokens_details.cached_tokens) == (1024, 1024)
    assert half_shared.usage.input_tokens > 1024
    assert half_shared.usage.input_tokens_details.cached_tokens == 0
    assert just_enough.usage.input_tokens_details.cached_tokens == 1024


def test_verbosity_changes_the_length_of_the_reply(client):
    low, medium, high = (
        client.responses.create(model=MODEL, input="Explain tides.", text={"verbosity": v}).usage.output_tokens
        for v in ("low", "medium", "high")
    )

    assert low < medium < high


def test_max_tool_calls_and_one_call_per_round_limit_the_calls(client):
    tool = payloads.place_tool()
    question = "Weather in Oslo, in Rome and in Paris?"

    capped = client.responses.create(model=MODEL, input=question, tools=[tool], max_tool_calls=2)
    first = client.responses.create(model=MODEL, input=question, tools=[tool], parallel_tool_calls=False)
    outputs = [{"type": "function_call_output", "call_id": first.output[-1].call_id, "output": "sunny"}]
    second = client.responses.create(
        model=MODEL, previous_response_id=first.id, input=outputs, tools=[tool], parallel_tool_calls=False
    )

    def places(response):
        return [json.loads(item.arguments)["place"] for item in response.output if item.type == "function_call"]

    assert places(capped) == ["Oslo", "Rome"]
    assert (places(first), places(second)) == (["Oslo"], ["Rome"])


def test_allowed_tools_lets_the_model_choose_only_among_the_functions_it_lists(client):
    weather, clock = payloads.place_tool(), payloads.place_tool("get_time")

    def called(names):
        choice = {"type": "allowed_tools", "mode": "auto", "tools": [{"type": "function", "name": n} for n in names]}
        response = client.responses.create(
            model=MODEL, input="And in Oslo?", tools=[weather, clock], tool_choice=choice
        )
        return [item.name for item in response.output if item.type == "function_call"]

    assert called(["get_time"]) == ["get_time"]
    assert called(["get_weather", "get_time"]) == ["get_weather"]
    assert called([]) == []


def test_a_finished_file_stays_finished_unknown_ones_are_404_and_failed_ones_are_not_searched(client, note_and_blob):
    vector_store = client.vector_stores.create(name="mixed")
    attached = {}
    for path in note_and_blob:
        uploaded = client.files.create(file=path, purpose="assistants")
        attached[path.name] = client.vector_stores.files.create_and_poll(
            uploaded.id, vector_store_id=vector_store.id, poll_interval_ms=1
        )

    again = client.vector_stores.files.retrieve(attached["note.txt"].id, vector_store_id=vector_store.id)
    with pytest.raises(openai.NotFoundError) as unknown:
        client.vector_stores.files.retrieve("file-nowhere", vector_store_id=vector_store.id)
    answer = client.responses.create(
        model=MODEL,
        input="Where is the shed key?",
        tools=[{"type": "file_search", "vector_store_ids": [vector_store.id]}],
        include=["file_search_call.results"],
    )

    assert (again.status, attached["blob.bin"].status) == ("completed", "failed")
    assert error_of(unknown) == refusal(f"No file found with id 'file-nowhere' in vector store '{vector_store.id}'.")
    assert [result.filename for result in answer.output[1].results] == ["note.txt"]


def test_compaction_seals_the_facts_and_a_conversation_seeded_with_it_still_knows_them(client):
    history = [
        {"role": "user", "content": "Hi! My name is Ada."},
        {"role": "assistant", "content": "Hello Ada."},
        *({"role": "user", "content": f"Garden note {n}: the beans grow."} for n in range(10)),
    ]

    compacted = client.responses.compact(model=MODEL, input=history)
    seeded = client.conversations.create(items=[item.to_dict(exclude_none=True) for item in compacted.output])
    before = client.responses.input_tokens.count(model=MODEL, input=history)
    after = client.responses.input_tokens.count(model=MODEL, conversation=seeded.id, input="What is my name?")
    answer = client.responses.create(model=MODEL, conversation=seeded.id, input="What is my name?")

    (item,) = compacted.output
    assert (compacted.object, item.type) == ("response.compaction", "compaction")
    assert after.input_tokens < before.input_tokens / 3
    assert answer.output_text == "Offline stand-in, recalling what you said earlier: your name is Ada."
    assert client.conversations.items.list(seeded.id).data[-1].type == "compaction"


def test_compaction_needs_a_model_and_can_start_from_a_chain(client):
    first = client.responses.create(model=MODEL, input="Remember that my favourite colour is teal.")

    compacted = client.responses.compact(model=MODEL, previous_response_id=first.id)
    with pytest.raises(openai.BadRequestError) as no_model:
        client.responses.compact(model="", input="x")

    assert len(compacted.output) == 1
    assert error_of(no_model) == refusal(
        "Missing required parameter: 'model'.", param="model", code="missing_required_parameter"
    )


def test_a_sealed_item_the_stand_in_did_not_seal_recalls_nothing(client):
    foreign = {"id": "cmp_x", "type": "compaction", "encrypted_content": "gAAAA-from-elsewhere"}
    broken = {"id": "cmp_y", "type": "compaction", "encrypted_content": "offline-compaction-%%%"}

    answer = client.responses.create(
        model=MODEL, input=[foreign, broken, {"role": "user", "content": "What is my name?"}]
    )

    assert answer.output_text == "Offline stand-in: nothing said earlier in this conversation tells me that."


def test_context_management_compacts_once_the_input_passes_the_threshold(client):
    long_input = "My name is Ada. " + "The beans grow. " * 300
    rule = [{"type": "compaction", "compact_threshold": 1000}]

    compacted = client.responses.create(model=MODEL, input=long_input, context_management=rule)
    small = client.responses.create(model=MODEL, input="Hi.", context_management=rule)

    assert compacted.output[0].type == "compaction"
    assert small.output[0].type == "reasoning"


def test_an_input_exactly_at_the_threshold_is_not_compacted(client):
    def first_item(text: str, rule: dict) -> str:
        return client.responses.create(model=MODEL, input=text, context_management=[rule]).output[0].type

    at_threshold = "x" * 3984  # 996 tokens, and 4 for the message around it: 1000
    rule = {"type": "compaction", "compact_threshold": 1000}
    assert (first_item(at_threshold, rule), first_item(at_threshold + "xxxx", rule)) == ("reasoning", "compaction")
    assert first_item(at_threshold + "xxxx", {"type": "compaction"}) == "compaction"  # 1000 unless it says


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            {"type": "compaction", "compact_threshold": 999},
            refusal(
                "Invalid 'context_management[0].compact_threshold': integer below minimum value. Expected a value "
                ">= 1000, but got 999 instead.",
                "context_management[0].compact_threshold",
                "integer_below_min_value",
            ),
        ),
        (
            {"type": "truncation"},
            refusal(
                "Invalid value: 'truncation'. Supported values are: 'compaction'.",
                "context_management[0].type",
                "invalid_value",
            ),
        ),
    ],
    ids=["below the minimum", "not compaction"],
)
def test_a_context_management_rule_the_api_does_not_take_is_refused(client, rule, expected):
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="Hi", context_management=[rule])

    assert error_of(raised) == expected


def test_after_a_compaction_the_model_sees_only_the_compaction_and_what_follows(client):
    rule = [{"type": "compaction", "compact_threshold": 1000}]
    first = client.responses.create(model=MODEL, input="My name is Ada. " + "Beans. " * 700, context_management=rule)
    second = client.responses.create(
        model=MODEL, previous_response_id=first.id, input="What is my name?", context_management=rule
    )

    assert first.usage.input_tokens > 1000
    assert second.usage.input_tokens < 200
    assert "Ada" in second.output_text


def test_a_compaction_trigger_compacts_now_and_must_come_last(client):
    said = [{"role": "user", "content": "My name is Ada."}, {"role": "assistant", "content": "Hello Ada."}]

    compacted = client.responses.create(model=MODEL, input=[*said, {"type": "compaction_trigger"}], store=False)
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input=[{"type": "compaction_trigger"}, *said])
    later = client.responses.create(
        model=MODEL,
        input=[
            *said,
            *[item.model_dump() for item in compacted.output],
            {"role": "user", "content": "What is my name?"},
        ],
    )

    assert [item.type for item in compacted.output] == ["compaction"]
    assert compacted.usage.output_tokens > 0
    assert error_of(raised) == refusal("A 'compaction_trigger' item must be the last input item.", "input[0]")
    assert "Ada" in later.output_text


def test_a_question_about_earlier_results_is_answered_from_them_without_a_new_call(client):
    tool = {
        "type": "function",
        "name": "get_local_time",
        "strict": True,
        "parameters": {
            "type": "object",
            "properties": {"timezone": {"type": "string"}},
            "required": ["timezone"],
            "additionalProperties": False,
        },
    }
    conversation = client.conversations.create()
    asked = client.responses.create(model=MODEL, conversation=conversation.id, input="Time in Tokyo?", tools=[tool])
    client.responses.create(
        model=MODEL,
        conversation=conversation.id,
        input=[{"type": "function_call_output", "call_id": asked.output[-1].call_id, "output": "21:00"}],
        tools=[tool],
    )

    follow_up = client.responses.create(
        model=MODEL, conversation=conversation.id, input="Based on what you found earlier, is it night?", tools=[tool]
    )
    fresh = client.responses.create(model=MODEL, input="Based on what you found earlier, is it night?", tools=[tool])

    assert [item.type for item in follow_up.output] == ["reasoning", "message"]
    assert follow_up.output_text == (
        "Offline stand-in answer, built from the tool results already in this conversation: get_local_time says 21:00."
    )
    # Nothing earlier to read: the stand-in asks for what the function needs, as a model would.
    assert (
        fresh.output_text
        == "Offline stand-in: which timezone do you mean? Nothing said earlier in this conversation names one."
    )


def test_the_cached_prefix_holds_the_tools_and_the_items_but_not_their_ids(client):
    rules = "Rule: be kind to every gardener and cite the handbook. " * 100
    tool = {"type": "function", "name": "noop", "parameters": {"type": "object", "properties": {}}, "strict": False}
    said = [{"role": "user", "content": "Hello there. " * 100}]  # long enough to span blocks of its own

    client.responses.create(model=MODEL, instructions=rules, input=said, prompt_cache_key="tools")
    with_a_tool = client.responses.create(
        model=MODEL, instructions=rules, input=said, tools=[tool], prompt_cache_key="tools"
    )
    first = client.responses.create(model=MODEL, input=[{"role": "user", "content": rules}], prompt_cache_key="items")
    replayed = [{**item.to_dict(exclude_none=True), "id": f"msg_other{n}"} for n, item in enumerate(first.output[1:])]
    again = client.responses.create(
        model=MODEL, input=[{"role": "user", "content": rules}, *replayed], prompt_cache_key="items"
    )

    # The tools come right after the instructions: a new tool list leaves only the instructions in common.
    assert with_a_tool.usage.input_tokens_details.cached_tokens == len(json.dumps([rules])) // 4 // 128 * 128
    assert again.usage.input_tokens_details.cached_tokens >= 1024  # same items under other ids: still cached


@pytest.mark.parametrize(
    ("tool", "shown"),
    [({"type": "browser"}, "'browser'"), ({"name": "no_type"}, "None"), ("web_search", "None")],
    ids=["an unknown type", "no type", "not an object"],
)
def test_a_tool_of_a_type_the_api_does_not_know_is_refused(client, tool, shown):
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="Hi", tools=[{"type": "web_search"}, tool])

    supported = (
        "'apply_patch', 'code_interpreter', 'computer', 'computer_use_preview', 'custom', 'file_search', 'function', "
        "'image_generation', 'local_shell', 'mcp', 'namespace', 'programmatic_tool_calling', 'shell', 'tool_search', "
        "'web_search', 'web_search_2025_08_26', 'web_search_preview', 'web_search_preview_2025_03_11'"
    )
    assert error_of(raised) == refusal(
        f"Invalid value: {shown}. Supported values are: {supported}.", "tools[1].type", "invalid_value"
    )


def test_the_tool_types_the_stand_in_knows_are_the_sdk_s():
    def literals(annotation) -> list[str]:
        found = []
        for argument in typing.get_args(annotation):
            found += [argument] if isinstance(argument, str) else literals(argument)
        return found

    sdk = {name for member in typing.get_args(ToolParam) for name in literals(typing.get_type_hints(member)["type"])}

    assert sorted(sdk) == list(rules.TOOL_TYPES)


def test_web_search_cites_pages_of_the_allowed_domain_only(client):
    tools = [{"type": "web_search", "filters": {"allowed_domains": ["nature.com", "science.org"]}}]

    response = client.responses.create(
        model=MODEL, input="Latest on fusion?", tools=tools, include=["web_search_call.action.sources"]
    )

    cited = [annotation.url for annotation in response.output[-1].content[0].annotations]
    consulted = [source.url for source in response.output[-2].action.sources]
    assert cited == consulted == ["https://nature.com/offline-search/1", "https://nature.com/offline-search/2"]
