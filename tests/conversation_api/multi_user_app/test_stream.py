"""POST /chat/stream and the chat page of the multi-user app, with Flask's test client.

The browser itself is tested in tests/conversation_api/multi_user_app/test_chat_page.py.
"""

import json
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.exc import OperationalError

import Conversation_API.multi_user_app as app_module
from Conversation_API.multi_user_app import chat, chat_page, models
from openai_tutorial.client import get_client
from openai_tutorial.conversations import safety_identifier
from openai_tutorial.database import utc_now
from tests.support import long_chat, payloads
from tests.support.conversations import deleting
from tests.support.helpers import database_app_fixtures, rows, sent_json, set_row

Conversation, Turn = models.Conversation, models.Turn
SSE_HEADERS = {"content-type": "text/event-stream"}

app, client = database_app_fixtures(app_module)


def streamed(events: list[dict]) -> httpx.Response:
    return httpx.Response(200, content=payloads.sse_body(events), headers=SSE_HEADERS)


def reply_stream(chunks: list[str], **final_fields) -> httpx.Response:
    final = payloads.response("".join(chunks), usage_=payloads.usage(30, 7), **final_fields)
    return streamed(payloads.text_stream_events(chunks, final=final))


def events_of(reply) -> list[tuple[str, dict]]:
    """The server-sent events of a finished reply, as (name, data)."""
    events = []
    for block in reply.get_data(as_text=True).split("\n\n"):
        if block:
            name_line, data_line = block.split("\n")
            events.append((name_line.removeprefix("event: "), json.loads(data_line.removeprefix("data: "))))
    return events


@pytest.fixture
def conversation(client, openai_conversations):
    """An active conversation of Ada's, conv_1, with one turn."""
    assert client.post("/chat", json={"user_id": "ada", "message": "Hi, I'm Ada."}).status_code == 201
    return "conv_1"


def stream_turn(client, conversation_id=None, message="What is my name?", user_id="ada", **options):
    body = {"user_id": user_id, "message": message}
    if conversation_id:
        body["conversation_id"] = conversation_id
    return client.post("/chat/stream", json=body, **options)


def test_the_reply_streams_as_deltas_in_order_then_done(client, app, conversation, openai_conversations):
    _, respond = openai_conversations
    respond.side_effect = None
    respond.return_value = reply_stream(["Your name ", "is ", "Ada."], id="resp_streamed")

    reply = stream_turn(client, conversation)

    assert reply.status_code == 200
    assert reply.mimetype == "text/event-stream"
    assert reply.headers["Cache-Control"] == "no-store"
    assert events_of(reply) == [
        ("delta", {"text": "Your name "}),
        ("delta", {"text": "is "}),
        ("delta", {"text": "Ada."}),
        (
            "done",
            {
                "conversation_id": "conv_1",
                "response_id": "resp_streamed",
                "usage": {"input_tokens": 30, "output_tokens": 7, "total_tokens": 37},
                "reply_html": "<p>Your name is Ada.</p>",  # the page shows the finished reply as this
            },
        ),
    ]
    assert sent_json(respond) == {
        "model": "gpt-5.4-mini",
        "conversation": "conv_1",
        "input": "What is my name?",
        "safety_identifier": safety_identifier("ada"),
        "stream": True,
    }
    last = rows(app, Turn)[-1]
    assert (last.response_id, last.user_message, last.reply, last.total_tokens) == (
        "resp_streamed",
        "What is my name?",
        "Your name is Ada.",
        37,
    )
    assert rows(app, Conversation)[0].busy_since is None


def test_a_first_streamed_message_starts_a_conversation(client, app, openai_conversations):
    create, respond = openai_conversations
    respond.side_effect = None
    respond.return_value = reply_stream(["Hello, Ada."], id="resp_first")

    reply = stream_turn(client, message="Hi, I'm Ada.")

    assert events_of(reply)[-1] == (
        "done",
        {
            "conversation_id": "conv_1",
            "response_id": "resp_first",
            "usage": {"input_tokens": 30, "output_tokens": 7, "total_tokens": 37},
            "reply_html": "<p>Hello, Ada.</p>",
        },
    )
    assert create.call_count == 1
    assert [(row.id, row.user_id, row.status) for row in rows(app, Conversation)] == [("conv_1", "ada", "active")]
    assert [row.reply for row in rows(app, Turn)] == ["Hello, Ada."]


