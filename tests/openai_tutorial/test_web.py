"""The Flask plumbing every backend shares: one JSON error shape, API key, upstream mapping, serving."""

import logging

import httpx
import pytest
import requests
from flask import Flask

from openai_tutorial.client import get_client
from openai_tutorial.web import (
    APIProblem,
    after_number,
    create_json_app,
    fail,
    json_body,
    list_page,
    page_size,
    serve,
    text_field,
)
from tests.support import payloads
from tests.support.helpers import PATIENCE, api_failure


@pytest.fixture
def app() -> Flask:
    app = create_json_app(__name__, "test_app")
    app.config.from_mapping(TESTING=True)

    @app.post("/echo")
    def echo():
        body = json_body()
        return {"name": text_field(body, "name", max_chars=5)}

    @app.get("/teapot")
    def teapot():
        fail(418, "teapot", "I am a teapot.", {"X-Brew": "tea"})

    @app.get("/ask")
    def ask():
        return {"reply": get_client().responses.create(model="m", input="hi").output_text}

    @app.get("/crash")
    def crash():
        raise RuntimeError("database password is hunter2")

    return app


@pytest.fixture
def client(app):
    return app.test_client()


def test_settings_come_from_the_environment_with_defaults(monkeypatch):
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "99")
    monkeypatch.setenv("APP_API_KEY", "from-env")

    app = create_json_app(__name__, "test_app")

    assert (app.config["MAX_MESSAGE_CHARS"], app.config["APP_API_KEY"]) == (99, "from-env")
    assert app.config["MAX_CONTENT_LENGTH"] == 64 * 1024


def test_healthz_says_who_answers_the_openai_calls(client):
    assert (client.get("/healthz").status_code, client.get("/healthz").json) == (
        200,
        {"status": "ok", "app": "test_app", "openai": "api"},
    )


def test_an_offline_backend_says_so_at_start_and_in_healthz(monkeypatch, capsys):
    monkeypatch.delenv("OPENAI_API_KEY")

    app = create_json_app(__name__, "test_app")
    started = capsys.readouterr().err

    assert started == (
        "offline: OPENAI_API_KEY is not set, so replies come from the built-in offline stand-in (no network, no cost); "
        "put your key in .env to use OpenAI\n"
    )
    assert app.test_client().get("/healthz").json == {"status": "ok", "app": "test_app", "openai": "offline"}


def test_a_raised_problem_becomes_its_status_headers_and_the_json_shape(client):
    reply = client.get("/teapot")

    assert (reply.status_code, reply.headers["X-Brew"]) == (418, "tea")
    assert reply.json == {"error": {"type": "teapot", "message": "I am a teapot."}}


def test_unknown_routes_and_methods_are_json_too(client):
    missing, wrong_method = client.get("/nowhere"), client.delete("/echo")

    assert (missing.status_code, missing.json["error"]["type"]) == (404, "not_found")
    assert (wrong_method.status_code, wrong_method.json["error"]["type"]) == (405, "method_not_allowed")
    assert wrong_method.headers["Allow"] == "OPTIONS, POST"


def test_an_unexpected_error_is_a_500_that_reveals_nothing_but_is_logged(client, caplog):
    with caplog.at_level(logging.ERROR):
        reply = client.get("/crash")

    assert reply.status_code == 500
    assert reply.json == {"error": {"type": "internal_error", "message": "Something went wrong on the server."}}
    assert "hunter2" not in reply.get_data(as_text=True)
    assert "Unhandled error" in caplog.text


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Basic s3cret"}, 401),
        ({"Authorization": "Bearer wrong"}, 401),
        ({"Authorization": "Bearer s3cret"}, 200),
        ({"Authorization": "bearer s3cret"}, 200),
    ],
)
def test_app_api_key_guards_every_route_but_healthz(monkeypatch, headers, status):
    monkeypatch.setenv("APP_API_KEY", "s3cret")
    app = create_json_app(__name__, "test_app")
    app.add_url_rule("/private", "private", lambda: {"ok": True})
    client = app.test_client()

    reply = client.get("/private", headers=headers)

    assert reply.status_code == status
    assert client.get("/healthz").status_code == 200
    if status == 401:
        assert reply.headers["WWW-Authenticate"] == "Bearer"
        assert reply.json == {
            "error": {"type": "unauthorized", "message": "Send the header 'Authorization: Bearer <APP_API_KEY>'."}
        }


