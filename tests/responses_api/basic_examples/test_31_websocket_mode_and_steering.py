import json
import time

import httpx
import pytest

from openai_tutorial.client import get_client
from tests.support import payloads
from tests.support.websocket import RECEIVE, created_and_done, error_event, numbered, start_scripted_socket

SCRIPT = "Responses_API/Basic_examples/31-websocket_mode_and_steering.py"
SKUS = ["SKU-101", "SKU-202", "SKU-303"]
UNITS = {"SKU-101": 14, "SKU-202": 0, "SKU-303": 52}
STEER = "Keep it to tomatoes only, please."
NOT_FOUND = "Previous response with id 'resp_kept' not found."


def asks_for_stock(sku: str) -> dict:
    call = payloads.function_call("check_stock", {"sku": sku}, call_id=f"call_{sku}")
    return payloads.response(output=[call], id=f"resp_call_{sku}")


def answers(sku: str) -> dict:
    return payloads.response(f"{UNITS[sku]} in stock.", id=f"resp_answer_{sku}")


def tool_loop_script() -> list:
    script: list = []
    for sku in SKUS:
        script += [RECEIVE, created_and_done(asks_for_stock(sku)), RECEIVE, created_and_done(answers(sku))]
    return script


def steering_script(*, too_late: bool = False) -> list:
    first = payloads.response("Start with ", id="resp_long")
    item = first["output"][0]
    started = {**first, "status": "in_progress", "output": [], "usage": None, "completed_at": None}
    where = {"item_id": item["id"], "output_index": 0, "content_index": 0}
    opening = numbered(
        {"type": "response.created", "response": started},
        {"type": "response.output_item.added", "output_index": 0, "item": {**item, "content": []}},
        {"type": "response.content_part.added", **where, "part": payloads.output_text("")},
        {"type": "response.output_text.delta", **where, "delta": "Start with ", "logprobs": []},
    )
    successor = created_and_done(payloads.response("Tomatoes: sow in March.", id="resp_successor"))
    if too_late:
        failed = {
            "type": "response.steer.failed",
            "sequence_number": 5,
            "steer": {"input": STEER, "previous_response_id": "resp_long"},
            "error": {"code": "response_already_completed", "message": "Done.", "type": "invalid_request_error"},
        }
        return [
            RECEIVE,
            opening,
            RECEIVE,
            [{"type": "response.completed", "response": first}, failed],
            RECEIVE,
            successor,
        ]
    stopped = {**first, "status": "incomplete", "incomplete_details": {"reason": "steered"}}
    accepted = {"type": "response.steer.accepted", "steer": {"id": "steer_1", "previous_response_id": "resp_long"}}
    return [RECEIVE, opening, RECEIVE, [accepted, {"type": "response.incomplete", "response": stopped}], successor]


def reconnect_scripts() -> list[list]:
    kept = payloads.response(
        "Noted: plot 7.",
        id="resp_kept",
        output=[payloads.reasoning(encrypted_content="sealed"), payloads.message("Noted.")],
    )
    answer = payloads.response("Plot 7.", id="resp_answer")
    return [
        [RECEIVE, created_and_done(kept)],
        [RECEIVE, error_event(NOT_FOUND, "previous_response_not_found"), RECEIVE, created_and_done(answer)],
    ]


def http_stream(final: dict) -> httpx.Response:
    started = {**final, "status": "in_progress", "output": [], "usage": None, "completed_at": None}
    events = numbered(
        {"type": "response.created", "response": started}, {"type": "response.completed", "response": final}
    )
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=payloads.sse_body(events))


@pytest.fixture
def over_http(openai_api):
    replies = [http_stream(reply) for sku in SKUS for reply in (asks_for_stock(sku), answers(sku))]
    return openai_api.post("/responses").mock(side_effect=replies)


@pytest.fixture
def socket_server(monkeypatch):
    """Plays the scripts it is given, one a connection, to the lesson's client; times read as 0."""
    monkeypatch.setattr(time, "perf_counter", lambda: 0.0)
    servers = []

    def start(scripts: list[list]):
        server = start_scripted_socket(scripts)
        player, url = next(server)
        servers.append(server)
        get_client().websocket_base_url = url
        return player

    yield start
    for server in servers:
        next(server, None)


