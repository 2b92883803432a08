"""The stand-in's /responses endpoints and the API rules it enforces, through the real SDK."""

import json
import re

import openai
import pytest
from pydantic import BaseModel

from openai_tutorial.client import get_model
from openai_tutorial.offline import rules, text
from tests.support.refusals import error_of, refusal

MODEL = get_model()


def test_a_reply_is_canned_says_so_and_has_the_api_shape(client):
    response = client.responses.create(model=MODEL, input="What is the Responses API for?")

    assert response.id.startswith("resp_")
    # The snapshot that answers for the alias asked for, as the API says.
    assert (response.status, response.model, response.store) == ("completed", "gpt-5.4-mini-2026-03-17", True)
    assert [item.type for item in response.output] == ["reasoning", "message"]
    assert response.output_text.startswith("This is the offline stand-in, not a model, so this reply is canned")
    assert "“What is the Responses API for?”" in response.output_text
    usage = response.usage
    assert usage.output_tokens_details.reasoning_tokens == 64
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert 5 < usage.input_tokens < 20


def test_the_same_request_gives_the_same_text(client):
    first = client.responses.create(model=MODEL, input="Tell me a story.")
    second = client.responses.create(model=MODEL, input="Tell me a story.")

    assert first.output_text == second.output_text
    assert first.id != second.id


def test_a_model_that_does_not_reason_sends_no_reasoning_item(client):
    response = client.responses.create(model="gpt-4.1", input="hi")

    assert [item.type for item in response.output] == ["message"]
    assert response.usage.output_tokens_details.reasoning_tokens == 0


def test_reasoning_effort_sets_the_reasoning_tokens_and_summary_and_encryption_are_given_when_asked(client):
    low = client.responses.create(model=MODEL, input="hi", reasoning={"effort": "low"})
    high = client.responses.create(
        model=MODEL,
        input="Why is the sky blue?",
        reasoning={"effort": "high", "summary": "auto"},
        include=["reasoning.encrypted_content"],
        store=False,
    )

    assert (low.usage.output_tokens_details.reasoning_tokens, low.output[0].summary) == (24, [])
    assert low.output[0].encrypted_content is None
    reasoning = high.output[0]
    assert high.usage.output_tokens_details.reasoning_tokens == 192
    assert "“Why is the sky blue?”" in reasoning.summary[0].text
    assert reasoning.encrypted_content.startswith("offline-")
    assert high.reasoning.effort == "high"


def test_stored_responses_can_be_retrieved_and_deleted_then_are_404(client):
    created = client.responses.create(model=MODEL, input="hi", metadata={"lesson": "retrieve"})

    retrieved = client.responses.retrieve(created.id)
    deleted = client.responses.delete(created.id)

    assert retrieved.to_dict() == created.to_dict()
    assert deleted is None
    with pytest.raises(openai.NotFoundError) as raised:
        client.responses.retrieve(created.id)
    assert error_of(raised) == {
        "message": f"Response with id '{created.id}' not found.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    with pytest.raises(openai.NotFoundError) as deleted_twice:
        client.responses.delete(created.id)
    assert error_of(deleted_twice) == error_of(raised)


def test_a_store_false_response_cannot_be_retrieved_or_continued(client):
    unstored = client.responses.create(model=MODEL, input="hi", store=False)

    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(unstored.id)
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="again", previous_response_id=unstored.id)
    assert error_of(raised) == {
        "message": f"Previous response with id '{unstored.id}' not found.",
        "type": "invalid_request_error",
        "param": "previous_response_id",
        "code": "previous_response_not_found",
    }


def test_previous_response_id_and_conversation_are_exclusive(client):
    first = client.responses.create(model=MODEL, input="hi")
    conversation = client.conversations.create()

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="x", previous_response_id=first.id, conversation=conversation.id)

    assert error_of(raised) == refusal(
        "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or "
        "'conversation'.",
        code="mutually_exclusive_parameters",
    )


def test_a_chain_remembers_facts_and_instructions_are_not_carried_over(client):
    first = client.responses.create(
        model=MODEL, instructions="Talk like a pirate.", input="Hi! My name is Ada and I love astronomy."
    )
    second = client.responses.create(model=MODEL, previous_response_id=first.id, input="What is my name?")
    third = client.responses.create(model=MODEL, previous_response_id=second.id, input="What do I love?")
    unrelated = client.responses.create(model=MODEL, input="What is my name?")

    assert first.output_text.startswith("Arr, matey! Noted: your name is Ada; you love astronomy.")
    assert second.output_text == "Offline stand-in, recalling what you said earlier: your name is Ada."
    assert second.instructions is None
    assert third.output_text == "Offline stand-in, recalling what you said earlier: you love astronomy."
    assert unrelated.output_text == "Offline stand-in: nothing said earlier in this conversation tells me that."


def test_favourites_and_things_to_remember_are_recalled_in_the_second_person(client):
    first = client.responses.create(model=MODEL, input="Remember that my favourite colour is teal.")
    second = client.responses.create(model=MODEL, previous_response_id=first.id, input="What is my favourite colour?")

    assert first.output_text.startswith("Noted: your favourite colour is teal.")
    assert second.output_text == "Offline stand-in, recalling what you said earlier: your favourite colour is teal."


def test_one_sentence_instructions_shorten_the_reply(client):
    response = client.responses.create(model=MODEL, instructions="Answer in one sentence.", input="Explain tides.")

    assert response.output_text == (
        "This is the offline stand-in, not a model, so this reply is canned: you asked “Explain tides.”."
    )


TIME_TOOL = {
    "type": "function",
    "name": "get_local_time",
    "description": "Get the local time.",
    "strict": True,
    "parameters": {
        "type": "object",
        "properties": {"timezone": {"type": "string", "description": "An IANA time zone name."}},
        "required": ["timezone"],
        "additionalProperties": False,
    },
}
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "strict": True,
    "parameters": {
        "type": "object",
        "properties": {
            "place": {"type": "string"},
            "units": {"type": ["string", "null"], "enum": ["celsius", "fahrenheit", None]},
        },
        "required": ["place", "units"],
        "additionalProperties": False,
    },
}


def calls_in(response) -> list[tuple[str, dict]]:
    return [(item.name, json.loads(item.arguments)) for item in response.output if item.type == "function_call"]


