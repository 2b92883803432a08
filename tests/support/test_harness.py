"""The harness itself: a forgotten mock must fail loudly, never reach the network."""

import socket

import openai
import pytest
import respx

from openai_tutorial.client import get_client
from tests.conftest import PATIENCE, assert_strict_schemas_are_strict
from tests.support import payloads


def test_a_request_no_route_matches_is_refused(openai_api):
    openai_api.post("/responses").respond(json=payloads.response())
    get_client().responses.create(model="m", input="routed")

    with pytest.raises(respx.models.AllMockedAssertionError):
        get_client().files.list()


def test_without_mocks_only_loopback_127_0_0_1_can_be_reached(monkeypatch):
    # 127.0.0.2 is on this machine but outside the allowed hosts: the guard refuses it
    # before connecting, as it would refuse api.openai.com on a machine with a network.
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.2:9/v1")
    # pytest-socket warns and filterwarnings = error turns that into the failure itself.
    with pytest.raises(UserWarning, match=r'socket.connect\(\) with host "127.0.0.2"'):
        get_client().responses.create(model="m", input="unmocked")


def test_loopback_stays_open_for_servers_started_by_tests():
    with socket.create_server(("127.0.0.1", 0)) as server:
        socket.create_connection(server.getsockname(), timeout=PATIENCE).close()


def test_replies_are_validated_strictly_against_the_sdk_schema(openai_api):
    # An item type the installed SDK does not know passes the client's own guard (the API may be
    # newer than the SDK), but not the tests: their payloads must match the SDK exactly.
    drifted = payloads.response()
    drifted["output"].append({"id": "x_1", "type": "not_an_item_type"})
    openai_api.post("/responses").respond(json=drifted)

    with pytest.raises(openai.APIResponseValidationError):
        get_client().responses.create(model="m", input="hi")


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"city": {"type": "string"}}, "required": [], "additionalProperties": False},
        {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        {
            "type": "object",
            "properties": {"city": {"type": "str"}},
            "required": ["city"],
            "additionalProperties": False,
        },
    ],
    ids=["not-required", "extra-properties-allowed", "invalid-type"],
)
def test_a_strict_schema_that_is_not_strict_fails_whichever_test_sends_it(schema):
    tool = {"type": "function", "name": "f", "strict": True, "parameters": schema}

    with pytest.raises(AssertionError):
        assert_strict_schemas_are_strict({"tools": [tool]})
    with pytest.raises(AssertionError):
        assert_strict_schemas_are_strict(
            {"text": {"format": {"type": "json_schema", "name": "f", "schema": schema, "strict": True}}}
        )
    assert_strict_schemas_are_strict({"tools": [{**tool, "strict": False}]})
