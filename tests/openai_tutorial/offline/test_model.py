"""Corners of the offline model that the API-level tests do not reach: schema shapes and odd histories."""

import json
from types import SimpleNamespace

import pytest

from openai_tutorial.client import get_model
from openai_tutorial.offline import functions, hosted_tools, model, schemas, text
from tests.support import payloads

MODEL = get_model()


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"anyOf": [{"type": "null"}]}, None),
        ({"anyOf": [{"type": "integer"}, {"type": "null"}]}, 1),
        ({"type": "number"}, 1.0),
        ({"type": "string"}, "offline colour"),
        ({"type": "array", "items": {"type": "object"}}, []),
        ({"$defs": {"N": {"type": "integer"}}, "$ref": "#/$defs/N"}, 1),
        ({"type": "string", "enum": ["red", "green"]}, "green"),
        ({"anyOf": [{"type": "string"}, {"type": "null"}]}, None),
        ({"anyOf": [{"type": "string"}]}, "offline colour"),
        ({"anyOf": [{"$ref": "#/$defs/N"}, {"type": "null"}], "$defs": {"N": {"type": "integer"}}}, 1),
        (
            {"type": "object", "properties": {"n": {"$ref": "#/$defs/N"}}, "$defs": {"N": {"type": "boolean"}}},
            {"n": False},
        ),
        ({"properties": {"n": {"type": "integer"}}}, {"n": 1}),
        ({"enum": ["red", None]}, None),
        ({"enum": ["red", "blue"]}, "red"),
        ({"type": ["null", "boolean"]}, False),
        ({"type": ["null"]}, None),
        ({"$ref": "#/$defs/Missing"}, {}),  # a reference to nothing: any object
        (
            {
                "type": "object",
                "properties": {"p": {"anyOf": [{"type": "object", "properties": {"n": {"$ref": "#/$defs/N"}}}]}},
                "$defs": {"N": {"type": "boolean"}},
            },
            {"p": {"n": False}},
        ),
    ],
)
def test_an_instance_fits_each_schema_shape(schema, value):
    assert schemas.instance_of(schema, "A green hat.", name="colour") == value


def test_a_string_without_a_property_name_is_an_offline_value_and_string_lists_take_names():
    people = {"type": "array", "items": {"type": ["string", "null"]}}

    defined_people = {"type": "array", "items": {"$ref": "#/$defs/Person"}, "$defs": {"Person": {"type": "string"}}}

    assert schemas.instance_of({"type": "string"}, "Nothing here.") == "offline value"
    assert schemas.instance_of(people, "Alice met Bob and Alice.", name="people") == ["Alice", "Bob"]
    assert schemas.instance_of(defined_people, "Alice met Bob.", name="people") == ["Alice", "Bob"]
    assert schemas.instance_of({"type": "string"}, "Meet on 2026-12-01, at noon.", name="date") == "2026-12-01"


def test_a_reply_with_only_tool_calls_is_never_cut(client):
    tool = payloads.place_tool()

    response = client.responses.create(model=MODEL, input="Weather in Oslo?", tools=[tool], max_output_tokens=16)

    assert (response.status, response.output[-1].type) == ("completed", "function_call")


def test_a_tool_output_with_a_list_is_summarised_by_its_length(client):
    tool = {"type": "function", "name": "lookup", "strict": False, "parameters": {"type": "object", "properties": {}}}
    asked = client.responses.create(model=MODEL, input="Look it up.", tools=[tool])

    answered = client.responses.create(
        model=MODEL,
        previous_response_id=asked.id,
        input=[
            {
                "type": "function_call_output",
                "call_id": asked.output[-1].call_id,
                "output": json.dumps({"days": [1, 2]}),
            }
        ],
    )

    assert answered.output_text.endswith("lookup says days: 2 entries.")


