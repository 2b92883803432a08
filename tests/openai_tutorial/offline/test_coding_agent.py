"""apply_patch and a local shell in the stand-in: one call a response for each step the message lists, outputs
paired with their calls, a report of what each step gave, and nothing run or written on the stand-in's side."""

import openai
import pytest

from openai_tutorial.client import get_model
from tests.support.refusals import error_of, refusal

MODEL = get_model()
PATCH = {"type": "apply_patch"}
LOCAL_SHELL = {"type": "shell", "environment": {"type": "local"}}
TASK = "Run `ls`; create `hello.py`; edit `hello.py` to greet by name; create `notes.md`; remove `old.txt`."
GREETING = '+def greet(name: str) -> str:\n+    return f"Hello, {name}!"\n+\n+\n+print(greet("world"))'
BY_NAME = (
    '+import sys\n+\n+\n def greet(name: str) -> str:\n@@\n-print(greet("world"))\n'
    '+print(greet(sys.argv[1] if len(sys.argv) > 1 else "world"))'
)
EXIT_0 = {"stdout": "", "stderr": "", "outcome": {"type": "exit", "exit_code": 0}}


def answered(call, *, status: str = "completed", output: str | None = "done", shell_outputs=None) -> dict:
    """What the client sends back for one call."""
    if call.type == "shell_call":
        outputs = [EXIT_0] if shell_outputs is None else shell_outputs
        return {"type": "shell_call_output", "call_id": call.call_id, "output": outputs}
    reply = {"type": "apply_patch_call_output", "call_id": call.call_id, "status": status}
    return reply if output is None else {**reply, "output": output}


def worked_through(client, task: str, tools: list[dict], **answer) -> list:
    """Every response of the loop a client runs: answer each call until the stand-in answers in words."""
    responses = [client.responses.create(model=MODEL, input=task, tools=tools)]
    while calls := [item for item in responses[-1].output if item.type in {"apply_patch_call", "shell_call"}]:
        assert len(responses) < 10, "the stand-in did not stop"
        responses.append(
            client.responses.create(
                model=MODEL,
                previous_response_id=responses[-1].id,
                input=[answered(call, **answer) for call in calls],
                tools=tools,
            )
        )
    return responses


def the_call(response):
    """The one call a response of the loop holds, after the model's reasoning."""
    (call,) = [item for item in response.output if item.type != "reasoning"]
    return call


def test_each_step_of_the_message_is_one_call_in_order_then_a_report(client):
    responses = worked_through(client, TASK, [PATCH, LOCAL_SHELL])

    calls = [the_call(response) for response in responses[:-1]]
    shell = calls[0]
    assert (shell.type, shell.action.commands, shell.environment.type) == ("shell_call", ["ls"], "local")
    assert (shell.action.timeout_ms, shell.action.max_output_length) == (10_000, 4_096)
    assert [(call.operation.type, call.operation.path) for call in calls[1:]] == [
        ("create_file", "hello.py"),
        ("update_file", "hello.py"),
        ("create_file", "notes.md"),
        ("delete_file", "old.txt"),
    ]
    assert [getattr(call.operation, "diff", None) for call in calls[1:]] == [
        GREETING,
        BY_NAME,
        "+A file the offline stand-in created.",
        None,
    ]
    assert responses[-1].output_text == (
        "This is the offline stand-in, not a model, so this reply is canned: ran `ls` (exit 0); "
        "create_file hello.py (completed); update_file hello.py (completed); create_file notes.md (completed); "
        "delete_file old.txt (completed)."
    )


@pytest.mark.parametrize(
    ("tools", "steps"),
    [
        ([PATCH], ["create_file", "update_file", "create_file", "delete_file"]),
        ([LOCAL_SHELL], ["ls"]),
        ([{"type": "shell"}, {"type": "web_search"}], ["ls"]),  # a shell without an environment is local
        ([LOCAL_SHELL, PATCH], ["ls", "create_file", "update_file", "create_file", "delete_file"]),
    ],
    ids=["apply_patch only", "local shell only", "shell with no environment", "shell listed first"],
)
def test_a_step_whose_tool_is_not_listed_is_left_out(client, tools, steps):
    responses = worked_through(client, TASK, tools)

    calls = [the_call(response) for response in responses[:-1]]
    assert [call.operation.type if call.type == "apply_patch_call" else call.action.commands[0] for call in calls] == (
        steps
    )


