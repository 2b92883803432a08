import json

import httpx
import pytest

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/28-tool_search_with_namespaces.py"
CLIENT_SEARCH = {
    "type": "tool_search",
    "execution": "client",
    "description": "Search the company's tools (CRM, billing, shipping) by what they do; returns the ones that fit.",
    "parameters": {
        "type": "object",
        "properties": {"query": {"type": "string", "description": "Words for what the tool should do."}},
        "required": ["query"],
        "additionalProperties": False,
    },
}
ETA = {"order_id": "ORD-1042", "eta": "2026-12-09", "carrier": "DHL"}
PAID = {"invoice_id": "INV-2001", "status": "paid", "paid_on": "2026-11-30"}
INVOICE_STATUS = {
    "type": "function",
    "name": "get_invoice_status",
    "description": "Say whether an invoice is paid, due or overdue.",
    "parameters": {
        "type": "object",
        "properties": {"invoice_id": {"type": "string"}},
        "required": ["invoice_id"],
        "additionalProperties": False,
    },
    "strict": True,
}


def search_call(arguments: dict, execution: str = "server", call_id: str = "call_ts") -> dict:
    item = {"id": "ts_1", "type": "tool_search_call", "execution": execution, "status": "completed"}
    return {**item, "call_id": call_id, "arguments": arguments}


def search_output(namespace: str, functions: list[dict]) -> dict:
    loaded = {"type": "namespace", "name": namespace, "description": "Loaded.", "tools": functions}
    item = {"id": "tso_1", "type": "tool_search_output", "execution": "server", "status": "completed"}
    return {**item, "call_id": "call_ts", "tools": [loaded]}


def namespaced_call(namespace: str, name: str, arguments: dict, call_id: str) -> dict:
    return {**payloads.function_call(name, arguments, call_id=call_id), "namespace": namespace}


def reply(*output: dict, id: str) -> httpx.Response:
    return httpx.Response(200, json=payloads.response(output=list(output), id=id))


SERVER_RUN = reply(
    search_call({"query": "order arrive"}),
    search_output("shipping", [{"type": "function", "name": "get_delivery_eta"}]),
    namespaced_call("shipping", "get_delivery_eta", {"order_id": "ORD-1042"}, "call_eta"),
    id="resp_1",
)
CLIENT_RUN = reply(search_call({"query": "invoice paid"}, "client", "call_find"), id="resp_3")
BILLING_CALL = reply(
    namespaced_call("billing", "get_invoice_status", {"invoice_id": "INV-2001"}, "call_inv"), id="resp_4"
)


@pytest.fixture
def counted(openai_api):
    return openai_api.post("/responses/input_tokens").mock(
        side_effect=[
            httpx.Response(200, json=payloads.input_tokens(150)),
            httpx.Response(200, json=payloads.input_tokens(2100)),
        ]
    )


def test_each_search_what_it_loaded_and_the_call_it_made_are_shown_with_both_token_counts(
    openai_api, run_script, counted
):
    responses = openai_api.post("/responses").mock(
        side_effect=[
            SERVER_RUN,
            reply(payloads.message("It arrives on 9 December."), id="resp_2"),
            CLIENT_RUN,
            BILLING_CALL,
            reply(payloads.message("Yes, it is paid."), id="resp_5"),
        ]
    )

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (0, "")
    deferred, up_front = sent_json(counted, 0)["tools"], sent_json(counted, 1)["tools"]
    assert deferred[-1] == {"type": "tool_search"}
    assert [(tool["type"], tool["name"], len(tool["tools"])) for tool in deferred[:-1]] == [
        ("namespace", "crm", 10),
        ("namespace", "billing", 10),
        ("namespace", "shipping", 10),
    ]
    assert all(function["defer_loading"] is True for tool in deferred[:-1] for function in tool["tools"])
    assert [[{**f, "defer_loading": True} for f in tool["tools"]] for tool in up_front] == [
        tool["tools"] for tool in deferred[:-1]
    ]
    asked = [sent_json(responses, n) for n in range(5)]
    assert asked[0]["tools"] == deferred
    assert asked[0]["input"] == sent_json(counted, 0)["input"] == "When will order ORD-1042 arrive?"
    assert asked[1]["previous_response_id"] == "resp_1"
    assert asked[1]["input"] == [{"type": "function_call_output", "call_id": "call_eta", "output": json.dumps(ETA)}]
    assert (asked[2]["input"], asked[2]["tools"]) == ("Is invoice INV-2001 paid?", [CLIENT_SEARCH])
    assert asked[3]["input"] == [
        {
            "type": "tool_search_output",
            "execution": "client",
            "call_id": "call_find",
            "tools": [
                {
                    "type": "namespace",
                    "name": "billing",
                    "description": "Invoices, payments, refunds, subscriptions and taxes.",
                    "tools": [INVOICE_STATUS],
                }
            ],
        }
    ]
    assert [body["tools"] for body in asked[3:]] == [[CLIENT_SEARCH], [CLIENT_SEARCH]]
    assert asked[4]["input"] == [{"type": "function_call_output", "call_id": "call_inv", "output": json.dumps(PAID)}]
    assert result.stdout.splitlines() == [
        "1. Thirty deferred functions in three namespaces, searched by OpenAI",
        "  input tokens of the first request: 150 deferred, 2100 up front",
        '  tool_search_call (server): {"query": "order arrive"}',
        "  tool_search_output: loaded shipping.get_delivery_eta",
        f'  function_call: shipping.get_delivery_eta({{"order_id": "ORD-1042"}}) -> {json.dumps(ETA)}',
        "  answer: It arrives on 9 December.",
        "",
        "2. The same catalog searched by this script (execution: client), never sent",
        '  tool_search_call (client): {"query": "invoice paid"}',
        "  this script searched its catalog and loaded: billing.get_invoice_status",
        f'  function_call: billing.get_invoice_status({{"invoice_id": "INV-2001"}}) -> {json.dumps(PAID)}',
        "  answer: Yes, it is paid.",
    ]