def test_function_tools_are_called_once_per_place_with_arguments_valid_for_the_schema(client):
    times = client.responses.create(model=MODEL, input="What time is it in Tokyo and in Lisbon?", tools=[TIME_TOOL])
    weather = client.responses.create(
        model=MODEL, input="Is it warmer in Oslo or in Rome, in fahrenheit?", tools=[WEATHER_TOOL]
    )
    one_at_a_time = client.responses.create(
        model=MODEL, input="Is it warmer in Oslo or in Rome?", tools=[WEATHER_TOOL], parallel_tool_calls=False
    )

    assert calls_in(times) == [
        ("get_local_time", {"timezone": "Asia/Tokyo"}),
        ("get_local_time", {"timezone": "Europe/Lisbon"}),
    ]
    assert calls_in(weather) == [
        ("get_weather", {"place": "Oslo", "units": "fahrenheit"}),
        ("get_weather", {"place": "Rome", "units": "fahrenheit"}),
    ]
    assert calls_in(one_at_a_time) == [("get_weather", {"place": "Oslo", "units": None})]


def test_the_answer_is_built_from_the_tool_outputs(client):
    asked = client.responses.create(model=MODEL, input="Weather in Lisbon?", tools=[WEATHER_TOOL])
    call = asked.output[-1]
    outputs = [
        {
            "type": "function_call_output",
            "call_id": call.call_id,
            "output": json.dumps({"place": "Lisbon", "current": {"temperature": "16°C", "wind": "5 km/h"}}),
        }
    ]

    answered = client.responses.create(model=MODEL, previous_response_id=asked.id, input=outputs, tools=[WEATHER_TOOL])

    assert answered.output_text == (
        "Offline stand-in answer, built from the tool results: "
        "get_weather says place: Lisbon; current: temperature: 16°C, wind: 5 km/h."
    )


def test_a_tool_error_and_a_text_output_are_reported_as_they_are(client):
    asked = client.responses.create(model=MODEL, input="Weather in Atlantis?", tools=[WEATHER_TOOL])
    call = asked.output[-1]

    answered = client.responses.create(
        model=MODEL,
        previous_response_id=asked.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": json.dumps({"error": "No place."})}],
    )

    assert answered.output_text.endswith("get_weather says the tool reported a problem: No place..")


def lisbon_answered(client):
    """A chain that asked the weather in Lisbon and was answered: what a follow-up continues."""
    asked = client.responses.create(model=MODEL, input="Weather in Lisbon?", tools=[WEATHER_TOOL])
    return client.responses.create(
        model=MODEL,
        previous_response_id=asked.id,
        input=[{"type": "function_call_output", "call_id": asked.output[-1].call_id, "output": "sunny"}],
        tools=[WEATHER_TOOL],
    )


def test_a_follow_up_without_a_place_keeps_the_place_of_the_last_call(client):
    answered = lisbon_answered(client)

    follow_up = client.responses.create(
        model=MODEL, previous_response_id=answered.id, input="And tomorrow?", tools=[WEATHER_TOOL]
    )
    alone = client.responses.create(model=MODEL, input="And tomorrow?", tools=[WEATHER_TOOL])

    assert answered.output_text.endswith("get_weather says sunny.")
    assert calls_in(follow_up) == [("get_weather", {"place": "Lisbon", "units": None})]
    assert calls_in(alone) == []
    assert (
        alone.output_text
        == "Offline stand-in: which place do you mean? Nothing said earlier in this conversation names one."
    )


def test_a_forced_function_is_the_one_called_and_tool_choice_none_calls_nothing(client):
    forced = client.responses.create(
        model=MODEL,
        input="Weather in Paris?",
        tools=[TIME_TOOL, WEATHER_TOOL],
        tool_choice={"type": "function", "name": "get_weather"},
    )
    none = client.responses.create(model=MODEL, input="Weather in Paris?", tools=[WEATHER_TOOL], tool_choice="none")

    assert calls_in(forced) == [("get_weather", {"place": "Paris", "units": None})]
    assert calls_in(none) == []


def test_a_function_without_string_parameters_is_called_with_a_valid_instance(client):
    counter = {
        "type": "function",
        "name": "count",
        "strict": True,
        "parameters": {
            "type": "object",
            "properties": {"step": {"type": "integer"}, "loud": {"type": "boolean"}, "tags": {"type": "array"}},
            "required": ["step", "loud", "tags"],
            "additionalProperties": False,
        },
    }

    response = client.responses.create(model=MODEL, input="Count!", tools=[counter])

    assert calls_in(response) == [("count", {"step": 1, "loud": False, "tags": []})]


def test_every_pending_function_call_needs_its_output(client):
    asked = client.responses.create(model=MODEL, input="Time in Tokyo and in Lisbon?", tools=[TIME_TOOL])
    first_call = asked.output[1]

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model=MODEL,
            previous_response_id=asked.id,
            input=[{"type": "function_call_output", "call_id": first_call.call_id, "output": "9:00"}],
        )

    assert error_of(raised) == {
        "message": f"No tool output found for function call {asked.output[2].call_id}.",
        "type": "invalid_request_error",
        "param": "input",
        "code": None,
    }


def test_an_output_for_no_call_and_a_resent_call_are_refused(client):
    asked = client.responses.create(model=MODEL, input="Time in Tokyo?", tools=[TIME_TOOL])
    call = asked.output[-1]

    with pytest.raises(openai.BadRequestError) as stray:
        client.responses.create(
            model=MODEL, input=[{"type": "function_call_output", "call_id": "call_nowhere", "output": "x"}]
        )
    with pytest.raises(openai.BadRequestError) as duplicate:
        client.responses.create(
            model=MODEL,
            previous_response_id=asked.id,
            input=[call.to_dict(), {"type": "function_call_output", "call_id": call.call_id, "output": "9:00"}],
        )

    assert error_of(stray) == refusal(
        "No tool call found for function call output with call_id call_nowhere.", param="input"
    )
    assert error_of(duplicate) == refusal(
        f"Duplicate item found with id {call.id}. Remove duplicate items from your input and try again.", param="input"
    )


def test_history_replayed_with_store_false_is_accepted_when_complete(client):
    asked = client.responses.create(
        model=MODEL, input="Time in Tokyo?", tools=[TIME_TOOL], store=False, include=["reasoning.encrypted_content"]
    )
    history = [
        {"role": "user", "content": "Time in Tokyo?"},
        *(item.to_dict(exclude_none=True) for item in asked.output),
        {"type": "function_call_output", "call_id": asked.output[-1].call_id, "output": "9:00"},
    ]

    answered = client.responses.create(model=MODEL, input=history, tools=[TIME_TOOL], store=False)

    assert answered.output_text.endswith("get_local_time says 9:00.")


def test_a_reasoning_item_must_be_followed_by_its_item(client):
    asked = client.responses.create(model=MODEL, input="hi", store=False, include=["reasoning.encrypted_content"])
    reasoning = asked.output[0].to_dict(exclude_none=True)

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input=[{"role": "user", "content": "hi"}, reasoning], store=False)

    assert error_of(raised) == refusal(
        f"Item '{reasoning['id']}' of type 'reasoning' was provided without its required following item.",
        param="input",
    )