def test_a_reply_with_newlines_and_markup_travels_as_json_text(client, conversation, openai_conversations):
    _, respond = openai_conversations
    respond.side_effect = None
    respond.return_value = reply_stream(["line one\n\n", "<script>alert(1)</script>"])

    deltas = [data["text"] for name, data in events_of(stream_turn(client, conversation)) if name == "delta"]

    assert deltas == ["line one\n\n", "<script>alert(1)</script>"]


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (
            {"user_id": "ada"},
            400,
            {"type": "invalid_request", "message": "'message' is required."},
        ),
        (
            {"user_id": "bob", "message": "Hi", "conversation_id": "conv_1"},
            403,
            {"type": "forbidden", "message": "You do not have access to this conversation."},
        ),
        (
            {"user_id": "ada", "message": "Hi", "conversation_id": "conv_9"},
            404,
            {"type": "not_found", "message": "No conversation 'conv_9'."},
        ),
    ],
    ids=["invalid", "someone else's", "unknown"],
)
def test_errors_before_the_stream_are_json_with_their_status(client, conversation, body, status, error):
    reply = client.post("/chat/stream", json=body)

    assert reply.status_code == status
    assert reply.json == {"error": error}


def test_an_expired_conversation_is_a_409_before_any_stream(clock, client, conversation):
    clock.shift(timedelta(minutes=31))

    reply = stream_turn(client, conversation)

    assert reply.status_code == 409
    assert reply.json["error"]["type"] == "conversation_expired"


def test_a_busy_conversation_is_a_409_before_any_stream(client, app, conversation, openai_api):
    set_row(app, Conversation, conversation, busy_since=utc_now())

    reply = stream_turn(client, conversation)

    assert reply.status_code == 409
    assert reply.json == {
        "error": {
            "type": "conversation_busy",
            "message": "A message in this conversation is still being answered; retry shortly.",
        }
    }


def test_openai_refusing_the_request_is_a_json_error_and_frees_the_conversation(
    client, app, conversation, openai_conversations
):
    _, respond = openai_conversations
    respond.side_effect = None
    respond.return_value = httpx.Response(
        500, json=payloads.api_error("The server had an error.", type="server_error"), headers={"x-request-id": "req_1"}
    )

    reply = stream_turn(client, conversation)

    assert reply.status_code == 502
    assert reply.json == {
        "error": {"type": "upstream_error", "message": "OpenAI answered 500 (server_error); request id req_1."}
    }
    assert rows(app, Conversation)[0].busy_since is None
    assert len(rows(app, Turn)) == 1


def test_a_conversation_deleted_on_openais_side_is_410(client, app, conversation, openai_conversations):
    _, respond = openai_conversations
    respond.side_effect = None
    respond.return_value = httpx.Response(404, json=payloads.api_error("Not found.", type="invalid_request_error"))

    reply = stream_turn(client, conversation)

    assert reply.status_code == 410
    assert reply.json["error"]["type"] == "conversation_gone"
    assert rows(app, Conversation)[0].status == "closed"


FAILURES = {
    "response.failed": (
        payloads.failed_stream_events(["Your na"], message="The model crashed."),
        "OpenAI could not finish the reply: The model crashed.",
    ),
    "error event": (
        payloads.number_events([*payloads.text_stream_events(["Your na"])[:5], payloads.error_event("Overloaded.")]),
        "OpenAI's stream failed: Overloaded.",
    ),
    "ended early": (
        payloads.text_stream_events(["Your na"])[:5],
        "OpenAI's stream ended before the reply was complete; send it again.",
    ),
}


@pytest.mark.parametrize("failure", FAILURES, ids=list(FAILURES))
def test_a_stream_that_fails_sends_an_error_event_and_writes_nothing(
    client, app, conversation, openai_conversations, failure
):
    events, message = FAILURES[failure]
    _, respond = openai_conversations
    respond.side_effect = None
    respond.return_value = streamed(events)

    reply = stream_turn(client, conversation)

    assert events_of(reply) == [
        ("delta", {"text": "Your na"}),
        ("error", {"error": {"type": "upstream_error", "message": message}}),
    ]
    assert [row.user_message for row in rows(app, Turn)] == ["Hi, I'm Ada."]
    assert rows(app, Conversation)[0].busy_since is None
    assert stream_turn(client, conversation).status_code == 200  # free for the next message


class BreaksOff(httpx.SyncByteStream):
    """An upstream body that sends some events, then loses the connection (or is closed by the app)."""

    def __init__(self, events: list[dict], *, then_break: bool = True) -> None:
        self.body, self.then_break, self.closed = payloads.sse_body(events), then_break, False

    def __iter__(self):
        yield self.body
        if self.then_break:
            raise httpx.ReadError("connection reset by peer")
        yield payloads.sse_body(payloads.text_stream_events(["rest of it"])[4:])

    def close(self) -> None:
        self.closed = True


