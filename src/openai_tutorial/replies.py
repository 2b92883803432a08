"""A guard between the SDK and OpenAI: a reply that is not what the SDK expects becomes the API's 502.

The SDK builds its objects from whatever arrives without checking them (its strict mode
would also reject item types newer than the installed SDK), so an HTML page, truncated JSON
or a reply missing fields would surface later as an AttributeError deep in an example.
``CheckedTransport`` wraps the real transport: each successful JSON reply of the endpoints
the tutorial uses is checked against the SDK's own types, and one that does not fit is
replaced by a 502 error reply that says what was wrong. The SDK retries it like any 502 and
then raises ``openai.InternalServerError``: scripts print it as one line, backends answer 502.
Union members and literal values the SDK does not know yet pass: that is the API being newer.
"""

import json
import re
from typing import get_origin

import httpx2
from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from openai_tutorial.offline.routes import ROUTES

# (method, path after /v1, what the SDK parses the reply as, whether it is a list whose "data" is checked):
# the offline stand-in's own routing table, which lists every endpoint a lesson or app calls, with each reply's type.
EXPECTED: list[tuple[str, re.Pattern[str], TypeAdapter[object], bool]] = [
    (route.method, route.pattern, TypeAdapter(route.reply), get_origin(route.reply) is list)
    for route in ROUTES
    if route.reply not in (None, bytes)
]
# The endpoints that answer a file's bytes, which are whatever the file holds.
BINARY = [(route.method, route.pattern) for route in ROUTES if route.reply is bytes]


def problem_with(request: httpx2.Request, content_type: str, body: bytes) -> str | None:
    """What is wrong with a successful reply, or None when the SDK can use it."""
    path = request.url.path.rpartition("/v1")[2]  # after the last one: a gateway's own path may hold "/v1" too
    if request.method == "DELETE" and not body:
        return None
    if any(method == request.method and pattern.fullmatch(path) for method, pattern in BINARY):
        return None
    if not content_type.startswith("application/json"):
        return f"a {content_type or 'reply without a content type'} instead of JSON"
    try:
        data = json.loads(body)
    except ValueError as error:
        return f"JSON that does not parse ({error})"
    expected = next(
        (
            (model, is_list)
            for method, pattern, model, is_list in EXPECTED
            if method == request.method and pattern.fullmatch(path)
        ),
        None,
    )
    if expected is None:
        return None
    model, is_list = expected
    if is_list:
        if not isinstance(data, dict) or not isinstance(data.get("data"), list):
            return "a list reply without its 'data' list"
        data = data["data"]
    try:
        model.validate_python(data)
    except ValidationError as error:
        if real := real_errors(error.errors()):
            first = real[0]
            where = ".".join(str(part) for part in first["loc"])
            if not where:
                return f"a reply of the wrong shape: {first['msg']}"
            return f"a reply whose {where} is wrong: {first['msg']}"
    return None


def real_errors(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """The errors that say the reply is broken, not merely newer than the installed SDK.

    Pydantic tries every member of a union (an output item may be a message, a function call...)
    and reports every member's errors. The members whose ``type`` does not match the item's are
    beside the point, and an item whose type no member has is one the SDK does not know yet: so
    keep only errors inside the member that matches. Literal values the SDK does not know (a new
    status) pass too.
    """
    other_members = {
        tuple(error["loc"][:-1])
        for error in errors
        if error["loc"][-1:] == ("type",) and error["type"] == "literal_error"
    }
    return [
        error
        for error in errors
        if error["type"] != "literal_error"
        and not any(tuple(error["loc"][: len(member)]) == member for member in other_members)
    ]


def needs_checking(response: httpx2.Response) -> bool:
    content_type = response.headers.get("content-type", "")  # pragma: no mutate: case-blind
    return 200 <= response.status_code < 300 and not content_type.startswith("text/event-stream")


def checked(request: httpx2.Request, response: httpx2.Response, body: bytes) -> httpx2.Response:
    """``response`` itself, or the 502 that replaces it when its body is not what the SDK expects."""
    content_type = response.headers.get("content-type", "")  # pragma: no mutate: case-blind
    problem = problem_with(request, content_type, body)
    if problem is None:
        return response
    message = f"OpenAI answered {request.method} {request.url.path} with {problem}."
    error = {"error": {"message": message, "type": "invalid_response", "param": None, "code": None}}
    headers = {key: value for key, value in response.headers.items() if key.lower() == "x-request-id"}
    return httpx2.Response(502, json=error, headers=headers)  # the client attaches the request


class CheckedTransport(httpx2.BaseTransport):
    def __init__(self, transport: httpx2.BaseTransport) -> None:
        self.transport = transport

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        response = self.transport.handle_request(request)
        return checked(request, response, response.read()) if needs_checking(response) else response

    def close(self) -> None:
        self.transport.close()


class AsyncCheckedTransport(httpx2.AsyncBaseTransport):
    """``CheckedTransport`` for ``AsyncOpenAI``."""

    def __init__(self, transport: httpx2.AsyncBaseTransport) -> None:
        self.transport = transport

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.transport.handle_async_request(request)
        return checked(request, response, await response.aread()) if needs_checking(response) else response

    async def aclose(self) -> None:
        await self.transport.aclose()
