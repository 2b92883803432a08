"""Tool search: thirty functions in three namespaces, loaded only when the model looks for them.

Every function definition you send costs input tokens on every request. With
``defer_loading: true`` a function is held back: for a ``namespace`` the model first sees
only the namespace's name and description. Add the ``tool_search`` tool and the model
searches when it needs a tool: the response holds a ``tool_search_call`` (what it looked
for), a ``tool_search_output`` (the definitions it loaded, at the end of the context, so
the cached start of the prompt stays the same) and then an ordinary ``function_call`` of a
loaded function, which names its ``namespace``; you run it and answer by ``call_id`` as in
lesson 6. OpenAI's guide advises fewer than ten functions per namespace, each namespace
described well enough to be searched.

Two ways are shown:
1. ``execution: "server"``: OpenAI searches the deferred functions you sent; the input
   tokens of the first request are counted both ways (``responses.input_tokens.count``);
2. ``execution: "client"``: your code searches a catalog you never send (here the same
   thirty functions) and answers the ``tool_search_call`` with a ``tool_search_output``
   holding the tools it chose; ``description`` and ``parameters`` tell the model how to ask.
Only gpt-5.4 and later models support tool search; older ones refuse the request.

What to look for in the output: the two token counts, each search and what it loaded,
then the call of a function that was never sent up front.

Run: uv run python Responses_API/Basic_examples/28-tool_search_with_namespaces.py
API reference: https://developers.openai.com/api/docs/guides/tools-tool-search
"""

import json
import re
import sys

from openai import OpenAI
from openai.types.responses import (
    Response,
    ResponseFunctionToolCall,
    ResponseInputItemParam,
    ResponseOutputItem,
    ResponseToolSearchCall,
    ResponseToolSearchOutputItemParamParam,
    ToolParam,
    ToolSearchToolParam,
)
from openai.types.responses.namespace_tool_param import ToolFunction
from openai.types.responses.response_input_item_param import FunctionCallOutput

from openai_tutorial.client import get_client, get_model, run

