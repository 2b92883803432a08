"""Remote MCP: give the model the tools of a remote MCP server, with or without approval.

An ``mcp`` tool names a server (``server_label``, ``server_url``); OpenAI connects to it,
lists its tools (an ``mcp_list_tools`` item) and calls them (``mcp_call`` items) while
answering. ``require_approval`` decides whether you are asked first: with ``always``
the reply stops at ``mcp_approval_request`` items, and you continue the response with an
``mcp_approval_response`` for each (approve true or false). Tools and headers are not
carried over between requests, so the tool is sent again with every continuation.
What to look for in the output: the tools the server offered, each call and its result,
then the answer.

Run: uv run python Responses_API/Basic_examples/7-remote_sse_mcp.py [--require-approval] [--server-url URL]
(the URL can also come from MCP_SERVER_URL; the default server answers questions about GitHub repositories)
API reference: https://platform.openai.com/docs/guides/tools-connectors-mcp
"""

import argparse

from openai_tutorial.client import get_client, get_model, run, setting

DEFAULT_SERVER_URL = "https://mcp.deepwiki.com/mcp"
SERVER_LABEL = "deepwiki"
QUESTION = "Using the openai/openai-python repository, how does the SDK retry failed requests? Be brief."
MAX_ROUNDS = 5
RESULT_PREVIEW_CHARS = 300


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Use a remote MCP server's tools through the Responses API.")
    parser.add_argument("--server-url", default=setting("MCP_SERVER_URL", DEFAULT_SERVER_URL))
    parser.add_argument("--require-approval", action="store_true", help="ask before every tool call")
    return parser.parse_args()


def show_mcp_items(output) -> None:
    for item in output:
        if item.type == "mcp_list_tools":
            print(f"{item.server_label} offers: {', '.join(tool.name for tool in item.tools)}")
        elif item.type == "mcp_call":
            result = item.output if item.error is None else f"failed ({item.error.type})"
            print(f"called {item.name}({item.arguments}) -> {result[:RESULT_PREVIEW_CHARS]}")


def ask_user(request) -> bool:
    try:
        answer = input(f"Allow {request.server_label}.{request.name}({request.arguments})? [y/N] ")
    except EOFError:
        answer = ""
    return answer.strip().lower() in {"y", "yes"}


def main() -> int:
    args = parse_arguments()
    mcp_tool = {
        "type": "mcp",
        "server_label": SERVER_LABEL,
        "server_url": args.server_url,
        "require_approval": "always" if args.require_approval else "never",
    }
    client = get_client()
    response = client.responses.create(model=get_model(), input=QUESTION, tools=[mcp_tool])

    for _ in range(MAX_ROUNDS):
        show_mcp_items(response.output)
        requests = [item for item in response.output if item.type == "mcp_approval_request"]
        if not requests:
            print(f"\n{response.output_text}")
            return 0
        approvals = [
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