@pytest.mark.parametrize(
    ("failure", "status", "body", "headers"),
    [
        (
            httpx.Response(429, json=payloads.api_error("Slow.", type="requests"), headers={"retry-after": "7"}),
            429,
            {"type": "rate_limited", "message": "OpenAI is rate limiting this server; retry later."},
            {"Retry-After": "7"},
        ),
        (
            httpx.Response(429, json=payloads.api_error("Slow.", type="requests")),
            429,
            {"type": "rate_limited", "message": "OpenAI is rate limiting this server; retry later."},
            {"Retry-After": None},
        ),
        (
            httpx.ReadTimeout("slow"),
            504,
            {"type": "upstream_timeout", "message": "OpenAI did not answer in time; try again."},
            {},
        ),
        (
            api_failure(500),
            502,
            {"type": "upstream_error", "message": "OpenAI answered 500 (server_error); request id req_f4."},
            {},
        ),
        (
            httpx.Response(503, text="unavailable"),
            502,
            {"type": "upstream_error", "message": "OpenAI answered 503 (unknown); request id none."},
            {},
        ),
        (
            httpx.ConnectError("refused"),
            502,
            {"type": "upstream_error", "message": "Could not reach OpenAI; try again."},
            {},
        ),
    ],
)
def test_openai_failures_map_to_statuses_a_client_can_act_on(client, openai_api, failure, status, body, headers):
    openai_api.post("/responses").mock(side_effect=[failure])

    reply = client.get("/ask")

    assert (reply.status_code, reply.json) == (status, {"error": body})
    for name, value in headers.items():
        assert reply.headers.get(name) == value


def test_an_openai_error_never_echoes_the_key_to_the_client(client, openai_api, caplog):
    openai_api.post("/responses").respond(
        401, json=payloads.api_error("Incorrect API key provided: sk-test-0123456789.", type="invalid_request_error")
    )

    with caplog.at_level(logging.WARNING):
        reply = client.get("/ask")

    assert reply.status_code == 502
    assert "sk-test" not in reply.get_data(as_text=True)
    assert "AuthenticationError" in caplog.text


def test_a_server_started_without_a_key_and_offline_mode_off_is_503_saying_what_to_fix(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.setenv("OPENAI_OFFLINE", "0")
    app = create_json_app(__name__, "test_app")
    app.add_url_rule("/ask", "ask", lambda: get_client().responses.create(model="m", input="hi").output_text)

    reply = app.test_client().get("/ask")

    assert reply.status_code == 503
    assert reply.json == {
        "error": {
            "type": "service_unavailable",
            "message": "The server is not configured: OPENAI_API_KEY is not set: copy .env.example to .env and put "
            "your key in it (or export OPENAI_API_KEY).",
        }
    }


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("OPENAI_TIMEOUT", "soon", "OPENAI_TIMEOUT must be a number from 1 to 3600, not 'soon'."),
        ("OPENAI_MAX_RETRIES", "-1", "OPENAI_MAX_RETRIES must be a whole number from 0 to 10, not '-1'."),
        ("MAX_REQUEST_BYTES", "nan", "MAX_REQUEST_BYTES must be a whole number from 1024 to 1.04858e+08, not 'nan'."),
        ("MAX_MESSAGE_CHARS", "0", "MAX_MESSAGE_CHARS must be a whole number from 1 to 1e+06, not '0'."),
        (
            "MAX_MESSAGE_CHARS",
            "1000001",
            "MAX_MESSAGE_CHARS must be a whole number from 1 to 1e+06, not '1000001'.",
        ),
        ("OPENAI_OFFLINE", "maybe", "OPENAI_OFFLINE must be 1 (always offline) or 0 (never offline), not 'maybe'."),
    ],
)
def test_a_bad_setting_stops_a_backend_at_start_with_one_line_and_exit_2(monkeypatch, capsys, name, value, message):
    monkeypatch.setenv(name, value)

    with pytest.raises(SystemExit) as exited:
        serve(lambda: create_json_app(__name__, "test_app"))

    assert exited.value.code == 2
    assert capsys.readouterr().err == message + "\n"


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, {"host": "127.0.0.1", "port": 5000, "debug": False}),
        ({"PORT": "8123", "FLASK_DEBUG": "1"}, {"host": "127.0.0.1", "port": 8123, "debug": True}),
        ({"FLASK_DEBUG": "true"}, {"host": "127.0.0.1", "port": 5000, "debug": False}),
    ],
)
def test_serve_binds_to_loopback_and_debugs_only_when_asked(app, monkeypatch, environment, expected):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    started = []
    monkeypatch.setattr(Flask, "run", lambda app, **options: started.append(options))

    with pytest.raises(SystemExit) as exited:
        serve(lambda: app)

    assert exited.value.code == 0
    assert started == [expected]


