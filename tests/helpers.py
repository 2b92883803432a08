"""Small helpers the example tests share: what was sent, and how an API failure looks."""

import json

import httpx
import respx

from tests import payloads

API_FAILURES = {
    401: ("invalid_request_error", "Incorrect API key provided: sk-test-***6789."),
    429: ("requests", "Rate limit reached for requests per minute."),
    500: ("server_error", "The server had an error while processing your request."),
}


def sent_json(route: respx.Route, call: int = -1) -> dict:
    """The JSON body of one call a route received (the last by default)."""
    return json.loads(route.calls[call].request.content)


def api_failure(status: int) -> httpx.Response:
    error_type, message = API_FAILURES[status]
    return httpx.Response(status, json=payloads.api_error(message, type=error_type), headers={"x-request-id": "req_f4"})


def api_failure_line(status: int) -> str:
    """The one line a script prints on stderr when the API answers ``api_failure(status)``."""
    error_type, message = API_FAILURES[status]
    return f"OpenAI API error {status} ({error_type}): {message} [request id: req_f4]\n"