def test_a_connection_lost_mid_stream_sends_an_error_event_and_writes_nothing(
    client, app, conversation, openai_conversations, caplog
):
    _, respond = openai_conversations
    respond.side_effect = None
    respond.return_value = httpx.Response(
        200, stream=BreaksOff(payloads.text_stream_events(["Your na"])[:5]), headers=SSE_HEADERS
    )

    reply = stream_turn(client, conversation)

    assert events_of(reply)[-1] == (
        "error",
        {
            "error": {
                "type": "upstream_error",
                "message": "The connection to OpenAI broke off before the reply was complete; send it again.",
            }
        },
    )
    assert "OpenAI's stream broke off: APIConnectionError: Connection error." in caplog.text
    assert len(rows(app, Turn)) == 1
    assert rows(app, Conversation)[0].busy_since is None


def test_a_new_conversation_whose_stream_fails_is_deleted_again(client, app, openai_api, openai_conversations):
    _, respond = openai_conversations
    respond.side_effect = None
    failed = payloads.failed_stream_events(["Hel"], message="The model crashed.")
    respond.return_value = streamed(failed)
    deletes = deleting(openai_api)

    reply = stream_turn(client, message="Hi, I'm Ada.")

    assert events_of(reply)[-1][0] == "error"
    assert deletes["delete_conversation"].calls.last.request.url.path == "/v1/conversations/conv_1"
    made = failed[0]["response"]["id"]
    assert deletes["delete_response"].calls.last.request.url.path == f"/v1/responses/{made}"
    assert rows(app, Conversation) == []
    assert rows(app, Turn) == []


def test_a_client_that_goes_away_closes_openais_stream_and_frees_the_conversation(
    client, app, conversation, openai_conversations
):
    _, respond = openai_conversations
    respond.side_effect = None
    upstream = BreaksOff(payloads.text_stream_events(["Your na"])[:5], then_break=False)
    respond.return_value = httpx.Response(200, stream=upstream, headers=SSE_HEADERS)

    reply = stream_turn(client, conversation, buffered=False)
    first = next(reply.response)
    reply.close()  # what the server does when the browser's connection drops

    assert first == b'event: delta\ndata: {"text": "Your na"}\n\n'
    assert upstream.closed
    assert rows(app, Conversation)[0].busy_since is None
    assert len(rows(app, Turn)) == 1


def test_a_database_failure_after_the_reply_is_an_error_event(
    client, app, conversation, openai_conversations, monkeypatch
):
    _, respond = openai_conversations
    respond.side_effect = None
    respond.return_value = reply_stream(["Ada."])

    def database_down(*args):
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(chat, "record_turn", database_down)
    reply = stream_turn(client, conversation)

    assert events_of(reply)[-1] == (
        "error",
        {"error": {"type": "database_unavailable", "message": "The reply could not be stored; send it again."}},
    )
    assert rows(app, Conversation)[0].busy_since is None


def test_the_stream_works_offline(client, app, monkeypatch):
    monkeypatch.setenv("OPENAI_OFFLINE", "1")
    monkeypatch.setenv("OPENAI_OFFLINE_STREAM_DELAY", "0")
    get_client.cache_clear()

    first = events_of(stream_turn(client, message="Hi, I'm Ada."))
    second = events_of(stream_turn(client, first[-1][1]["conversation_id"], "What is my name?"))

    assert {name for name, _ in first[:-1]} == {"delta"}
    assert first[-1][0] == "done"
    assert "Ada" in "".join(data["text"] for name, data in second if name == "delta")
    assert [row.reply for row in rows(app, Turn)][-1] == "".join(data["text"] for _, data in second[:-1])


# --- the page ------------------------------------------------------------------------------


def served(client, path: str) -> tuple[int, str, dict, str]:
    """Status, type, headers and text of a file the app serves (closed again, as a browser would)."""
    with client.get(path) as reply:
        return reply.status_code, reply.mimetype, dict(reply.headers), reply.get_data(as_text=True)


def test_the_page_and_its_files_are_served_with_a_policy_that_allows_nothing_from_elsewhere(client):
    status, kind, headers, html = served(client, "/")
    script_status, script_kind, _, script = served(client, "/page/chat.js")

    assert (status, kind) == (200, "text/html")
    assert '<script src="page/chat.js" defer></script>' in html
    assert headers["Content-Security-Policy"] == chat_page.PAGE_POLICY
    assert headers["Content-Security-Policy"].startswith("default-src 'self';")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert (script_status, script_kind) == (200, "text/javascript")
    assert "EventSource cannot send a POST" in script
    assert served(client, "/page/chat.py")[0] == 404
    assert served(client, "/page/..%2Fchat.py")[0] == 404


