"""Every lesson, run as its README line runs it, against the real API: shapes, not words.

A lesson passes when it exits 0, every response it got back has the shape the SDK and the
lesson rely on (an id, a status, typed output items, usage once finished), and the requests
show what the lesson is about (``SIGNS``: an output item type, or a request to an endpoint).
"""

import re
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.support import live

pytestmark = [pytest.mark.live, pytest.mark.enable_socket]

LESSONS = sorted(
    str(path.relative_to(REPO_ROOT))
    for folder in ("Responses_API/Basic_examples", "Conversation_API/Basic_examples")
    for path in (REPO_ROOT / folder).glob("[0-9][0-9]-*.py")
)
# What shows that a lesson did what it teaches: an output item of this type, or a request "METHOD /path".
SIGNS = {
    "Responses_API/Basic_examples/02-analyse_images.py": ["message"],
    "Responses_API/Basic_examples/04-upload_and_analyse_local_file.py": ["POST /files"],
    "Responses_API/Basic_examples/05-model_with_web_search_tool.py": ["web_search_call"],
    "Responses_API/Basic_examples/06-function_calling.py": ["function_call"],
    "Responses_API/Basic_examples/07-remote_mcp.py": ["mcp_list_tools"],
    "Responses_API/Basic_examples/11-create_and_retrieve_response.py": ["GET /responses/"],
    "Responses_API/Basic_examples/12-delete_response.py": ["DELETE /responses/"],
    "Responses_API/Basic_examples/13-background_and_cancel.py": ["POST /responses/.+/cancel"],
    "Responses_API/Basic_examples/14-list_input_items.py": ["GET /responses/.+/input_items"],
    "Responses_API/Basic_examples/15-count_input_tokens.py": ["POST /responses/input_tokens"],
    "Responses_API/Basic_examples/16-reasoning.py": ["reasoning"],
    "Responses_API/Basic_examples/17-file_search.py": ["file_search_call", "POST /vector_stores"],
    "Responses_API/Basic_examples/18-code_interpreter.py": ["code_interpreter_call"],
    "Responses_API/Basic_examples/19-image_generation.py": ["image_generation_call"],
    "Responses_API/Basic_examples/23-pydantic_function_tools.py": ["function_call"],
    "Responses_API/Basic_examples/25-custom_tools_with_grammars.py": ["custom_tool_call"],
    "Responses_API/Basic_examples/26-hosted_shell_and_containers.py": ["shell_call"],
    "Responses_API/Basic_examples/27-apply_patch_coding_agent.py": ["apply_patch_call"],
    "Responses_API/Basic_examples/28-tool_search_with_namespaces.py": ["tool_search_call"],
    "Responses_API/Basic_examples/29-computer_use.py": ["computer_call"],
    "Responses_API/Basic_examples/32-server_side_compaction.py": ["compaction"],
    "Responses_API/Basic_examples/33-background_work_with_webhooks.py": ["status queued"],
    "Conversation_API/Basic_examples/01-conversation_basics.py": ["POST /conversations"],
    "Conversation_API/Basic_examples/02-update_metadata.py": ["POST /conversations/conv_"],
    "Conversation_API/Basic_examples/03-retrieve_metadata.py": ["GET /conversations/conv_"],
    "Conversation_API/Basic_examples/04-conversation_items.py": ["GET /conversations/.+/items"],
    "Conversation_API/Basic_examples/05-compact_conversation.py": ["POST /responses/compact"],
}
STATUSES = {"completed", "incomplete", "cancelled", "queued", "in_progress", "failed"}
# As the README runs them: lessons 2 and 3 take the id of a conversation lesson 1 kept (``{conversation}``).
ARGUMENTS = {
    "Conversation_API/Basic_examples/02-update_metadata.py": ["{conversation}", "topic=live-self-check"],
    "Conversation_API/Basic_examples/03-retrieve_metadata.py": ["{conversation}"],
}
STDIN = {"Responses_API/Basic_examples/29-computer_use.py": "y\n" * 10}  # acknowledge each safety check
KEEPS_A_CONVERSATION = ("Conversation_API/Basic_examples/01-conversation_basics.py", "--keep")


def shape_problems(response: dict) -> list[str]:
    """What is wrong with a Response object's shape (nothing, for one the SDK and the lessons can use)."""
    problems = []
    if not str(response.get("id", "")).startswith("resp_"):
        problems.append(f"an id that is not a response id: {response.get('id')!r}")
    if response.get("object") == "response" and response.get("status") not in STATUSES:
        problems.append(f"status {response.get('status')!r}")
    if not all(isinstance(item, dict) and item.get("type") for item in response.get("output") or []):
        problems.append("an output item without a type")
    if response.get("status") in {"completed", "incomplete", None} and not response.get("usage"):
        problems.append("no usage")
    return problems


def signs_missing(lesson: str, traffic: live.Traffic, since: int, first_response: int) -> list[str]:
    requests = [f"{method} {path}" for method, path, _ in traffic.requests[since:]]
    items = {item.get("type") for response in traffic.responses[first_response:] for item in response["output"]}
    statuses = {f"status {response.get('status')}" for response in traffic.responses[first_response:]}
    missing = []
    for sign in SIGNS.get(lesson, ["message"]):
        if sign.startswith("status "):
            if sign not in statuses:
                missing.append(f"no response with {sign}")
        elif " " in sign:
            if not any(re.fullmatch(sign + ".*", request) for request in requests):
                missing.append(f"no request {sign}")
        elif sign not in items:
            missing.append(f"no {sign} item")
    return missing


@pytest.mark.parametrize("lesson", LESSONS, ids=[Path(lesson).stem for lesson in LESSONS])
def test_the_lesson_runs_against_the_api(lesson, live_run, run_script):
    traffic = live_run.traffic
    arguments = ARGUMENTS.get(lesson, [])
    if "{conversation}" in arguments:
        kept = run_script(*KEEPS_A_CONVERSATION)
        conversation_id = re.search(r"conv_\w+", kept.stdout).group()  # deleted by the clean-up at the end
        arguments = [argument.replace("{conversation}", conversation_id) for argument in arguments]
    since, first_response = len(traffic.requests), len(traffic.responses)

    result = run_script(lesson, *arguments, stdin=STDIN.get(lesson, ""))

    assert result.exit_code == 0, result.stderr
    problems = [problem for response in traffic.responses[first_response:] for problem in shape_problems(response)]
    assert problems == []
    assert signs_missing(lesson, traffic, since, first_response) == []
