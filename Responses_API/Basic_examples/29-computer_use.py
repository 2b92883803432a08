"""Computer use: the model looks at screenshots of a browser and says where to click and what to type.

With the ``computer`` tool the model drives a computer it sees only through screenshots. You
send the task with a first screenshot; each response holds a ``computer_call`` whose
``actions`` are a batch (click, double_click, drag, move, scroll, keypress, type, wait,
screenshot) for you to perform; you answer with a ``computer_call_output`` holding a new
screenshot, and so on until the model answers in words. The GA ``computer`` tool replaced
``computer_use_preview`` (one ``action`` per call), which gpt-5.4 models refuse.

The computer here is a headless Chromium, driven by Playwright, on a small form this script
serves itself on 127.0.0.1: nothing from the internet. A call may carry
``pending_safety_checks`` (the model suspects a trap, or a site the task did not name): the
actions wait until you acknowledge each one, with ``--yes`` or at the prompt, and the next
``computer_call_output`` lists them in ``acknowledged_safety_checks``. The loop stops after
``MAX_STEPS`` batches, and the browser and the page's server are closed whatever happens.

What to look for in the output: each batch of actions, the safety check and its answer, and
what the page says at the end (read from the page, not from the model).

Run: uv run python Responses_API/Basic_examples/29-computer_use.py [--yes]
(needs Debian's Chromium and Playwright: apt-get install chromium, then uv sync --group browser)
API reference: https://developers.openai.com/api/docs/guides/tools-computer-use
"""

from __future__ import annotations  # the Playwright types below are named only for the type checker

import argparse
import base64
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Literal

from openai import OpenAI
from openai.types.responses import (
    ComputerAction,
    ResponseComputerToolCall,
    ResponseInputMessageContentListParam,
    ToolParam,
)
from openai.types.responses.response_input_item_param import (
    ComputerCallOutput,
    ComputerCallOutputAcknowledgedSafetyCheck,
)

from openai_tutorial.client import get_client, get_model, run

if TYPE_CHECKING:  # Playwright is optional (uv sync --group browser): main() imports it when it runs
    from playwright.sync_api import Page as BrowserPage
    from playwright.sync_api import ViewportSize

TASK = 'Fill in the form on this page: the name is "Ada Lovelace" and the email is "ada@example.com". Then send it.'
PAGE = b"""<!doctype html>
<html><head><title>Order a catalogue</title>
<style>
  body { margin: 0; font: 16px sans-serif; }
  h1, label, input, button, p { position: absolute; left: 40px; margin: 0; }
  input { width: 300px; height: 28px; }
</style></head>
<body>
  <h1 style="top: 20px; font-size: 24px">Order our free catalogue</h1>
  <form id="order">
    <label for="name" style="top: 70px">Name</label>
    <input id="name" autofocus style="top: 95px">
    <label for="email" style="top: 140px">Email</label>
    <input id="email" type="email" style="top: 165px">
    <button style="top: 215px; width: 120px; height: 36px">Send</button>
  </form>
  <p id="status" style="top: 270px">Not sent yet.</p>
  <script>
    document.getElementById("order").addEventListener("submit", (event) => {
      event.preventDefault();
      const name = document.getElementById("name").value, email = document.getElementById("email").value;
      document.getElementById("status").textContent = `Thanks, ${name}! The catalogue goes to ${email}.`;
    });
  </script>
</body></html>
"""
VIEWPORT: ViewportSize = {"width": 1024, "height": 768}
MAX_STEPS = 10
WAIT_MS = 500
# Chromium as root in a container, headless: no sandbox of its own, none of its background connections.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
# The model's key names, as Playwright spells them; a single character is itself.
KEYS = {
    "enter": "Enter", "return": "Enter", "tab": "Tab", "esc": "Escape", "escape": "Escape", "space": " ",
    "backspace": "Backspace", "delete": "Delete", "home": "Home", "end": "End", "pageup": "PageUp",
    "pagedown": "PageDown", "up": "ArrowUp", "down": "ArrowDown", "left": "ArrowLeft", "right": "ArrowRight",
    "arrowup": "ArrowUp", "arrowdown": "ArrowDown", "arrowleft": "ArrowLeft", "arrowright": "ArrowRight",
    "ctrl": "Control", "control": "Control", "shift": "Shift", "alt": "Alt", "option": "Alt",
    "cmd": "Meta", "meta": "Meta", "super": "Meta", "win": "Meta",
}  # fmt: skip
BUTTONS: dict[str, Literal["left", "right", "middle"]] = {
    "left": "left",
    "right": "right",
    "wheel": "middle",
}  # Playwright has no back or forward button


class Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the lesson's output is the model's actions, not the page's requests."""


