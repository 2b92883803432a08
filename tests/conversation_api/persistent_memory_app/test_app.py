import hashlib
from datetime import timedelta

import httpx
import pytest
import requests
from sqlalchemy.exc import OperationalError

import Conversation_API.persistent_memory_app as app_module
from Conversation_API.persistent_memory_app import chat as chat_module
from Conversation_API.persistent_memory_app import models
from openai_tutorial.client import get_client
from tests.support import long_chat, payloads
from tests.support.conversations import deleting
from tests.support.helpers import (
    PATIENCE,
    START,
    TurnInFlight,
    add_row,
    api_failure,
    assert_served_by_an_index,
    database_app_fixtures,
    dispose,
    fresh_replies,
    on_sqlite_only,
    query_plans,
    rows,
    sent_json,
    sqlite_url,
)

APP = "Conversation_API.persistent_memory_app"
User, Message = models.User, models.Message


app, client = database_app_fixtures(app_module)


def chat(client, message="Remember: my favourite colour is teal.", user_id="ada"):
    return client.post("/chat", json={"user_id": user_id, "message": message})


# --- chatting -------------------------------------------------------------------------------


def test_the_first_message_creates_the_users_conversation(app, client, openai_conversations, clock):
    create, respond = openai_conversations

    reply = chat(client)

    assert reply.status_code == 200
    assert reply.json == {
        "conversation_id": "conv_1",
        "response_id": respond.calls.last.response.json()["id"],
        "reply": "Nice to meet you, Ada.",
    }
    assert sent_json(create) == {"metadata": {"user": hashlib.sha256(b"ada").hexdigest()}}
    assert sent_json(respond) == {
        "model": "gpt-5.4-mini",
        "conversation": "conv_1",
        "input": "Remember: my favourite colour is teal.",
        "safety_identifier": hashlib.sha256(b"ada").hexdigest(),
    }
    (user,) = rows(app, User)
    assert (user.user_id, user.conversation_id, user.created_at, user.busy_since) == ("ada", "conv_1", START, None)
    assert [(m.role, m.content, m.created_at) for m in rows(app, Message)] == [
        ("user", "Remember: my favourite colour is teal.", START),
        ("assistant", "Nice to meet you, Ada.", START),
    ]


def test_later_messages_continue_the_same_conversation_and_each_user_has_their_own(app, client, openai_conversations):
    create, respond = openai_conversations

    chat(client)
    chat(client, "What is my favourite colour?")
    chat(client, "Hello", user_id="bob")

    assert create.call_count == 2
    assert [sent_json(respond, call)["conversation"] for call in range(3)] == ["conv_1", "conv_1", "conv_2"]
    assert {user.user_id: user.conversation_id for user in rows(app, User)} == {"ada": "conv_1", "bob": "conv_2"}
    assert len(rows(app, Message)) == 6


def test_a_restart_on_the_same_database_continues_the_same_conversation(database_url, openai_conversations):
    create, respond = openai_conversations
    before = app_module.create_app({"DATABASE_URL": database_url})
    chat(before.test_client())
    dispose(before)

    after = app_module.create_app({"DATABASE_URL": database_url})
    reply = chat(after.test_client(), "What is my favourite colour?")
    history = after.test_client().get("/users/ada/history").json

    assert reply.json["conversation_id"] == "conv_1"
    assert create.call_count == 1
    assert sent_json(respond)["conversation"] == "conv_1"
    assert [m["content"] for m in history["data"]] == [
        "Remember: my favourite colour is teal.",
        "Nice to meet you, Ada.",
        "What is my favourite colour?",
        "Nice to meet you, Ada.",
    ]
    dispose(after)


# --- history --------------------------------------------------------------------------------


