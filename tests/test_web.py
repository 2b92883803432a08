"""The Flask plumbing every backend shares: one JSON error shape, API key, upstream mapping, serving."""

import logging

import httpx
import pytest
from flask import Flask

from openai_tutorial.client import get_client
from openai_tutorial.web import create_json_app, fail, json_body, serve, text_field
from tests import payloads
from tests.helpers import api_failure


@pytest.fixture
def app() -> Flask:
    app = create_json_app(__name__)
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

    app = create_json_app(__name__)

    assert (app.config["MAX_MESSAGE_CHARS"], app.config["APP_API_KEY"]) == (99, "from-env")
    assert app.config["MAX_CONTENT_LENGTH"] == 64 * 1024


def test_healthz_says_who_answers_the_openai_calls(client):
    assert (client.get("/healthz").status_code, client.get("/healthz").json) == (200, {"status": "ok", "openai": "api"})


def test_an_offline_backend_says_so_at_start_and_in_healthz(monkeypatch, capsys):
    monkeypatch.delenv("OPENAI_API_KEY")

    app = create_json_app(__name__)
    started = capsys.readouterr().err

    assert started == (
        "offline: OPENAI_API_KEY is not set, so replies come from the built-in offline stand-in (no network, no cost); "
        "put your key in .env to use OpenAI\n"
    )
    assert app.test_client().get("/healthz").json == {"status": "ok", "openai": "offline"}


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
    app = create_json_app(__name__)
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


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        (
            {"OPENAI_API_KEY": None, "OPENAI_OFFLINE": "0"},
            "The server is not configured: OPENAI_API_KEY is not set: copy .env.example",
        ),
        ({"OPENAI_TIMEOUT": "soon"}, "The server is not configured: OPENAI_TIMEOUT must be a number, not 'soon'."),
    ],
)
def test_a_misconfigured_server_is_503_saying_what_to_fix(client, monkeypatch, environment, message):
    for name, value in environment.items():
        if value is None:
            monkeypatch.delenv(name)
        else:
            monkeypatch.setenv(name, value)

    reply = client.get("/ask")

    assert reply.status_code == 503
    assert reply.json["error"]["type"] == "service_unavailable"
    assert reply.json["error"]["message"].startswith(message)


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
    assert capsys.readouterr().err == "PORT must be a number, not 'eighty'.\n"