def test_a_bad_port_is_a_clear_message_and_exit_2(app, monkeypatch, capsys):
    monkeypatch.setenv("PORT", "eighty")

    with pytest.raises(SystemExit) as exited:
        serve(lambda: app)

    assert exited.value.code == 2
    assert capsys.readouterr().err == "PORT must be a whole number from 1 to 65535, not 'eighty'.\n"


def test_a_quota_error_is_its_own_503_not_retry_later(client, openai_api):
    openai_api.post("/responses").respond(
        429,
        json=payloads.api_error(
            "You exceeded your current quota.", type="insufficient_quota", code="insufficient_quota"
        ),
        headers={"retry-after": "20"},
    )

    reply = client.get("/ask")

    assert reply.status_code == 503
    assert "Retry-After" not in reply.headers
    assert reply.json == {
        "error": {
            "type": "openai_quota_exhausted",
            "message": "OpenAI refused: this server's OpenAI account has no credit left; its owner must add billing.",
        }
    }


def test_a_malformed_openai_reply_is_a_502(client, openai_api):
    openai_api.post("/responses").respond(200, text="<html>", headers={"content-type": "text/html"})

    reply = client.get("/ask")

    assert reply.status_code == 502
    assert reply.json == {
        "error": {"type": "upstream_error", "message": "OpenAI answered 502 (invalid_response); request id none."}
    }


@pytest.mark.parametrize(
    "body",
    [b"[" * 20_000, b"{" + b'"a":{' * 10_000, b"\xff\xfe", b"", b'"just a string"'],
    ids=["deep-array", "deep-object", "not-utf8", "empty", "string"],
)
def test_a_body_the_json_parser_cannot_handle_is_a_400(client, body):
    reply = client.post("/echo", data=body, content_type="application/json")

    assert reply.status_code == 400
    assert reply.json == {"error": {"type": "invalid_request", "message": "The request body must be a JSON object."}}


def test_a_lone_surrogate_in_a_text_field_is_a_400_naming_it(client):
    reply = client.post("/echo", data=b'{"name": "a\\ud800"}', content_type="application/json")

    assert reply.status_code == 400
    assert reply.json == {"error": {"type": "invalid_request", "message": "'name' must be valid Unicode text."}}


def test_a_problem_reads_as_its_message_in_logs_and_tracebacks():
    assert str(APIProblem(409, "conversation_busy", "Retry shortly.")) == "Retry shortly."


def test_a_nul_character_in_a_text_field_is_a_400_naming_it(client):
    reply = client.post("/echo", json={"name": "a\x00b"})

    assert reply.status_code == 400
    assert reply.json == {"error": {"type": "invalid_request", "message": "'name' must not contain NUL characters."}}


def test_a_text_field_that_is_not_a_string_is_a_400_naming_it(client):
    reply = client.post("/echo", json={"name": 42})

    assert reply.status_code == 400
    assert reply.json == {"error": {"type": "invalid_request", "message": "'name' must be a string."}}


@pytest.mark.parametrize(("fetched", "has_more"), [(2, False), (3, True)])
def test_a_page_has_more_only_when_the_query_found_a_row_past_the_limit(fetched, has_more):
    rows = [{"id": f"item_{n}"} for n in range(fetched)]

    page = list_page(rows, 2, lambda row: row, key="id")

    assert page == {
        "object": "list",
        "data": [{"id": "item_0"}, {"id": "item_1"}],
        "first_id": "item_0",
        "last_id": "item_1",
        "has_more": has_more,
    }


