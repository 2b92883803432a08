import httpx

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/14-list_input_items.py"


def input_items() -> list[dict]:
    return [
        payloads.input_message("Answer in one sentence.", role="developer"),
        payloads.input_message("I am planning a week in Japan in spring."),
        payloads.message("Spring is cherry blossom season, a lovely time to go."),
        payloads.input_message("Which city should I visit first?"),
    ]


def page(items: list[dict], has_more: bool) -> httpx.Response:
    return httpx.Response(200, json=payloads.item_list(items, has_more=has_more))


def test_pages_by_hand_with_after_then_auto_paginates(openai_api, run_script):
    items = input_items()
    newest_first = items[::-1]
    create = openai_api.post("/responses").respond(json=payloads.response("Start in Tokyo.", id="resp_trip"))
    listing = openai_api.get("/responses/resp_trip/input_items").mock(
        side_effect=[
            page(items[:2], has_more=True),
            page(items[2:], has_more=False),
            page(newest_first[:2], has_more=True),
            page(newest_first[2:], has_more=False),
        ]
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert sent_json(create)["input"] == [
        {"role": "developer", "content": "Answer in one sentence."},
        {"role": "user", "content": "I am planning a week in Japan in spring."},
        {"role": "assistant", "content": "Spring is cherry blossom season, a lovely time to go."},
        {"role": "user", "content": "Which city should I visit first?"},
    ]
    assert [dict(call.request.url.params) for call in listing.calls] == [
        {"limit": "2", "order": "asc"},
        {"limit": "2", "order": "asc", "after": items[1]["id"]},
        {"limit": "2"},
        {"limit": "2", "after": newest_first[1]["id"]},
    ]
    lines = [
        f"{items[0]['id']}  developer Answer in one sentence.",
        f"{items[1]['id']}  user      I am planning a week in Japan in spring.",
        f"{items[2]['id']}  assistant Spring is cherry blossom season, a lovely time to go.",
        f"{items[3]['id']}  user      Which city should I visit first?",
    ]
    assert result.stdout.splitlines() == [
        "Response resp_trip: Start in Tokyo.",
        "",
        "Pages of 2, oldest first, fetched by hand with `after`:",
        f"  page 1: {lines[0]}",
        f"  page 1: {lines[1]}",
        f"  page 2: {lines[2]}",
        f"  page 2: {lines[3]}",
        "",
        "Auto-pagination (default order, newest first):",
        *[f"  {line}" for line in lines[::-1]],
    ]


def test_api_error_while_listing_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.post("/responses").respond(json=payloads.response(id="resp_l"))
    openai_api.get("/responses/resp_l/input_items").mock(return_value=api_failure(500))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(500))


def test_an_item_that_is_not_a_message_is_listed_by_its_type(openai_api, run_script):
    call = payloads.function_call("get_weather", {"place": "Kyoto"})
    openai_api.post("/responses").respond(json=payloads.response("Sunny.", id="resp_t"))
    openai_api.get("/responses/resp_t/input_items").mock(side_effect=[page([call], has_more=False)] * 2)

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[3:] == [
        f"  page 1: {call['id']}  function_call",
        "",
        "Auto-pagination (default order, newest first):",
        f"  {call['id']}  function_call",
    ]