def test_history_is_oldest_first_and_pages_with_a_cursor(client, openai_conversations, clock):
    _, respond = openai_conversations
    for number in range(3):
        chat(client, f"message {number}")
        clock.shift(timedelta(minutes=1))
    response_ids = [call.response.json()["id"] for call in respond.calls]

    first = client.get("/users/ada/history?limit=4").json
    second = client.get(f"/users/ada/history?limit=4&after={first['last_id']}").json

    assert (first["object"], first["first_id"], first["last_id"], first["has_more"]) == ("list", 1, 4, True)
    assert first["data"][:2] == [
        {
            "id": 1,
            "role": "user",
            "content": "message 0",
            "response_id": response_ids[0],
            "created_at": "2026-11-22T09:00:00+00:00",
        },
        {
            "id": 2,
            "role": "assistant",
            "content": "Nice to meet you, Ada.",
            "response_id": response_ids[0],
            "created_at": "2026-11-22T09:00:00+00:00",
        },
    ]
    assert [m["id"] for m in first["data"]] == [1, 2, 3, 4]
    assert [m["content"] for m in second["data"]] == ["message 2", "Nice to meet you, Ada."]
    assert (second["last_id"], second["has_more"]) == (6, False)


def test_history_defaults_to_fifty_messages(client, openai_conversations):
    chat(client)

    history = client.get("/users/ada/history").json

    assert (len(history["data"]), history["has_more"]) == (2, False)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=0", "'limit' must be a whole number from 1 to 100."),
        ("limit=101", "'limit' must be a whole number from 1 to 100."),
        ("limit=ten", "'limit' must be a whole number from 1 to 100."),
        ("limit=٣", "'limit' must be a whole number from 1 to 100."),
        ("after=-1", "'after' must be a whole number from 0 to 9223372036854775807."),
    ],
)
def test_bad_paging_arguments_are_400(client, openai_conversations, query, message):
    chat(client)

    reply = client.get(f"/users/ada/history?{query}")

    assert (reply.status_code, reply.json["error"]["message"]) == (400, message)


def test_history_of_an_unknown_user_is_404(client):
    reply = client.get("/users/nobody/history")

    assert reply.status_code == 404
    assert reply.json == {"error": {"type": "not_found", "message": "No memory for user 'nobody'."}}


@pytest.mark.parametrize(("method", "path"), [("GET", "/users/{}/history"), ("DELETE", "/users/{}/memory")])
def test_a_user_id_in_the_path_longer_than_allowed_is_413(client, method, path):
    reply = client.open(path.format("u" * 129), method=method)

    assert (reply.status_code, reply.json) == (
        413,
        {"error": {"type": "too_large", "message": "'user_id' is longer than 128 characters."}},
    )


# --- forgetting -----------------------------------------------------------------------------


def test_delete_memory_removes_the_remote_conversation_its_items_and_responses_then_local_rows(
    app, client, openai_api, openai_conversations, openai_deletes
):
    create, _ = openai_conversations
    chat(client)
    chat(client, "What colour?")
    chat(client, "hi", user_id="bob")
    ada_responses = [m.response_id for m in rows(app, Message) if m.user_id == "ada" and m.role == "assistant"]

    reply = client.delete("/users/ada/memory")
    fresh_start = chat(client, "Do you know me?")

    assert (reply.status_code, reply.get_data()) == (204, b"")
    assert [call.request.url.path for call in openai_api.calls if call.request.method == "DELETE"] == [
        "/v1/conversations/conv_1/items/item_of_conv_1",
        *(f"/v1/responses/{response_id}" for response_id in ada_responses),
        "/v1/conversations/conv_1",
    ]
    assert fresh_start.json["conversation_id"] == "conv_3"
    assert create.call_count == 3
    assert [m.content for m in rows(app, Message) if m.user_id == "ada"] == [
        "Do you know me?",
        "Nice to meet you, Ada.",
    ]
    assert [m.user_id for m in rows(app, Message)].count("bob") == 2


