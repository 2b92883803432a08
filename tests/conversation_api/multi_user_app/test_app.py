import hashlib
import json
from datetime import timedelta

import httpx
import pytest
import requests
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

import Conversation_API.multi_user_app as app_module
from Conversation_API.multi_user_app import chat, models
from openai_tutorial.client import get_client
from openai_tutorial.turn_lock import STALE_AFTER
from tests.support import long_chat, payloads
from tests.support.conversations import deleting
from tests.support.helpers import (
    PATIENCE,
    START,
    TurnInFlight,
    api_failure,
    assert_served_by_an_index,
    database_app_fixtures,
    dispose,
    fresh_replies,
    on_sqlite_only,
    query_plans,
    rows,
    sent_json,
    set_row,
    sqlite_url,
)

APP = "Conversation_API.multi_user_app"
Conversation, Turn = models.Conversation, models.Turn


app, client = database_app_fixtures(app_module)


def start(client, user_id="ada", message="Hi, I'm Ada."):
    reply = client.post("/chat", json={"user_id": user_id, "message": message})
    assert reply.status_code == 201, reply.json
    return reply.json["conversation_id"]


def say(client, conversation_id, message="What is my name?", user_id="ada"):
    return client.post("/chat", json={"user_id": user_id, "message": message, "conversation_id": conversation_id})


# --- chatting -------------------------------------------------------------------------------


def test_a_first_message_creates_a_conversation_owned_by_the_user(app, client, openai_conversations, clock):
    create, respond = openai_conversations

    reply = client.post("/chat", json={"user_id": "ada", "message": "Hi, I'm Ada."})

    assert reply.status_code == 201
    assert reply.json == {
        "conversation_id": "conv_1",
        "response_id": respond.calls.last.response.json()["id"],
        "reply": "Nice to meet you, Ada.",
    }
    assert sent_json(create) == {"metadata": {"user": hashlib.sha256(b"ada").hexdigest()}}
    assert sent_json(respond) == {
        "model": "gpt-5.4-mini",
        "conversation": "conv_1",
        "input": "Hi, I'm Ada.",
        "safety_identifier": hashlib.sha256(b"ada").hexdigest(),
    }
    (conversation,) = rows(app, Conversation)
    assert (conversation.id, conversation.user_id, conversation.status) == ("conv_1", "ada", "active")
    assert conversation.created_at == conversation.last_active_at == START
    (turn,) = rows(app, Turn)
    assert (turn.conversation_id, turn.user_message, turn.reply) == ("conv_1", "Hi, I'm Ada.", "Nice to meet you, Ada.")
    assert (turn.input_tokens, turn.output_tokens, turn.total_tokens) == (12, 9, 21)


def test_a_message_with_a_conversation_id_continues_it(app, client, openai_conversations, clock):
    create, respond = openai_conversations
    conversation_id = start(client)
    clock.shift(timedelta(minutes=5))

    reply = say(client, conversation_id)

    assert reply.status_code == 200
    assert reply.json["conversation_id"] == conversation_id
    assert create.call_count == 1
    assert sent_json(respond)["conversation"] == conversation_id
    (conversation,) = rows(app, Conversation)
    assert conversation.last_active_at == START + timedelta(minutes=5)
    assert [turn.user_message for turn in rows(app, Turn)] == ["Hi, I'm Ada.", "What is my name?"]


def test_listing_shows_the_users_conversations_newest_activity_first(client, openai_conversations, clock):
    first = start(client)
    clock.shift(timedelta(minutes=1))
    second = start(client)
    start(client, user_id="bob")
    clock.shift(timedelta(minutes=1))
    say(client, first)

    listing = client.get("/conversations?user_id=ada")

    assert listing.status_code == 200
    assert listing.json == {
        "object": "list",
        "first_id": first,
        "last_id": second,
        "has_more": False,
        "data": [
            {
                "conversation_id": first,
                "user_id": "ada",
                "status": "active",
                "created_at": "2026-11-22T09:00:00+00:00",
                "last_active_at": "2026-11-22T09:02:00+00:00",
                "turns": 2,
                "first_message": "Hi, I'm Ada.",
            },
            {
                "conversation_id": second,
                "user_id": "ada",
                "status": "active",
                "created_at": "2026-11-22T09:01:00+00:00",
                "last_active_at": "2026-11-22T09:01:00+00:00",
                "turns": 1,
                "first_message": "Hi, I'm Ada.",
            },
        ],
    }


def test_listing_filters_by_status_and_rejects_unknown_statuses(client, openai_conversations, openai_deletes, clock):
    kept, closed = start(client), start(client)
    client.post(f"/conversations/{closed}/close", json={"user_id": "ada"})

    assert [c["conversation_id"] for c in client.get("/conversations?user_id=ada&status=active").json["data"]] == [kept]
    assert [c["conversation_id"] for c in client.get("/conversations?user_id=ada&status=closed").json["data"]] == [
        closed
    ]
    unknown = client.get("/conversations?user_id=ada&status=archived")
    assert unknown.status_code == 400
    assert unknown.json == {
        "error": {"type": "invalid_request", "message": "'status' must be one of active, closed, expired."}
    }


