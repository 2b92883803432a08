"""Tool search in the stand-in: deferred functions found by the question's words and loaded by name, searched by
the stand-in or by the client, outputs paired with their searches, and what deferring saves in input tokens."""

import openai
import pytest

from openai_tutorial.client import get_model
from tests.support.refusals import error_of, refusal

MODEL = get_model()
SEARCH = {"type": "tool_search"}
CLIENT_SEARCH = {
    "type": "tool_search",
    "execution": "client",
    "description": "Find tools.",
    "parameters": {
        "type": "object",
        "properties": {"query": {"type": "string"}, "limit": {"type": "integer"}},
        "required": ["query", "limit"],
        "additionalProperties": False,
    },
}


def function(name: str, description: str, parameter: str = "order_id", *, deferred: bool = True) -> dict:
    schema = {
        "type": "object",
        "properties": {parameter: {"type": "string"}},
        "required": [parameter],
        "additionalProperties": False,
    }
    tool = {"type": "function", "name": name, "description": description, "parameters": schema}
    return {**tool, "defer_loading": True} if deferred else tool


ETA = function("get_delivery_eta", "Say when an order will arrive.")
ITEMS = function("list_order_items", "List what an order holds.")
INVOICE = function("get_invoice_status", "Say whether an invoice is paid.", "invoice_id")
SHIPPING = {"type": "namespace", "name": "shipping", "description": "Orders on their way.", "tools": [ETA, ITEMS]}
BILLING = {"type": "namespace", "name": "billing", "description": "Invoices and payments.", "tools": [INVOICE]}


def items_of(response) -> list:
    return [item for item in response.output if item.type != "reasoning"]


def test_a_server_search_loads_the_best_function_in_its_namespace_and_calls_it(client):
    response = client.responses.create(
        model=MODEL, input="When will order ORD-1042 arrive?", tools=[SHIPPING, BILLING, SEARCH]
    )

    call, output, function_call = items_of(response)
    assert (call.type, call.execution, call.arguments) == (
        "tool_search_call",
        "server",
        {"query": "order ord-1042 arrive"},
    )
    assert (output.type, output.execution, output.call_id) == ("tool_search_output", "server", call.call_id)
    assert [tool.model_dump(exclude_none=True) for tool in output.tools] == [
        {
            "type": "namespace",
            "name": "shipping",
            "description": "Orders on their way.",
            "tools": [{key: value for key, value in ETA.items() if key != "defer_loading"}],
        }
    ]
    assert (function_call.namespace, function_call.name, function_call.arguments) == (
        "shipping",
        "get_delivery_eta",
        '{"order_id": "ORD-1042"}',
    )


def test_the_answer_follows_the_output_of_the_loaded_function(client):
    tools = [SHIPPING, SEARCH]
    first = client.responses.create(model=MODEL, input="When will order ORD-1042 arrive?", tools=tools)
    *_, call = items_of(first)

    answer = client.responses.create(
        model=MODEL,
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": '{"eta": "2026-12-09"}'}],
        tools=tools,
    )

    assert (
        answer.output_text
        == "Offline stand-in answer, built from the tool results: get_delivery_eta says eta: 2026-12-09."
    )


def test_a_deferred_function_outside_a_namespace_is_loaded_alone_and_called_without_one(client):
    response = client.responses.create(model=MODEL, input="Is invoice INV-7 paid?", tools=[INVOICE, SEARCH])

    _, output, function_call = items_of(response)
    assert [tool.name for tool in output.tools] == ["get_invoice_status"]
    assert output.tools[0].defer_loading is None
    assert (function_call.namespace, function_call.arguments) == (None, '{"invoice_id": "INV-7"}')


def test_a_search_that_matches_nothing_loads_nothing_and_says_so(client):
    response = client.responses.create(model=MODEL, input="Sing me a song.", tools=[SHIPPING, SEARCH])

    _, output, message = items_of(response)
    assert output.tools == []
    assert message.content[0].text.endswith(": no deferred tool matched the question.")


def test_a_client_search_fills_its_parameters_and_waits_for_the_client(client):
    response = client.responses.create(model=MODEL, input="Is invoice INV-7 paid?", tools=[CLIENT_SEARCH])

    (call,) = items_of(response)
    assert (call.type, call.execution, call.arguments) == (
        "tool_search_call",
        "client",
        {"query": "invoice inv-7 paid", "limit": 1},
    )


def test_a_client_search_without_parameters_asks_with_a_query(client):
    response = client.responses.create(
        model=MODEL, input="Is invoice INV-7 paid?", tools=[{"type": "tool_search", "execution": "client"}]
    )

    assert items_of(response)[0].arguments == {"query": "invoice inv-7 paid"}


def client_search_answered(client, tools_loaded: list[dict]):
    first = client.responses.create(model=MODEL, input="Is invoice INV-7 paid?", tools=[CLIENT_SEARCH])
    (call,) = items_of(first)
    output = {"type": "tool_search_output", "call_id": call.call_id, "tools": tools_loaded}
    return client.responses.create(model=MODEL, previous_response_id=first.id, input=[output], tools=[CLIENT_SEARCH])