def test_delete_memory_of_a_conversation_already_gone_upstream_still_forgets_locally(
    app, client, openai_api, openai_conversations
):
    _, respond = openai_conversations
    chat(client)
    gone = httpx.Response(404, json=payloads.api_error("Not found.", type="invalid_request_error"))
    items = openai_api.get("/conversations/conv_1/items").mock(return_value=gone)
    response = openai_api.delete(f"/responses/{respond.calls.last.response.json()['id']}").mock(return_value=gone)
    conversation = openai_api.delete("/conversations/conv_1").mock(return_value=gone)

    reply = client.delete("/users/ada/memory")

    assert reply.status_code == 204
    assert (items.call_count, response.call_count, conversation.call_count) == (1, 1, 1)
    assert rows(app, User) == rows(app, Message) == []


def test_a_failed_delete_upstream_keeps_everything_and_a_retry_or_purge_finishes_it(
    app, client, openai_api, openai_conversations, openai_deletes
):
    chat(client)
    chat(client, "hi", user_id="bob")
    openai_deletes["delete_conversation"].mock(return_value=api_failure(500))

    failed = client.delete("/users/ada/memory")
    meanwhile = chat(client, "Still there?")
    failed_purge = app.test_cli_runner().invoke(args=["purge"])
    openai_deletes["delete_conversation"].mock(
        side_effect=lambda request, conversation_id: httpx.Response(
            200, json=payloads.conversation_deleted(conversation_id)
        )
    )
    purged = app.test_cli_runner().invoke(args=["purge"])

    assert failed.status_code == 502
    assert failed.json == {
        "error": {
            "type": "upstream_error",
            "message": "OpenAI failed while deleting this user's data; nothing was deleted here. Repeat the request.",
        }
    }
    assert (meanwhile.status_code, meanwhile.json["error"]["type"]) == (409, "user_being_forgotten")
    assert failed_purge.exit_code == 1
    assert failed_purge.output.endswith("Forgot 0 user(s) on OpenAI's side and here; 1 failed.\n")
    assert (purged.exit_code, purged.output) == (0, "Forgot 1 user(s) on OpenAI's side and here; 0 failed.\n")
    assert [user.user_id for user in rows(app, User)] == ["bob"]
    assert [m.user_id for m in rows(app, Message)] == ["bob", "bob"]


def test_a_repeated_delete_after_a_failure_finishes_the_job(
    app, client, openai_api, openai_conversations, openai_deletes
):
    chat(client)
    openai_deletes["delete_conversation"].mock(
        side_effect=[api_failure(500), httpx.Response(200, json=payloads.conversation_deleted("conv_1"))]
    )

    failed = client.delete("/users/ada/memory")
    (kept,) = rows(app, User)
    retried = client.delete("/users/ada/memory")

    assert (failed.status_code, retried.status_code) == (502, 204)
    assert kept.busy_since is None
    assert kept.forget_requested_at is not None
    assert rows(app, User) == rows(app, Message) == []


def test_delete_memory_of_an_unknown_user_is_404(client):
    reply = client.delete("/users/nobody/memory")

    assert (reply.status_code, reply.json["error"]["type"]) == (404, "not_found")


# --- bad input and upstream failures --------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ("nope", 400, "The request body must be a JSON object."),
        ('{"message": "hi"}', 400, "'user_id' is required."),
        ('{"user_id": "ada"}', 400, "'message' is required."),
        ('{"user_id": "ada", "message": 5}', 400, "'message' must be a string."),
        ('{"user_id": "ada", "message": "   "}', 400, "'message' must not be empty."),
        ('{"user_id": "ada", "message": "' + "x" * 4001 + '"}', 413, "'message' is longer than 4000 characters."),
    ],
)
def test_bad_input_is_a_json_error_naming_the_problem(app, client, body, status, message):
    reply = client.post("/chat", data=body, content_type="application/json")

    assert (reply.status_code, reply.json["error"]["message"]) == (status, message)
    assert rows(app, User) == []