@contextmanager
def served_page() -> Iterator[str]:
    """The form on a free port of 127.0.0.1, for as long as the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def key(name: str) -> str:
    return KEYS.get(name.lower(), name if len(name) > 1 else name.lower())


@contextmanager
def held(page: BrowserPage, keys: list[str] | None) -> Iterator[None]:
    """Hold modifier keys (``keys`` of a click, drag, move or scroll) while the action runs."""
    for name in keys or []:
        page.keyboard.down(key(name))
    try:
        yield
    finally:
        for name in reversed(keys or []):
            page.keyboard.up(key(name))


def perform(page: BrowserPage, action: ComputerAction) -> str:
    """Do one action in the browser; returns how it is shown."""
    if action.type == "type":
        page.keyboard.type(action.text)
        return f"type {action.text!r}"
    if action.type == "keypress":
        page.keyboard.press("+".join(key(name) for name in action.keys))
        return f"keypress {'+'.join(action.keys)}"
    if action.type == "wait":
        page.wait_for_timeout(WAIT_MS)
        return f"wait {WAIT_MS} ms"
    if action.type == "screenshot":
        return "screenshot (one is sent after every batch)"
    with held(page, action.keys):
        if action.type == "click" or action.type == "double_click":
            wanted = action.button if action.type == "click" else "left"
            button = BUTTONS.get(wanted)
            if button is None:
                return f"{action.type} with the {wanted} button: not supported by Playwright, skipped"
            clicks = 2 if action.type == "double_click" else 1
            page.mouse.click(action.x, action.y, button=button, click_count=clicks)
            return f"{action.type} at ({action.x}, {action.y})" + (f" with {button}" if button != "left" else "")
        if action.type == "move":
            page.mouse.move(action.x, action.y)
            return f"move to ({action.x}, {action.y})"
        if action.type == "scroll":
            page.mouse.move(action.x, action.y)
            page.mouse.wheel(action.scroll_x, action.scroll_y)
            return f"scroll by ({action.scroll_x}, {action.scroll_y}) at ({action.x}, {action.y})"
        start, *rest = action.path  # a drag
        page.mouse.move(start.x, start.y)
        page.mouse.down()
        for point in rest:
            page.mouse.move(point.x, point.y)
        page.mouse.up()
        return "drag " + " -> ".join(f"({point.x}, {point.y})" for point in action.path)


def screenshot(page: BrowserPage) -> str:
    return "data:image/png;base64," + base64.b64encode(page.screenshot()).decode()


def acknowledged(
    call: ResponseComputerToolCall, assume_yes: bool
) -> list[ComputerCallOutputAcknowledgedSafetyCheck] | None:
    """The call's safety checks, once the user has acknowledged them all; None if they did not."""
    for check in call.pending_safety_checks:
        print(f"  safety check {check.code}: {check.message}")
        if assume_yes:
            continue
        try:
            answer = input("  Acknowledge it and let the model go on? [y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in {"y", "yes"}:
            return None
    return [{"id": check.id, "code": check.code, "message": check.message} for check in call.pending_safety_checks]


def drive(client: OpenAI, page: BrowserPage, assume_yes: bool) -> int:
    """The loop: screenshot, the model's batch of actions, the next screenshot, until it answers."""
    first: ResponseInputMessageContentListParam = [
        {"type": "input_text", "text": TASK},
        {"type": "input_image", "image_url": screenshot(page), "detail": "auto"},
    ]
    tools: list[ToolParam] = [{"type": "computer"}]
    response = client.responses.create(model=get_model(), input=[{"role": "user", "content": first}], tools=tools)
    for step in range(1, MAX_STEPS + 1):
        call = next((item for item in response.output if item.type == "computer_call"), None)
        if call is None:
            print(f"Answer: {response.output_text}")
            return 0
        print(f"Step {step}:")
        checks = acknowledged(call, assume_yes)
        if checks is None:
            print("Stopped: a safety check was not acknowledged, so no action was taken.", file=sys.stderr)
            return 1
        for action in call.actions or []:
            print(f"  {perform(page, action)}")
        output: ComputerCallOutput = {
            "type": "computer_call_output",
            "call_id": call.call_id,
            "output": {"type": "computer_screenshot", "image_url": screenshot(page)},
            "acknowledged_safety_checks": checks,
        }
        response = client.responses.create(
            model=get_model(), previous_response_id=response.id, input=[output], tools=tools
        )
    print(f"Stopped after {MAX_STEPS} batches of actions without an answer.", file=sys.stderr)
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description="Let the model fill in a form in a headless browser.")
    parser.add_argument("--yes", action="store_true", help="acknowledge every safety check without asking")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if chromium is None:
        print("Computer use needs a browser: apt-get install chromium, then uv sync --group browser.", file=sys.stderr)
        return 2
    client = get_client()

    with served_page() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(url)
            status = drive(client, page, args.yes)
            print(f"The page now says: {page.text_content('#status')}")
            return status
        finally:
            browser.close()


if __name__ == "__main__":
    run(main)
