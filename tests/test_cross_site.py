"""No web page can make a backend spend its operator's OpenAI credit.

A page on another site may send a "simple" request without asking first: a POST whose body is
text/plain, a form or multipart, with the browser's ``Origin`` and ``Sec-Fetch-Site`` headers.
Every backend refuses each state-changing request that such a page could send: 415 for a body
that is not JSON, 403 for another site's origin. Nothing reaches OpenAI (``openai_api`` fails a
test that sends it anything).
"""

import importlib
import io

import pytest
import requests
from flask import Flask

from openai_tutorial.web import serve
from tests.support.helpers import PATIENCE, dispose, sqlite_url

BACKENDS = {
    "stateless": "Responses_API.stateless_weather_app.backend",
    "sessions": "Responses_API.weather_app_with_sessions.backend",
    "advanced": "Responses_API.weather_app_advanced_sessions",
    "multi_user": "Conversation_API.multi_user_app",
    "persistent": "Conversation_API.persistent_memory_app",
}
# Every route that changes state, with a body a well-meaning client would send as JSON.
STATE_CHANGING = [
    ("stateless", "POST", "/ask", '{"question": "hi"}'),
    ("sessions", "POST", "/sessions", None),
    ("sessions", "POST", "/sessions/s1/messages", '{"message": "hi"}'),
    ("sessions", "DELETE", "/sessions/s1", None),
    ("advanced", "POST", "/sessions", None),
    ("advanced", "POST", "/sessions/s1/messages", '{"message": "hi"}'),
    ("advanced", "DELETE", "/sessions/s1", None),
    ("multi_user", "POST", "/chat", '{"user_id": "ada", "message": "hi"}'),
    ("multi_user", "POST", "/chat/stream", '{"user_id": "ada", "message": "hi"}'),
    ("multi_user", "POST", "/conversations/conv_1/close", '{"user_id": "ada"}'),
    ("persistent", "POST", "/chat", '{"user_id": "ada", "message": "hi"}'),
    ("persistent", "DELETE", "/users/ada/memory", None),
]
WITH_A_BODY = [route for route in STATE_CHANGING if route[3] is not None]
CROSS_SITE = {
    "error": {
        "type": "cross_site_request",
        "message": "This backend does not accept requests from another site's web page; "
        "call it from its own page, curl or a program.",
    }
}
NOT_JSON = {
    "error": {
        "type": "unsupported_media_type",
        "message": "The request body must be JSON, sent with the header 'Content-Type: application/json'.",
    }
}


@pytest.fixture(scope="module")
def modules():
    return {name: importlib.import_module(path) for name, path in BACKENDS.items()}


@pytest.fixture
def backend(modules, tmp_path, openai_api):
    """``backend(name)``: a test client of that backend on a fresh database, OpenAI refusing every call."""
    apps: list[Flask] = []

    def make(name: str):
        app = modules[name].create_app({"DATABASE_URL": sqlite_url(tmp_path)})
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        if "database" in app.extensions:
            dispose(app)


@pytest.mark.parametrize(("name", "method", "path", "body"), WITH_A_BODY)
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None]
)
def test_a_body_that_is_not_json_is_415_and_reaches_no_one(backend, name, method, path, body, content_type):
    headers = {} if content_type is None else {"Content-Type": content_type}

    reply = backend(name).open(path, method=method, data=body, headers=headers)

    assert (reply.status_code, reply.json) == (415, NOT_JSON)


@pytest.mark.parametrize(("name", "method", "path", "body"), [route for route in STATE_CHANGING if route[3] is None])
def test_a_route_that_reads_no_body_refuses_one_that_is_not_json(backend, name, method, path, body):
    client = backend(name)

    refused = client.open(path, method=method, data="session please", content_type="text/plain")
    chunked = client.open(path, method=method, input_stream=io.BytesIO(b"x"), headers={"Transfer-Encoding": "chunked"})

    assert (refused.status_code, refused.json) == (415, NOT_JSON)
    assert (chunked.status_code, chunked.json) == (415, NOT_JSON)


@pytest.mark.parametrize(("name", "method", "path", "body"), WITH_A_BODY)
def test_a_route_that_reads_json_refuses_a_request_without_a_body_or_its_type(backend, name, method, path, body):
    reply = backend(name).open(path, method=method)  # curl -X POST with nothing else

    assert (reply.status_code, reply.json) == (415, NOT_JSON)


def test_a_route_that_reads_no_body_takes_a_request_without_one(backend):
    assert backend("advanced").post("/sessions").status_code == 201


@pytest.mark.parametrize(("name", "method", "path", "body"), WITH_A_BODY)
def test_json_with_a_charset_is_json(backend, name, method, path, body):
    reply = backend(name).open(
        path, method=method, data=body.replace('"hi"', '"   "'), content_type="application/json; charset=utf-8"
    )

    assert reply.status_code in {400, 404}  # read as JSON: the blank message, or the unknown id, is refused


@pytest.mark.parametrize(("name", "method", "path", "body"), STATE_CHANGING)
@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},  # a sandboxed frame, or a file opened from disk
        {"Origin": "http://localhost:5001"},  # another server on this machine
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_a_request_from_another_sites_page_is_403_and_reaches_no_one(backend, name, method, path, body, headers):
    reply = backend(name).open(path, method=method, data=body, headers={**headers, "Content-Type": "application/json"})

    assert (reply.status_code, reply.json) == (403, CROSS_SITE)


@pytest.mark.parametrize(("name", "method", "path", "body"), STATE_CHANGING)
def test_a_request_from_the_backends_own_origin_goes_through(backend, name, method, path, body):
    same_origin = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin", "Content-Type": "application/json"}

    reply = backend(name).open(path, method=method, data=body and body.replace('"hi"', '"  "'), headers=same_origin)

    assert reply.status_code not in {403, 415}


def test_reading_is_never_refused_for_its_origin(backend):
    reply = backend("stateless").get(
        "/healthz", headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}
    )

    assert reply.status_code == 200


def test_the_issues_curl_over_http_is_refused(live_server, modules, tmp_path, openai_api):
    app = modules["multi_user"].create_app({"DATABASE_URL": sqlite_url(tmp_path)})
    base_url = live_server(app)

    plain = requests.post(
        f"{base_url}/chat",
        data='{"user_id":"ada","message":"hi"}',
        headers={"Content-Type": "text/plain", "Origin": "http://evil.example"},
        timeout=PATIENCE,
    )
    text_only = requests.post(
        f"{base_url}/chat",
        data='{"user_id":"ada","message":"hi"}',
        headers={"Content-Type": "text/plain"},
        timeout=PATIENCE,
    )

    assert (plain.status_code, plain.json()) == (403, CROSS_SITE)
    assert (text_only.status_code, text_only.json()) == (415, NOT_JSON)
    dispose(app)


def test_the_development_server_answers_only_to_loopback_host_names(flask_runs, monkeypatch):
    """A DNS rebinding page (a site whose name now points at 127.0.0.1) counts as same-origin to the browser,
    but its requests name its own host: the development server refuses them."""
    served = []
    monkeypatch.setattr(Flask, "run", lambda app, **options: served.append(app))
    module = importlib.import_module(BACKENDS["stateless"])

    with pytest.raises(SystemExit):
        serve(module.create_app)
    client = served[0].test_client()

    assert client.get("/healthz", headers={"Host": "127.0.0.1:5000"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "localhost:5000"}).status_code == 200
    rebound = client.post("/ask", json={"question": "hi"}, headers={"Host": "evil.example:5000"})
    assert rebound.status_code == 400
    assert rebound.json["error"]["type"] == "bad_request"