@pytest.mark.parametrize(
    ("query", "loaded"),
    [
        (
            "customer profile tier",
            "crm.get_customer_profile, billing.get_next_billing_date, billing.get_payment_method",
        ),
        ("shipping rates to a country", "shipping.get_shipping_rates, billing.get_tax_rate"),
        ("zebra", "nothing"),
    ],
    ids=["three at most, best first", "words of two letters do not count", "nothing fits"],
)
def test_the_script_s_own_search_loads_the_functions_sharing_most_words(openai_api, run_script, counted, query, loaded):
    responses = openai_api.post("/responses").mock(
        side_effect=[
            reply(payloads.message("Soon."), id="resp_2"),
            reply(search_call({"query": query}, "client", "call_find"), id="resp_3"),
            reply(payloads.message("Done."), id="resp_5"),
        ]
    )

    result = run_script(SCRIPT)

    assert f"  this script searched its catalog and loaded: {loaded}" in result.stdout.splitlines()
    tools = sent_json(responses, 2)["input"][0]["tools"]
    sent = [f"{tool['name']}.{inner['name']}" for tool in tools for inner in tool["tools"]]
    assert sorted(sent) == sorted([] if loaded == "nothing" else loaded.split(", "))  # sent in the catalog's order
    assert all("defer_loading" not in inner for tool in tools for inner in tool["tools"])


def test_a_lookup_with_no_record_answers_with_an_error_the_model_can_read(openai_api, run_script, counted):
    responses = openai_api.post("/responses").mock(
        side_effect=[
            reply(namespaced_call("shipping", "get_carrier", {"order_id": "ORD-9"}, "call_c"), id="resp_1"),
            reply(payloads.message("Unknown order."), id="resp_2"),
            reply(payloads.message("No."), id="resp_3"),
        ]
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0
    assert sent_json(responses, 1)["input"][0]["output"] == json.dumps({"error": "no record for 'ORD-9'"})


@pytest.mark.parametrize("stuck_in", [0, 1], ids=["the server search", "the client search"])
def test_a_model_still_calling_after_four_rounds_of_answers_is_stopped(openai_api, run_script, counted, stuck_in):
    calling = reply(namespaced_call("crm", "get_customer_profile", {"customer_id": "C-1"}, "call_p"), id="resp_x")
    answered = [reply(payloads.message("Fine."), id=f"resp_{n}") for n in range(stuck_in)]
    responses = openai_api.post("/responses").mock(side_effect=[*answered, *[calling] * 5])

    result = run_script(SCRIPT)

    assert (result.exit_code, responses.call_count) == (1, stuck_in + 5)  # the first reply, then four answered
    assert result.stderr == "The model was still calling tools after 4 rounds.\n"


def test_an_api_error_is_one_line_and_exit_1(openai_api, run_script):
    openai_api.post("/responses/input_tokens").mock(return_value=api_failure(500))

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert result.stdout == "1. Thirty deferred functions in three namespaces, searched by OpenAI\n"
    assert result.stderr == api_failure_line(500)