def test_the_tool_loop_sends_only_new_items_then_a_steer_lands_and_a_lost_response_is_resent_whole(
    socket_server, over_http, run_script
):
    player = socket_server([tool_loop_script(), steering_script(), *reconnect_scripts()])

    result = run_script(SCRIPT)

    assert player.failures == []
    assert (result.exit_code, result.stderr) == (0, "")
    loop, steering, first_connection, second_connection = player.received
    questions = [f"How many of {sku} do we have?" for sku in SKUS]
    assert [event["type"] for event in loop] == ["response.create"] * 6
    assert all("stream" not in event and "background" not in event for event in loop)
    assert [event["input"] for event in loop[::2]] == [[{"role": "user", "content": q}] for q in questions]
    assert [event["input"] for event in loop[1::2]] == [
        [
            {
                "type": "function_call_output",
                "call_id": f"call_{sku}",
                "output": json.dumps({"sku": sku, "units": UNITS[sku]}),
            }
        ]
        for sku in SKUS
    ]
    assert [event.get("previous_response_id") for event in loop] == [
        None,
        "resp_call_SKU-101",
        "resp_answer_SKU-101",
        "resp_call_SKU-202",
        "resp_answer_SKU-202",
        "resp_call_SKU-303",
    ]
    assert json.loads(over_http.calls[1].request.content)["input"] == loop[1]["input"]  # the same loop over HTTP
    assert steering == [
        {
            "type": "response.create",
            "model": "gpt-5.4-mini",
            "input": "Write a long, detailed guide to planting a vegetable garden in spring.",
        },
        {"type": "response.steer", "input": STEER, "previous_response_id": "resp_long"},
    ]
    assert first_connection[0]["store"] is False
    assert first_connection[0]["include"] == ["reasoning.encrypted_content"]
    asked_again, resent = second_connection
    assert asked_again["previous_response_id"] == "resp_kept"
    assert "previous_response_id" not in resent
    assert [item.get("role") or item["type"] for item in resent["input"]] == ["user", "reasoning", "assistant", "user"]
    assert resent["input"][1]["encrypted_content"] == "sealed"
    assert result.stdout.splitlines() == [
        "1. A three-round tool loop over one WebSocket, sending only the new items",
        "  How many of SKU-101 do we have? 14 in stock.",
        "  How many of SKU-202 do we have? 0 in stock.",
        "  How many of SKU-303 do we have? 52 in stock.",
        "  over the socket: 0.00 s; the same loop over HTTP: 0.00 s",
        "",
        "2. Steering a long answer while it is written",
        "  response.created resp_long",
        f"  first words 'Start with '; steering it: {STEER!r}",
        "  response.steer.accepted steer_1: the server owns the input, not yet applied",
        "  resp_long ended incomplete (steered) after 11 characters",
        "  response.created resp_successor: the successor, which the steering input commits to",
        "  the successor ended completed: Tomatoes: sow in March.",
        "",
        "3. A response kept only in a connection's memory, after a reconnect",
        f"  continuing resp_kept on a new connection: {NOT_FOUND} (previous_response_not_found)",
        "  sent again with the whole history (4 items): Plot 7.",
    ]


def test_a_steer_that_comes_too_late_is_sent_as_a_new_request(socket_server, over_http, run_script):
    player = socket_server([tool_loop_script(), steering_script(too_late=True), *reconnect_scripts()])

    result = run_script(SCRIPT)

    assert player.failures == []
    assert result.exit_code == 0
    assert player.received[1][2] == {
        "type": "response.create",
        "model": "gpt-5.4-mini",
        "input": STEER,
        "previous_response_id": "resp_long",
    }
    lines = result.stdout.splitlines()
    assert "  response.steer.failed (response_already_completed): sending the input as a new request" in lines
    assert "  resp_long ended completed (None) after 11 characters" in lines


def test_an_error_event_is_one_line_and_exit_1(socket_server, run_script):
    player = socket_server([[RECEIVE, error_event("The model 'x' does not exist.", "model_not_found", 404)]])

    result = run_script(SCRIPT)

    assert player.failures == []
    assert (result.exit_code, result.stderr) == (
        1,
        "WebSocket error: The model 'x' does not exist. (model_not_found)\n",
    )


def test_a_connection_that_closes_mid_response_is_one_line_and_exit_1(socket_server, run_script):
    socket_server([[RECEIVE]])

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (
        1,
        "WebSocket error: The connection closed before the response ended.\n",
    )


def test_an_error_while_steering_is_one_line_and_exit_1(socket_server, over_http, run_script):
    refused = error_event("Rate limit reached.", "rate_limit_exceeded", 429)
    socket_server([tool_loop_script(), [RECEIVE, refused]])

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, "WebSocket error: Rate limit reached. (rate_limit_exceeded)\n")


def test_an_error_other_than_not_found_after_a_reconnect_is_not_retried(socket_server, openai_api, run_script):
    replies = [http_stream(reply) for sku in SKUS for reply in (asks_for_stock(sku), answers(sku))]
    openai_api.post("/responses").mock(side_effect=replies)
    first, _ = reconnect_scripts()
    socket_server([tool_loop_script(), steering_script(), first, [RECEIVE, error_event("Busy.", "server_error", 500)]])

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, "WebSocket error: Busy. (server_error)\n")


def test_a_steered_connection_that_closes_before_the_successor_ends_is_one_line_and_exit_1(
    socket_server, over_http, run_script
):
    socket_server([tool_loop_script(), steering_script()[:-1]])

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (
        1,
        "WebSocket error: The connection closed before the successor ended.\n",
    )


def test_a_response_still_known_after_the_reconnect_is_answered_without_a_retry(socket_server, over_http, run_script):
    first, _ = reconnect_scripts()
    answer = payloads.response("Plot 7, as you said.", id="resp_answer")
    player = socket_server([tool_loop_script(), steering_script(), first, [RECEIVE, created_and_done(answer)]])

    result = run_script(SCRIPT)

    assert player.failures == []
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "  Plot 7, as you said."
    assert len(player.received[3]) == 1


def test_offline_it_runs_against_the_stand_ins_socket_and_says_its_times_show_no_network(run_script, monkeypatch):
    monkeypatch.setenv("OPENAI_OFFLINE", "1")
    monkeypatch.setenv("OPENAI_OFFLINE_STREAM_DELAY", "0.01")

    result = run_script(SCRIPT)

    # Where the steer lands varies, as with the API; either way the lesson ends well.
    assert result.exit_code == 0, result.stderr
    assert "  (offline, both are answered on this machine: the times show no network)" in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1].startswith("  sent again with the whole history (4 items): ")