def test_responses_lists_the_turns_oldest_first(client, openai_conversations, clock):
    _, respond = openai_conversations
    conversation_id = start(client)
    clock.shift(timedelta(seconds=30))
    say(client, conversation_id)

    history = client.get(f"/responses/{conversation_id}?user_id=ada")

    assert history.status_code == 200
    response_ids = [call.response.json()["id"] for call in respond.calls]
    assert history.json == {
        "object": "list",
        "first_id": response_ids[0],
        "last_id": response_ids[1],
        "has_more": False,
        "data": [
            {
                "response_id": response_ids[0],
                "message": "Hi, I'm Ada.",
                "reply": "Nice to meet you, Ada.",
                "reply_html": "<p>Nice to meet you, Ada.</p>",
                "usage": {"input_tokens": 12, "output_tokens": 9, "total_tokens": 21},
                "created_at": "2026-11-22T09:00:00+00:00",
            },
            {
                "response_id": response_ids[1],
                "message": "What is my name?",
                "reply": "Nice to meet you, Ada.",
                "reply_html": "<p>Nice to meet you, Ada.</p>",
                "usage": {"input_tokens": 12, "output_tokens": 9, "total_tokens": 21},
                "created_at": "2026-11-22T09:00:30+00:00",
            },
        ],
    }


# --- closing --------------------------------------------------------------------------------


def test_a_closed_conversation_refuses_new_messages(app, client, openai_conversations, openai_deletes, clock):
    _, respond = openai_conversations
    conversation_id = start(client)

    closed = client.post(f"/conversations/{conversation_id}/close", json={"user_id": "ada"})
    again = client.post(f"/conversations/{conversation_id}/close", json={"user_id": "ada"})
    refused = say(client, conversation_id)

    assert closed.status_code == 200
    assert closed.json["status"] == "closed"
    assert closed.json["turns"] == 1
    assert again.json == closed.json
    assert refused.status_code == 409
    assert refused.json["error"]["type"] == "conversation_closed"
    assert "start a new one" in refused.json["error"]["message"]
    assert respond.call_count == 1
    assert len(rows(app, Turn)) == 1


# --- TTL ------------------------------------------------------------------------------------


def test_an_idle_conversation_expires_when_next_used(app, client, openai_conversations, clock):
    _, respond = openai_conversations
    conversation_id = start(client)
    clock.shift(timedelta(minutes=30, seconds=1))

    refused = say(client, conversation_id)

    assert refused.status_code == 409
    assert refused.json == {
        "error": {
            "type": "conversation_expired",
            "message": "This conversation expired after 30 idle minutes; "
            "start a new one by sending a message without a conversation_id.",
        }
    }
    assert respond.call_count == 1
    assert rows(app, Conversation)[0].status == "expired"


def test_a_conversation_used_within_the_ttl_stays_active(client, openai_conversations, clock):
    conversation_id = start(client)
    for _ in range(3):
        clock.shift(timedelta(minutes=29))
        assert say(client, conversation_id).status_code == 200


def test_a_list_shows_idle_conversations_expired_and_filters_by_that_status(client, openai_conversations, clock):
    idle = start(client)
    clock.shift(timedelta(minutes=20))
    recent = start(client)
    clock.shift(timedelta(minutes=15))

    listing = client.get("/conversations?user_id=ada").json["data"]
    expired = client.get("/conversations?user_id=ada&status=expired").json["data"]
    active = client.get("/conversations?user_id=ada&status=active").json["data"]

    assert [(c["conversation_id"], c["status"]) for c in listing] == [(recent, "active"), (idle, "expired")]
    assert [c["conversation_id"] for c in expired] == [idle]
    assert [c["conversation_id"] for c in active] == [recent]


