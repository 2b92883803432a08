import json

import httpx
import pytest
import requests
import responses

from openai_tutorial.weather import INSTRUCTIONS, WEATHER_TOOL
from Responses_API.stateless_weather_app import backend
from tests.support import open_meteo as meteo
from tests.support import payloads
from tests.support.helpers import sent_json
from tests.support.weather import answers, asks_for_weather

BACKEND = "Responses_API/stateless_weather_app/backend.py"
FRONTEND = "Responses_API/stateless_weather_app/frontend.py"


@pytest.fixture
def client():
    return backend.create_app().test_client()


def tool_output(body: dict) -> dict:
    (output,) = [item for item in body["input"] if item.get("type") == "function_call_output"]
    return json.loads(output["output"])


def test_runs_the_tool_loop_with_the_whole_history_and_store_false(client, openai_api, lisbon_weather):
    route = openai_api.post("/responses").mock(
        side_effect=[asks_for_weather(), answers("It is 16°C and partly cloudy in Lisbon.")]
    )

    reply = client.post("/ask", json={"question": "What's the weather in Lisbon?"})

    assert reply.status_code == 200
    assert reply.json == {
        "answer": "It is 16°C and partly cloudy in Lisbon.",
        "tool_calls": [{"name": "get_weather", "arguments": {"place": "Lisbon", "units": None}}],
    }
    first, second = sent_json(route, 0), sent_json(route, 1)
    for body in (first, second):
        assert body["store"] is False
        assert body["include"] == ["reasoning.encrypted_content"]
        assert body["tools"] == [WEATHER_TOOL]
        assert body["instructions"] == INSTRUCTIONS
    assert first["input"] == [{"role": "user", "content": "What's the weather in Lisbon?"}]
    reasoning, call, output = second["input"][1:]
    assert reasoning["type"] == "reasoning"
    assert reasoning["encrypted_content"] == "gAAAAB-encrypted-reasoning"
    assert None not in reasoning.values()
    assert (call["type"], call["call_id"]) == ("function_call", "call_lisbon")
    assert (output["type"], output["call_id"]) == ("function_call_output", "call_lisbon")
    assert tool_output(second)["current"]["temperature"] == "16.2°C"


def test_several_calls_in_one_round_each_get_their_output(client, openai_api, open_meteo):
    open_meteo.add(responses.GET, meteo.GEOCODING_URL, json=meteo.place())
    open_meteo.add(responses.GET, meteo.FORECAST_URL, json=meteo.forecast())
    open_meteo.add(responses.GET, meteo.GEOCODING_URL, json=meteo.NO_PLACE)
    two_calls = payloads.response(
        output=[
            payloads.function_call("get_weather", {"place": "Lisbon", "units": None}, call_id="call_a"),
            payloads.function_call("get_weather", {"place": "Atlantis", "units": None}, call_id="call_b"),
        ]
    )
    route = openai_api.post("/responses").mock(
        side_effect=[httpx.Response(200, json=two_calls), answers("Lisbon is mild; Atlantis is not on any map.")]
    )

    reply = client.post("/ask", json={"question": "Lisbon or Atlantis?"})

    assert [call["arguments"]["place"] for call in reply.json["tool_calls"]] == ["Lisbon", "Atlantis"]
    outputs = {item["call_id"]: json.loads(item["output"]) for item in sent_json(route)["input"][-2:]}
    assert outputs["call_a"]["place"] == "Lisbon, Lisbon, Portugal"
    assert outputs["call_b"] == {"error": "No place called 'Atlantis' was found."}


def test_the_models_items_go_back_without_the_null_fields_the_api_rejects(client, openai_api, lisbon_weather):
    call = {**payloads.function_call("get_weather", {"place": "Lisbon", "units": None}, call_id="call_a")}
    call |= {"namespace": None, "caller": None}
    route = openai_api.post("/responses").mock(
        side_effect=[httpx.Response(200, json=payloads.response(output=[call])), answers("Mild.")]
    )

    client.post("/ask", json={"question": "Lisbon?"})

    replayed_call = sent_json(route)["input"][1]
    assert replayed_call == {key: call[key] for key in ("id", "type", "status", "name", "call_id", "arguments")}