@pytest.mark.parametrize("arguments", ["{not json", "[1]", '{"place": 3}'])
def test_an_earlier_call_whose_arguments_give_no_place_is_passed_over(client, arguments):
    tool = {
        "type": "function",
        "name": "get_weather",
        "strict": False,
        "parameters": {"type": "object", "properties": {"place": {"type": "string"}}},
    }
    history = [
        {"role": "user", "content": "Weather?"},
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": arguments},
        {"type": "function_call_output", "call_id": "call_1", "output": "sunny"},
    ]
    first = client.responses.create(model=MODEL, input=history, tools=[tool])

    follow_up = client.responses.create(model=MODEL, previous_response_id=first.id, input="And tomorrow?", tools=[tool])

    assert [item.type for item in follow_up.output] == ["reasoning", "message"]


def test_mcp_tools_are_listed_once_in_a_chain_and_allowed_tools_may_be_a_filter(client):
    tool = {
        "type": "mcp",
        "server_label": "wiki",
        "server_url": "https://mcp.example.com/mcp",
        "require_approval": "never",
        "allowed_tools": {"tool_names": ["read_wiki_contents"]},
    }
    first = client.responses.create(model=MODEL, input="Read it.", tools=[tool])

    second = client.responses.create(model=MODEL, previous_response_id=first.id, input="Again.", tools=[tool])

    assert [t.name for t in first.output[1].tools] == ["read_wiki_contents"]
    assert [item.type for item in second.output] == ["reasoning", "mcp_call", "message"]
    assert second.output[1].name == "read_wiki_contents"


def test_a_chain_with_a_deleted_response_continues_from_what_is_left(client):
    first = client.responses.create(model=MODEL, input="My name is Ada.")
    second = client.responses.create(model=MODEL, previous_response_id=first.id, input="I love astronomy.")
    client.responses.delete(first.id)

    third = client.responses.create(model=MODEL, previous_response_id=second.id, input="What do you remember?")

    assert third.output_text == "Offline stand-in, recalling what you said earlier: you love astronomy."


def test_a_cancelled_background_response_streamed_again_has_no_final_event(client):
    started = client.responses.create(model=MODEL, input="x", background=True)
    client.responses.cancel(started.id)

    with client.responses.retrieve(started.id, stream=True) as stream:
        types = [event.type for event in stream]

    assert types == ["response.created", "response.queued", "response.in_progress"]


def test_a_replayed_history_with_a_new_question_calls_again_for_the_last_place(client):
    tool = payloads.place_tool()
    history = [{"role": "user", "content": "Weather in Lisbon?"}]
    asked = client.responses.create(model=MODEL, input=history, tools=[tool], store=False)
    history += [item.to_dict(exclude_none=True) for item in asked.output]
    history.append({"type": "function_call_output", "call_id": asked.output[-1].call_id, "output": "sunny"})
    answered = client.responses.create(model=MODEL, input=history, tools=[tool], store=False)
    history += [item.to_dict(exclude_none=True) for item in answered.output]

    follow_up = client.responses.create(
        model=MODEL, input=[*history, {"role": "user", "content": "And tomorrow?"}], tools=[tool], store=False
    )

    assert answered.output_text.endswith("get_weather says sunny.")
    assert [json.loads(item.arguments) for item in follow_up.output if item.type == "function_call"] == [
        {"place": "Lisbon"}
    ]


def test_a_request_with_no_user_message_gets_the_canned_reply(client):
    response = client.responses.create(model=MODEL, input=[{"role": "developer", "content": "Be kind."}])

    assert response.output_text.startswith(
        "This is the offline stand-in, not a model, so this reply is canned: there was no question to answer."
    )


@pytest.mark.parametrize(
    ("told", "topic", "noted"),
    [
        ("My name is Ada.", "name", "your name is Ada"),
        ("I am Grace.", "name", "your name is Grace"),
        ("I'm Linus.", "name", "your name is Linus"),
        ("I love astronomy.", "love", "you love astronomy"),
        ("I like quiet trains.", "like", "you like quiet trains"),
        ("I enjoy long walks, mostly.", "enjoy", "you enjoy long walks"),
        ("My favorite tea is mint!", "favourite", "your favorite tea is mint"),
        (
            "Remember that I am allergic to cats and my sister is Mina.",
            "remember",
            "you are allergic to cats and your sister is Mina",
        ),
        ("Remember that the key is mine and I'm keeping it.", "remember", "the key is yours and you're keeping it"),
        ("Remember that Bo asked me.", "remember", "Bo asked you"),
    ],
)
def test_what_a_user_says_about_themselves_is_noted_in_the_second_person(told, topic, noted):
    assert text.facts_in(told) == [(topic, noted)]