def test_a_task_with_no_step_the_tools_can_take_is_answered_at_once(client):
    (response,) = worked_through(client, "Tidy up, please.", [PATCH])

    assert response.output_text.endswith(": no step this request's tools can take.")


@pytest.mark.parametrize(
    ("task", "diff"),
    [
        ("Update `README.md`.", "+Edited by the offline stand-in."),
        ("Update `tool.py`.", "+# Edited by the offline stand-in."),
        ("Create `a.py`, change `a.py`, then change `a.py`.", "+# Edited by the offline stand-in."),
    ],
    ids=["a file it did not write", "a program it did not write", "its program, already changed"],
)
def test_a_file_that_is_not_its_own_greeting_gets_a_first_line(client, task, diff):
    responses = worked_through(client, task, [PATCH])

    assert the_call(responses[-2]).operation.diff == diff


def test_a_failed_patch_ends_the_work_with_its_reason(client):
    responses = worked_through(client, TASK, [PATCH], status="failed", output="hello.py is outside the workspace")

    assert len(responses) == 2
    assert responses[-1].output_text == (
        "This is the offline stand-in, not a model, so this reply is canned: create_file hello.py (failed). "
        "The last patch failed (hello.py is outside the workspace), so it stopped there; a real model reads why, "
        "then tries another way or asks."
    )


def test_a_failed_patch_without_a_reason_says_so(client):
    responses = worked_through(client, TASK, [PATCH], status="failed", output=None)

    assert "The last patch failed (no reason given)" in responses[-1].output_text


@pytest.mark.parametrize(
    ("shell_outputs", "said"),
    [
        ([{"stdout": "", "stderr": "", "outcome": {"type": "timeout"}}], "ran `ls` (timed out)"),
        ([{"stdout": "", "stderr": "nope\n", "outcome": {"type": "exit", "exit_code": 126}}], "ran `ls` (exit 126)"),
        ([], "ran `ls` (no output reported)"),
    ],
    ids=["timed out", "refused", "no output"],
)
def test_the_report_says_how_each_command_ended(client, shell_outputs, said):
    responses = worked_through(client, "Run `ls`.", [LOCAL_SHELL], shell_outputs=shell_outputs)

    assert responses[-1].output_text.endswith(f": {said}.")


@pytest.mark.parametrize("tools", [[PATCH], [LOCAL_SHELL]], ids=["apply_patch", "shell"])
def test_a_call_left_unanswered_on_the_next_request_is_refused(client, tools):
    first = client.responses.create(model=MODEL, input=TASK, tools=tools)
    call = the_call(first)
    kind = "apply_patch" if call.type == "apply_patch_call" else "shell"

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, previous_response_id=first.id, input="Go on.", tools=tools)

    assert error_of(raised) == refusal(f"No tool output found for {kind} call {call.call_id}.", "input")


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (
            {"type": "apply_patch_call_output", "call_id": "call_nowhere", "status": "completed"},
            refusal("No tool call found for apply_patch call output with call_id call_nowhere.", "input"),
        ),
        (
            {"type": "shell_call_output", "call_id": "call_nowhere", "output": []},
            refusal("No tool call found for shell call output with call_id call_nowhere.", "input"),
        ),
        (
            {"type": "apply_patch_call_output", "call_id": "call_nowhere"},
            refusal("Missing required parameter: 'input[0].status'.", "input[0].status"),
        ),
        (
            {"type": "shell_call_output", "call_id": "call_nowhere"},
            refusal("Missing required parameter: 'input[0].output'.", "input[0].output"),
        ),
    ],
    ids=["patch output of no call", "shell output of no call", "patch output without status", "shell without output"],
)
def test_an_output_that_answers_no_call_or_lacks_a_field_is_refused(client, output, expected):
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input=[output], tools=[PATCH])

    assert error_of(raised) == expected


def test_the_stand_in_keeps_no_container_for_a_local_shell(client):
    worked_through(client, TASK, [PATCH, LOCAL_SHELL])

    assert list(client.containers.list()) == []
