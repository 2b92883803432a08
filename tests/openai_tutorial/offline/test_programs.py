"""Programmatic Tool Calling in the stand-in: a program and the calls it made, marked with their caller; its
output once every call is answered; its fingerprint checked when sent back; and the calls kept out of the tokens."""

import json

import openai
import pytest

from openai_tutorial.client import get_model
from openai_tutorial.offline.programs import fingerprint
from tests.support.refusals import error_of, refusal

MODEL = get_model()
PROGRAMS = {"type": "programmatic_tool_calling"}
SKUS = ["lamp", "dock", "desk"]
FIGURES = {"get_stock": "units", "get_demand": "forecast"}
QUESTION = "Should we reorder the lamp or the dock?"


def function(name: str, callers: list[str] | None, properties: dict | None = None) -> dict:
    properties = properties or {"sku": {"type": "string", "enum": SKUS}}
    schema = {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}
    tool = {"type": "function", "name": name, "description": f"{name}.", "parameters": schema}
    return tool if callers is None else {**tool, "allowed_callers": callers}


TOOLS = [function("get_stock", ["programmatic"]), function("get_demand", ["direct", "programmatic"]), PROGRAMS]


def written(response):
    (program, *calls) = [item for item in response.output if item.type != "reasoning"]
    return program, calls


def answered(calls) -> list[dict]:
    """Each call answered with a figure for its product, and the caller it came from."""
    return [
        {
            "type": "function_call_output",
            "call_id": call.call_id,
            "output": json.dumps({"sku": json.loads(call.arguments)["sku"], FIGURES[call.name]: len(call.call_id) % 7}),
            "caller": call.caller.model_dump(),
        }
        for call in calls
    ]


def sent_back(response) -> list[dict]:
    return [item.model_dump(exclude_none=True) for item in response.output]


def test_a_program_calls_each_programmatic_function_for_each_option_named(client):
    program, calls = written(client.responses.create(model=MODEL, input=QUESTION, tools=TOOLS))

    assert program.type == "program"
    assert program.fingerprint == fingerprint(program.call_id, program.code)
    assert [(call.name, json.loads(call.arguments)) for call in calls] == [
        ("get_stock", {"sku": "lamp"}),
        ("get_demand", {"sku": "lamp"}),
        ("get_stock", {"sku": "dock"}),
        ("get_demand", {"sku": "dock"}),
    ]
    assert {(call.caller.type, call.caller.caller_id) for call in calls} == {("program", program.call_id)}
    assert program.code.splitlines()[2] == '  tools.get_stock({"sku": "lamp"}),'


def test_a_question_naming_no_option_calls_each_programmatic_function_once_and_no_direct_only_one(client):
    tools = [function("get_stock", ["programmatic"]), function("get_price", ["direct"]), PROGRAMS]

    _, calls = written(client.responses.create(model=MODEL, input="How are we doing?", tools=tools))

    assert [(call.name, json.loads(call.arguments)) for call in calls] == [("get_stock", {"sku": "lamp"})]


def test_once_every_call_is_answered_the_program_returns_and_the_model_answers(client):
    first = client.responses.create(model=MODEL, input=QUESTION, tools=TOOLS)
    program, calls = written(first)
    outputs = answered(calls)

    second = client.responses.create(
        model=MODEL, input=[{"role": "user", "content": QUESTION}, *sent_back(first), *outputs], tools=TOOLS
    )

    program_output, message = [item for item in second.output if item.type != "reasoning"]
    figures = {json.loads(o["output"])["sku"]: {} for o in outputs}
    for output in outputs:
        value = json.loads(output["output"])
        figures[value["sku"]].update({key: v for key, v in value.items() if key != "sku"})
    assert (program_output.type, program_output.call_id, program_output.status) == (
        "program_output",
        program.call_id,
        "completed",
    )
    assert json.loads(program_output.result) == figures
    assert message.content[0].text.startswith(
        "This is the offline stand-in, not a model, so this reply is canned, from what its program returned after "
        "4 calls: lamp: units: "
    )


def test_the_calls_inside_a_program_are_not_in_the_model_s_input_tokens(client):
    first = client.responses.create(model=MODEL, input=QUESTION, tools=TOOLS)
    _, calls = written(first)
    history = [{"role": "user", "content": QUESTION}, *sent_back(first)]

    def counted(items):
        return client.responses.input_tokens.count(model=MODEL, input=items, tools=TOOLS).input_tokens

    program_only = [item for item in history if item.get("caller") is None]
    assert counted([*history, *answered(calls)]) == counted(program_only)