def test_the_reasoning_item_named_is_the_last_one_sent(client):
    asked = client.responses.create(model=MODEL, input="hi", store=False, include=["reasoning.encrypted_content"])
    reasoning = asked.output[0].to_dict(exclude_none=True)
    said = [{"role": "user", "content": "hi"}, {"role": "user", "content": "again"}]

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input=[*said, reasoning], store=False)

    assert error_of(raised)["message"].startswith(f"Item '{reasoning['id']}' of type 'reasoning'")


def test_web_search_gives_a_search_call_and_citations_to_example_pages(client):
    response = client.responses.create(
        model=MODEL, input="Science news?", tools=[{"type": "web_search"}], include=["web_search_call.action.sources"]
    )
    plain = client.responses.create(model=MODEL, input="Science news?", tools=[{"type": "web_search"}])

    search, message = response.output[1:]
    assert (search.type, search.action.query, search.action.queries) == (
        "web_search_call",
        "Science news?",
        ["Science news?"],
    )
    assert [source.url for source in search.action.sources] == [
        "https://example.com/offline-search/1",
        "https://example.com/offline-search/2",
    ]
    text = message.content[0]
    for number, annotation in enumerate(text.annotations, start=1):
        assert annotation.type == "url_citation"
        assert text.text[annotation.start_index : annotation.end_index] == f"[{number}]"
        assert "offline stand-in, not a real search result" in annotation.title
    assert plain.output[1].action.sources is None


MCP_TOOL = {"type": "mcp", "server_label": "wiki", "server_url": "https://mcp.example.com/mcp"}


def test_mcp_lists_its_tools_and_asks_for_approval_by_default(client):
    response = client.responses.create(model=MODEL, input="How do retries work?", tools=[MCP_TOOL])

    listing, request = response.output[1:]
    assert listing.type == "mcp_list_tools"
    assert [tool.name for tool in listing.tools] == ["read_wiki_structure", "read_wiki_contents", "ask_question"]
    assert (request.type, request.server_label, request.name) == ("mcp_approval_request", "wiki", "ask_question")
    assert json.loads(request.arguments) == {"question": "How do retries work?"}


def test_tools_already_listed_for_this_server_are_not_listed_again_and_another_servers_listing_does_not_count(client):
    listed = {
        "type": "mcp_list_tools",
        "id": "mcpl_sent_back",
        "server_label": "wiki",
        "tools": [{"name": "ask_question", "input_schema": {"type": "object"}}],
    }
    other = {**listed, "id": "mcpl_other", "server_label": "other"}
    never = {**MCP_TOOL, "require_approval": "never"}

    known = client.responses.create(model=MODEL, input=[listed, {"role": "user", "content": "How?"}], tools=[never])
    unknown = client.responses.create(model=MODEL, input=[other, {"role": "user", "content": "How?"}], tools=[never])

    assert [item.type for item in known.output] == ["reasoning", "mcp_call", "message"]
    assert [item.type for item in unknown.output] == ["reasoning", "mcp_list_tools", "mcp_call", "message"]


def test_an_approval_runs_the_call_without_listing_again_and_a_refusal_does_not(client):
    asked = client.responses.create(model=MODEL, input="How?", tools=[{**MCP_TOOL, "require_approval": "always"}])
    request = asked.output[-1]
    approve = [{"type": "mcp_approval_response", "approval_request_id": request.id, "approve": True}]
    decline = [{"type": "mcp_approval_response", "approval_request_id": request.id, "approve": False}]

    approved = client.responses.create(model=MODEL, previous_response_id=asked.id, input=approve, tools=[MCP_TOOL])
    declined = client.responses.create(model=MODEL, previous_response_id=asked.id, input=decline, tools=[MCP_TOOL])

    assert [item.type for item in approved.output] == ["reasoning", "mcp_call", "message"]
    assert request.id.startswith("mcpr_")
    assert approved.output[1].approval_request_id == request.id
    assert approved.output_text.endswith("it called wiki.ask_question (in pretence) and got a canned result.")
    assert approved.output[1].output == "Offline stand-in result of wiki.ask_question: no MCP server was contacted."
    assert declined.output_text == "Offline stand-in: you declined wiki.ask_question, so it was not called."


def test_a_second_server_in_a_chain_has_its_own_tools_listed(client):
    wiki = {**MCP_TOOL, "require_approval": "never"}
    docs = {**wiki, "server_label": "docs", "server_url": "https://docs.example.com/mcp"}
    first = client.responses.create(model=MODEL, input="Read it.", tools=[wiki])

    second = client.responses.create(model=MODEL, previous_response_id=first.id, input="And these?", tools=[docs])

    assert [(item.type, item.server_label) for item in second.output[1:3]] == [
        ("mcp_list_tools", "docs"),
        ("mcp_call", "docs"),
    ]


def test_declining_two_requests_at_once_names_both(client):
    first = client.responses.create(model=MODEL, input="How?", tools=[MCP_TOOL])
    second = client.responses.create(model=MODEL, previous_response_id=first.id, input="Why?", tools=[MCP_TOOL])
    decline = [
        {"type": "mcp_approval_response", "approval_request_id": response.output[-1].id, "approve": False}
        for response in (first, second)
    ]

    declined = client.responses.create(model=MODEL, previous_response_id=second.id, input=decline, tools=[MCP_TOOL])

    assert declined.output_text == (
        "Offline stand-in: you declined wiki.ask_question, wiki.ask_question, so it was not called."
    )


def test_allowed_tools_the_stand_in_does_not_know_are_listed_and_called_as_given(client):
    tool = {**MCP_TOOL, "require_approval": "never", "allowed_tools": ["search_docs"]}

    response = client.responses.create(model=MODEL, input="Search.", tools=[tool])

    listing, call, _message = response.output[1:]
    assert [tool.name for tool in listing.tools] == ["search_docs"]
    assert (call.type, call.name) == ("mcp_call", "search_docs")


def test_an_approval_must_answer_a_request(client):
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model=MODEL,
            input=[{"type": "mcp_approval_response", "approval_request_id": "mcpr_nowhere", "approve": True}],
            tools=[MCP_TOOL],
        )

    assert error_of(raised) == refusal("No approval request found with id 'mcpr_nowhere'.", param="input")


def test_mcp_without_approval_calls_at_once_and_allowed_tools_narrow_the_list(client):
    tool = {**MCP_TOOL, "require_approval": "never", "allowed_tools": ["read_wiki_structure"]}
    filtered = {**MCP_TOOL, "require_approval": {"never": {"tool_names": ["ask_question"]}}}

    response = client.responses.create(model=MODEL, input="Structure?", tools=[tool])
    unasked = client.responses.create(model=MODEL, input="Ask", tools=[filtered])

    listing, call, _message = response.output[1:]
    assert [tool.name for tool in listing.tools] == ["read_wiki_structure"]
    assert (call.type, call.name) == ("mcp_call", "read_wiki_structure")
    assert [item.type for item in unasked.output] == ["reasoning", "mcp_list_tools", "mcp_call", "message"]


