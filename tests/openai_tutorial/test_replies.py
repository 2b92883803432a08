"""The guard on OpenAI's replies: what the SDK cannot use becomes the API's 502, what is merely newer passes."""

import asyncio
import re

import httpx
import httpx2
import openai
import pytest

from openai_tutorial.client import get_async_client, get_client, run
from openai_tutorial.offline.routes import ROUTES
from openai_tutorial.replies import problem_with
from tests.support import payloads


def broken(field_path: list, value=None, delete: bool = False) -> dict:
    reply = payloads.response("hi")
    target = reply
    for key in field_path[:-1]:
        target = target[key]
    if delete:
        del target[field_path[-1]]
    else:
        target[field_path[-1]] = value
    return reply


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        (
            httpx.Response(200, text="<html>busy</html>", headers={"content-type": "text/html"}),
            "a text/html instead of JSON",
        ),
        (httpx.Response(200, content=b"hello"), "a reply without a content type instead of JSON"),
        (
            httpx.Response(200, content=b'{"id": "resp_1", "outp', headers={"content-type": "application/json"}),
            "JSON that does not parse (Unterminated string starting at: line 1 column 18 (char 17))",
        ),
        (
            httpx.Response(200, json=broken(["output", 0, "content"], delete=True)),
            "a reply whose output.0.ResponseOutputMessage.content is wrong: Field required",
        ),
        (
            httpx.Response(200, json=broken(["output"], "nope")),
            "a reply whose output is wrong: Input should be a valid list",
        ),
        (
            httpx.Response(200, json=["not", "a", "response"]),
            "a reply of the wrong shape: Input should be a valid dictionary or instance of Response",
        ),
        (
            httpx.Response(200, content=b"", headers={"content-type": "application/json"}),
            "JSON that does not parse (Expecting value: line 1 column 1 (char 0))",
        ),
        (
            httpx.Response(200, json=broken(["usage"], 5)),
            "a reply whose usage is wrong: Input should be a valid dictionary or instance of ResponseUsage",
        ),
    ],
)
def test_a_reply_the_sdk_cannot_use_is_a_502_that_says_what_was_wrong(openai_api, reply, problem):
    openai_api.post("/responses").mock(return_value=reply)

    with pytest.raises(openai.InternalServerError) as raised:
        get_client().responses.create(model="m", input="hi")

    assert raised.value.status_code == 502
    assert raised.value.body == {
        "message": f"OpenAI answered POST /v1/responses with {problem}.",
        "type": "invalid_response",
        "param": None,
        "code": None,
    }


def test_replies_through_a_gateway_whose_path_repeats_v1_are_checked_too(openai_api, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "https://gateway.example/v1/openai/v1")
    openai_api.post("https://gateway.example/v1/openai/v1/responses").respond(json=broken(["output"], "nope"))

    with pytest.raises(openai.InternalServerError) as raised:
        get_client().responses.create(model="m", input="hi")

    assert raised.value.body["message"] == (
        "OpenAI answered POST /v1/openai/v1/responses with a reply whose output is wrong: Input should be a valid list."
    )


def test_the_async_client_has_the_same_guard(openai_api):
    openai_api.post("/responses").mock(return_value=httpx.Response(200, json=broken(["output"], "nope")))

    async def ask():
        async with get_async_client() as client:
            await client.responses.create(model="m", input="hi")

    with pytest.raises(openai.InternalServerError) as raised:
        asyncio.run(ask())

    assert raised.value.status_code == 502
    assert raised.value.body["message"] == (
        "OpenAI answered POST /v1/responses with a reply whose output is wrong: Input should be a valid list."
    )


def test_a_script_prints_a_malformed_reply_as_one_line(openai_api, capsys):
    openai_api.post("/responses").respond(
        200, text="<html>", headers={"content-type": "text/html", "x-request-id": "req_7"}
    )

    with pytest.raises(SystemExit) as exited:
        run(lambda: get_client().responses.create(model="m", input="hi"))

    assert exited.value.code == 1
    assert capsys.readouterr().err == (
        "OpenAI API error 502 (invalid_response): OpenAI answered POST /v1/responses with a text/html instead of "
        "JSON. [request id: req_7]\n"
    )


def test_an_item_type_or_status_newer_than_the_sdk_passes(openai_api, monkeypatch):
    monkeypatch.setattr("openai_tutorial.client.OpenAI", openai.OpenAI)  # the client as users get it: not strict
    newer = payloads.response("hi")
    newer["output"].append({"id": "x_1", "type": "brand_new_item", "status": "glowing"})
    newer["output"][0]["status"] = "paused"
    openai_api.post("/responses").respond(json=newer)

    response = get_client().responses.create(model="m", input="hi")

    assert response.output_text == "hi"