def test_the_function_the_client_loaded_is_called_next(client):
    response = client_search_answered(
        client, [{**BILLING, "tools": [function("get_invoice_status", "Paid?", "invoice_id", deferred=False)]}]
    )

    (call,) = items_of(response)
    assert (call.type, call.namespace, call.name, call.arguments) == (
        "function_call",
        "billing",
        "get_invoice_status",
        '{"invoice_id": "INV-7"}',
    )
    (stored,) = client.responses.input_items.list(response.id)
    assert (stored.type, stored.execution, stored.status) == ("tool_search_output", "client", "completed")


def test_tools_the_client_loaded_that_do_not_fit_are_not_called(client):
    response = client_search_answered(client, [SHIPPING])

    (message,) = items_of(response)
    assert message.content[0].text.endswith(": the tools the search loaded do not fit the question.")


def test_a_client_search_left_unanswered_is_refused(client):
    first = client.responses.create(model=MODEL, input="Is invoice INV-7 paid?", tools=[CLIENT_SEARCH])
    (call,) = items_of(first)

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, previous_response_id=first.id, input="Well?", tools=[CLIENT_SEARCH])

    assert error_of(raised) == refusal(f"No tool output found for tool_search call {call.call_id}.", "input")


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (
            {"type": "tool_search_output", "call_id": "call_nowhere", "tools": []},
            refusal("No tool call found for tool_search call output with call_id call_nowhere.", "input"),
        ),
        (
            {"type": "tool_search_output", "tools": []},
            refusal("Missing required parameter: 'input[0].call_id'.", "input[0].call_id"),
        ),
    ],
    ids=["no such search", "no call_id"],
)
def test_a_search_output_that_answers_no_search_is_refused(client, output, expected):
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input=[output], tools=[CLIENT_SEARCH])

    assert error_of(raised) == expected


@pytest.mark.parametrize(
    ("model", "tools", "expected"),
    [
        (
            MODEL,
            [function("get_delivery_eta", "When.", deferred=False), SEARCH],
            refusal(
                "Tool search needs at least one tool with defer_loading: true (a function, a function in a "
                "namespace, or an MCP server) to search.",
                "tools",
            ),
        ),
        (
            "gpt-5.2",
            [SHIPPING, SEARCH],
            refusal("The tool 'tool_search' is not supported with the model 'gpt-5.2': use gpt-5.4 or later.", "tools"),
        ),
        (
            "gpt-4.1-mini",
            [CLIENT_SEARCH],
            refusal(
                "The tool 'tool_search' is not supported with the model 'gpt-4.1-mini': use gpt-5.4 or later.", "tools"
            ),
        ),
    ],
    ids=["nothing deferred", "gpt-5.2", "gpt-4.1-mini"],
)
def test_tool_search_without_deferred_tools_or_on_an_older_model_is_refused(client, model, tools, expected):
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=model, input="When will ORD-1 arrive?", tools=tools)

    assert error_of(raised) == expected


@pytest.mark.parametrize("model", ["gpt-5.4", "gpt-5.6-luna", "gpt-6.1-sol", "gpt-6.2-astra"])
def test_tool_search_is_accepted_on_gpt_5_4_and_later(client, model):
    response = client.responses.create(model=model, input="Is invoice INV-7 paid?", tools=[CLIENT_SEARCH])

    assert items_of(response)[0].type == "tool_search_call"


def test_a_client_search_needs_no_deferred_tools(client):
    response = client.responses.create(model=MODEL, input="Hi", tools=[{"type": "tool_search", "execution": "client"}])

    assert items_of(response)[0].execution == "client"


def test_deferred_functions_cost_only_what_the_model_is_shown_up_front(client):
    def counted(tools):
        return client.responses.input_tokens.count(model=MODEL, input="Hi", tools=tools).input_tokens

    eager = {**SHIPPING, "tools": [{k: v for k, v in f.items() if k != "defer_loading"} for f in SHIPPING["tools"]]}
    names_only = [{"type": "function", "name": "get_delivery_eta", "description": "Say when an order will arrive."}]

    assert counted([{**SHIPPING, "tools": []}]) == counted([SHIPPING]) < counted([eager])
    assert counted([ETA]) == counted(names_only) < counted([eager["tools"][0]])


def test_a_strict_function_inside_a_namespace_is_checked_like_any_other(client):
    loose = {**ITEMS, "strict": True, "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}}}

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="Hi", tools=[{**SHIPPING, "tools": [ETA, loose]}, SEARCH])

    assert error_of(raised) == refusal(
        "Invalid schema for function 'list_order_items': In context=(), 'additionalProperties' is required to be "
        "supplied and to be false.",
        "tools[0].tools[1].parameters",
        "invalid_function_parameters",
    )