@pytest.mark.parametrize(
    ("question", "recalled"),
    [
        ("What is my name?", "your name is Ada; you are moving in May"),
        ("What do I love?", "you love astronomy; you are moving in May"),
        ("What do I like?", "you like trains; you are moving in May"),
        ("What do I enjoy?", "you enjoy chess; you are moving in May"),
        ("What is my favourite colour?", "your favourite colour is teal; you are moving in May"),
        (
            "Tell me everything.",
            "your name is Ada; you love astronomy; you like trains; you enjoy chess; your favourite colour is teal; "
            "you are moving in May",
        ),
        ("WHAT IS MY NAME?", "your name is Ada; you are moving in May"),
    ],
)
def test_a_question_recalls_only_the_facts_it_asks_about(question, recalled):
    facts = text.facts_in(
        "My name is Ada. I love astronomy. I like trains. I enjoy chess. My favourite colour is teal."
    ) + text.facts_in("Remember that I am moving in May.")  # said in another message

    assert text.recall(question, facts) == f"Offline stand-in, recalling what you said earlier: {recalled}."


def test_a_question_about_something_never_said_is_answered_so():
    facts = text.facts_in("My name is Ada.")

    assert text.recall("What do I love?", facts) == (
        "Offline stand-in: nothing said earlier in this conversation tells me that."
    )


@pytest.mark.parametrize(
    ("request_body", "effort"),
    [
        ({"model": "gpt-5.4-mini"}, "medium"),
        ({"model": "o1"}, "medium"),
        ({"model": "o3-mini", "reasoning": {"effort": "high"}}, "high"),
        ({"model": "o4-mini", "reasoning": {}}, "medium"),
        ({"model": "gpt-4.1", "reasoning": {"effort": "high"}}, "none"),
    ],
)
def test_only_reasoning_models_reason_at_the_effort_asked_or_medium(request_body, effort):
    assert model.reasoning_effort(request_body) == effort


@pytest.mark.parametrize(
    ("instructions", "styled"),
    [
        (None, "One. Two. Three."),
        ("Answer in ONE SENTENCE.", "One."),
        ("Be brief", "One."),
        ("Talk like a Pirate.", "Arr, matey! One. Two. Three."),
        ("Be brief, like a pirate", "Arr, matey! One."),
        ("Use briefings.", "One. Two. Three."),
    ],
)
def test_the_instructions_the_stand_in_understands_shape_its_reply(instructions, styled):
    assert text.styled("One. Two. Three.", instructions) == styled


def test_a_tool_output_is_summarised_in_one_line_of_at_most_240_characters():
    assert functions.summary_of("x" * 240) == "x" * 240
    assert functions.summary_of("x" * 241) == "x" * 239 + "…"
    assert functions.summary_of({"error": "no such place"}) == "the tool reported a problem: no such place"
    assert functions.summary_of({"feels_like": {"min": 1, "max": {"deep": 2}}, "days": [1, 2]}) == (
        "feels like: min: 1; days: 2 entries"
    )


def test_an_answer_names_each_tool_and_reads_outputs_given_as_json_values():
    context = [
        {"type": "function_call", "call_id": "call_1", "name": "get_weather"},
        {"type": "function_call", "call_id": "call_2"},
    ]
    outputs = [
        {"call_id": "call_1", "output": {"temperature": 21}},
        {"call_id": "call_2", "output": "not json"},
        {"call_id": "call_3", "output": "[1, 2]"},
    ]

    assert functions.answer_from_tool_outputs(outputs, context, "Weather?") == (
        "Offline stand-in answer, built from the tool results: get_weather says temperature: 21. "
        "tool says not json. tool says [1, 2]."
    )