EVENT_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "date": {"type": "string"},
        "location": {"type": ["string", "null"]},
        "participants": {"type": "array", "items": {"type": "string"}},
        "seats": {"type": "integer"},
        "kind": {"type": "string", "enum": ["party", "fair"]},
    },
    "required": ["name", "date", "location", "participants", "seats", "kind"],
    "additionalProperties": False,
}
TEXT = "Alice and Bob are going to a science fair on Friday at the town hall."


def test_a_json_schema_format_gives_an_instance_filled_from_the_text(client):
    response = client.responses.create(
        model=MODEL,
        input=TEXT,
        text={"format": {"type": "json_schema", "name": "event", "schema": EVENT_SCHEMA, "strict": True}},
    )

    assert json.loads(response.output_text) == {
        "name": "science fair",
        "date": "Friday",
        "location": "the town hall",
        "participants": ["Alice", "Bob"],
        "seats": 1,
        "kind": "fair",
    }


class Venue(BaseModel):
    city: str | None
    address: str


class Meeting(BaseModel):
    title: str
    venue: Venue
    when: str | None


def test_parse_with_nested_pydantic_models_gives_a_valid_object(client):
    parsed = client.responses.parse(model=MODEL, input="Lunch with Ada.", text_format=Meeting)

    assert parsed.output_parsed == Meeting(
        title="offline title", venue=Venue(city=None, address="offline address"), when=None
    )


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        (
            {**EVENT_SCHEMA, "required": ["name"]},
            "In context=(), 'required' is required to be supplied and to be an array including every key in "
            "properties. Missing 'date'.",
        ),
        (
            {k: v for k, v in EVENT_SCHEMA.items() if k != "additionalProperties"},
            "In context=(), 'additionalProperties' is required to be supplied and to be false.",
        ),
        (
            {**EVENT_SCHEMA, "properties": {**EVENT_SCHEMA["properties"], "name": {"type": "str"}}},
            "In context=('properties', 'name'), 'str' is not a valid type; use one of array, boolean, integer, "
            "null, number, object, string.",
        ),
        (
            {
                "type": "object",
                "properties": {"inner": {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]}},
                "required": ["inner"],
                "additionalProperties": False,
            },
            "In context=('properties', 'inner'), 'additionalProperties' is required to be supplied and to be false.",
        ),
        (
            {"type": "object", "properties": {"x": {}}, "required": ["x"], "additionalProperties": False},
            "In context=('properties', 'x'), schema must have a 'type' key.",
        ),
        (
            {"anyOf": [{"type": "object", "properties": {}}]},
            "In context=('anyOf', 0), 'additionalProperties' is required to be supplied and to be false.",
        ),
        (
            {"$defs": {"Item": {"type": "object"}}, "$ref": "#/$defs/Item"},
            "In context=('$defs', 'Item'), 'additionalProperties' is required to be supplied and to be false.",
        ),
        (
            {
                "type": "object",
                "properties": {"list": {"type": "array", "items": {"type": "thing"}}},
                "required": ["list"],
                "additionalProperties": False,
            },
            "In context=('properties', 'list', 'items'), 'thing' is not a valid type; use one of array, boolean, "
            "integer, null, number, object, string.",
        ),
        ([], "In context=(), schema must be a JSON Schema of 'type: \"object\"', got '[]'."),
        (
            {"allOf": [{"type": "object", "properties": {}, "additionalProperties": False}, {"type": "object"}]},
            "In context=('allOf', 1), 'additionalProperties' is required to be supplied and to be false.",
        ),
        (
            {"definitions": {"Item": {"type": "object"}}, "$ref": "#/definitions/Item"},
            "In context=('definitions', 'Item'), 'additionalProperties' is required to be supplied and to be false.",
        ),
        (
            {"type": ["object", "null"], "properties": {"x": {"type": "string"}}, "additionalProperties": False},
            "In context=(), 'required' is required to be supplied and to be an array including every key in "
            "properties. Missing 'x'.",
        ),
    ],
)
def test_strict_schemas_that_are_not_strict_are_refused_for_tools_and_formats(client, schema, problem):
    tool = {**WEATHER_TOOL, "parameters": schema}
    text_format = {"type": "json_schema", "name": "event", "schema": schema, "strict": True}
    if not (isinstance(schema, dict) and "object" in rules_types(schema)):  # a function takes an object, always
        found = schema.get("type") if isinstance(schema, dict) else schema
        function_problem = (
            f"In context=(), schema must be a JSON Schema of 'type: \"object\"', got 'type: \"{found}\"'."
        )
    else:
        function_problem = problem

    with pytest.raises(openai.BadRequestError) as tool_error:
        client.responses.create(model=MODEL, input="x", tools=[{"type": "web_search"}, tool])
    with pytest.raises(openai.BadRequestError) as format_error:
        client.responses.create(model=MODEL, input="x", text={"format": text_format})

    assert error_of(tool_error) == {
        "message": f"Invalid schema for function 'get_weather': {function_problem}",
        "type": "invalid_request_error",
        "param": "tools[1].parameters",
        "code": "invalid_function_parameters",
    }
    assert error_of(format_error) == {
        "message": f"Invalid schema for response_format 'event': {problem}",
        "type": "invalid_request_error",
        "param": "text.format.schema",
        "code": "invalid_json_schema",
    }


def rules_types(schema: dict) -> list:
    return schema["type"] if isinstance(schema.get("type"), list) else [schema.get("type")]


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {}, "additionalProperties": False},
        {"enum": ["celsius", "fahrenheit"]},
        {"const": "celsius"},
        {"allOf": [{"$ref": "#/$defs/Unit"}], "$defs": {"Unit": {"type": "string"}}},
        {"type": "array", "items": {"type": ["string", "null"]}},
        {"type": "array"},
    ],
)
def test_strict_schemas_that_keep_the_rules_are_accepted_typed_by_enum_const_or_reference_too(schema):
    assert rules.strict_schema_problem(schema) is None


def test_non_strict_schemas_are_not_checked(client):
    loose = {
        **WEATHER_TOOL,
        "strict": False,
        "parameters": {"type": "object", "properties": {"place": {"type": "string"}}},
    }

    loose_format = {"type": "json_schema", "name": "place", "schema": loose["parameters"], "strict": False}

    response = client.responses.create(model=MODEL, input="Weather in Oslo?", tools=[loose])
    formatted = client.responses.create(model=MODEL, input="Meet in Oslo.", text={"format": loose_format})

    assert calls_in(response) == [("get_weather", {"place": "Oslo"})]
    assert json.loads(formatted.output_text) == {"place": "Oslo"}