def test_list_views_write_nothing_and_the_next_turn_makes_the_expiry_durable(app, client, openai_conversations, clock):
    conversation_id = start(client)
    clock.shift(timedelta(minutes=31))
    statements = []
    event.listen(app.extensions["database"], "before_cursor_execute", lambda *args: statements.append(args[2]))

    client.get("/conversations?user_id=ada")
    client.get("/conversations?user_id=ada&status=expired")
    client.get(f"/responses/{conversation_id}?user_id=ada")
    after_reads = rows(app, Conversation)[0].status
    refused = say(client, conversation_id)

    writes = [sql for sql in statements if sql.lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert after_reads == "active"  # shown expired, stored unchanged
    assert refused.json["error"]["type"] == "conversation_expired"
    assert [sql.split()[:2] for sql in writes] == [["UPDATE", "conversations"]]  # the turn's, and only that
    assert rows(app, Conversation)[0].status == "expired"


def test_closing_an_expired_conversation_says_it_expired(client, openai_conversations, clock):
    conversation_id = start(client)
    clock.shift(timedelta(hours=1))

    refused = client.post(f"/conversations/{conversation_id}/close", json={"user_id": "ada"})

    assert refused.status_code == 409
    assert refused.json["error"]["type"] == "conversation_expired"
    assert client.get("/conversations?user_id=ada").json["data"][0]["status"] == "expired"


def test_the_ttl_comes_from_the_environment(monkeypatch, database_url, openai_conversations, clock):
    monkeypatch.setenv("CONVERSATION_TTL_MINUTES", "5")
    app = app_module.create_app({"DATABASE_URL": database_url})
    client = app.test_client()
    conversation_id = start(client)
    clock.shift(timedelta(minutes=6))

    refused = say(client, conversation_id)

    assert refused.status_code == 409
    assert "expired after 5 idle minutes" in refused.json["error"]["message"]
    dispose(app)


# --- ownership ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/chat", {"user_id": "mallory", "message": "hi", "conversation_id": "{id}"}),
        ("post", "/conversations/{id}/close", {"user_id": "mallory"}),
        ("get", "/responses/{id}?user_id=mallory", None),
    ],
)
def test_another_users_conversation_is_forbidden_and_reveals_nothing(client, openai_conversations, method, path, body):
    _, respond = openai_conversations
    conversation_id = start(client)
    if body and "conversation_id" in body:
        body = {**body, "conversation_id": conversation_id}

    reply = getattr(client, method)(path.format(id=conversation_id), json=body)

    assert reply.status_code == 403
    assert reply.json == {"error": {"type": "forbidden", "message": "You do not have access to this conversation."}}
    assert "Ada" not in reply.get_data(as_text=True)
    assert respond.call_count == 1


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/chat", {"user_id": "ada", "message": "hi", "conversation_id": "conv_unknown"}),
        ("post", "/conversations/conv_unknown/close", {"user_id": "ada"}),
        ("get", "/responses/conv_unknown?user_id=ada", None),
    ],
)
def test_an_unknown_conversation_is_404(client, openai_api, method, path, body):
    reply = getattr(client, method)(path, json=body)

    assert reply.status_code == 404
    assert reply.json == {"error": {"type": "not_found", "message": "No conversation 'conv_unknown'."}}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/conversations/conv_1/close", {}),
        ("get", "/responses/conv_1", None),
        ("get", "/conversations", None),
        ("get", "/conversations?user_id=", None),
    ],
)
def test_a_missing_user_id_is_400(client, method, path, body):
    reply = getattr(client, method)(path, json=body)

    assert reply.status_code == 400
    assert reply.json["error"]["type"] == "invalid_request"
    assert "'user_id'" in reply.json["error"]["message"]


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ("not json", 400, "The request body must be a JSON object."),
        ("[1, 2]", 400, "The request body must be a JSON object."),
        ("{}", 400, "'user_id' is required."),
        ('{"user_id": "ada"}', 400, "'message' is required."),
        ('{"user_id": 42, "message": "hi"}', 400, "'user_id' must be a string."),
        ('{"user_id": "  ", "message": "hi"}', 400, "'user_id' must not be empty."),
        ('{"user_id": "ada", "message": ""}', 400, "'message' must not be empty."),
        ('{"user_id": "ada", "message": ["hi"]}', 400, "'message' must be a string."),
        ('{"user_id": "ada", "message": "hi", "conversation_id": 7}', 400, "'conversation_id' must be a string."),
        (json.dumps({"user_id": "u" * 129, "message": "hi"}), 413, "'user_id' is longer than 128 characters."),
        (json.dumps({"user_id": "ada", "message": "x" * 4001}), 413, "'message' is longer than 4000 characters."),
    ],
)
def test_bad_chat_input_is_a_json_error_naming_the_problem(app, client, body, status, message):
    reply = client.post("/chat", data=body, content_type="application/json")

    assert reply.status_code == status
    assert reply.json["error"]["message"] == message
    assert rows(app, Conversation) == []


def test_the_message_limit_is_configurable(tmp_path, monkeypatch):
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "10")
    app = app_module.create_app({"DATABASE_URL": sqlite_url(tmp_path)})

    reply = app.test_client().post("/chat", json={"user_id": "ada", "message": "eleven char"})

    assert (reply.status_code, reply.json["error"]["message"]) == (413, "'message' is longer than 10 characters.")
    dispose(app)


def test_a_request_body_over_the_size_limit_is_413(client):
    reply = client.post("/chat", data="{" + " " * (64 * 1024) + "}", content_type="application/json")

    assert reply.status_code == 413
    assert reply.json == {"error": {"type": "too_large", "message": "The request body is larger than 65536 bytes."}}