def test_a_failed_first_turn_stores_nothing_and_removes_the_new_conversation(app, client, openai_api):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_orphan"))
    openai_api.post("/responses").mock(side_effect=httpx.ReadTimeout("slow"))
    cleanup = deleting(openai_api, responses=False)["delete_conversation"]

    reply = chat(client)

    assert reply.status_code == 504
    assert cleanup.call_count == 1
    assert rows(app, User) == rows(app, Message) == []


def test_a_failed_later_turn_stores_nothing_and_frees_the_user(app, client, openai_api):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_1"))
    openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(200, json=payloads.response("Nice to meet you, Ada.")),
            httpx.Response(429, json=payloads.api_error("Slow.", type="tokens"), headers={"retry-after": "3"}),
            httpx.Response(200, json=payloads.response("Teal.")),
        ]
    )
    chat(client)

    limited = chat(client, "What colour?")
    retried = chat(client, "What colour?")

    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "3")
    assert retried.status_code == 200
    assert [m.content for m in rows(app, Message)] == [
        "Remember: my favourite colour is teal.",
        "Nice to meet you, Ada.",
        "What colour?",
        "Teal.",
    ]


def test_app_api_key_is_required_when_set(tmp_path, monkeypatch, openai_conversations):
    monkeypatch.setenv("APP_API_KEY", "k3y")
    app = app_module.create_app({"DATABASE_URL": sqlite_url(tmp_path)})
    client = app.test_client()

    refused = chat(client)
    allowed = client.post("/chat", json={"user_id": "ada", "message": "hi"}, headers={"Authorization": "Bearer k3y"})

    assert (refused.status_code, allowed.status_code) == (401, 200)
    assert client.get("/healthz").status_code == 200
    dispose(app)


# --- concurrency ----------------------------------------------------------------------------


def test_a_second_message_while_the_first_is_answered_gets_409_and_the_rows_stay_consistent(app, client, openai_api):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_1"))
    respond = openai_api.post("/responses").mock(side_effect=fresh_replies("first reply"))
    chat(client, "first")
    in_flight = TurnInFlight(httpx.Response(200, json=payloads.response("slow reply")))
    respond.side_effect = in_flight
    in_flight.start(lambda: chat(app.test_client(), "slow"))

    busy = chat(client, "impatient")
    forget = client.delete("/users/ada/memory")
    slow = in_flight.finish()

    assert (busy.status_code, busy.json["error"]["type"]) == (409, "user_busy")
    assert forget.status_code == 409
    assert slow.status_code == 200
    assert [m.content for m in rows(app, Message)] == ["first", "first reply", "slow", "slow reply"]


def test_two_first_messages_racing_keep_one_conversation(app, client, openai_api):
    def another_first_message_wins_meanwhile(request):
        add_row(app, User, user_id="ada", conversation_id="conv_winner", created_at=START, busy_since=START)
        return httpx.Response(200, json=payloads.conversation(id="conv_loser"))

    openai_api.post("/conversations").mock(side_effect=another_first_message_wins_meanwhile)
    cleanup = deleting(openai_api, responses=False)

    reply = chat(client)

    assert (reply.status_code, reply.json["error"]["type"]) == (409, "user_busy")
    assert cleanup["delete_conversation"].calls.last.request.url.path == "/v1/conversations/conv_loser"
    assert [user.conversation_id for user in rows(app, User)] == ["conv_winner"]
    assert rows(app, Message) == []


def test_a_failed_first_message_whose_clean_up_fails_is_finished_by_purge(app, client, openai_api):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_orphan"))
    openai_api.post("/responses").mock(return_value=api_failure(500))
    cleanup = deleting(openai_api, responses=False)["delete_conversation"]
    cleanup.mock(return_value=api_failure(500))

    reply = chat(client)
    left = [(user.user_id, user.conversation_id, user.busy_since) for user in rows(app, User)]
    cleanup.mock(
        side_effect=lambda request, conversation_id: httpx.Response(
            200, json=payloads.conversation_deleted(conversation_id)
        )
    )
    purged = app.test_cli_runner().invoke(args=["purge"])

    assert reply.status_code == 502
    assert left == [("ada", "conv_orphan", None)]
    assert (purged.exit_code, purged.output) == (0, "Forgot 1 user(s) on OpenAI's side and here; 0 failed.\n")
    assert cleanup.calls.last.request.url.path == "/v1/conversations/conv_orphan"
    assert rows(app, User) == []


