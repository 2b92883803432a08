"""What every Flask backend in this tutorial shares about HTTP, so each app shows only its own logic.

``create_json_app`` builds a Flask app whose every error is JSON of one shape,
``{"error": {"type": ..., "message": ...}}``, never an HTML page or a stack trace:
bad input is a 4xx naming the problem, OpenAI failures map to 429/502/503/504, and an
optional ``APP_API_KEY`` guards every route but those marked ``@public`` (``/healthz``, a
page's files). A request that changes state is refused when a page of another site sent it
(403) or when its body is not JSON (415), so a web page the operator visits cannot spend
this server's OpenAI credit. The helpers below read and validate request input; ``serve``
runs an app on 127.0.0.1. The database side of an app is in ``database.py``.
"""

import contextlib
import hmac
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, NoReturn, overload
from urllib.parse import urlsplit

import openai
from flask import Flask, Response, current_app, jsonify, request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from openai_tutorial.client import (
    MissingAPIKeyError,
    UpstreamError,
    UsageError,
    api_mode,
    get_client,
    number_setting,
    run,
    setting,
)

log = logging.getLogger(__name__)

DEFAULT_MAX_REQUEST_BYTES = 64 * 1024
DEFAULT_MAX_MESSAGE_CHARS = 4000
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MAX_USER_ID_CHARS = 128
# What a browser sends from another site's page without asking first is a "simple" request: a POST
# whose body is text/plain, a form or multipart. Requiring application/json makes it ask (a CORS
# preflight), which no backend here approves.
STATE_CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The browser's own word on where a request came from; "same-site" includes another port of this host.
OTHER_SITES = frozenset({"cross-site", "same-site"})
# The development server listens on loopback only: a Host header naming anything else is a DNS
# rebinding attack (a site whose name its owner points at 127.0.0.1), whose pages count as same-origin.
LOOPBACK_HOSTS = ["127.0.0.1", "localhost"]