def test_a_newer_status_does_not_hide_a_missing_field_beside_it(openai_api):
    reply = broken(["output", 0, "content"], delete=True)
    reply["output"][0]["status"] = "paused"
    openai_api.post("/responses").respond(json=reply)

    with pytest.raises(openai.InternalServerError) as raised:
        get_client().responses.create(model="m", input="hi")

    assert raised.value.body["message"] == (
        "OpenAI answered POST /v1/responses with a reply whose output.0.ResponseOutputMessage.content is wrong: "
        "Field required."
    )


def test_one_conversation_item_with_a_newer_status_passes(openai_api, monkeypatch):
    monkeypatch.setattr("openai_tutorial.client.OpenAI", openai.OpenAI)  # the client as users get it: not strict
    item = payloads.input_message("hi", id="msg_1")
    item["status"] = "paused"
    openai_api.get("/conversations/conv_1/items/msg_1").respond(json=item)

    retrieved = get_client().conversations.items.retrieve("msg_1", conversation_id="conv_1")

    assert (retrieved.id, retrieved.status) == ("msg_1", "paused")


@pytest.mark.parametrize(
    ("method", "path", "reply", "call"),
    [
        ("get", "/responses/resp_1/input_items", {"object": "list"}, lambda c: c.responses.input_items.list("resp_1")),
        ("get", "/conversations/conv_1/items", {"data": "x"}, lambda c: c.conversations.items.list("conv_1")),
    ],
)
def test_a_list_reply_without_its_data_is_a_502(openai_api, method, path, reply, call):
    getattr(openai_api, method)(path).respond(json=reply)

    with pytest.raises(openai.InternalServerError) as raised:
        call(get_client())

    assert raised.value.body["message"] == f"OpenAI answered GET /v1{path} with a list reply without its 'data' list."


def test_list_items_are_checked_one_by_one(openai_api):
    item = payloads.input_message("hi")
    del item["content"]
    openai_api.get("/conversations/conv_1/items").respond(json=payloads.item_list([item]))

    with pytest.raises(openai.InternalServerError) as raised:
        get_client().conversations.items.list("conv_1")

    assert "a reply whose 0.Message.content is wrong: Field required" in raised.value.body["message"]


def test_replies_the_guard_does_not_know_errors_and_empty_deletes_pass_unchanged(openai_api):
    openai_api.get("/models").respond(json={"object": "list", "data": []})
    openai_api.delete("/responses/resp_1").respond(200)
    openai_api.post("/responses").respond(429, json=payloads.api_error("Slow down.", type="requests"))
    openai_api.post("/conversations").respond(300, json={"not": "a conversation"})  # not a success: not checked

    assert get_client().models.list().data == []
    assert get_client().responses.delete("resp_1") is None
    with pytest.raises(openai.RateLimitError):
        get_client().responses.create(model="m", input="hi")
    with pytest.raises(openai.APIStatusError) as redirected:
        get_client().conversations.create()
    assert (redirected.value.status_code, redirected.value.body) == (300, {"not": "a conversation"})


def test_closing_the_client_closes_the_connection_pool_under_the_guard():
    client = get_client()
    pool = client._client._transport.transport.transport._pool  # under the notices, under the guard

    client.close()

    assert client.is_closed()
    assert pool.connections == []


UNREAD = {
    ("DELETE", "/responses/some_id"),
    ("DELETE", "/containers/some_id"),
    ("DELETE", "/containers/some_id/files/some_id"),
    ("GET", "/containers/some_id/files/some_id/content"),
}


def test_a_file_s_content_passes_as_it_is_whatever_its_type():
    content = httpx2.Request("GET", "https://api.openai.com/v1/containers/cntr_1/files/cfile_1/content")
    listing = httpx2.Request("GET", "https://api.openai.com/v1/containers/cntr_1/files")

    assert problem_with(content, "application/binary", b"\x89PNG") is None
    assert problem_with(content, "", b"<html>") is None
    assert problem_with(listing, "text/html", b"<html>") == "a text/html instead of JSON"


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.pattern.pattern}")
def test_every_endpoint_the_offline_stand_in_answers_is_checked(route):
    """The stand-in answers every endpoint a lesson or app calls, and a reply of the wrong shape on any is refused."""
    path = re.sub(r"\(\?P<\w+>\[\^/\]\+\)", "some_id", route.pattern.pattern)
    request = httpx2.Request(route.method, f"https://api.openai.com/v1{path}")

    problem = problem_with(request, "application/json", b'{"data": [{"type": "message"}], "id": 7}')

    if route.reply in (None, bytes):  # a reply the SDK does not read, or a file's bytes
        assert problem is None
        assert (route.method, path) in UNREAD
    else:
        assert problem is not None
        assert problem.startswith(("a reply whose", "a reply of the wrong shape")), problem