# --- upstream failures ----------------------------------------------------------------------


def test_a_rate_limit_when_creating_is_429_with_retry_after_and_stores_nothing(app, client, openai_api):
    openai_api.post("/conversations").respond(
        429, json=payloads.api_error("Slow down.", type="requests"), headers={"retry-after": "20"}
    )

    reply = client.post("/chat", json={"user_id": "ada", "message": "hi"})

    assert reply.status_code == 429
    assert reply.headers["Retry-After"] == "20"
    assert reply.json["error"]["type"] == "rate_limited"
    assert rows(app, Conversation) == []


@pytest.mark.parametrize(
    ("failure", "status", "error_type"),
    [
        (api_failure(500), 502, "upstream_error"),
        (api_failure(401), 502, "upstream_error"),
        (httpx.ConnectTimeout("timed out"), 504, "upstream_timeout"),
        (httpx.ConnectError("refused"), 502, "upstream_error"),
    ],
)
def test_a_failed_first_turn_removes_the_new_conversation_and_stores_nothing(
    app, client, openai_api, failure, status, error_type
):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_orphan"))
    openai_api.post("/responses").mock(side_effect=[failure])
    cleanup = deleting(openai_api, responses=False)["delete_conversation"]

    reply = client.post("/chat", json={"user_id": "ada", "message": "hi"})

    assert reply.status_code == status
    assert reply.json["error"]["type"] == error_type
    assert cleanup.call_count == 1
    assert rows(app, Conversation) == rows(app, Turn) == []


def test_a_failed_clean_up_of_a_first_turn_leaves_a_pending_row_that_purge_finishes(app, client, openai_api):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_orphan"))
    openai_api.post("/responses").mock(return_value=api_failure(500))
    cleanup = deleting(openai_api, responses=False)["delete_conversation"]
    cleanup.mock(return_value=api_failure(500))

    reply = client.post("/chat", json={"user_id": "ada", "message": "hi"})
    listed = client.get("/conversations?user_id=ada").json["data"]
    unseen = client.get("/responses/conv_orphan?user_id=ada")
    cleanup.mock(
        side_effect=lambda request, conversation_id: httpx.Response(
            200, json=payloads.conversation_deleted(conversation_id)
        )
    )
    purged = app.test_cli_runner().invoke(args=["purge"])

    assert reply.status_code == 502
    assert reply.json["error"]["message"] == "OpenAI answered 500 (server_error); request id req_f4."
    assert (listed, unseen.status_code) == ([], 404)
    assert (purged.exit_code, purged.output) == (0, "Deleted 1 conversation(s) on OpenAI's side; 0 failed.\n")
    assert cleanup.call_count == 2
    assert rows(app, Conversation) == rows(app, Turn) == []


def test_a_purge_that_cannot_delete_a_failed_first_turn_keeps_its_row_and_says_so(app, client, openai_api):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_orphan"))
    openai_api.post("/responses").mock(return_value=api_failure(500))
    deleting(openai_api, responses=False)["delete_conversation"].mock(return_value=api_failure(500))
    client.post("/chat", json={"user_id": "ada", "message": "hi"})

    purged = app.test_cli_runner().invoke(args=["purge"])

    assert purged.exit_code == 1
    assert purged.output == (
        "Deleted 0 conversation(s) on OpenAI's side; 1 failed.\n  failed: conv_orphan (the next purge tries again)\n"
    )
    assert [(row.id, row.status) for row in rows(app, Conversation)] == [("conv_orphan", "pending")]


def test_a_failed_later_turn_stores_nothing_and_keeps_the_conversation_usable(app, client, openai_api, clock):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_1"))
    respond = openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(200, json=payloads.response("Hello.")),
            api_failure(500),
            httpx.Response(200, json=payloads.response("You are Ada.")),
        ]
    )
    start(client)
    clock.shift(timedelta(minutes=10))

    failed = say(client, "conv_1")
    (after_failure,) = rows(app, Conversation)
    retried = say(client, "conv_1")

    assert failed.status_code == 502
    assert after_failure.last_active_at == START
    assert after_failure.busy_since is None
    assert retried.status_code == 200
    assert [turn.reply for turn in rows(app, Turn)] == ["Hello.", "You are Ada."]
    assert respond.call_count == 3


def test_a_missing_openai_key_with_offline_mode_off_is_503_with_the_hint(monkeypatch, tmp_path):
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.setenv("OPENAI_OFFLINE", "0")
    app = app_module.create_app({"DATABASE_URL": sqlite_url(tmp_path)})
    client = app.test_client()

    reply = client.post("/chat", json={"user_id": "ada", "message": "hi"})

    assert reply.status_code == 503
    assert reply.json["error"]["type"] == "service_unavailable"
    assert "copy .env.example to .env" in reply.json["error"]["message"]
    dispose(app)