@pytest.mark.parametrize(
    ("geocoding", "error"),
    [
        ({"json": meteo.NO_PLACE}, "No place called 'Lisbon' was found."),
        ({"body": requests.ReadTimeout("slow")}, "The weather service did not answer in time; try again later."),
        ({"status": 500, "json": {"error": True}}, "The weather service failed (HTTP 500); try again later."),
    ],
)
def test_provider_failures_reach_the_model_as_tool_output(client, openai_api, open_meteo, geocoding, error):
    open_meteo.add(responses.GET, meteo.GEOCODING_URL, **geocoding)
    route = openai_api.post("/responses").mock(
        side_effect=[asks_for_weather(), answers("Sorry, I could not get the weather.")]
    )

    reply = client.post("/ask", json={"question": "Weather in Lisbon?"})

    assert reply.status_code == 200
    assert tool_output(sent_json(route)) == {"error": error}
    assert reply.json["answer"] == "Sorry, I could not get the weather."


def test_nothing_is_remembered_between_questions(client, openai_api):
    route = openai_api.post("/responses").mock(side_effect=[answers("Hello!"), answers("I don't know.")])

    client.post("/ask", json={"question": "I am in Lisbon."})
    client.post("/ask", json={"question": "And tomorrow?"})

    assert sent_json(route)["input"] == [{"role": "user", "content": "And tomorrow?"}]


def test_a_model_that_never_stops_calling_tools_is_a_502(client, openai_api, lisbon_weather):
    openai_api.post("/responses").mock(side_effect=lambda request: asks_for_weather())

    reply = client.post("/ask", json={"question": "Weather?"})

    assert reply.status_code == 502
    assert reply.json == {
        "error": {"type": "upstream_error", "message": "The model was still calling tools after 5 rounds."}
    }


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({}, 400, "'question' is required."),
        ({"question": ""}, 400, "'question' must not be empty."),
        ({"question": 3}, 400, "'question' must be a string."),
        ({"question": "x" * 4001}, 413, "'question' is longer than 4000 characters."),
    ],
)
def test_bad_questions_are_json_errors(client, body, status, message):
    reply = client.post("/ask", json=body)

    assert (reply.status_code, reply.json["error"]["message"]) == (status, message)


def test_an_openai_rate_limit_is_a_429(client, openai_api):
    openai_api.post("/responses").respond(
        429, json=payloads.api_error("Slow down.", type="requests"), headers={"retry-after": "2"}
    )

    reply = client.post("/ask", json={"question": "Weather?"})

    assert (reply.status_code, reply.headers["Retry-After"]) == (429, "2")


def test_the_frontend_asks_the_real_backend_and_prints_answers(openai_api, live_server, run_script):
    base_url = live_server(backend.create_app())
    openai_api.post("/responses").mock(side_effect=[answers("Sunny in Lisbon."), answers("Rainy in Oslo.")])

    result = run_script(FRONTEND, "--base-url", base_url, stdin="Lisbon?\n\nOslo?\n")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "Ask about the weather anywhere (Ctrl-D to quit).\n"
        "you> assistant> Sunny in Lisbon.\n"
        "you> you> assistant> Rainy in Oslo.\n"
        "you> \nBye.\n"
    )


def test_the_frontend_says_when_the_backend_answers_an_error(openai_api, live_server, run_script):
    base_url = live_server(backend.create_app())
    openai_api.post("/responses").mock(
        return_value=httpx.Response(500, json=payloads.api_error("x", type="server_error"))
    )

    result = run_script(FRONTEND, "--base-url", base_url, stdin="Lisbon?\n")

    assert result.exit_code == 0
    assert result.stderr == "The backend answered 502: OpenAI answered 500 (server_error); request id none.\n"


def test_the_frontend_checks_for_its_backend_first_and_exits_1_without_one(run_script, unused_port_url):
    result = run_script(FRONTEND, "--base-url", unused_port_url, stdin="Lisbon?\n")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"No backend is answering at {unused_port_url}/healthz: start it first (see README.md).\n"


def test_the_backend_script_serves_on_loopback(flask_runs, run_script):
    result = run_script(BACKEND, env={"PORT": "5101"})

    assert result.exit_code == 0, result.stderr
    assert flask_runs == [{"host": "127.0.0.1", "port": 5101, "debug": False}]


def test_malformed_tool_arguments_are_reported_as_sent_and_answered_with_an_error(client, openai_api):
    broken_call = payloads.response(output=[payloads.function_call("get_weather", '{"place": "Lis', call_id="call_x")])
    route = openai_api.post("/responses").mock(
        side_effect=[httpx.Response(200, json=broken_call), answers("Which place did you mean?")]
    )

    reply = client.post("/ask", json={"question": "Weather?"})

    assert reply.json["tool_calls"] == [{"name": "get_weather", "arguments": '{"place": "Lis'}]
    assert tool_output(sent_json(route))["error"].startswith("Bad arguments for get_weather")
