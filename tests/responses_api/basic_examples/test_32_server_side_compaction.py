import httpx

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/32-server_side_compaction.py"
COMPACTION = [{"type": "compaction", "compact_threshold": 1000}]
NOTES = "The tomatoes need stakes, the beans need water before noon, and the roses need pruning. " * 8
TURNS = [
    "Hi! My name is Ada and I grow tomatoes.",
    *(f"Note {day} of my garden diary: {NOTES}" for day in range(1, 6)),
    "What is my name?",
]


def compaction_item(n: str) -> dict:
    return {"id": f"cmp_{n}", "type": "compaction", "encrypted_content": "sealed-" + n}


def turn(part: str, n: int) -> httpx.Response:
    """Turn ``n`` of a part: its input tokens grow until turn 5 compacts, then start small again."""
    output = [payloads.message(f"Reply {part}{n}.")]
    if n == 5:
        output.insert(0, compaction_item(f"{part}{n}"))
    tokens = 300 * n if n <= 5 else 300 * (n - 5)
    usage = payloads.usage(input_tokens=tokens)
    return httpx.Response(200, json=payloads.response(output=output, id=f"resp_{part}{n}", usage_=usage))


def all_replies(trigger_output: list[dict]) -> list[httpx.Response]:
    triggered = payloads.response(output=trigger_output, id="resp_t", usage_=payloads.usage(input_tokens=20))
    return [
        *(turn("a", n) for n in range(1, 8)),
        *(turn("b", n) for n in range(1, 8)),
        httpx.Response(200, json=triggered),
    ]


def test_input_tokens_turn_by_turn_the_compaction_and_what_is_kept_are_shown(openai_api, run_script):
    responses = openai_api.post("/responses").mock(side_effect=all_replies([compaction_item("t")]))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (0, "")
    asked = [sent_json(responses, n) for n in range(15)]
    chained, stateless, trigger = asked[:7], asked[7:14], asked[14]
    assert [body["input"] for body in chained] == TURNS
    assert [body.get("previous_response_id") for body in chained] == [None, *(f"resp_a{n}" for n in range(1, 7))]
    assert all(body["context_management"] == COMPACTION for body in chained + stateless)
    assert all(body["store"] is False for body in [*stateless, trigger])
    assert all(body["include"] == ["reasoning.encrypted_content"] for body in stateless)
    assert [len(body["input"]) for body in stateless] == [1, 3, 5, 7, 9, 3, 5]
    assert stateless[5]["input"][0] == compaction_item("b5")  # everything before it was dropped
    assert stateless[5]["input"][-1] == {"role": "user", "content": TURNS[5]}
    assert trigger["input"] == [{"role": "user", "content": TURNS[0]}, {"type": "compaction_trigger"}]
    assert "context_management" not in trigger
    assert result.stdout.splitlines() == [
        "1. Chained: only the new message each turn",
        "  turn 1: 300 input tokens",
        "  turn 2: 600 input tokens",
        "  turn 3: 900 input tokens",
        "  turn 4: 1200 input tokens",
        "  turn 5: 1500 input tokens  <- compaction item",
        "  turn 6: 300 input tokens",
        "  turn 7: 600 input tokens",
        "  answer: Reply a7.",
        "",
        "2. Stateless: the history in input, everything before the newest compaction dropped",
        "  turn 1: 300 input tokens, 2 items kept",
        "  turn 2: 600 input tokens, 4 items kept",
        "  turn 3: 900 input tokens, 6 items kept",
        "  turn 4: 1200 input tokens, 8 items kept",
        "  turn 5: 1500 input tokens, 2 items kept  <- compaction item",
        "  turn 6: 300 input tokens, 4 items kept",
        "  turn 7: 600 input tokens, 6 items kept",
        "  answer: Reply b7.",
        "",
        "3. A compaction_trigger compacts now",
        "  20 input tokens became one compaction item of 8 characters",
    ]


def test_a_trigger_that_brings_no_compaction_back_says_so_and_exits_1(openai_api, run_script):
    openai_api.post("/responses").mock(side_effect=all_replies([payloads.message("No.")]))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, "The trigger brought no compaction item back.\n")


def test_an_api_error_is_one_line_and_exit_1(openai_api, run_script):
    openai_api.post("/responses").mock(side_effect=[turn("a", 1), api_failure(500)])

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(500))
    assert result.stdout.splitlines()[-1] == "  turn 1: 300 input tokens"