# namespace -> (what it holds, {function: (what it does, its one parameter)})
CATALOG = {
    "crm": (
        "Customer records: profiles, contacts, notes, segments and account managers.",
        {
            "get_customer_profile": ("Fetch a customer's profile: name, tier, since when.", "customer_id"),
            "find_customer_by_email": ("Find the customer an email address belongs to.", "email"),
            "list_customer_contacts": ("List the people to contact at a customer.", "customer_id"),
            "list_customer_notes": ("List the notes the team wrote about a customer.", "customer_id"),
            "get_customer_segment": ("Say which market segment a customer is in.", "customer_id"),
            "get_account_manager": ("Name the account manager of a customer.", "customer_id"),
            "list_customer_tags": ("List the tags put on a customer.", "customer_id"),
            "get_lifetime_value": ("Estimate a customer's lifetime value.", "customer_id"),
            "list_support_tickets": ("List a customer's open support tickets.", "customer_id"),
            "list_recent_signups": ("List the customers who signed up on a day.", "day"),
        },
    ),
    "billing": (
        "Invoices, payments, refunds, subscriptions and taxes.",
        {
            "get_invoice_status": ("Say whether an invoice is paid, due or overdue.", "invoice_id"),
            "list_unpaid_invoices": ("List a customer's unpaid invoices.", "customer_id"),
            "get_payment_method": ("Describe the card or account a customer pays with.", "customer_id"),
            "get_refund_status": ("Say where a refund is.", "refund_id"),
            "list_credit_notes": ("List the credit notes issued to a customer.", "customer_id"),
            "get_subscription_plan": ("Name a customer's subscription plan.", "customer_id"),
            "get_next_billing_date": ("Give the date a customer is billed next.", "customer_id"),
            "list_payments": ("List the payments a customer made.", "customer_id"),
            "get_tax_rate": ("Give the sales tax rate of a country.", "country"),
            "get_discount": ("Describe what a discount code gives.", "code"),
        },
    ),
    "shipping": (
        "Orders on their way: tracking, delivery dates, stock, carriers and returns.",
        {
            "get_delivery_eta": ("Say when an order will arrive: the carrier's estimated delivery date.", "order_id"),
            "track_shipment": ("Follow a parcel by its tracking number.", "tracking_number"),
            "list_order_items": ("List what an order holds.", "order_id"),
            "get_warehouse_stock": ("Count the units of a product in stock.", "sku"),
            "get_shipping_rates": ("Give the shipping rates to a country.", "country"),
            "list_delayed_orders": ("List the orders running late on a day.", "day"),
            "get_return_label": ("Make a return label for an order.", "order_id"),
            "get_carrier": ("Name the carrier that delivers an order.", "order_id"),
            "get_delivery_address": ("Give the address an order goes to.", "order_id"),
            "list_pickup_points": ("List the pickup points near a postcode.", "postcode"),
        },
    ),
}
# The records this lesson's questions need; any other lookup finds nothing.
RECORDS: dict[tuple[str | None, str, str], dict[str, str]] = {
    ("shipping", "get_delivery_eta", "ORD-1042"): {"order_id": "ORD-1042", "eta": "2026-12-09", "carrier": "DHL"},
    ("billing", "get_invoice_status", "INV-2001"): {
        "invoice_id": "INV-2001",
        "status": "paid",
        "paid_on": "2026-11-30",
    },
}
CLIENT_SEARCH: ToolSearchToolParam = {
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
MAX_ROUNDS = 4  # search, call, answer: a bound on the loop, not a target
FOUND_PER_SEARCH = 3


def function(name: str, description: str, parameter: str, *, deferred: bool) -> ToolFunction:
    schema = {
        "type": "object",
        "properties": {parameter: {"type": "string"}},
        "required": [parameter],
        "additionalProperties": False,
    }
    tool: ToolFunction = {
        "type": "function",
        "name": name,
        "description": description,
        "parameters": schema,
        "strict": True,
    }
    return {**tool, "defer_loading": True} if deferred else tool


def namespaces(*, deferred: bool, only: dict[str, list[str]] | None = None) -> list[ToolParam]:
    """The catalog as namespace tools; ``only`` keeps the named functions of each namespace named."""
    tools: list[ToolParam] = []
    for name, (description, functions) in CATALOG.items():
        kept = {key: value for key, value in functions.items() if only is None or key in only.get(name, [])}
        if kept:
            inner = [function(key, *value, deferred=deferred) for key, value in kept.items()]
            tools.append({"type": "namespace", "name": name, "description": description, "tools": inner})
    return tools


def words(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z]+", text.lower()) if len(word) > 2}


def search_catalog(query: str) -> dict[str, list[str]]:
    """This script's own search: the functions whose name or description share the most words with the query."""
    scored = []
    for namespace, (_, functions) in CATALOG.items():
        for name, (description, _) in functions.items():
            shared = len(words(query) & words(f"{name.replace('_', ' ')} {description}"))
            if shared:
                scored.append((-shared, namespace, name))
    found: dict[str, list[str]] = {}
    for _, namespace, name in sorted(scored)[:FOUND_PER_SEARCH]:
        found.setdefault(namespace, []).append(name)
    return found


def called(item: ResponseFunctionToolCall) -> FunctionCallOutput:
    """Run one function call (from the records above) and answer it."""
    arguments = json.loads(item.arguments)
    value = next(iter(arguments.values()), "")
    result = RECORDS.get((item.namespace, item.name, value), {"error": f"no record for {value!r}"})
    print(f"  function_call: {item.namespace}.{item.name}({item.arguments}) -> {json.dumps(result)}")
    return {"type": "function_call_output", "call_id": item.call_id, "output": json.dumps(result)}


def searched(item: ResponseToolSearchCall) -> ResponseToolSearchOutputItemParamParam:
    """Answer a client-executed search with the namespaces of the functions it found."""
    arguments = item.arguments if isinstance(item.arguments, dict) else {}  # typed as any JSON value
    found = search_catalog(arguments.get("query", ""))
    print(f"  this script searched its catalog and loaded: {loaded_names(found)}")
    tools = namespaces(deferred=False, only=found)
    return {"type": "tool_search_output", "execution": "client", "call_id": item.call_id, "tools": tools}


def loaded_names(found: dict[str, list[str]]) -> str:
    return ", ".join(f"{namespace}.{name}" for namespace, names in found.items() for name in names) or "nothing"


def show_search(item: ResponseOutputItem) -> None:
    if item.type == "tool_search_call":
        print(f"  tool_search_call ({item.execution}): {json.dumps(item.arguments)}")
    elif item.type == "tool_search_output" and item.execution == "server":
        found = {tool.name: [inner.name for inner in tool.tools] for tool in item.tools if tool.type == "namespace"}
        print(f"  tool_search_output: loaded {loaded_names(found)}")


def answers(response: Response) -> list[ResponseInputItemParam]:
    """Show what the response searched, and answer each search left to this script and each function call."""
    outputs: list[ResponseInputItemParam] = []
    for item in response.output:
        show_search(item)
        if item.type == "tool_search_call" and item.execution == "client":
            outputs.append(searched(item))
        elif item.type == "function_call":
            outputs.append(called(item))
    return outputs


def work_through(client: OpenAI, response: Response, tools: list[ToolParam]) -> bool:
    """Answer searches and calls until the model answers in words; False if it is still calling after MAX_ROUNDS."""
    rounds = 0
    while outputs := answers(response):
        if rounds == MAX_ROUNDS:
            print(f"The model was still calling tools after {MAX_ROUNDS} rounds.", file=sys.stderr)
            return False
        response = client.responses.create(
            model=get_model(), previous_response_id=response.id, input=outputs, tools=tools
        )
        rounds += 1
    print(f"  answer: {response.output_text}")
    return True


def main() -> int:
    client = get_client()

    print("1. Thirty deferred functions in three namespaces, searched by OpenAI")
    question = "When will order ORD-1042 arrive?"
    deferred: list[ToolParam] = [*namespaces(deferred=True), {"type": "tool_search"}]
    up_front = namespaces(deferred=False)
    counts = [
        client.responses.input_tokens.count(model=get_model(), input=question, tools=tools)
        for tools in (deferred, up_front)
    ]
    print(f"  input tokens of the first request: {counts[0].input_tokens} deferred, {counts[1].input_tokens} up front")
    response = client.responses.create(model=get_model(), input=question, tools=deferred)
    if not work_through(client, response, deferred):
        return 1

    print("\n2. The same catalog searched by this script (execution: client), never sent")
    question = "Is invoice INV-2001 paid?"
    response = client.responses.create(model=get_model(), input=question, tools=[CLIENT_SEARCH])
    return 0 if work_through(client, response, [CLIENT_SEARCH]) else 1


if __name__ == "__main__":
    run(main)