def test_with_an_app_key_the_page_loads_but_its_api_calls_need_the_key(client, app):
    app.config["APP_API_KEY"] = "k3y"

    assert [served(client, path)[0] for path in ("/", "/page/chat.css")] == [200, 200]
    refused = stream_turn(client)
    assert refused.status_code == 401
    assert refused.json["error"]["type"] == "unauthorized"
    assert client.get("/conversations?user_id=ada").status_code == 401


def test_a_404_for_a_new_conversation_is_openais_error_and_the_conversation_is_deleted(
    client, app, openai_api, openai_conversations
):
    _, respond = openai_conversations
    respond.side_effect = None
    respond.return_value = httpx.Response(
        404, json=payloads.api_error("No such model.", type="invalid_request_error"), headers={"x-request-id": "req_2"}
    )
    deletes = deleting(openai_api, responses=False)

    reply = stream_turn(client, message="Hi")

    assert reply.status_code == 502
    assert reply.json == {
        "error": {"type": "upstream_error", "message": "OpenAI answered 404 (invalid_request_error); request id req_2."}
    }
    assert deletes["delete_conversation"].calls.last.request.url.path == "/v1/conversations/conv_1"
    assert rows(app, Conversation) == []


def stream_of(body: bytes) -> httpx.Response:
    return httpx.Response(200, content=body, headers=SSE_HEADERS)


def text_then(raw: bytes) -> bytes:
    """OpenAI's stream up to its first piece of text, then ``raw``."""
    return payloads.sse_body(payloads.text_stream_events(["Your na"])[:5]) + raw


UNREADABLE = {
    "not JSON": b"event: response.output_text.delta\ndata: {not json\n\n",
    "a proxy's page": b"data: <html>502 Bad Gateway</html>\n\n",
    "a delta without its text": b'event: response.output_text.delta\ndata: {"type": "response.output_text.delta"}\n\n',
}
UNREADABLE_MESSAGE = "OpenAI's stream could not be read; send the message again."


def one_warning(caplog) -> str:
    """The only record the turn logged: a warning of one line, without a traceback."""
    (record,) = [record for record in caplog.records if record.levelno >= 30]
    assert (record.levelname, record.exc_info, "\n" in record.getMessage()) == ("WARNING", None, False)
    return record.getMessage()


@pytest.mark.parametrize("raw", UNREADABLE.values(), ids=list(UNREADABLE))
def test_an_unreadable_event_after_the_first_text_is_an_error_event(
    client, app, conversation, openai_conversations, caplog, raw
):
    _, respond = openai_conversations
    respond.side_effect = None
    respond.return_value = stream_of(text_then(raw))
    caplog.clear()

    reply = stream_turn(client, conversation)

    assert reply.status_code == 200
    assert events_of(reply) == [
        ("delta", {"text": "Your na"}),
        ("error", {"error": {"type": "upstream_error", "message": UNREADABLE_MESSAGE}}),
    ]
    assert one_warning(caplog).startswith("OpenAI's stream could not be read: ")
    assert [row.user_message for row in rows(app, Turn)] == ["Hi, I'm Ada."]
    assert rows(app, Conversation)[0].busy_since is None


@pytest.mark.parametrize("raw", UNREADABLE.values(), ids=list(UNREADABLE))
def test_an_unreadable_event_before_any_text_is_a_json_502(
    client, app, conversation, openai_conversations, caplog, raw
):
    _, respond = openai_conversations
    respond.side_effect = None
    respond.return_value = stream_of(payloads.sse_body(payloads.text_stream_events(["Your na"])[:2]) + raw)
    caplog.clear()

    reply = stream_turn(client, conversation)

    assert (reply.status_code, reply.json) == (
        502,
        {"error": {"type": "upstream_error", "message": UNREADABLE_MESSAGE}},
    )
    assert one_warning(caplog).startswith("OpenAI's stream could not be read: ")
    assert len(rows(app, Turn)) == 1
    assert rows(app, Conversation)[0].busy_since is None
    assert stream_turn(client, conversation).status_code == 502  # the next message is not refused as busy


def test_a_new_conversation_whose_stream_is_unreadable_is_a_502_and_deleted_again(
    client, app, openai_api, openai_conversations
):
    _, respond = openai_conversations
    respond.side_effect = None
    respond.return_value = stream_of(UNREADABLE["not JSON"])
    deletes = deleting(openai_api, responses=False)

    reply = stream_turn(client, message="Hi, I'm Ada.")

    assert reply.status_code == 502
    assert deletes["delete_conversation"].calls.last.request.url.path == "/v1/conversations/conv_1"
    assert rows(app, Conversation) == rows(app, Turn) == []