class APIProblem(Exception):
    """An error to answer as JSON: raise it anywhere in a request."""

    def __init__(self, status: int, type: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.type, self.message, self.headers = status, type, message, dict(headers or {})


def fail(status: int, type: str, message: str, headers: Mapping[str, str] | None = None) -> NoReturn:
    raise APIProblem(status, type, message, headers)


def error_response(problem: APIProblem) -> tuple[Response, int, dict[str, str]]:
    return jsonify(error={"type": problem.type, "message": problem.message}), problem.status, problem.headers


def upstream_problem(error: Exception) -> APIProblem:
    """Map a failure to reach OpenAI to the status a client of this backend should see."""
    if isinstance(error, MissingAPIKeyError | UsageError):
        return APIProblem(503, "service_unavailable", f"The server is not configured: {error}")
    if isinstance(error, openai.RateLimitError) and error.code == "insufficient_quota":
        return APIProblem(
            503,
            "openai_quota_exhausted",
            "OpenAI refused: this server's OpenAI account has no credit left; its owner must add billing.",
        )
    if isinstance(error, openai.RateLimitError):
        retry_after = error.response.headers.get("retry-after")  # pragma: no mutate: case-blind
        headers = {"Retry-After": retry_after} if retry_after else None  # pragma: no mutate: case-blind
        return APIProblem(429, "rate_limited", "OpenAI is rate limiting this server; retry later.", headers)
    if isinstance(error, openai.APITimeoutError):
        return APIProblem(504, "upstream_timeout", "OpenAI did not answer in time; try again.")
    if isinstance(error, UpstreamError):
        return APIProblem(502, "upstream_error", str(error))
    if isinstance(error, openai.APIStatusError):
        detail = f"OpenAI answered {error.status_code} ({error.type or 'unknown'})"
        return APIProblem(502, "upstream_error", f"{detail}; request id {error.request_id or 'none'}.")
    return APIProblem(502, "upstream_error", "Could not reach OpenAI; try again.")


def public[View: Callable[..., Any]](view: View) -> View:
    """Serve this route without ``APP_API_KEY``: for what holds no data (a health check, a page's files)."""
    # A mark require_api_key reads; a function takes any attribute, but its type declares none.
    view.public = True  # type: ignore[attr-defined]
    return view


class UnicodeJSONProvider(DefaultJSONProvider):
    ensure_ascii = False  # "°C" in the answers, not "\u00b0C"


def create_json_app(import_name: str, name: str) -> Flask:
    """A Flask app that answers JSON errors, checks ``APP_API_KEY`` and serves ``/healthz``, which says the
    app's ``name`` so that a frontend can tell it reached the right one.

    Its settings come from the environment; the app adds its own, then its ``test_config``.
    """
    app = Flask(import_name)
    app.json = UnicodeJSONProvider(app)
    app.config.update(
        APP_NAME=name,
        # Who answers this backend's OpenAI calls: "api", or "offline" (said on stderr at start).
        OPENAI_MODE=api_mode(),
        APP_API_KEY=setting("APP_API_KEY"),
        MAX_CONTENT_LENGTH=number_setting(
            "MAX_REQUEST_BYTES", int, DEFAULT_MAX_REQUEST_BYTES, low=1024, high=100 * 1024 * 1024
        ),
        MAX_MESSAGE_CHARS=number_setting("MAX_MESSAGE_CHARS", int, DEFAULT_MAX_MESSAGE_CHARS, low=1, high=1_000_000),
    )
    # Check the OpenAI settings now, so a bad one stops the server at start. A missing key is not
    # fatal: each request answers 503 with the hint until it is set.
    with contextlib.suppress(MissingAPIKeyError):
        get_client()

    @app.before_request
    def refuse_other_sites() -> None:
        if request.method not in STATE_CHANGING_METHODS:
            return
        origin = request.headers.get("Origin")
        from_other_site = request.headers.get("Sec-Fetch-Site") in OTHER_SITES
        if from_other_site or (origin is not None and urlsplit(origin).netloc != request.host):
            fail(
                403,
                "cross_site_request",
                "This backend does not accept requests from another site's web page; "
                "call it from its own page, curl or a program.",
            )
        # A route that reads no body (POST /sessions) refuses one that is not JSON too; json_body checks the rest.
        if (request.content_length or "Transfer-Encoding" in request.headers) and not sent_as_json():
            fail(415, "unsupported_media_type", NOT_JSON)

    @app.before_request
    def require_api_key() -> None:
        expected = app.config["APP_API_KEY"]
        if not expected or getattr(app.view_functions.get(request.endpoint or ""), "public", False):
            return
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        # Header values arrive as latin-1 text: their bytes are what the client sent, UTF-8 for a non-ASCII key.
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode("latin-1"), expected.encode()):
            fail(
                401,
                "unauthorized",
                "Send the header 'Authorization: Bearer <APP_API_KEY>'.",
                {"WWW-Authenticate": "Bearer"},
            )

    @app.get("/healthz")
    @public
    def healthz() -> dict[str, str]:
        return {"status": "ok", "app": app.config["APP_NAME"], "openai": app.config["OPENAI_MODE"]}

    app.register_error_handler(APIProblem, error_response)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int, dict[str, str]]:
        if error.code == 413:
            limit = app.config["MAX_CONTENT_LENGTH"]
            return error_response(APIProblem(413, "too_large", f"The request body is larger than {limit} bytes."))
        headers = {"Allow": ", ".join(sorted(error.valid_methods or ()))} if isinstance(error, MethodNotAllowed) else {}
        type = error.name.lower().replace(" ", "_")
        return error_response(APIProblem(error.code or 500, type, error.description or error.name, headers))

    @app.errorhandler(openai.OpenAIError)
    @app.errorhandler(UpstreamError)
    @app.errorhandler(UsageError)
    def openai_error(error: Exception) -> tuple[Response, int, dict[str, str]]:
        log.warning("OpenAI call failed: %s: %s", type(error).__name__, error)
        return error_response(upstream_problem(error))

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError) -> tuple[Response, int, dict[str, str]]:
        log.warning("Database unavailable: %s", error.orig)
        problem = APIProblem(503, "database_unavailable", "The database is busy or unavailable; retry shortly.")
        return error_response(APIProblem(problem.status, problem.type, problem.message, {"Retry-After": "1"}))

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[Response, int, dict[str, str]]:
        log.exception("Unhandled error")
        return error_response(APIProblem(500, "internal_error", "Something went wrong on the server."))

    return app


NOT_JSON = "The request body must be JSON, sent with the header 'Content-Type: application/json'."


def sent_as_json() -> bool:
    return request.mimetype == "application/json"  # parameters such as charset=utf-8 are allowed