# --- concurrency ----------------------------------------------------------------------------


def test_two_turns_at_once_on_one_conversation_never_overlap(app, client, openai_api, clock):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_1"))
    respond = openai_api.post("/responses").mock(side_effect=fresh_replies("first reply"))
    start(client)
    in_flight = TurnInFlight(httpx.Response(200, json=payloads.response("slow reply")))
    respond.side_effect = in_flight
    in_flight.start(lambda: say(app.test_client(), "conv_1", "slow"))

    busy = say(client, "conv_1", "impatient")
    slow = in_flight.finish()
    respond.side_effect = fresh_replies("after reply")
    after = say(client, "conv_1", "after")

    assert busy.status_code == 409
    assert busy.json["error"]["type"] == "conversation_busy"
    assert slow.status_code == 200
    assert after.status_code == 200
    assert [turn.user_message for turn in rows(app, Turn)] == ["Hi, I'm Ada.", "slow", "after"]
    assert rows(app, Conversation)[0].busy_since is None


def test_a_turn_abandoned_by_a_crashed_worker_does_not_lock_forever(app, client, openai_conversations, clock):
    conversation_id = start(client)
    set_row(app, Conversation, conversation_id, busy_since=START)

    clock.shift(STALE_AFTER / 2)
    assert say(client, conversation_id).status_code == 409
    clock.shift(STALE_AFTER)
    assert say(client, conversation_id).status_code == 200
    assert timedelta(seconds=30) == STALE_AFTER  # the README promises this window


@on_sqlite_only
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(app):
    with app.extensions["database"].connect() as connection:
        pragmas = [
            connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
        ]

    assert pragmas == ["wal", 1, 5000, 1]


# --- configuration and serving --------------------------------------------------------------


def test_the_default_database_lives_beside_the_app(monkeypatch, tmp_path):
    default = tmp_path / "instance" / "conversations.db"
    monkeypatch.setattr(app_module, "DEFAULT_DATABASE", default)

    app = app_module.create_app()

    assert app.config["DATABASE_URL"] == f"sqlite:///{default}"
    assert default.exists()
    dispose(app)


def test_database_url_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")

    app = app_module.create_app()

    assert (tmp_path / "elsewhere.db").exists()
    dispose(app)


def test_the_script_serves_on_loopback_at_port_without_debug(flask_runs, run_script, tmp_path):
    result = run_script(APP, env={"PORT": "5055", "DATABASE_URL": sqlite_url(tmp_path)})

    assert result.exit_code == 0, result.stderr
    assert flask_runs == [{"host": "127.0.0.1", "port": 5055, "debug": False}]


def test_end_to_end_over_http_like_a_curl_user(app, live_server, openai_conversations, openai_deletes):
    base_url = live_server(app)

    health = requests.get(f"{base_url}/healthz", timeout=PATIENCE)
    started = requests.post(f"{base_url}/chat", json={"user_id": "ada", "message": "Hi, I'm Ada."}, timeout=PATIENCE)
    conversation_id = started.json()["conversation_id"]
    continued = requests.post(
        f"{base_url}/chat",
        json={"user_id": "ada", "message": "My name?", "conversation_id": conversation_id},
        timeout=PATIENCE,
    )
    listing = requests.get(f"{base_url}/conversations", params={"user_id": "ada"}, timeout=PATIENCE)
    forbidden = requests.get(f"{base_url}/responses/{conversation_id}", params={"user_id": "eve"}, timeout=PATIENCE)
    closed = requests.post(
        f"{base_url}/conversations/{conversation_id}/close", json={"user_id": "ada"}, timeout=PATIENCE
    )
    refused = requests.post(
        f"{base_url}/chat",
        json={"user_id": "ada", "message": "Still there?", "conversation_id": conversation_id},
        timeout=PATIENCE,
    )
    history = requests.get(f"{base_url}/responses/{conversation_id}", params={"user_id": "ada"}, timeout=PATIENCE)
    bad = requests.post(f"{base_url}/chat", data="oops", headers={"Content-Type": "application/json"}, timeout=PATIENCE)

    assert (health.status_code, health.json()) == (200, {"status": "ok", "app": "multi_user_app", "openai": "api"})
    assert (started.status_code, continued.status_code) == (201, 200)
    assert listing.json()["data"][0]["turns"] == 2
    assert forbidden.status_code == 403
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    assert refused.status_code == 409
    assert [turn["message"] for turn in history.json()["data"]] == ["Hi, I'm Ada.", "My name?"]
    assert bad.status_code == 400
    assert bad.headers["Content-Type"] == "application/json"


# --- what OpenAI keeps ------------------------------------------------------------------------


