"""The multi-user app's chat page in a real browser: headless Chromium driven by Playwright.

The app runs on a free loopback port; OpenAI is mocked in this process (respx), so a test
decides when each piece of a streamed reply arrives. Chromium is Debian's (``apt-get install
chromium``), since Playwright's own browser download is out of reach; Playwright comes with
``uv sync --group browser``. Without either the tests are skipped (``tests/support/optional.py``).
A screenshot of the page after a conversation is saved to ``.screenshots/chat-page.png``.
"""

import threading
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

import Conversation_API.multi_user_app as app_module
from Conversation_API.multi_user_app.models import Conversation
from openai_tutorial.database import utc_now
from tests.conftest import REPO_ROOT
from tests.support import optional, payloads
from tests.support.conversations import deleting
from tests.support.helpers import PATIENCE, dispose, rows, set_row, sqlite_url

SSE_HEADERS = {"content-type": "text/event-stream"}
SCREENSHOT = REPO_ROOT / ".screenshots" / "chat-page.png"
# Chromium as root, with a closed network: no sandbox, and none of its own background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    executable = optional.require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class HeldStream(httpx.SyncByteStream):
    """A streamed reply whose first text arrives at once and the rest when the test releases it."""

    def __init__(self, events: list[dict], *, first: int) -> None:
        self.head, self.tail = payloads.sse_body(events[:first]), payloads.sse_body(events[first:])
        self.released = threading.Event()

    def __iter__(self):
        yield self.head
        assert self.released.wait(PATIENCE), "the test never released the rest of the reply"
        yield self.tail


@pytest.fixture
def chat_server(tmp_path, live_server, openai_api) -> Iterator:
    """The app on a free port, with OpenAI mocked: ``replies`` is the queue of what /responses answers."""
    numbers = iter(range(1, 100))
    openai_api.post("/conversations").mock(
        side_effect=lambda request: httpx.Response(200, json=payloads.conversation(id=f"conv_{next(numbers)}"))
    )
    replies: list[httpx.Response] = []
    openai_api.post("/responses").mock(side_effect=lambda request: replies.pop(0))
    app = app_module.create_app({"DATABASE_URL": sqlite_url(tmp_path)})
    yield live_server(app), replies, app
    dispose(app)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 700})
    page = context.new_page()
    yield page
    context.close()


def streamed(chunks: list[str]) -> httpx.Response:
    return httpx.Response(200, content=payloads.sse_body(payloads.text_stream_events(chunks)), headers=SSE_HEADERS)


def sign_in(page, base_url: str, name: str = "ada", key: str = "") -> None:
    page.goto(base_url)
    page.fill("#user-id", name)
    page.fill("#api-key", key)
    page.click("text=Sign in")


def send(page, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")


def test_a_reply_grows_while_it_streams_then_stays_after_a_reload(page, chat_server):
    base_url, replies, _ = chat_server
    held = HeldStream(payloads.text_stream_events(["Hello, Ada. ", "Nice to ", "meet you."]), first=5)
    replies.append(httpx.Response(200, stream=held, headers=SSE_HEADERS))
    sign_in(page, base_url)

    send(page, "Hi, I'm Ada.")
    reply = page.locator("#messages li.assistant").last
    reply.filter(has_text="Hello, Ada.").wait_for()
    # Part of the reply is on the page while OpenAI's stream is still open.
    assert reply.text_content() == "Hello, Ada. "
    assert "streaming" in reply.get_attribute("class")
    held.released.set()

    page.locator("#messages li.assistant:not(.streaming)").wait_for()
    assert reply.text_content() == "Hello, Ada. Nice to meet you."
    page.locator("#conversations button").filter(has_text="1 turn · active").wait_for()
    replies.append(streamed(["You told me: ", "your name is Ada."]))
    send(page, "What is my name?")
    page.locator("#conversations button").filter(has_text="2 turns · active").wait_for()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOT)

    page.reload()
    page.locator("#messages li").nth(3).wait_for()
    assert page.locator("#messages li").all_text_contents() == [
        "Hi, I'm Ada.",
        "Hello, Ada. Nice to meet you.",
        "What is my name?",
        "You told me: your name is Ada.",
    ]
    page.locator("#conversation-title").filter(has_text="(active)").wait_for()