def test_with_previous_response_id_the_api_keeps_the_program(client):
    first = client.responses.create(model=MODEL, input=QUESTION, tools=TOOLS)
    _, calls = written(first)

    second = client.responses.create(model=MODEL, previous_response_id=first.id, input=answered(calls), tools=TOOLS)

    assert [item.type for item in second.output if item.type != "reasoning"] == ["program_output", "message"]


def test_a_program_that_has_returned_is_not_run_again(client):
    first = client.responses.create(model=MODEL, input=QUESTION, tools=TOOLS)
    _, calls = written(first)
    second = client.responses.create(model=MODEL, previous_response_id=first.id, input=answered(calls), tools=TOOLS)

    third = client.responses.create(model=MODEL, previous_response_id=second.id, input=[], tools=TOOLS)

    assert third.output_text.endswith(": its program has already returned, and there is nothing new.")


@pytest.mark.parametrize(
    ("outputs", "result"),
    [
        (["not json", "7"], {"lamp": {"get_stock": "not json", "get_demand": 7}}),
        ([{"units": 3}, {"forecast": 4}], {"lamp": {"units": 3, "forecast": 4}}),
    ],
    ids=["text and a number", "outputs sent as objects"],
)
def test_outputs_that_are_not_objects_are_kept_under_their_function(client, outputs, result):
    first = client.responses.create(model=MODEL, input="The lamp or the desk?", tools=TOOLS)
    _, calls = written(first)
    lamp = [call for call in calls if json.loads(call.arguments)["sku"] == "lamp"]
    sent = [
        {"type": "function_call_output", "call_id": call.call_id, "output": output}
        for call, output in zip(lamp, outputs, strict=True)
    ] + answered([call for call in calls if call not in lamp])

    second = client.responses.create(model=MODEL, previous_response_id=first.id, input=sent, tools=TOOLS)

    program_output = next(item for item in second.output if item.type == "program_output")
    assert json.loads(program_output.result)["lamp"] == result["lamp"]


def test_a_program_sent_back_with_another_fingerprint_is_refused(client):
    first = client.responses.create(model=MODEL, input=QUESTION, tools=TOOLS)
    program, calls = written(first)
    items = sent_back(first)
    at = next(n for n, item in enumerate(items) if item["type"] == "program")
    items[at] = {**items[at], "code": items[at]["code"] + "\nreturn 42;"}

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model=MODEL, input=[{"role": "user", "content": QUESTION}, *items, *answered(calls)], tools=TOOLS
        )

    assert error_of(raised) == refusal(
        f"Invalid 'input[{at + 1}].fingerprint': it does not match the program {program.call_id}. Send each program "
        "item back exactly as the API returned it.",
        f"input[{at + 1}].fingerprint",
    )


def test_a_program_sent_back_without_its_fingerprint_is_refused(client):
    program = {"type": "program", "id": "prog_1", "call_id": "call_p", "code": "return 1;"}

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input=[program], tools=TOOLS)

    assert error_of(raised) == refusal("Missing required parameter: 'input[0].fingerprint'.", "input[0].fingerprint")


def test_a_call_from_a_program_that_is_not_in_the_context_is_refused(client):
    first = client.responses.create(model=MODEL, input=QUESTION, tools=TOOLS)
    program, calls = written(first)
    without_program = [item for item in sent_back(first) if item["type"] != "program"]

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input=[*without_program, *answered(calls)], tools=TOOLS)

    assert error_of(raised) == refusal(
        f"No program found with call_id {program.call_id} for the call {calls[0].call_id}: send back the program "
        "item that made it, with its fingerprint.",
        "input",
    )


@pytest.mark.parametrize(
    ("tools", "expected"),
    [
        (
            [function("get_stock", None), PROGRAMS],
            refusal(
                "The tool 'programmatic_tool_calling' needs at least one function whose allowed_callers include "
                "'programmatic'.",
                "tools",
            ),
        ),
        (
            [function("get_demand", ["direct"]), function("get_stock", ["programmatic"])],
            refusal(
                "The function 'get_stock' can only be called from a program: add the 'programmatic_tool_calling' "
                "tool, or allow the 'direct' caller.",
                "tools[1].allowed_callers",
            ),
        ),
    ],
    ids=["no function for programs", "a function only programs may call"],
)
def test_programmatic_tools_without_their_other_half_are_refused(client, tools, expected):
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input=QUESTION, tools=tools)

    assert error_of(raised) == expected


def test_direct_calls_cover_each_option_named_too(client):
    response = client.responses.create(model=MODEL, input=QUESTION, tools=[function("get_stock", None)])

    calls = [item for item in response.output if item.type == "function_call"]
    assert [(json.loads(call.arguments)["sku"], call.caller) for call in calls] == [("lamp", None), ("dock", None)]