def deleted_paths(openai_api) -> list[str]:
    return [call.request.url.path for call in openai_api.calls if call.request.method == "DELETE"]


def test_closing_deletes_the_conversation_its_items_and_its_responses_on_openai_and_keeps_the_transcript(
    app, client, openai_api, openai_conversations, openai_deletes, clock
):
    conversation_id = start(client)
    say(client, conversation_id)
    response_ids = [turn.response_id for turn in rows(app, Turn)]

    closed = client.post(f"/conversations/{conversation_id}/close", json={"user_id": "ada"})

    assert closed.status_code == 200
    assert deleted_paths(openai_api) == [
        f"/v1/conversations/{conversation_id}/items/item_of_{conversation_id}",
        *(f"/v1/responses/{response_id}" for response_id in response_ids),
        f"/v1/conversations/{conversation_id}",
    ]
    (conversation,) = rows(app, Conversation)
    assert (conversation.status, conversation.deleted_on_openai_at) == ("closed", START)
    assert len(rows(app, Turn)) == 2
    assert len(client.get(f"/responses/{conversation_id}?user_id=ada").json["data"]) == 2


def test_a_failed_remote_delete_is_not_the_users_problem_and_purge_finishes_it(
    app, client, openai_api, openai_conversations, openai_deletes, clock, caplog
):
    conversation_id = start(client)
    openai_deletes["delete_conversation"].mock(return_value=api_failure(500))

    closed = client.post(f"/conversations/{conversation_id}/close", json={"user_id": "ada"})
    marked = rows(app, Conversation)[0].deleted_on_openai_at
    openai_deletes["delete_conversation"].mock(
        side_effect=lambda request, conversation_id: httpx.Response(
            200, json=payloads.conversation_deleted(conversation_id)
        )
    )
    purged = app.test_cli_runner().invoke(args=["purge"])
    again = app.test_cli_runner().invoke(args=["purge"])

    assert (closed.status_code, closed.json["status"]) == (200, "closed")
    assert marked is None
    assert f"Could not delete {conversation_id} on OpenAI's side; purge will retry: " in caplog.text
    assert (purged.exit_code, purged.output) == (0, "Deleted 1 conversation(s) on OpenAI's side; 0 failed.\n")
    assert rows(app, Conversation)[0].deleted_on_openai_at == START
    assert (again.exit_code, again.output) == (0, "Deleted 0 conversation(s) on OpenAI's side; 0 failed.\n")
    assert openai_deletes["delete_conversation"].call_count == 2


def test_purge_expires_idle_conversations_deletes_them_and_reports_failures(
    app, client, openai_api, openai_conversations, openai_deletes, clock
):
    idle, failing = start(client), start(client, user_id="bob")
    clock.shift(timedelta(minutes=20))
    recent = start(client)
    clock.shift(timedelta(minutes=11))
    openai_deletes["delete_conversation"].mock(
        side_effect=lambda request, conversation_id: (
            api_failure(500)
            if conversation_id == failing
            else httpx.Response(200, json=payloads.conversation_deleted(conversation_id))
        )
    )

    result = app.test_cli_runner().invoke(args=["purge"])

    assert result.exit_code == 1
    assert result.output == (
        f"Deleted 1 conversation(s) on OpenAI's side; 1 failed.\n  failed: {failing} (the next purge tries again)\n"
    )
    statuses = {row.id: (row.status, row.deleted_on_openai_at) for row in rows(app, Conversation)}
    assert statuses == {
        idle: ("expired", START + timedelta(minutes=31)),
        failing: ("expired", None),
        recent: ("active", None),
    }


def test_listing_and_purge_never_expire_a_conversation_with_a_turn_in_flight(
    app, client, openai_api, openai_conversations, clock
):
    conversation_id = start(client)
    clock.shift(timedelta(minutes=31))
    set_row(app, Conversation, conversation_id, busy_since=START + timedelta(minutes=31))

    listing = client.get("/conversations?user_id=ada")
    purged = app.test_cli_runner().invoke(args=["purge"])

    assert listing.json["data"][0]["status"] == "active"
    assert purged.output == "Deleted 0 conversation(s) on OpenAI's side; 0 failed.\n"


def test_purge_leaves_a_first_turn_still_being_answered_alone(app, client, openai_api, clock):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_1"))
    held = TurnInFlight(httpx.Response(200, json=payloads.response("Hello.")))
    openai_api.post("/responses").mock(side_effect=held)

    held.start(lambda: client.post("/chat", json={"user_id": "ada", "message": "Hi, I'm Ada."}))
    during = [(row.id, row.status) for row in rows(app, Conversation)]
    listed = client.get("/conversations?user_id=ada").json["data"]
    purged = app.test_cli_runner().invoke(args=["purge"])
    finished = held.finish()

    assert during == [("conv_1", "pending")]
    assert listed == []
    assert purged.output == "Deleted 0 conversation(s) on OpenAI's side; 0 failed.\n"
    assert finished.status_code == 201
    assert [(row.id, row.status, row.busy_since) for row in rows(app, Conversation)] == [("conv_1", "active", None)]


