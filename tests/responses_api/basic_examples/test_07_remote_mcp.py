import httpx
import pytest

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/07-remote_mcp.py"
QUESTION = "Using the openai/openai-python repository, how does the SDK retry failed requests? Be brief."


DEEPWIKI = {
    "allowed_tools": ["read_wiki_structure", "ask_question"],
    "server_description": "Answers questions about public GitHub repositories from their generated wikis.",
}


def mcp_tool(require_approval: str, server_url: str = "https://mcp.deepwiki.com/mcp", label: str = "deepwiki") -> dict:
    tool = {"type": "mcp", "server_label": label, "server_url": server_url, "require_approval": require_approval}
    return {**tool, **DEEPWIKI} if server_url == "https://mcp.deepwiki.com/mcp" else tool


def test_without_approval_the_server_tools_are_listed_called_and_answered(openai_api, run_script):
    route = openai_api.post("/responses").respond(
        json=payloads.response(
            output=[
                payloads.mcp_list_tools("deepwiki", ["read_wiki_structure", "ask_question"]),
                payloads.mcp_call("deepwiki", "ask_question", {"repoName": "openai/openai-python"}, "x" * 400),
                payloads.message("It retries twice with exponential backoff."),
            ]
        )
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert sent_json(route) == {"model": "gpt-5.4-mini", "input": QUESTION, "tools": [mcp_tool("never")]}
    assert result.stdout == (
        "deepwiki offers: read_wiki_structure, ask_question\n"
        f'called ask_question({{"repoName": "openai/openai-python"}}) -> {"x" * 300}\n'
        "\nIt retries twice with exponential backoff.\n"
    )


def test_with_approval_each_request_is_put_to_the_user_and_answered_by_id(openai_api, run_script):
    asks = [
        payloads.mcp_approval_request("deepwiki", "ask_question", {"question": "retries?"}),
        payloads.mcp_approval_request("deepwiki", "read_wiki_contents", {"repoName": "openai/openai-python"}),
    ]
    route = openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(
                200, json=payloads.response(output=[payloads.mcp_list_tools("deepwiki", ["ask_question"]), *asks])
            ),
            httpx.Response(
                200,
                json=payloads.response(
                    output=[
                        payloads.mcp_call("deepwiki", "ask_question", {"question": "retries?"}, "Twice."),
                        payloads.message("Twice, with backoff."),
                    ]
                ),
            ),
        ]
    )

    result = run_script(SCRIPT, "--require-approval", stdin="y\nn\n")

    assert result.exit_code == 0, result.stderr
    first, second = sent_json(route, 0), sent_json(route, 1)
    assert first["tools"] == [mcp_tool("always")]
    assert second["previous_response_id"] == route.calls[0].response.json()["id"]
    assert second["tools"] == [mcp_tool("always")]
    assert second["input"] == [
        {"type": "mcp_approval_response", "approval_request_id": asks[0]["id"], "approve": True},
        {"type": "mcp_approval_response", "approval_request_id": asks[1]["id"], "approve": False},
    ]
    assert 'Allow deepwiki.ask_question({"question": "retries?"})? [y/N] ' in result.stdout
    assert result.stdout.endswith('called ask_question({"question": "retries?"}) -> Twice.\n\nTwice, with backoff.\n')


def test_approval_is_refused_when_there_is_no_one_to_answer(openai_api, run_script):
    ask = payloads.mcp_approval_request("deepwiki", "ask_question", {})
    route = openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(200, json=payloads.response(output=[ask])),
            httpx.Response(200, json=payloads.response("I could not use the tool.")),
        ]
    )

    result = run_script(SCRIPT, "--require-approval", stdin="")

    assert result.exit_code == 0
    assert sent_json(route)["input"][0]["approve"] is False


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--server-url", "https://mcp.example.org/sse"], {}),
        ([], {"MCP_SERVER_URL": "https://mcp.example.org/sse"}),
    ],
)
def test_the_server_url_comes_from_the_argument_or_the_environment(openai_api, run_script, args, env):
    route = openai_api.post("/responses").respond(json=payloads.response("Done."))

    result = run_script(SCRIPT, *args, env=env)

    assert result.exit_code == 0
    assert sent_json(route)["tools"] == [mcp_tool("never", "https://mcp.example.org/sse", label="example")]


def test_a_failed_tool_call_is_shown_as_failed(openai_api, run_script):
    failed = payloads.mcp_call("deepwiki", "ask_question", {}, "", error="upstream timed out")
    openai_api.post("/responses").respond(json=payloads.response(output=[failed, payloads.message("No luck.")]))

    result = run_script(SCRIPT)

    assert "called ask_question({}) -> failed (mcp_tool_execution_error)\n" in result.stdout


def test_endless_approval_requests_stop_after_five_rounds(openai_api, run_script):
    ask = payloads.mcp_approval_request("deepwiki", "ask_question", {})
    route = openai_api.post("/responses").respond(json=payloads.response(output=[ask]))

    result = run_script(SCRIPT, "--require-approval", stdin="y\n" * 10)

    assert result.exit_code == 1
    assert route.call_count == 6
    assert result.stdout.endswith("\nStill waiting for approvals after 5 rounds; stopping.\n")


def test_api_error_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.post("/responses").mock(return_value=api_failure(401))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(401))


def test_a_label_and_allowed_tools_can_be_given(openai_api, run_script):
    route = openai_api.post("/responses").respond(json=payloads.response("Done."))

    result = run_script(
        SCRIPT,
        "--server-url",
        "https://tools.example.net/mcp",
        "--server-label",
        "my-tools",
        "--allowed-tool",
        "search",
    )

    assert result.exit_code == 0, result.stderr
    assert sent_json(route)["tools"] == [
        {
            "type": "mcp",
            "server_label": "my-tools",
            "server_url": "https://tools.example.net/mcp",
            "require_approval": "never",
            "allowed_tools": ["search"],
        }
    ]


def test_a_server_url_without_a_host_is_a_usage_error(run_script):
    result = run_script(SCRIPT, "--server-url", "not-a-url")

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "'not-a-url' is not a server URL such as https://mcp.deepwiki.com/mcp.\n"


def test_a_single_label_host_is_used_whole(openai_api, run_script):
    route = openai_api.post("/responses").respond(json=payloads.response("Done."))

    run_script(SCRIPT, "--server-url", "http://localhost:8000/mcp")

    assert sent_json(route)["tools"][0]["server_label"] == "localhost"
