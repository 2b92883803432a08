"""Lesson 29 in a real headless Chromium (Debian's, through Playwright) on the page the lesson serves; OpenAI mocked."""

import base64
import os
import struct
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support import optional, payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/29-computer_use.py"
TASK = 'Fill in the form on this page: the name is "Ada Lovelace" and the email is "ada@example.com". Then send it.'
NO_BROWSER = "Computer use needs a browser: apt-get install chromium, then uv sync --group browser.\n"
CHECK = {"id": "cu_sc_1", "code": "malicious_instructions", "message": "The page may hold instructions. Go on?"}
# The form's fields and button are placed in pixels, so these points are the same on every machine.
NAME_FIELD, EMAIL_FIELD, SEND_BUTTON = (100, 110), (100, 180), (100, 233)
FILL = [
    {"type": "click", "button": "left", "x": NAME_FIELD[0], "y": NAME_FIELD[1]},
    {"type": "type", "text": "Ada Lovelace"},
    {"type": "click", "button": "left", "x": EMAIL_FIELD[0], "y": EMAIL_FIELD[1]},
    {"type": "type", "text": "ada@example.com"},
    {"type": "click", "button": "left", "x": SEND_BUTTON[0], "y": SEND_BUTTON[1]},
]
SENT = "The page now says: Thanks, Ada Lovelace! The catalogue goes to ada@example.com."


def computer_call(actions: list[dict], checks: list[dict] = (), call_id: str = "call_cu") -> dict:
    return {
        "id": f"cu_{call_id}",
        "type": "computer_call",
        "call_id": call_id,
        "status": "completed",
        "actions": actions,
        "pending_safety_checks": list(checks),
    }


def reply(*output: dict, id: str = "resp_1") -> httpx.Response:
    return httpx.Response(200, json=payloads.response(output=list(output), id=id))


def png_size(data_url: str) -> tuple[int, int]:
    """The width and height of a PNG data URL (its IHDR chunk), after checking it is one."""
    prefix = "data:image/png;base64,"
    assert data_url.startswith(prefix)
    image = base64.b64decode(data_url.removeprefix(prefix))
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", image[16:24])


def live_processes_marked(marker: str) -> list[str]:
    """Processes still running (not zombies) whose environment holds ``marker``: what the lesson started."""
    found = []
    for folder in Path("/proc").glob("[0-9]*"):
        try:
            environment = (folder / "environ").read_bytes()
            state = (folder / "stat").read_text().rsplit(")", 1)[1].split()[0]
            name = (folder / "comm").read_text().strip()
        except OSError:  # gone while we looked, or not ours to read
            continue
        if marker.encode() in environment and state != "Z" and int(folder.name) != os.getpid():
            found.append(name)
    return found


@pytest.fixture
def browser_run(monkeypatch):
    """Chromium must be there; every process the run starts carries a marker, and none may outlive it."""
    optional.require_chromium()
    marker = uuid.uuid4().hex
    monkeypatch.setenv("LESSON_29_TEST_RUN", marker)
    yield
    assert live_processes_marked(marker) == []


def test_the_batch_is_performed_each_screenshot_sent_and_the_page_read_at_the_end(openai_api, run_script, browser_run):
    responses = openai_api.post("/responses").mock(
        side_effect=[reply(computer_call(FILL, [CHECK])), reply(payloads.message("Sent."), id="resp_2")]
    )

    result = run_script(SCRIPT, "--yes")

    assert (result.exit_code, result.stderr) == (0, "")
    first, second = sent_json(responses, 0), sent_json(responses, 1)
    assert first["tools"] == second["tools"] == [{"type": "computer"}]
    (message,) = first["input"]
    text, image = message["content"]
    assert (message["role"], text) == ("user", {"type": "input_text", "text": TASK})
    assert (image["type"], image["detail"]) == ("input_image", "auto")
    assert png_size(image["image_url"]) == (1024, 768)
    assert second["previous_response_id"] == "resp_1"
    (output,) = second["input"]
    assert (output["type"], output["call_id"], output["acknowledged_safety_checks"]) == (
        "computer_call_output",
        "call_cu",
        [CHECK],
    )
    assert output["output"]["type"] == "computer_screenshot"
    assert png_size(output["output"]["image_url"]) == (1024, 768)
    assert output["output"]["image_url"] != image["image_url"]  # the form was filled in between
    assert result.stdout.splitlines() == [
        "Step 1:",
        "  safety check malicious_instructions: The page may hold instructions. Go on?",
        "  click at (100, 110)",
        "  type 'Ada Lovelace'",
        "  click at (100, 180)",
        "  type 'ada@example.com'",
        "  click at (100, 233)",
        "Answer: Sent.",
        SENT,
    ]