def test_closing_while_a_turn_is_in_flight_is_refused_and_the_turn_completes(app, client, openai_api, clock):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_1"))
    held = TurnInFlight(httpx.Response(200, json=payloads.response("Still here.")))
    openai_api.post("/responses").mock(side_effect=[httpx.Response(200, json=payloads.response("Hello.")), held])
    start(client)

    held.start(lambda: say(client, "conv_1"))
    refused = client.post("/conversations/conv_1/close", json={"user_id": "ada"})
    finished = held.finish()

    assert refused.status_code == 409
    assert refused.json["error"]["type"] == "conversation_busy"
    assert finished.status_code == 200
    assert rows(app, Conversation)[0].status == "active"
    assert [turn.reply for turn in rows(app, Turn)] == ["Hello.", "Still here."]


def test_a_conversation_deleted_on_openais_side_is_reported_plainly_and_closed(app, client, openai_api, clock):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_1"))
    openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(200, json=payloads.response("Hello.")),
            httpx.Response(404, json=payloads.api_error("Conversation not found.", type="invalid_request_error")),
        ]
    )
    start(client)

    gone = say(client, "conv_1")

    assert gone.status_code == 410
    assert gone.json == {
        "error": {
            "type": "conversation_gone",
            "message": "This conversation no longer exists on OpenAI's side; "
            "start a new one without a conversation_id.",
        }
    }
    (conversation,) = rows(app, Conversation)
    assert (conversation.status, conversation.busy_since) == ("closed", None)
    assert len(rows(app, Turn)) == 1


def test_reading_a_conversation_with_a_turn_in_flight_past_its_ttl_does_not_expire_it(
    app, client, openai_conversations, clock
):
    conversation_id = start(client)
    clock.shift(timedelta(minutes=31))
    set_row(app, Conversation, conversation_id, busy_since=START + timedelta(minutes=31))

    history = client.get(f"/responses/{conversation_id}?user_id=ada")

    assert history.status_code == 200
    assert rows(app, Conversation)[0].status == "active"


def test_a_404_on_a_brand_new_conversation_is_an_upstream_error_and_it_is_removed(app, client, openai_api):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_new"))
    openai_api.post("/responses").respond(404, json=payloads.api_error("Not found.", type="invalid_request_error"))
    cleanup = deleting(openai_api, responses=False)

    reply = client.post("/chat", json={"user_id": "ada", "message": "hi"})

    assert (reply.status_code, reply.json["error"]["type"]) == (502, "upstream_error")
    assert cleanup["delete_conversation"].call_count == 1
    assert rows(app, Conversation) == []


def test_a_first_turn_whose_database_write_fails_removes_its_conversation_and_answers_503(
    app, client, openai_api, monkeypatch
):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_1"))
    respond = openai_api.post("/responses").respond(json=payloads.response("Hello."))
    cleanup = deleting(openai_api)
    attempts = []

    def store_turn(*args):
        attempts.append(args)
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(chat, "store_turn", store_turn)
    reply = client.post("/chat", json={"user_id": "ada", "message": "hi"})

    assert len(attempts) == 3  # each after SQLite's own busy timeout
    assert (reply.status_code, reply.headers["Retry-After"]) == (503, "1")
    assert reply.json == {
        "error": {"type": "database_unavailable", "message": "The database is busy or unavailable; retry shortly."}
    }
    assert (
        cleanup["delete_response"].calls.last.request.url.path
        == f"/v1/responses/{respond.calls.last.response.json()['id']}"
    )
    assert cleanup["delete_conversation"].call_count == 1
    assert rows(app, Conversation) == []


@pytest.mark.parametrize("value", ["inf", "0", "thirty"])
def test_a_bad_ttl_stops_the_backend_with_one_line(run_script, tmp_path, value):
    result = run_script(APP, env={"CONVERSATION_TTL_MINUTES": value, "DATABASE_URL": sqlite_url(tmp_path)})

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"CONVERSATION_TTL_MINUTES must be a number from 0.1 to 525600, not {value!r}.\n"


# --- paging ---------------------------------------------------------------------------------


def test_conversations_come_in_pages_by_cursor_newest_first(client, openai_conversations, clock):
    made = []
    for _ in range(5):
        made.append(start(client))
        clock.shift(timedelta(seconds=1))
    start(client, user_id="bob")

    first = client.get("/conversations?user_id=ada&limit=2").json
    second = client.get(f"/conversations?user_id=ada&limit=2&after={first['last_id']}").json
    third = client.get(f"/conversations?user_id=ada&limit=2&after={second['last_id']}").json

    pages = [[c["conversation_id"] for c in page["data"]] for page in (first, second, third)]
    assert pages == [made[4:2:-1], made[2:0:-1], made[:1]]
    assert [page["has_more"] for page in (first, second, third)] == [True, True, False]
    assert (first["first_id"], first["last_id"]) == (made[4], made[3])