@pytest.mark.parametrize(
    ("part", "described"),
    [
        ({"file_url": "https://example.com/a.pdf"}, "a link to https://example.com/a.pdf, which it does not fetch"),
        ({"filename": "notes.pdf", "file_data": "..."}, "notes.pdf, in which it found no text it can read"),
        ({"file_data": "..."}, "a file, in which it found no text it can read"),
        ({"file_id": "file-1"}, "garden.pdf (3 words), which begins “Open from seven.”"),
    ],
)
def test_a_file_is_described_by_what_the_stand_in_could_read_of_it(part, described):
    documents = {"file-1": ("garden.pdf", "Open from seven.")}

    assert text.described_file(part, documents) == described


def test_words_are_matched_without_case_or_a_plural_s():
    assert hosted_tools.words_of("The KEYS of the sheds, by Bo.") == {"the", "key", "shed"}


def test_the_subject_of_a_function_is_its_first_free_string_parameter():
    units = {"type": "string", "enum": ["celsius", "fahrenheit"]}

    assert (
        functions.subject_property({"properties": {"units": units, "place": {"type": ["string", "null"]}}}) == "place"
    )
    assert functions.subject_property({"properties": {"count": {"type": "integer"}}}) is None


def test_what_the_user_said_includes_what_a_compaction_carries():
    items = [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi."}]},
        {"type": "compaction", "encrypted_content": text.sealed(["My name is Ada."])},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Who am I?"}]},
        {"type": "compaction", "encrypted_content": "not sealed by the stand-in"},
    ]

    assert text.said_by_user(items) == ["Hi.", "My name is Ada.", "Who am I?"]


def test_a_compaction_without_content_carries_nothing():
    assert text.said_by_user([{"type": "compaction"}]) == []


def test_a_reply_is_cut_only_over_its_budget_and_at_the_last_space_before_it():
    def message(text: str) -> dict:
        return {"type": "message", "status": "completed", "content": [{"type": "output_text", "text": text}]}

    fits, over = [message("abcd efgh")], [message("ab cd\nef gh ij kl")]  # 3 tokens, then 5

    assert (model.cut_to(fits, 3), fits[0]["content"][0]["text"]) == (None, "abcd efgh")
    assert model.cut_to(over, 2) == "max_output_tokens"
    assert (over[0]["content"][0]["text"], over[0]["status"]) == ("ab", "incomplete")


def test_an_excerpt_keeps_80_characters_whole_and_cuts_a_longer_text():
    assert text.excerpt("a" * 80) == f"“{'a' * 80}”"
    assert text.excerpt("a" * 81) == f"“{'a' * 79}…”"


def test_an_empty_text_part_counts_only_its_item_framing():
    empty = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": ""}]}

    assert model.count_input_tokens({}, [empty]) == 4


def test_a_follow_up_keeps_the_place_of_the_last_readable_call_of_the_same_function():
    def call(name: str, arguments: str) -> dict:
        return {"type": "function_call", "name": name, "arguments": arguments}

    turn = SimpleNamespace(
        before_question=[
            call("get_time", json.dumps({"timezone": "America/Argentina/Buenos_Aires"})),
            call("get_weather", json.dumps({"timezone": "Europe/Paris"})),
            call("get_time", "{not json"),
        ]
    )

    assert functions.earlier_values(turn, "get_time", "timezone") == ["Buenos Aires"]


def test_a_function_without_a_free_string_parameter_gets_the_option_the_question_names(client):
    units = {"type": "string", "enum": ["metric", "imperial"]}
    tool = {
        "type": "function",
        "name": "set_units",
        "strict": True,
        "parameters": {
            "type": "object",
            "properties": {"units": units},
            "required": ["units"],
            "additionalProperties": False,
        },
    }

    response = client.responses.create(model=MODEL, input="Switch to imperial units.", tools=[tool])

    assert json.loads(response.output[-1].arguments) == {"units": "imperial"}


def test_the_preview_web_search_tool_searches_too_with_the_question_cut_to_100_characters(client):
    question = "Why is the sky " + "very " * 30 + "blue?"

    response = client.responses.create(model=MODEL, input=question, tools=[{"type": "web_search_preview"}])

    search = response.output[-2]
    assert search.type == "web_search_call"
    assert search.action.query == question[:100]