def json_body() -> dict[str, Any]:
    if not sent_as_json():
        fail(415, "unsupported_media_type", NOT_JSON)
    data = request.get_data()  # over MAX_REQUEST_BYTES with a Content-Length: a 413
    # A chunked body has no Content-Length, and its stream stops quietly at the limit: look one byte further.
    if (
        request.content_length is None
        and len(data) >= current_app.config["MAX_CONTENT_LENGTH"]
        and request.environ["wsgi.input"].read(1)  # pragma: no mutate: equivalent
    ):
        raise RequestEntityTooLarge()
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep to parse
        body = None  # pragma: no mutate: equivalent
    if not isinstance(body, dict):
        fail(400, "invalid_request", "The request body must be a JSON object.")
    return body


@overload
def text_field(source: Mapping[str, Any], name: str, *, max_chars: int, optional: Literal[False] = False) -> str: ...
@overload
def text_field(source: Mapping[str, Any], name: str, *, max_chars: int, optional: Literal[True]) -> str | None: ...
def text_field(source: Mapping[str, Any], name: str, *, max_chars: int, optional: bool = False) -> str | None:
    """A non-empty string field of a JSON body or query string, or a 400/413 that names it."""
    value = source.get(name)
    if value is None and optional:
        return None
    if value is None:
        fail(400, "invalid_request", f"'{name}' is required.")
    if not isinstance(value, str):
        fail(400, "invalid_request", f"'{name}' must be a string.")
    if not value.strip():
        fail(400, "invalid_request", f"'{name}' must not be empty.")
    if not value.isascii():
        try:
            value.encode()
        except UnicodeEncodeError:  # a lone surrogate, from an escape such as "\ud800"
            fail(400, "invalid_request", f"'{name}' must be valid Unicode text.")
    if "\x00" in value:  # PostgreSQL cannot store it in a text column
        fail(400, "invalid_request", f"'{name}' must not contain NUL characters.")
    if len(value) > max_chars:
        fail(413, "too_large", f"'{name}' is longer than {max_chars} characters.")
    return value


def whole_number(source: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    """A whole number from a query string: ASCII digits only (``"²".isdigit()`` is True), within low..high."""
    text = source.get(name)
    if text is None:
        return default
    # int() refuses more than 4,300 digits; no number in range needs more digits than ``high`` has.
    digits = text.lstrip("0")  # pragma: no mutate: equivalent
    if not (text.isascii() and text.isdigit()) or len(digits) > len(str(high)) or not low <= int(digits or "0") <= high:
        fail(400, "invalid_request", f"'{name}' must be a whole number from {low} to {high}.")
    return int(digits or "0")


def page_size() -> int:
    """``limit`` of a list endpoint: 1 to 100 items a page, 50 by default, as OpenAI's own lists."""
    return whole_number(request.args, "limit", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)


def after_number() -> int:
    """``after`` of a list whose items have whole-number ids: the last id of the previous page (0 for none)."""
    return whole_number(request.args, "after", 0, 0, 2**63 - 1)


def list_page(rows: Sequence[Any], limit: int, describe: Callable[[Any], dict[str, Any]], key: str) -> dict[str, Any]:
    """One page in the shape of OpenAI's lists, from up to ``limit + 1`` rows fetched by a keyset query.

    ``key`` names the field of each item that the next request passes as ``after``.
    """
    data = [describe(row) for row in rows[:limit]]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0][key] if data else None,
        "last_id": data[-1][key] if data else None,
        "has_more": len(rows) > limit,
    }


def user_id_from(source: Mapping[str, Any]) -> str:
    return text_field(source, "user_id", max_chars=MAX_USER_ID_CHARS)


def message_from(body: Mapping[str, Any]) -> str:
    return text_field(body, "message", max_chars=current_app.config["MAX_MESSAGE_CHARS"])


def serve(create_app: Any) -> None:
    """Run an app on 127.0.0.1:PORT (default 5000), debug only when FLASK_DEBUG=1, for loopback host names only."""

    def start() -> None:
        app = create_app()
        app.config["TRUSTED_HOSTS"] = LOOPBACK_HOSTS
        port = number_setting("PORT", int, 5000, low=1, high=65535)
        app.run(host="127.0.0.1", port=port, debug=setting("FLASK_DEBUG") == "1")

    run(start)