def test_turns_come_in_pages_by_response_id(client, openai_conversations, clock):
    conversation_id = start(client)
    for number in range(3):
        say(client, conversation_id, f"message {number}")

    first = client.get(f"/responses/{conversation_id}?user_id=ada&limit=3").json
    rest = client.get(f"/responses/{conversation_id}?user_id=ada&limit=3&after={first['last_id']}").json

    assert [turn["message"] for turn in first["data"]] == ["Hi, I'm Ada.", "message 0", "message 1"]
    assert ([turn["message"] for turn in rest["data"]], first["has_more"], rest["has_more"]) == (
        ["message 2"],
        True,
        False,
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=0", "'limit' must be a whole number from 1 to 100."),
        ("limit=101", "'limit' must be a whole number from 1 to 100."),
        ("limit=²", "'limit' must be a whole number from 1 to 100."),
        ("limit=-1", "'limit' must be a whole number from 1 to 100."),
        ("after=conv_nope", "'after' must be the id of one of your conversations, not 'conv_nope'."),
    ],
)
def test_bad_paging_arguments_are_400_naming_them(client, openai_conversations, query, message):
    start(client, user_id="bob")

    reply = client.get(f"/conversations?user_id=ada&{query}")

    assert (reply.status_code, reply.json) == (400, {"error": {"type": "invalid_request", "message": message}})


def test_a_turn_cursor_from_another_conversation_is_refused(client, openai_conversations):
    one, other = start(client), start(client)
    foreign = client.get(f"/responses/{other}?user_id=ada").json["last_id"]

    reply = client.get(f"/responses/{one}?user_id=ada&after={foreign}")

    assert reply.status_code == 400
    assert reply.json["error"]["message"] == "'after' must be the response_id of a turn of this conversation."


@on_sqlite_only
@pytest.mark.parametrize("status", [None, "active"])
def test_each_list_query_is_served_by_an_index_without_a_sort(app, client, openai_conversations, status):
    conversation_id = start(client)
    filtered = f"&status={status}" if status else ""

    listing = query_plans(
        app, lambda: client.get(f"/conversations?user_id=ada&limit=2&after={conversation_id}{filtered}")
    )
    turns = query_plans(app, lambda: client.get(f"/responses/{conversation_id}?user_id=ada&limit=2"))

    assert_served_by_an_index(listing, "conversations")
    assert_served_by_an_index(turns, "turns")


def test_a_long_first_message_is_cut_in_the_list_and_the_page_learns_the_servers_limit(
    app, client, openai_conversations
):
    app.config["MAX_MESSAGE_CHARS"] = 500
    first = start(
        client, message="Tell me   everything about growing tomatoes on a small balcony in a cold, windy city."
    )

    listed = client.get("/conversations?user_id=ada").json["data"][0]

    assert listed["conversation_id"] == first
    assert listed["first_message"] == "Tell me everything about growing tomatoes on a small balcon…"
    assert len(listed["first_message"]) == 60
    assert client.get("/page/limits").json == {"max_message_chars": 500}


def test_a_long_conversation_is_compacted_in_place_so_a_turn_costs_about_the_budget_and_the_first_facts_stay(
    app, client, monkeypatch
):
    long_chat.use_the_stand_in(monkeypatch)
    app.config["COMPACT_AFTER_TOKENS"] = long_chat.BUDGET
    first = client.post("/chat", json={"user_id": "ada", "message": long_chat.FIRST_MESSAGE}).json
    turn = {"user_id": "ada", "conversation_id": first["conversation_id"]}
    for message in long_chat.chatter(25):
        assert client.post("/chat", json=turn | {"message": message}).status_code == 200

    last = client.post("/chat", json=turn | {"message": long_chat.LAST_MESSAGE}).json

    billed = [row.input_tokens for row in rows(app, Turn)]
    assert max(billed[:9]) < long_chat.BUDGET < max(billed)  # the chat grew past the budget once, early on
    assert max(billed[-10:]) < long_chat.BUDGET * 1.3  # and stays around it: at most one turn's worth above
    assert last["conversation_id"] == first["conversation_id"]  # the same conversation, on both sides
    remote = list(get_client().conversations.items.list(first["conversation_id"], order="asc"))
    assert remote[0].type == "compaction"
    assert len(remote) < 2 * 10  # not the 54 items of 27 turns
    assert long_chat.recalls_the_first_facts(last["reply"])
    assert len(rows(app, Turn)) == 27  # the transcript here keeps every turn