def test_a_failed_first_message_cleaned_up_leaves_no_row(app, client, openai_api):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_orphan"))
    openai_api.post("/responses").mock(return_value=api_failure(500))
    cleanup = deleting(openai_api, responses=False)["delete_conversation"]

    reply = chat(client)

    assert (reply.status_code, cleanup.call_count) == (502, 1)
    assert rows(app, User) == []


def test_purge_leaves_a_first_message_still_being_answered_alone(app, client, openai_api):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_1"))
    held = TurnInFlight(httpx.Response(200, json=payloads.response("Hello, Ada.")))
    openai_api.post("/responses").mock(side_effect=held)

    held.start(lambda: chat(client))
    purged = app.test_cli_runner().invoke(args=["purge"])
    finished = held.finish()

    assert purged.output == "Forgot 0 user(s) on OpenAI's side and here; 0 failed.\n"
    assert finished.status_code == 200
    assert [m.role for m in rows(app, Message)] == ["user", "assistant"]


def test_turns_are_sent_without_the_sdks_retries(client, openai_api, openai_conversations, monkeypatch):
    """A turn that timed out may have reached OpenAI: a retry would add the user's message twice."""
    monkeypatch.setenv("OPENAI_MAX_RETRIES", "2")
    _, respond = openai_conversations
    chat(client)
    respond.side_effect = [httpx.ReadTimeout("no answer")]

    reply = chat(client, "And now?")

    assert reply.status_code == 504
    assert respond.call_count == 2


def test_an_answered_turn_waits_out_a_busy_database_before_it_is_given_up(
    app, client, openai_conversations, monkeypatch, caplog
):
    chat(client)
    store = chat_module.store_messages
    tries = []

    def busy_twice(*args):
        tries.append(args)
        if len(tries) < 3:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        store(*args)

    monkeypatch.setattr(chat_module, "store_messages", busy_twice)
    reply = chat(client, "And my colour?")

    assert (reply.status_code, len(tries)) == (200, 3)
    assert [m.content for m in rows(app, Message)][-2] == "And my colour?"
    assert "Could not store an answered turn (database is locked); trying again (2 of 3)" in caplog.text


def test_an_answered_turn_the_database_never_takes_is_a_503(app, client, openai_conversations, monkeypatch):
    chat(client)

    def locked(*args):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(chat_module, "store_messages", locked)
    reply = chat(client, "And my colour?")

    assert (reply.status_code, reply.json["error"]["type"]) == (503, "database_unavailable")
    assert len(rows(app, Message)) == 2
    assert rows(app, User)[0].busy_since is None


# --- serving --------------------------------------------------------------------------------


def test_the_default_database_lives_beside_the_app(monkeypatch, tmp_path):
    default = tmp_path / "instance" / "memory.db"
    monkeypatch.setattr(app_module, "DEFAULT_DATABASE", default)

    app = app_module.create_app()

    assert default.exists()
    dispose(app)


def test_the_script_serves_on_loopback(flask_runs, run_script, tmp_path):
    result = run_script(APP, env={"DATABASE_URL": sqlite_url(tmp_path), "FLASK_DEBUG": "1"})

    assert result.exit_code == 0, result.stderr
    assert flask_runs == [{"host": "127.0.0.1", "port": 5000, "debug": True}]


