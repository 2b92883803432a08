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


def settled(page) -> None:
    """Wait until the page has finished with its last message, list included: no request of it is left
    running when the server's database is closed after the test."""
    page.locator('#composer[aria-busy="false"]').wait_for(state="attached")


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
    assert page.locator("#messages li").all_text_contents() == []  # not kept, so not shown as sent
    assert page.input_value("#message") == "Hi"  # given back, to send again
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
    listed = page.locator("#conversations button").first
    assert listed.locator(".first-message").text_content() == "Hi, I'm Ada."
    assert listed.locator("small").text_content().startswith("2 turns · active · ")
    dispose(app)


def test_a_message_refused_before_any_reply_goes_back_into_the_box(page, chat_server, openai_api):
    base_url, replies, _ = chat_server
    deleting(openai_api, responses=False)  # the conversation made for the refused message is deleted again
    replies.append(httpx.Response(429, json=payloads.api_error("Slow down.", type="requests")))
    sign_in(page, base_url)

    send(page, "Is it warm in Lisbon?")

    page.locator("#notice").wait_for()
    assert page.locator("#notice").text_content() == "OpenAI is rate limiting this server; retry later."
    assert page.locator("#messages li").count() == 0
    assert page.input_value("#message") == "Is it warm in Lisbon?"
    settled(page)


def test_the_box_takes_no_more_than_the_server_accepts(page, chat_server):
    base_url, replies, app = chat_server
    replies.append(streamed(["Fine."]))
    app.config["MAX_MESSAGE_CHARS"] = 12
    sign_in(page, base_url)
    page.locator("#message[maxlength='12']").wait_for(state="attached")

    page.fill("#message", "x" * 20)
    page.keyboard.type("more")  # typing stops at the limit too

    assert page.input_value("#message") == "x" * 12
    page.press("#message", "Enter")  # and the server takes what the box holds
    page.locator("#messages li.assistant.rendered").wait_for()
    settled(page)


def test_a_finished_reply_is_shown_as_markdown_with_nothing_that_runs(page, chat_server):
    base_url, replies, _ = chat_server
    markdown = (
        "**Bold** and `code`.\n\n"
        "- one\n- two\n\n"
        '<script>window.injected = 1</script> <img src=x onerror="window.injected = 2">\n\n'
        "[a trap](javascript:window.injected=3) and [a page](https://example.org/)\n\n"
        "```python\nprint('hi')\n```"
    )
    replies.append(streamed([markdown[:40], markdown[40:]]))
    sign_in(page, base_url)

    send(page, "Show me Markdown.")

    reply = page.locator("#messages li.assistant.rendered")
    reply.wait_for()
    assert reply.locator("strong").text_content() == "Bold"
    assert reply.locator("ul li").all_text_contents() == ["one", "two"]
    assert reply.locator("pre code").text_content() == "print('hi')\n"
    assert page.locator("#messages script, #messages img").count() == 0
    assert "<script>window.injected = 1</script>" in reply.text_content()  # shown as text
    links = reply.locator("a")
    assert links.count() == 1  # the javascript: link is not a link
    assert (links.get_attribute("href"), links.get_attribute("target")) == ("https://example.org/", "_blank")
    assert links.get_attribute("rel") == "noopener noreferrer nofollow"
    assert page.evaluate("window.injected") is None
    settled(page)


def test_the_history_shows_replies_rendered_and_the_list_tells_conversations_apart(page, chat_server):
    base_url, replies, _ = chat_server
    replies += [streamed(["**First** reply."]), streamed(["Second reply."])]
    sign_in(page, base_url)
    send(page, "About tomatoes")
    page.locator("#messages li.assistant.rendered").wait_for()
    page.click("#new-conversation")
    send(page, "About beans")
    page.locator("#conversations button").nth(1).wait_for()

    assert page.locator("#conversations .first-message").all_text_contents() == ["About beans", "About tomatoes"]
    page.locator("#conversations button").nth(1).click()
    page.locator("#messages li.assistant.rendered strong").filter(has_text="First").wait_for()
    page.locator("#conversation-title").filter(has_text="conv_1").wait_for()  # the list reloaded too


def test_the_view_follows_a_streaming_reply_unless_the_reader_scrolled_up(page, chat_server):
    base_url, replies, _ = chat_server
    long_reply = [f"Line {n} of a long answer.\n\n" for n in range(60)]
    held = [HeldStream(payloads.text_stream_events(long_reply), first=34) for _ in range(2)]
    replies += [httpx.Response(200, stream=stream, headers=SSE_HEADERS) for stream in held]
    sign_in(page, base_url)
    at_the_end = (
        "(() => { const m = document.getElementById('messages'); "
        "return m.scrollHeight - m.scrollTop - m.clientHeight < 48; })()"
    )

    send(page, "Tell me a long story.")
    page.locator("#messages li.assistant").filter(has_text="Line 29").wait_for()
    assert page.evaluate(at_the_end)  # followed while it grew past the fold
    held[0].released.set()
    page.locator("#messages li.assistant.rendered").wait_for()
    assert page.evaluate(at_the_end)

    send(page, "Another one.")
    page.locator("#messages li.assistant").nth(1).filter(has_text="Line 29").wait_for()
    page.evaluate("document.getElementById('messages').scrollTop = 0")  # the reader goes back up
    held[1].released.set()
    page.locator("#messages li.assistant.rendered").nth(1).wait_for()
    assert page.evaluate("document.getElementById('messages').scrollTop") == 0  # and stays there
    settled(page)


@pytest.mark.parametrize("width", [360, 390, 1280])
def test_the_layout_fits_from_a_phone_to_a_desktop_and_nothing_is_missing(browser, chat_server, width):
    base_url, replies, _ = chat_server
    replies.append(streamed(["Hello."]))
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    not_found = []
    page.on("response", lambda response: not_found.append(response.url) if response.status == 404 else None)
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    try:
        sign_in(page, base_url)
        send(page, "Hi")
        page.locator("#messages li.assistant.rendered").wait_for()

        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing sticks out sideways
        for selector in ("#composer", "#messages", "#conversations"):
            box = page.locator(selector).bounding_box()
            assert box["x"] >= 0, (selector, box)
            assert box["x"] + box["width"] <= width, (selector, box)
        assert (not_found, problems) == ([], [])
        settled(page)
    finally:
        context.close()