NO_USAGE = {"type": "upstream_error", "message": "OpenAI's reply came without its token usage; send the message again."}


@pytest.mark.parametrize("usage", [None, "missing"])
def test_a_completed_reply_without_usage_is_an_error_event_and_stores_nothing(
    client, app, conversation, openai_conversations, usage
):
    events = payloads.text_stream_events(["Ada."])
    if usage is None:
        events[-1]["response"]["usage"] = None
    else:
        del events[-1]["response"]["usage"]
    _, respond = openai_conversations
    respond.side_effect = None
    respond.return_value = streamed(events)

    reply = stream_turn(client, conversation)

    assert events_of(reply) == [("delta", {"text": "Ada."}), ("error", {"error": NO_USAGE})]
    assert len(rows(app, Turn)) == 1
    assert rows(app, Conversation)[0].busy_since is None


def test_a_reply_without_usage_to_post_chat_is_a_502_and_stores_nothing(client, app, conversation, openai_api):
    openai_api.post("/responses").respond(json={**payloads.response("Ada."), "usage": None})

    reply = client.post("/chat", json={"user_id": "ada", "message": "Name?", "conversation_id": conversation})

    assert (reply.status_code, reply.json) == (502, {"error": NO_USAGE})
    assert len(rows(app, Turn)) == 1
    assert rows(app, Conversation)[0].busy_since is None


def test_turns_are_sent_without_the_sdks_retries(client, conversation, openai_conversations, monkeypatch):
    """A turn that timed out may have reached OpenAI: a retry would add the user's message twice."""
    monkeypatch.setenv("OPENAI_MAX_RETRIES", "2")
    get_client.cache_clear()
    _, respond = openai_conversations
    respond.side_effect = [httpx.ReadTimeout("no answer"), httpx.Response(200, json=payloads.response("Ada."))]

    streamed_reply = stream_turn(client, conversation)
    plain = client.post("/chat", json={"user_id": "ada", "message": "Name?", "conversation_id": conversation})

    assert streamed_reply.status_code == 504
    assert respond.call_count == 3  # the conversation's first turn, then one each: no retry after the time-out
    assert plain.status_code == 200


def test_a_reply_with_no_text_whose_store_fails_is_a_json_503(
    client, app, conversation, openai_conversations, monkeypatch
):
    _, respond = openai_conversations
    respond.side_effect = None
    respond.return_value = reply_stream([])

    def database_down(*args):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(chat, "store_turn", database_down)
    reply = stream_turn(client, conversation)

    assert (reply.status_code, reply.json["error"]["type"]) == (503, "database_unavailable")
    assert rows(app, Conversation)[0].busy_since is None


def test_a_bug_after_the_first_text_still_ends_the_stream_with_an_error_event(
    client, app, conversation, openai_conversations, monkeypatch
):
    _, respond = openai_conversations
    respond.side_effect = None
    respond.return_value = reply_stream(["Ada."])

    def broken(*args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(chat, "store_turn", broken)
    reply = stream_turn(client, conversation)

    assert events_of(reply) == [
        ("delta", {"text": "Ada."}),
        ("error", {"error": {"type": "internal_error", "message": "Something went wrong on the server."}}),
    ]
    assert len(rows(app, Turn)) == 1
    assert rows(app, Conversation)[0].busy_since is None


def test_a_streamed_turn_past_the_budget_compacts_the_conversation_before_done(client, app, monkeypatch):
    long_chat.use_the_stand_in(monkeypatch)
    app.config["COMPACT_AFTER_TOKENS"] = long_chat.BUDGET
    done = events_of(stream_turn(client, message=long_chat.FIRST_MESSAGE))[-1]
    conversation_id = done[1]["conversation_id"]
    messages = iter(long_chat.chatter(20))
    while done[1]["usage"]["input_tokens"] <= long_chat.BUDGET:
        done = events_of(stream_turn(client, conversation_id, next(messages)))[-1]

    remote = [item.type for item in get_client().conversations.items.list(conversation_id)]
    last = events_of(stream_turn(client, conversation_id, long_chat.LAST_MESSAGE))[-1]

    assert remote == ["compaction"]  # by the time the turn past the budget said done, all of it was compacted
    assert last[0] == "done"
    assert last[1]["usage"]["input_tokens"] < long_chat.BUDGET / 5
    assert long_chat.recalls_the_first_facts(last[1]["reply_html"])