def test_a_strict_function_may_take_no_parameters(client):
    tool = {"type": "function", "name": "roll_dice", "strict": True}

    response = client.responses.create(model=MODEL, input="Roll.", tools=[tool])

    assert calls_in(response) == [("roll_dice", {})]


def test_a_json_schema_format_needs_its_schema(client):
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="x", text={"format": {"type": "json_schema", "name": "event"}})

    assert error_of(raised) == refusal(
        "Missing required parameter: 'text.format.schema'.",
        param="text.format.schema",
        code="missing_required_parameter",
    )


def test_max_output_tokens_below_16_is_refused_and_16_cuts_the_reply(client):
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="x", max_output_tokens=15)
    capped = client.responses.create(model=MODEL, input="Write a lot.", max_output_tokens=16)
    roomy = client.responses.create(model=MODEL, input="Write a lot.", max_output_tokens=4000)

    assert error_of(raised) == {
        "message": "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 15 "
        "instead.",
        "type": "invalid_request_error",
        "param": "max_output_tokens",
        "code": "integer_below_min_value",
    }
    assert (capped.status, capped.incomplete_details.reason) == ("incomplete", "max_output_tokens")
    assert capped.output[1].status == "incomplete"
    assert capped.output_text == "This is the offline stand-in,"
    assert capped.usage.output_tokens <= 16
    assert (roomy.status, roomy.incomplete_details) == ("completed", None)


@pytest.mark.parametrize(
    ("metadata", "param", "code", "message"),
    [
        (
            {f"k{n}": "v" for n in range(17)},
            "metadata",
            "object_above_max_properties",
            "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an "
            "object with 17 properties instead.",
        ),
        (
            {"k" * 65: "v"},
            "metadata",
            "string_above_max_length",
            "Invalid 'metadata': string too long. Expected a string with maximum length 64, but got a string with "
            "length 65 instead.",
        ),
        (
            {"topic": "v" * 513},
            "metadata.topic",
            "string_above_max_length",
            "Invalid 'metadata.topic': string too long. Expected a string with maximum length 512, but got a string "
            "with length 513 instead.",
        ),
        ({"count": 3}, "metadata.count", None, "Invalid type for 'metadata.count': expected a string."),
        ("topic", "metadata", "invalid_type", "Invalid 'metadata': expected an object."),
    ],
)
def test_metadata_beyond_the_limits_is_refused_on_responses_and_conversations(client, metadata, param, code, message):
    with pytest.raises(openai.BadRequestError) as on_response:
        client.responses.create(model=MODEL, input="x", metadata=metadata)
    with pytest.raises(openai.BadRequestError) as on_conversation:
        client.conversations.create(metadata=metadata)

    expected = {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    assert error_of(on_response) == error_of(on_conversation) == expected


def test_metadata_at_the_limits_is_kept(client):
    metadata = {f"{n:02d}" + "k" * 62: "v" * 512 for n in range(16)}

    assert client.responses.create(model=MODEL, input="x", metadata=metadata).metadata == metadata


def test_a_request_without_a_model_or_with_bad_input_is_refused(client):
    with pytest.raises(openai.BadRequestError) as no_model:
        client.responses.create(model="", input="x")
    with pytest.raises(openai.BadRequestError) as bad_role:
        client.responses.create(model=MODEL, input=[{"role": "robot", "content": "x"}])
    with pytest.raises(openai.BadRequestError) as no_content:
        client.responses.create(model=MODEL, input=[{"role": "user"}])
    with pytest.raises(openai.BadRequestError) as no_call_id:
        client.responses.create(model=MODEL, input=[{"type": "function_call_output", "output": "x"}])
    with pytest.raises(openai.BadRequestError) as no_approve:
        client.responses.create(model=MODEL, input=[{"type": "mcp_approval_response", "approval_request_id": "x"}])
    with pytest.raises(openai.BadRequestError) as bad_part:
        client.responses.create(model=MODEL, input=[{"role": "user", "content": [{"type": "input_text"}]}])
    with pytest.raises(openai.BadRequestError) as not_a_part:
        client.responses.create(model=MODEL, input=[{"role": "user", "content": ["x"]}])
    with pytest.raises(openai.BadRequestError) as not_an_item:
        client.responses.create(model=MODEL, input=["x"])
    with pytest.raises(openai.BadRequestError) as not_a_list:
        client.responses.create(model=MODEL, input=7)

    assert error_of(no_model) == refusal(
        "Missing required parameter: 'model'.", param="model", code="missing_required_parameter"
    )
    assert error_of(bad_role) == refusal(
        "Invalid value: 'robot'. Supported values are: 'user', 'assistant', 'system', 'developer'.",
        param="input[0].role",
        code="invalid_value",
    )
    for raised, missing in [
        (no_content, "input[0].content"),
        (no_call_id, "input[0].call_id"),
        (no_approve, "input[0].approve"),
        (bad_part, "input[0].content[0].text"),
    ]:
        assert error_of(raised) == refusal(f"Missing required parameter: '{missing}'.", param=missing)
    assert error_of(not_a_part) == refusal(
        "Invalid 'input[0].content[0]': expected a content part object with a 'type'.", param="input[0].content[0]"
    )
    assert error_of(not_an_item) == refusal("Invalid 'input[0]': expected an object.", param="input[0]")
    assert error_of(not_a_list) == refusal(
        "Invalid 'input': expected a string or an array of input items.", param="input"
    )


def test_images_and_files_are_acknowledged_not_seen_and_cost_tokens_by_detail(client):
    def ask(part):
        return client.responses.create(
            model="gpt-4.1", input=[{"role": "user", "content": [{"type": "input_text", "text": "What?"}, part]}]
        )

    low = ask({"type": "input_image", "image_url": "https://example.com/cat.png", "detail": "low"})
    high = ask({"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high"})
    linked = ask({"type": "input_file", "file_url": "https://example.com/report.pdf"})

    assert "it received the image at https://example.com/cat.png (detail: low)" in low.output_text
    assert "it received an image (image/png, 8 bytes) sent inline (detail: high)" in high.output_text
    assert high.usage.input_tokens - low.usage.input_tokens == 765 - 85
    assert "a link to https://example.com/report.pdf, which it does not fetch" in linked.output_text


def test_input_items_are_listed_in_pages_in_either_order(client):
    conversation = [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "One"}]
    conversation += [{"role": "assistant", "content": "Two"}, {"role": "user", "content": "Three"}]
    response = client.responses.create(model=MODEL, input=conversation)

    first = client.responses.input_items.list(response.id, limit=2, order="asc")
    second = client.responses.input_items.list(response.id, limit=2, order="asc", after=first.data[-1].id)
    newest_first = [item.content[0].text for item in client.responses.input_items.list(response.id, limit=3)]

    assert [item.content[0].text for item in first.data] == ["Be brief.", "One"]
    assert (first.has_more, second.has_more) == (True, False)
    assert [item.content[0].text for item in second.data] == ["Two", "Three"]
    assert second.data[0].content[0].type == "output_text"
    assert newest_first == ["Three", "Two", "One", "Be brief."]