def test_end_to_end_over_http_like_a_curl_user(app, live_server, openai_api, openai_conversations, openai_deletes):
    base_url = live_server(app)

    first = requests.post(f"{base_url}/chat", json={"user_id": "ada", "message": "I like teal."}, timeout=PATIENCE)
    second = requests.post(f"{base_url}/chat", json={"user_id": "ada", "message": "Colour?"}, timeout=PATIENCE)
    history = requests.get(f"{base_url}/users/ada/history", params={"limit": 3}, timeout=PATIENCE)
    forgotten = requests.delete(f"{base_url}/users/ada/memory", timeout=PATIENCE)
    gone = requests.get(f"{base_url}/users/ada/history", timeout=PATIENCE)

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["conversation_id"] == second.json()["conversation_id"] == "conv_1"
    assert len(history.json()["data"]) == 3
    assert (history.json()["last_id"], history.json()["has_more"]) == (3, True)
    assert forgotten.status_code == 204
    assert gone.status_code == 404


def test_a_conversation_deleted_on_openais_side_starts_the_user_afresh(app, client, openai_api, clock):
    numbers = iter(range(1, 10))
    openai_api.post("/conversations").mock(
        side_effect=lambda request: httpx.Response(200, json=payloads.conversation(id=f"conv_{next(numbers)}"))
    )
    gone = httpx.Response(404, json=payloads.api_error("Conversation not found.", type="invalid_request_error"))
    respond = openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(200, json=payloads.response("Hi.")),
            gone,
            httpx.Response(200, json=payloads.response("Hello again.")),
        ]
    )
    chat(client)

    reply = chat(client, "Do you remember me?")

    assert (reply.status_code, reply.json["conversation_id"], reply.json["reply"]) == (200, "conv_2", "Hello again.")
    assert [sent_json(respond, n)["conversation"] for n in range(3)] == ["conv_1", "conv_1", "conv_2"]
    (user,) = rows(app, User)
    assert (user.conversation_id, user.busy_since) == ("conv_2", None)
    assert [m.content for m in rows(app, Message)] == [
        "Remember: my favourite colour is teal.",
        "Hi.",
        "Do you remember me?",
        "Hello again.",
    ]


def test_a_404_on_a_brand_new_conversation_is_an_upstream_error_and_it_is_removed(app, client, openai_api):
    openai_api.post("/conversations").respond(json=payloads.conversation(id="conv_new"))
    openai_api.post("/responses").respond(404, json=payloads.api_error("Not found.", type="invalid_request_error"))
    cleanup = deleting(openai_api, responses=False)

    reply = chat(client)

    assert (reply.status_code, reply.json["error"]["type"]) == (502, "upstream_error")
    assert cleanup["delete_conversation"].call_count == 1
    assert rows(app, User) == []


@on_sqlite_only
def test_the_history_query_is_served_by_an_index_without_a_sort(app, client, openai_conversations):
    chat(client)

    plans = query_plans(app, lambda: client.get("/users/ada/history?limit=1&after=1"))

    assert_served_by_an_index(plans, "messages")


def test_a_long_memory_is_compacted_in_place_so_a_turn_costs_about_the_budget_and_the_first_facts_stay(
    app, client, monkeypatch
):
    long_chat.use_the_stand_in(monkeypatch)
    app.config["COMPACT_AFTER_TOKENS"] = long_chat.BUDGET
    replies = [chat(client, message).json for message in long_chat.messages(25)]

    responses = [get_client().responses.retrieve(reply["response_id"]) for reply in replies]
    billed = [response.usage.input_tokens for response in responses]
    assert max(billed[:9]) < long_chat.BUDGET < max(billed)
    assert max(billed[-10:]) < long_chat.BUDGET * 1.3
    assert {reply["conversation_id"] for reply in replies} == {replies[0]["conversation_id"]}
    remote = list(get_client().conversations.items.list(replies[0]["conversation_id"], order="asc"))
    assert remote[0].type == "compaction"
    assert len(remote) < 2 * 10
    assert long_chat.recalls_the_first_facts(replies[-1]["reply"])
    assert len(rows(app, models.Message)) == 27 * 2  # the transcript here keeps every word
