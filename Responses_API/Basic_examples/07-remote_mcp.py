"""Remote MCP: give the model the tools of a remote MCP server, with or without approval.

An ``mcp`` tool names a server: ``server_url`` (a Streamable HTTP endpoint, the transport
that replaced SSE for remote servers), a ``server_label`` that names it in
every item (here taken from the URL's host unless ``--server-label`` says otherwise), and
an optional ``server_description`` that helps the model decide when to use it. OpenAI
connects, lists the server's tools (an ``mcp_list_tools`` item) and calls them (``mcp_call``
items); ``allowed_tools`` narrows the list, which saves tokens. ``require_approval`` decides
whether you are asked first: with ``always`` the reply stops at ``mcp_approval_request``
items, and you continue with an ``mcp_approval_response`` for each (approve true or false).
When you continue with ``previous_response_id``, the earlier ``mcp_list_tools`` item is part
of the context, so the tools are not listed again, and approvals you gave stay in it; but
the tool definition itself (and any headers) must be sent again with every request. What
to look for in the output: the tools the server offered, each call and its result, then
the answer.

Run: uv run python Responses_API/Basic_examples/07-remote_mcp.py [--require-approval] [--server-url URL] \
         [--server-label LABEL] [--allowed-tool NAME]
(the URL can also come from MCP_SERVER_URL; the default server answers questions about GitHub repositories)
API reference: https://developers.openai.com/api/docs/guides/tools-connectors-mcp
"""

import argparse
import re
from urllib.parse import urlsplit

from openai.types.responses import ResponseInputItemParam, ResponseOutputItem
from openai.types.responses.response_output_item import McpApprovalRequest
from openai.types.responses.tool_param import Mcp

from openai_tutorial.client import UsageError, get_client, get_model, run, setting

DEFAULT_SERVER_URL = "https://mcp.deepwiki.com/mcp"
DEFAULT_SERVER_DESCRIPTION = "Answers questions about public GitHub repositories from their generated wikis."
DEFAULT_ALLOWED_TOOLS = ["read_wiki_structure", "ask_question"]
QUESTION = "Using the openai/openai-python repository, how does the SDK retry failed requests? Be brief."
MAX_ROUNDS = 5
RESULT_PREVIEW_CHARS = 300


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Use a remote MCP server's tools through the Responses API.")
    parser.add_argument("--server-url", default=setting("MCP_SERVER_URL", DEFAULT_SERVER_URL))
    parser.add_argument("--server-label", help="the server's name in every item (default: from the URL's host)")
    parser.add_argument("--allowed-tool", action="append", help="offer only this tool (repeatable)")
    parser.add_argument("--require-approval", action="store_true", help="ask before every tool call")
    return parser.parse_args()


def label_for(server_url: str) -> str:
    """A label from the URL's host: mcp.deepwiki.com -> deepwiki."""
    host = urlsplit(server_url).hostname
    if not host:
        raise UsageError(f"{server_url!r} is not a server URL such as {DEFAULT_SERVER_URL}.")
    parts = host.split(".")
    return re.sub(r"[^A-Za-z0-9_-]", "_", parts[-2] if len(parts) > 1 else parts[0])


def show_mcp_items(output: list[ResponseOutputItem]) -> None:
    for item in output:
        if item.type == "mcp_list_tools":
            print(f"{item.server_label} offers: {', '.join(tool.name for tool in item.tools)}")
        elif item.type == "mcp_call":
            result = (item.output or "") if item.error is None else f"failed ({item.error.type})"
            print(f"called {item.name}({item.arguments}) -> {result[:RESULT_PREVIEW_CHARS]}")


def ask_user(request: McpApprovalRequest) -> bool:
    try:
        answer = input(f"Allow {request.server_label}.{request.name}({request.arguments})? [y/N] ")
    except EOFError:
        answer = ""
    return answer.strip().lower() in {"y", "yes"}


def main() -> int:
    args = parse_arguments()
    is_default_server = args.server_url == DEFAULT_SERVER_URL
    mcp_tool: Mcp = {
        "type": "mcp",
        "server_label": args.server_label or label_for(args.server_url),
        "server_url": args.server_url,
        "require_approval": "always" if args.require_approval else "never",
    }
    if allowed_tools := args.allowed_tool or (DEFAULT_ALLOWED_TOOLS if is_default_server else None):
        mcp_tool["allowed_tools"] = allowed_tools
    if is_default_server:
        mcp_tool["server_description"] = DEFAULT_SERVER_DESCRIPTION
    client = get_client()
    response = client.responses.create(model=get_model(), input=QUESTION, tools=[mcp_tool])

    for _ in range(MAX_ROUNDS):
        show_mcp_items(response.output)
        requests = [item for item in response.output if item.type == "mcp_approval_request"]
        if not requests:
            print(f"\n{response.output_text}")
            return 0
        approvals: list[ResponseInputItemParam] = [
            {"type": "mcp_approval_response", "approval_request_id": request.id, "approve": ask_user(request)}
            for request in requests
        ]
        response = client.responses.create(
            model=get_model(), previous_response_id=response.id, input=approvals, tools=[mcp_tool]
        )

    print(f"\nStill waiting for approvals after {MAX_ROUNDS} rounds; stopping.")
    return 1


if __name__ == "__main__":
    run(main)
