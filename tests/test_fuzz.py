"""Every endpoint of every backend, fed whatever hypothesis can think of: never a 500, always the one error shape.

The backends answer from the offline stand-in here (in-process, so thousands of requests
stay fast), and bodies, paths and query strings are generated: arbitrary JSON (deeply
nested, lone surrogates, wrong types), ids that exist and ids that do not, numbers in every
Unicode digit. Allowed: any 2xx, any 4xx, and the upstream statuses 502/503/504 with their
documented types; every error is ``{"error": {"type": str, "message": str}}``.
"""

import importlib
import json
import string
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.helpers import dispose

APPS = {
    "stateless": "Responses_API.stateless_weather_app.backend",
    "sessions": "Responses_API.weather_app_with_sessions.backend",
    "advanced": "Responses_API.weather_app_advanced_sessions",
    "multi_user": "Conversation_API.multi_user_app",
    "persistent": "Conversation_API.persistent_memory_app",
}
UPSTREAM_TYPES = {"upstream_error", "upstream_timeout", "service_unavailable", "rate_limited"}
FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

huge_numbers = st.sampled_from(["9" * 5000, "0" * 5000 + "1", "1" + "0" * 19, "9223372036854775808"])
texts = (
    st.text(max_size=30)
    | st.sampled_from(["", " ", "ada", "\ud800", "x" * 5000, "conv_1", "٣", "²", "-1", "0"])
    | huge_numbers
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=12,
)
FIELDS = ["user_id", "message", "conversation_id", "question"]
bodies = (
    st.fixed_dictionaries({}, optional={name: json_values for name in FIELDS})
    | json_values.map(lambda value: value)
    | st.sampled_from([b"[" * 5000, b"{", b"\xff\xfe", b"null", b'{"message": "hi"}'])
)
queries = st.dictionaries(st.sampled_from(["user_id", "status", "limit", "after", "x"]), texts, max_size=4)
path_parts = st.text(alphabet=string.ascii_letters + string.digits + "-_.~é \ud800", min_size=1, max_size=40)


@contextmanager
def offline_app(name, monkeypatch, database_url):
    monkeypatch.setenv("OPENAI_OFFLINE", "1")
    monkeypatch.setenv("OPENAI_OFFLINE_STREAM_DELAY", "0")
    module = importlib.import_module(APPS[name])
    app = (
        module.create_app({"DATABASE_URL": database_url})
        if name not in {"stateless", "sessions"}
        else (module.create_app())
    )
    try:
        yield app
    finally:
        if "database" in app.extensions:
            dispose(app)


def raw(text: str) -> str:
    """Percent-encoded as a hostile client can send it: a lone surrogate becomes bytes that are not UTF-8."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


# What a browser may send from another site's page without asking first, and what a client of this backend sends.
content_types = st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", None]
)
origins = st.sampled_from([{}, {"Origin": "http://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}])


def send(client, method, path, body, query, content_type="application/json", headers=None):
    url = "/".join(raw(part) for part in path.split("/")) + "?" + "&".join(f"{k}={raw(v)}" for k, v in query.items())
    # In JSON, lone surrogates travel as \\ud800 escapes.
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.open(url, method=method, data=data, content_type=content_type, headers=headers or {})


def check(reply):
    assert reply.status_code < 500 or reply.status_code in {502, 503, 504}, (reply.status_code, reply.get_data())
    if reply.status_code >= 400:
        error = reply.get_json()["error"]
        assert set(error) == {"type", "message"}
        assert isinstance(error["type"], str)
        assert isinstance(error["message"], str)
        if reply.status_code >= 500:
            assert error["type"] in UPSTREAM_TYPES, error


ENDPOINTS = [
    ("stateless", "POST", "/ask"),
    ("sessions", "POST", "/sessions/{id}/messages"),
    ("sessions", "DELETE", "/sessions/{id}"),
    ("advanced", "GET", "/sessions"),
    ("advanced", "POST", "/sessions/{id}/messages"),
    ("advanced", "GET", "/sessions/{id}/history"),
    ("advanced", "DELETE", "/sessions/{id}"),
    ("multi_user", "POST", "/chat"),
    ("multi_user", "POST", "/chat/stream"),
    ("multi_user", "GET", "/conversations"),
    ("multi_user", "POST", "/conversations/{id}/close"),
    ("multi_user", "GET", "/responses/{id}"),
    ("persistent", "POST", "/chat"),
    ("persistent", "GET", "/users/{id}/history"),
    ("persistent", "DELETE", "/users/{id}/memory"),
]


DATABASE_APPS = {"advanced", "multi_user", "persistent"}
CASES = [
    (name, method, template, database)
    for name, method, template in ENDPOINTS
    for database in (["sqlite", "postgresql"] if name in DATABASE_APPS else ["sqlite"])
]


@pytest.mark.parametrize(
    ("name", "method", "template", "database_url"),
    CASES,
    indirect=["database_url"],
    ids=[f"{n}-{m}-{t}-{d}" if n in DATABASE_APPS else f"{n}-{m}-{t}" for n, m, t, d in CASES],
)
def test_no_input_makes_a_backend_answer_500(name, method, template, database_url, monkeypatch):
    with offline_app(name, monkeypatch, database_url) as app:
        client = app.test_client()
        known = real_ids(name, client)

        @FUZZ
        @given(
            body=bodies,
            query=queries,
            part=st.sampled_from(known) | path_parts,
            content_type=content_types,
            headers=origins,
        )
        def fuzz(body, query, part, content_type, headers):
            reply = send(client, method, template.format(id=part), body, query, content_type, headers)
            check(reply)
            if method != "GET" and headers:
                assert reply.status_code == 403, reply.get_data()

        fuzz()


def real_ids(name, client) -> list[str]:
    """Ids that exist, so that the fuzz also reaches the code behind a successful lookup."""
    if name in {"sessions", "advanced"}:
        return [client.post("/sessions").get_json()["session_id"]]
    if name == "multi_user":
        reply = client.post("/chat", json={"user_id": "ada", "message": "Hi, I am Ada."})
        return [reply.get_json()["conversation_id"], "ada"]
    if name == "persistent":
        client.post("/chat", json={"user_id": "ada", "message": "Hi, I am Ada."})
        return ["ada"]
    return ["x"]