OUT_OF_RANGE = "Invalid 'limit': integer out of range. Expected a value from 1 to 100, but got {} instead."


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"limit": 0}, refusal(OUT_OF_RANGE.format(0), param="limit", code="integer_out_of_range")),
        ({"limit": 101}, refusal(OUT_OF_RANGE.format(101), param="limit", code="integer_out_of_range")),
        (
            {"order": "up"},
            refusal(
                "Invalid value: 'up'. Supported values are: 'asc' and 'desc'.", param="order", code="invalid_value"
            ),
        ),
        (
            {"after": "msg_nowhere"},
            refusal("Invalid 'after': no item with id 'msg_nowhere' in this list.", param="after"),
        ),
    ],
)
def test_bad_paging_arguments_are_refused(client, query, expected):
    response = client.responses.create(model=MODEL, input="hi")

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.input_items.list(response.id, **query)

    assert error_of(raised) == expected


def test_a_limit_that_is_not_a_number_is_refused(client):
    response = client.responses.create(model=MODEL, input="hi")

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.input_items.list(response.id, extra_query={"limit": "²"})

    assert error_of(raised) == refusal("Invalid 'limit': expected an integer, but got '²' instead.", param="limit")


def test_input_tokens_counts_instructions_and_the_chain_before(client):
    count = client.responses.input_tokens.count
    first = client.responses.create(model=MODEL, input="The quick brown fox jumps over the lazy dog.")

    plain = count(model=MODEL, input="The quick brown fox jumps over the lazy dog.").input_tokens
    instructed = count(model=MODEL, instructions="Be a patient teacher.", input="The quick brown fox.").input_tokens
    chained = count(model=MODEL, previous_response_id=first.id, input="More?").input_tokens

    bare = count(model=MODEL, instructions="Be a patient teacher.").input_tokens

    assert plain == first.usage.input_tokens == 4 + 11
    assert bare == 6
    assert instructed == 6 + 4 + 5
    assert chained > plain + first.usage.output_tokens - 64


def test_background_responses_progress_over_retrieves_and_can_be_cancelled(client):
    started = client.responses.create(model=MODEL, input="Long essay.", background=True)
    statuses = [started.status] + [client.responses.retrieve(started.id).status for _ in range(3)]
    finished = client.responses.retrieve(started.id)
    other = client.responses.create(model=MODEL, input="Another.", background=True)
    cancelled = client.responses.cancel(other.id)

    assert (started.output, started.usage) == ([], None)
    assert statuses == ["queued", "in_progress", "completed", "completed"]
    assert finished.output_text.startswith("This is the offline stand-in")
    assert cancelled.status == "cancelled"
    assert client.responses.cancel(other.id).status == "cancelled"
    assert client.responses.retrieve(other.id).status == "cancelled"


def test_a_streamed_background_response_is_finished_when_its_stream_ends(client):
    with client.responses.create(model=MODEL, input="Long essay.", background=True, stream=True) as stream:
        response_id = [event for event in stream][-1].response.id

    assert client.responses.retrieve(response_id).status == "completed"


def test_a_cancelled_response_keeps_its_input_items(client):
    started = client.responses.create(model=MODEL, input="Long essay.", background=True)
    client.responses.cancel(started.id)

    assert [item.content[0].text for item in client.responses.input_items.list(started.id)] == ["Long essay."]


def test_only_running_background_responses_can_be_cancelled(client):
    foreground = client.responses.create(model=MODEL, input="x")
    background = client.responses.create(model=MODEL, input="x", background=True)
    for _ in range(2):
        client.responses.retrieve(background.id)

    with pytest.raises(openai.BadRequestError) as not_background:
        client.responses.cancel(foreground.id)
    with pytest.raises(openai.BadRequestError) as finished:
        client.responses.cancel(background.id)
    with pytest.raises(openai.NotFoundError) as unknown:
        client.responses.cancel("resp_nowhere")

    assert error_of(not_background) == refusal("Only responses created with background=true can be cancelled.")
    assert error_of(finished) == refusal("Cannot cancel a response that is already completed.")
    assert error_of(unknown) == refusal("Response with id 'resp_nowhere' not found.")


def test_a_background_response_must_be_stored(client):
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="x", background=True, store=False)

    assert error_of(raised) == refusal(
        "Background mode requires store=true: a background response must be stored.", param="store"
    )


def test_a_response_echoes_every_setting_it_was_sent(raw_api):
    settings = {
        "instructions": "Answer briefly.",
        "max_output_tokens": 500,
        "max_tool_calls": 3,
        "parallel_tool_calls": False,
        "service_tier": "flex",
        "store": False,
        "temperature": 0.5,
        "tool_choice": "none",
        "top_logprobs": 2,
        "top_p": 0.9,
        "truncation": "auto",
        "safety_identifier": "a1b2c3",
        "prompt_cache_key": "lesson-21",
        "metadata": {"topic": "settings"},
    }
    body = {"model": MODEL, "input": "Hi", "reasoning": {"effort": "high", "summary": "auto"}, **settings}

    response = raw_api.post("/responses", json={**body, "text": {"verbosity": "low"}}).json()

    assert {name: response[name] for name in settings} == settings
    assert (response["reasoning"], response["text"]) == (
        {"effort": "high", "summary": "auto"},
        {"format": {"type": "text"}, "verbosity": "low"},
    )
    assert (response["background"], response["user"], response["conversation"]) == (False, None, None)


@pytest.mark.parametrize(
    ("asked", "served"), [("auto", "default"), ("default", "default"), ("priority", "priority"), ("scale", "scale")]
)
def test_the_service_tier_says_which_tier_served_the_request(raw_api, asked, served):
    response = raw_api.post("/responses", json={"model": MODEL, "input": "Hi", "service_tier": asked}).json()

    assert response["service_tier"] == served


