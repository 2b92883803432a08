import json
import subprocess
import sys

import pytest

from tests.conftest import PATIENCE, REPO_ROOT
from tests.support import payloads

SCRIPT = "Responses_API/Basic_examples/01-basic_example.py"


def test_sends_the_prompt_and_prints_reply_id_status_model_and_usage(openai_api, run_script):
    reply = payloads.response(
        "It is OpenAI's API for generating model responses.",
        id="resp_basic_1",
        model="gpt-5.4-mini-2026-03-17",
        usage_=payloads.usage(21, 13),
    )
    route = openai_api.post("/responses").respond(json=reply)

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert route.call_count == 1
    sent = json.loads(route.calls.last.request.content)
    assert sent == {"model": "gpt-5.4-mini", "input": "In two sentences, what is the OpenAI Responses API for?"}
    assert route.calls.last.request.headers["authorization"] == "Bearer sk-test-0123456789"
    assert result.stdout.splitlines() == [
        "It is OpenAI's API for generating model responses.",
        "",
        "response id: resp_basic_1",
        "status:      completed",
        "model:       gpt-5.4-mini-2026-03-17",
        "tokens:      21 in + 13 out = 34",
    ]


def test_prompt_from_the_command_line_and_model_from_the_environment(openai_api, run_script):
    route = openai_api.post("/responses").respond(json=payloads.response("Bonjour !"))

    result = run_script(SCRIPT, "Say", "hello", "in", "French", env={"OPENAI_MODEL": "gpt-5.5"})

    assert result.exit_code == 0
    assert json.loads(route.calls.last.request.content) == {"model": "gpt-5.5", "input": "Say hello in French"}
    assert result.stdout.startswith("Bonjour !\n")


@pytest.mark.parametrize(
    ("status", "error_type", "message"),
    [
        (401, "invalid_request_error", "Incorrect API key provided: sk-test-***6789."),
        (429, "requests", "Rate limit reached for gpt-5.4-mini."),
        (500, "server_error", "The server had an error while processing your request."),
    ],
)
def test_api_error_prints_one_line_and_exits_1(openai_api, run_script, status, error_type, message):
    openai_api.post("/responses").respond(
        status, json=payloads.api_error(message, type=error_type), headers={"x-request-id": "req_abc123"}
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"OpenAI API error {status} ({error_type}): {message} [request id: req_abc123]\n"


def test_without_a_key_and_offline_mode_off_the_real_command_prints_the_hint_and_exits_2(tmp_path):
    # The command from the README, as a user runs it: a separate process, no key anywhere.
    # An empty OPENAI_API_KEY also keeps a developer's own .env from supplying one.
    env = {"PATH": "", "OPENAI_API_KEY": "", "OPENAI_OFFLINE": "0", "HOME": str(tmp_path)}
    completed = subprocess.run(
        [sys.executable, SCRIPT], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=PATIENCE
    )

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr == (
        "OPENAI_API_KEY is not set: copy .env.example to .env and put your key in it (or export OPENAI_API_KEY).\n"
    )