def test_a_safety_check_acknowledged_at_the_prompt_lets_the_actions_run(openai_api, run_script, browser_run):
    responses = openai_api.post("/responses").mock(
        side_effect=[reply(computer_call(FILL, [CHECK])), reply(payloads.message("Sent."), id="resp_2")]
    )

    result = run_script(SCRIPT, stdin="y\n")

    assert result.exit_code == 0
    assert "  Acknowledge it and let the model go on? [y/N]   click at (100, 110)" in result.stdout
    assert sent_json(responses)["input"][0]["acknowledged_safety_checks"] == [CHECK]
    assert result.stdout.splitlines()[-1] == SENT


@pytest.mark.parametrize("stdin", ["n\n", ""], ids=["declined", "nothing on stdin"])
def test_a_safety_check_not_acknowledged_stops_before_any_action(openai_api, run_script, browser_run, stdin):
    responses = openai_api.post("/responses").mock(return_value=reply(computer_call(FILL, [CHECK])))

    result = run_script(SCRIPT, stdin=stdin)

    assert (result.exit_code, responses.call_count) == (1, 1)
    assert result.stderr == "Stopped: a safety check was not acknowledged, so no action was taken.\n"
    assert result.stdout.endswith("The page now says: Not sent yet.\n")  # the prompt's line, ended by no answer


def test_every_kind_of_action_is_performed_or_said_to_be_skipped(openai_api, run_script, browser_run):
    actions = [
        {"type": "move", "x": 5, "y": 5, "keys": ["SHIFT"]},  # held while the pointer moves
        {"type": "double_click", "x": NAME_FIELD[0], "y": NAME_FIELD[1]},
        {"type": "type", "text": "Ada"},
        {"type": "keypress", "keys": ["CTRL", "A"]},  # selects what was typed, so the next text replaces it
        {"type": "type", "text": "Grace Hopper"},
        {"type": "click", "button": "right", "x": 600, "y": 600},
        {"type": "click", "button": "wheel", "x": 600, "y": 600},
        {"type": "click", "button": "back", "x": 600, "y": 600},
        {"type": "scroll", "x": 500, "y": 400, "scroll_x": 0, "scroll_y": 120},
        {"type": "drag", "path": [{"x": 700, "y": 500}, {"x": 720, "y": 520}, {"x": 740, "y": 540}]},
        {"type": "wait"},
        {"type": "screenshot"},
        {"type": "click", "button": "left", "x": EMAIL_FIELD[0], "y": EMAIL_FIELD[1]},
        {"type": "type", "text": "grace@example.com"},
        {"type": "keypress", "keys": ["ENTER"]},
    ]
    openai_api.post("/responses").mock(
        side_effect=[reply(computer_call(actions)), reply(payloads.message("Done."), id="resp_2")]
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Step 1:",
        "  move to (5, 5)",
        "  double_click at (100, 110)",
        "  type 'Ada'",
        "  keypress CTRL+A",
        "  type 'Grace Hopper'",
        "  click at (600, 600) with right",
        "  click at (600, 600) with middle",
        "  click with the back button: not supported by Playwright, skipped",
        "  scroll by (0, 120) at (500, 400)",
        "  drag (700, 500) -> (720, 520) -> (740, 540)",
        "  wait 500 ms",
        "  screenshot (one is sent after every batch)",
        "  click at (100, 180)",
        "  type 'grace@example.com'",
        "  keypress ENTER",
        "Answer: Done.",
        "The page now says: Thanks, Grace Hopper! The catalogue goes to grace@example.com.",
    ]


def test_a_model_still_acting_after_ten_batches_is_stopped(openai_api, run_script, browser_run):
    looking = reply(computer_call([{"type": "screenshot"}]))
    responses = openai_api.post("/responses").mock(return_value=looking)

    result = run_script(SCRIPT)

    assert (result.exit_code, responses.call_count) == (1, 11)  # the first request, then one per batch
    assert result.stderr == "Stopped after 10 batches of actions without an answer.\n"
    assert result.stdout.splitlines()[-2:] == [
        "  screenshot (one is sent after every batch)",
        "The page now says: Not sent yet.",
    ]


def test_an_api_error_is_one_line_and_the_browser_is_closed(openai_api, run_script, browser_run):
    openai_api.post("/responses").mock(side_effect=[reply(computer_call(FILL)), api_failure(500)])

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(500))


def test_without_chromium_it_says_how_to_install_it_and_exits_2(openai_api, run_script, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium on it

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stdout, result.stderr) == (2, "", NO_BROWSER)


def test_without_playwright_it_says_how_to_install_it_and_exits_2(openai_api, run_script, monkeypatch):
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # as if the browser group were not installed

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stdout, result.stderr) == (2, "", NO_BROWSER)