def test_input_items_are_kept_whole_with_the_fields_the_api_adds(raw_api):
    sent = [
        {"role": "assistant", "content": [{"type": "output_text", "text": "Earlier."}]},
        {"type": "function_call", "call_id": "call_1", "name": "noop", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_1", "output": "done", "id": "fco_mine"},
        {"type": "function_call", "call_id": "call_2", "name": "noop", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_2", "output": "done too"},
        {
            "role": "user",
            "content": [
                {"type": "input_image", "image_url": "https://example.com/a.png"},
                {"type": "input_text", "text": "What is it?"},
            ],
        },
    ]
    response = raw_api.post("/responses", json={"model": MODEL, "input": sent}).json()

    kept = raw_api.get(f"/responses/{response['id']}/input_items", params={"order": "asc"}).json()["data"]

    ids = [item.pop("id") for item in kept]
    assert [item_id.split("_")[0] for item_id in ids] == ["msg", "fc", "fco", "fc", "fco", "msg"]
    assert ids[2] == "fco_mine"
    assert kept == [
        {
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "Earlier.", "annotations": [], "logprobs": []}],
        },
        sent[1],
        {"status": "completed", **{key: value for key, value in sent[2].items() if key != "id"}},
        sent[3],
        {"status": "completed", **sent[4]},
        {
            "type": "message",
            "role": "user",
            "status": "completed",
            "content": [
                {"type": "input_image", "image_url": "https://example.com/a.png", "detail": "auto"},
                {"type": "input_text", "text": "What is it?"},
            ],
        },
    ]


def test_approval_responses_and_other_typed_items_are_kept_with_their_ids_or_new_ones(raw_api):
    asked = raw_api.post("/responses", json={"model": MODEL, "input": "How?", "tools": [MCP_TOOL]}).json()
    request_id = asked["output"][-1]["id"]
    approvals = [
        {"type": "mcp_approval_response", "approval_request_id": request_id, "approve": False, "id": "mcpa_mine"},
        {"type": "mcp_approval_response", "approval_request_id": request_id, "approve": False},
        {"type": "compaction", "encrypted_content": text.sealed([])},
    ]
    body = {"model": MODEL, "previous_response_id": asked["id"], "input": approvals, "tools": [MCP_TOOL]}
    response = raw_api.post("/responses", json=body).json()

    kept = raw_api.get(f"/responses/{response['id']}/input_items", params={"order": "asc"}).json()["data"]

    ids = [item.pop("id") for item in kept]
    assert ids[0] == "mcpa_mine"
    assert [item_id.split("_")[0] for item_id in ids[1:]] == ["mcpa", "item"]
    without_id = {key: value for key, value in approvals[0].items() if key != "id"}
    assert kept == [{"reason": None, **without_id}, {"reason": None, **approvals[1]}, approvals[2]]


def test_an_output_text_part_needs_its_text(client):
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input=[{"role": "assistant", "content": [{"type": "output_text"}]}])

    assert error_of(raised) == refusal(
        "Missing required parameter: 'input[0].content[0].text'.", param="input[0].content[0].text"
    )


def test_a_message_in_several_text_parts_is_read_as_one_text(client):
    parts = [{"type": "input_text", "text": "Why is"}, {"type": "input_text", "text": "the sky blue?"}]

    response = client.responses.create(model=MODEL, input=[{"role": "user", "content": parts}])

    assert "you asked “Why is the sky blue?”" in response.output_text


def test_the_same_item_twice_in_one_input_is_a_duplicate(client):
    item = {"id": "msg_twice", "type": "message", "role": "user", "content": "hi"}

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input=[item, item])

    assert error_of(raised) == refusal(
        "Duplicate item found with id msg_twice. Remove duplicate items from your input and try again.", param="input"
    )


def test_a_follow_up_keeps_the_time_zone_of_the_last_call_of_that_function(client):
    asked = client.responses.create(model=MODEL, input="Time in New York?", tools=[TIME_TOOL])
    answered = client.responses.create(
        model=MODEL,
        previous_response_id=asked.id,
        input=[{"type": "function_call_output", "call_id": asked.output[-1].call_id, "output": "9:00"}],
        tools=[TIME_TOOL],
    )

    follow_up = client.responses.create(
        model=MODEL, previous_response_id=answered.id, input="And now?", tools=[TIME_TOOL]
    )

    assert calls_in(asked) == [("get_local_time", {"timezone": "America/New_York"})]
    assert calls_in(follow_up) == [("get_local_time", {"timezone": "America/New_York"})]


def test_a_list_of_nothing_has_no_first_or_last_id(client):
    conversation = client.conversations.create()

    page = client.conversations.items.list(conversation.id)

    assert (page.data, page.first_id, page.last_id, page.has_more) == ([], None, None, False)


def test_a_request_without_input_is_answered_and_its_request_id_has_the_api_shape(raw_api):
    reply = raw_api.post("/responses", json={"model": MODEL})

    assert reply.status_code == 200
    assert reply.json()["output"][-1]["content"][0]["text"].startswith("This is the offline stand-in")
    assert re.fullmatch(r"req_offline_[0-9a-f]{24}", reply.headers["x-request-id"])


def function_tool(name: str, parameter: str, description: str) -> dict:
    properties = {parameter: {"type": "string", "description": description}}
    schema = {"type": "object", "properties": properties, "required": [parameter], "additionalProperties": False}
    return {"type": "function", "name": name, "strict": True, "parameters": schema}


@pytest.mark.parametrize(
    ("tool", "question", "arguments"),
    [
        (function_tool("clock", "where", "The Time Zone to read."), "Time in Tokyo?", {"where": "Asia/Tokyo"}),
        (function_tool("clock", "time_zone", "Which one."), "Time in Tokyo?", {"time_zone": "Asia/Tokyo"}),
        (function_tool("clock", "where", "The Time Zone to read."), "Time in Atlantis?", {"where": "Atlantis"}),
        (function_tool("weather", "city", "A city."), "Weather in Tokyo?", {"city": "Tokyo"}),
    ],
)
def test_a_place_becomes_a_time_zone_only_for_a_parameter_about_time_zones(client, tool, question, arguments):
    response = client.responses.create(model=MODEL, input=question, tools=[tool])

    assert calls_in(response) == [(tool["name"], arguments)]