def test_accented_text_is_fine(client):
    assert client.post("/echo", json={"name": "Zoë"}).json == {"name": "Zoë"}


def test_a_chunked_body_over_the_size_limit_is_a_413(app, live_server):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    base_url = live_server(app)

    def chunks():
        yield b'{"name": "'
        for _ in range(100):
            yield b"x" * 100
        yield b'"}'

    reply = requests.post(
        f"{base_url}/echo", data=chunks(), headers={"Content-Type": "application/json"}, timeout=PATIENCE
    )

    assert reply.status_code == 413
    assert reply.json() == {"error": {"type": "too_large", "message": "The request body is larger than 1024 bytes."}}


def test_a_non_ascii_app_api_key_works_when_sent_as_utf8(monkeypatch, live_server):
    monkeypatch.setenv("APP_API_KEY", "clé-secrète")
    app = create_json_app(__name__, "test_app")
    app.add_url_rule("/private", "private", lambda: {"ok": True})
    base_url = live_server(app)

    allowed = requests.get(
        f"{base_url}/private", headers={"Authorization": "Bearer clé-secrète".encode()}, timeout=PATIENCE
    )
    refused = requests.get(f"{base_url}/private", headers={"Authorization": "Bearer cle-secrete"}, timeout=PATIENCE)

    assert (allowed.status_code, refused.status_code) == (200, 401)


def test_a_text_field_at_its_limit_is_accepted_and_one_character_more_is_413(client):
    at_limit = client.post("/echo", json={"name": "x" * 5})
    over = client.post("/echo", json={"name": "x" * 6})

    assert (at_limit.status_code, at_limit.json) == (200, {"name": "xxxxx"})
    assert (over.status_code, over.json) == (
        413,
        {"error": {"type": "too_large", "message": "'name' is longer than 5 characters."}},
    )


def test_max_request_bytes_sets_the_body_limit(monkeypatch):
    monkeypatch.setenv("MAX_REQUEST_BYTES", "2048")
    app = create_json_app(__name__, "test_app")
    app.add_url_rule("/echo", "echo", lambda: json_body(), methods=["POST"])
    client = app.test_client()

    fits = client.post("/echo", data=b'{"a": "' + b"x" * (2048 - 9) + b'"}', content_type="application/json")
    too_big = client.post("/echo", data=b'{"a": "' + b"x" * (2048 - 8) + b'"}', content_type="application/json")

    assert fits.status_code == 200
    assert (too_big.status_code, too_big.json) == (
        413,
        {"error": {"type": "too_large", "message": "The request body is larger than 2048 bytes."}},
    )


@pytest.mark.parametrize("number", ["9" * 5000, "0" * 5000 + "9" * 20, "1" * 20])
def test_a_number_of_any_length_is_a_400_naming_its_range(app, client, number):
    app.add_url_rule("/page", "page", lambda: {"limit": page_size(), "after": after_number()})

    limit = client.get(f"/page?limit={number}")
    after = client.get(f"/page?after={number}")

    assert (limit.status_code, limit.json) == (
        400,
        {"error": {"type": "invalid_request", "message": "'limit' must be a whole number from 1 to 100."}},
    )
    assert (after.status_code, after.json["error"]["message"]) == (
        400,
        f"'after' must be a whole number from 0 to {2**63 - 1}.",
    )


def test_leading_zeros_are_still_the_number(app, client):
    app.add_url_rule("/page", "page", lambda: {"limit": page_size(), "after": after_number()})

    assert client.get("/page?limit=0007&after=00042").json == {"limit": 7, "after": 42}


def test_json_answers_keep_text_as_it_is_not_escaped():
    app = create_json_app(__name__, "test_app")
    app.add_url_rule("/temperature", "temperature", lambda: {"temperature": "16.2°C"})

    reply = app.test_client().get("/temperature")

    assert reply.data == '{"temperature":"16.2°C"}\n'.encode()
    assert reply.content_type == "application/json"