def test_an_upstream_failure_mid_stream_is_a_readable_message(page, chat_server, openai_api):
    base_url, replies, _ = chat_server
    deleting(openai_api)  # the conversation made for the failed first message is deleted again
    failed = payloads.failed_stream_events(["Hel"], message="The model crashed.")
    replies.append(httpx.Response(200, content=payloads.sse_body(failed), headers=SSE_HEADERS))
    sign_in(page, base_url)

    send(page, "Hi")

    notice = page.locator("#notice")
    notice.wait_for()
    assert notice.text_content() == "OpenAI could not finish the reply: The model crashed."
    assert page.locator("#messages li").all_text_contents() == ["Hi"]
    assert page.locator("#conversations li").count() == 0


def test_markup_in_a_reply_is_shown_as_text_and_never_run(page, chat_server):
    base_url, replies, _ = chat_server
    markup = '<script>window.injected = 1</script><img src=x onerror="window.injected = 2"><b>bold</b>'
    replies.append(streamed([markup[:30], markup[30:]]))
    sign_in(page, base_url)

    send(page, "<i>my</i> message")

    reply = page.locator("#messages li.assistant:not(.streaming)")
    reply.wait_for()
    assert reply.text_content() == markup
    assert page.locator("#messages li.user").text_content() == "<i>my</i> message"
    assert page.locator("#messages script, #messages img, #messages b, #messages i").count() == 0
    assert page.evaluate("window.injected") is None


def test_closed_and_busy_conversations_are_explained_in_words(page, chat_server, openai_api):
    base_url, replies, app = chat_server
    deleting(openai_api)  # closing deletes the conversation on OpenAI's side
    replies.append(streamed(["Hello."]))
    sign_in(page, base_url)
    send(page, "Hi")
    page.locator("#conversations button").filter(has_text="1 turn · active").wait_for()

    set_row(app, Conversation, "conv_1", busy_since=utc_now())
    send(page, "Are you there?")
    page.locator("#notice").filter(has_text="still being written").wait_for()
    assert page.locator("#notice").text_content() == (
        "A reply in this conversation is still being written; wait for it, then send again."
    )
    set_row(app, Conversation, "conv_1", busy_since=None)

    page.click("#close-conversation")
    page.locator("#conversations button").filter(has_text="closed").wait_for()
    page.locator("#notice").filter(has_text="closed").wait_for()  # set once the list is in
    assert page.locator("#notice").text_content() == (
        "This conversation is closed. Start a new one with “New conversation”."
    )
    assert page.locator("#message").is_disabled()
    page.click("#new-conversation")
    assert page.locator("#message").is_enabled()


def test_with_an_app_key_the_page_asks_for_it_and_then_works(page, chat_server):
    base_url, replies, app = chat_server
    app.config["APP_API_KEY"] = "s3cret"
    replies.append(streamed(["Hello with a key."]))

    sign_in(page, base_url)
    page.locator("#notice").wait_for()
    assert page.locator("#notice").text_content() == (
        "This server needs an access key: enter it next to your name and sign in again."
    )

    sign_in(page, base_url, key="s3cret")
    send(page, "Hi")
    page.locator("#messages li.assistant:not(.streaming)").wait_for()
    assert page.locator("#messages li.assistant").text_content() == "Hello with a key."


def test_an_expired_conversation_reads_as_expired(page, chat_server):
    base_url, replies, app = chat_server
    replies.append(streamed(["Hello."]))
    sign_in(page, base_url)
    send(page, "Hi")
    page.locator("#conversations button").filter(has_text="1 turn · active").wait_for()
    (conversation,) = rows(app, Conversation)
    set_row(app, Conversation, "conv_1", last_active_at=conversation.last_active_at - timedelta(days=1))

    page.reload()

    page.locator("#conversations button").filter(has_text="expired").wait_for()
    page.locator("#notice").filter(has_text="expired").wait_for()  # set once the list is in
    assert page.locator("#notice").text_content() == (
        "This conversation expired after being idle. Start a new one with “New conversation”."
    )
    assert page.locator("#message").is_disabled()


def test_the_page_works_offline(page, tmp_path, live_server, monkeypatch):
    monkeypatch.setenv("OPENAI_OFFLINE", "1")
    monkeypatch.setenv("OPENAI_OFFLINE_STREAM_DELAY", "0.01")
    monkeypatch.delenv("OPENAI_API_KEY")
    app = app_module.create_app({"DATABASE_URL": sqlite_url(tmp_path)})
    sign_in(page, live_server(app))

    send(page, "Hi, I'm Ada.")
    page.locator("#messages li.assistant:not(.streaming)").wait_for()
    send(page, "What is my name?")
    page.locator("#messages li.assistant:not(.streaming)").nth(1).wait_for()

    assert "Ada" in page.locator("#messages li.assistant").nth(1).text_content()
    assert page.locator("#conversations button").first.text_content().startswith("2 turns · active")
    dispose(app)