def test_several_images_and_files_in_one_message_are_each_acknowledged(client):
    parts = [
        {"type": "input_text", "text": "Compare these."},
        {"type": "input_image", "file_id": "file-photo", "detail": "auto"},
        {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"},
        {"type": "input_file", "filename": "notes.txt", "file_data": "data:text/plain;base64,aGk="},
    ]

    response = client.responses.create(model=MODEL, input=[{"role": "user", "content": parts}])

    assert response.output_text == (
        "This is the offline stand-in, not a model, so this reply is canned and it cannot look at content: it "
        "received the image at file-photo (detail: auto); and an image (image/png, 8 bytes) sent inline (detail: "
        "low); and notes.txt, in which it found no text it can read. A real model describes it."
    )


def test_reasoning_context_says_whether_earlier_reasoning_is_read_again_by_default_from_gpt_5_6(client, raw_api):
    def follow_up_tokens(model: str, context: str | None) -> tuple[int, str | None]:
        first = client.responses.create(model=model, input="Think about tomatoes.", reasoning={"summary": "auto"})
        reasoning = {"context": context} if context else {}
        follow_up = client.responses.create(
            model=model, previous_response_id=first.id, input="And beans?", reasoning=reasoning
        )
        return follow_up.usage.input_tokens, follow_up.reasoning.context

    current, shown_current = follow_up_tokens("gpt-5.4-mini", "current_turn")
    every, shown_every = follow_up_tokens("gpt-5.4-mini", "all_turns")
    assert current < every
    assert (shown_current, shown_every) == ("current_turn", "all_turns")
    assert follow_up_tokens("gpt-5.4-mini", None) == (current, None)  # before gpt-5.6: the current turn
    assert follow_up_tokens("gpt-5.4-mini", "auto") == (current, "current_turn")
    assert follow_up_tokens("gpt-5.6-luna", None)[0] > follow_up_tokens("gpt-5.6-luna", "current_turn")[0]
    refused = raw_api.post("responses", json={"model": MODEL, "input": "Hi", "reasoning": {"context": "everything"}})
    assert refused.status_code == 400
    assert refused.json()["error"] == {
        "message": "Invalid value: 'everything'. Supported values are: 'auto', 'current_turn', 'all_turns'.",
        "type": "invalid_request_error",
        "param": "reasoning.context",
        "code": "invalid_value",
    }


# The tool list of openai-python's examples/responses/tool_call_loop.py, in its shape: no "strict", loose schemas.
TOOL_CALL_LOOP_TOOLS = [
    {
        "type": "function",
        "name": "get_weather",
        "description": "Get the current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "The city name, e.g. 'Tokyo'."}},
            "required": ["city"],
        },
    },
    {
        "type": "function",
        "name": "calculate",
        "description": "Evaluate a mathematical expression using Python arithmetic and the math module.",
        "parameters": {
            "type": "object",
            "properties": {"expression": {"type": "string", "description": "A Python arithmetic expression."}},
            "required": ["expression"],
        },
    },
]


def test_functions_that_do_not_say_strict_are_made_strict_and_called_as_the_official_loop_sends_them(client):
    response = client.responses.create(
        model=MODEL, input="What's the weather like in Tokyo and London?", tools=TOOL_CALL_LOOP_TOOLS
    )

    assert calls_in(response) == [("get_weather", {"city": "Tokyo"}), ("get_weather", {"city": "London"})]
    assert response.tools[0].parameters == TOOL_CALL_LOOP_TOOLS[0]["parameters"]  # echoed as sent


def test_an_optional_property_of_a_function_without_strict_is_filled_as_required():
    loose = {"type": "object", "properties": {"city": {"type": "string"}, "units": {"type": "string"}}}

    assert rules.strict_normalized(loose) == {
        "type": "object",
        "properties": {"city": {"type": "string"}, "units": {"type": "string"}},
        "required": ["city", "units"],
        "additionalProperties": False,
    }
    nested = {"type": "object", "properties": {"at": {"type": "array", "items": {"type": "object", "properties": {}}}}}
    assert rules.strict_normalized(nested)["properties"]["at"]["items"] == {
        "type": "object",
        "properties": {},
        "required": [],
        "additionalProperties": False,
    }
    assert rules.strict_normalized({"anyOf": [{"type": "object"}], "$defs": {"A": {"type": "object"}}}) == {
        "anyOf": [{"type": "object", "properties": {}, "required": [], "additionalProperties": False}],
        "$defs": {"A": {"type": "object", "properties": {}, "required": [], "additionalProperties": False}},
    }
    assert rules.strict_normalized("string") == "string"


@pytest.mark.parametrize("strict", [True, False, None], ids=["strict", "not-strict", "unsaid"])
def test_a_function_whose_parameters_are_not_an_object_is_refused_however_strict(client, strict):
    tool = {"type": "function", "name": "f", "parameters": {"type": "string"}}
    if strict is not None:
        tool["strict"] = strict

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="x", tools=[tool])

    assert error_of(raised) == refusal(
        "Invalid schema for function 'f': In context=(), schema must be a JSON Schema of 'type: \"object\"', "
        "got 'type: \"string\"'.",
        "tools[0].parameters",
        "invalid_function_parameters",
    )


def test_a_keyword_strict_mode_does_not_know_is_refused_wherever_it_is(client):
    schema = {
        "type": "object",
        "properties": {"tags": {"type": "array", "items": {"type": "string", "typeXX": "string"}}},
        "required": ["tags"],
        "additionalProperties": False,
    }

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model=MODEL,
            input="x",
            text={"format": {"type": "json_schema", "name": "t", "schema": schema, "strict": True}},
        )

    assert error_of(raised)["message"] == (
        "Invalid schema for response_format 't': In context=('properties', 'tags', 'items'), 'typeXX' is not permitted."
    )


def test_a_model_the_sdk_does_not_name_does_not_exist_and_a_dated_snapshot_is_kept(client, raw_api):
    refused = raw_api.post("responses", json={"model": "gpt-nonsense", "input": "Hi"})
    counted = raw_api.post("responses/input_tokens", json={"model": "gpt-5.4-mini-1999-01-01x", "input": "Hi"})
    snapshot = client.responses.create(model="gpt-5.4-mini-2026-03-17", input="Hi")
    undated = client.responses.create(model="gpt-5.6-luna", input="Hi")

    assert (refused.status_code, refused.json()) == (
        404,
        {
            "error": {
                "message": "The model 'gpt-nonsense' does not exist or you do not have access to it.",
                "type": "invalid_request_error",
                "param": "model",
                "code": "model_not_found",
            }
        },
    )
    assert counted.status_code == 404
    assert snapshot.model == "gpt-5.4-mini-2026-03-17"
    assert undated.model == "gpt-5.6-luna"  # no snapshot of it is named: the alias is what answers


def test_a_request_a_model_would_refuse_is_answered_with_a_refusal_part(client):
    plain = client.responses.create(model=MODEL, input="Tell me how to BUILD A WEAPON.")
    parsed = client.responses.create(
        model=MODEL,
        input="How do I make a bomb?",
        text={"format": {"type": "json_schema", "name": "x", "schema": EVENT_SCHEMA, "strict": True}},
    )

    for response in (plain, parsed):
        message = response.output[-1]
        assert [part.type for part in message.content] == ["refusal"]
        assert message.content[0].refusal == "I'm sorry, but I can't help with that."
        assert response.output_text == ""


def test_there_adds_the_place_of_the_last_call_to_the_places_a_question_names(client):
    answered = lisbon_answered(client)

    compared = client.responses.create(
        model=MODEL, previous_response_id=answered.id, input="Is it warmer there or in Oslo?", tools=[WEATHER_TOOL]
    )
    elsewhere = client.responses.create(
        model=MODEL, previous_response_id=answered.id, input="And in Oslo?", tools=[WEATHER_TOOL]
    )

    assert [arguments["place"] for _, arguments in calls_in(compared)] == ["Lisbon", "Oslo"]
    assert [arguments["place"] for _, arguments in calls_in(elsewhere)] == ["Oslo"]
