"""The computer tool in the stand-in: a batch of keyboard actions from the task's quoted values, a safety check that
must be acknowledged, screenshots checked to be images, and the preview tool refused on gpt-5.4 models."""

import base64

import openai
import pytest

from openai_tutorial.client import get_model
from tests.support.refusals import error_of, refusal

MODEL = get_model()
COMPUTER = [{"type": "computer"}]
PNG = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 64).decode()
JPEG = "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff" + b"\0" * 64).decode()
TASK = 'Sign up as "Ada Lovelace" with "ada@example.com".'


def the_call(response):
    (call,) = [item for item in response.output if item.type == "computer_call"]
    return call


def screenshot_for(call, image_url: str = PNG, acknowledged=None) -> dict:
    checks = [check.model_dump() for check in call.pending_safety_checks] if acknowledged is None else acknowledged
    return {
        "type": "computer_call_output",
        "call_id": call.call_id,
        "output": {"type": "computer_screenshot", "image_url": image_url},
        "acknowledged_safety_checks": checks,
    }


def test_the_quoted_values_are_typed_tab_between_them_and_enter_after_the_last(client):
    call = the_call(client.responses.create(model=MODEL, input=TASK, tools=COMPUTER))

    assert [action.model_dump(exclude_none=True) for action in call.actions] == [
        {"type": "type", "text": "Ada Lovelace"},
        {"type": "keypress", "keys": ["TAB"]},
        {"type": "type", "text": "ada@example.com"},
        {"type": "keypress", "keys": ["ENTER"]},
    ]
    ((check),) = call.pending_safety_checks
    assert (check.code, check.message) == (
        "irrelevant_domain",
        "The page is not on a site the task names: make sure you trust it before the model types into it.",
    )
    assert call.action is None


def test_with_nothing_quoted_the_model_asks_for_a_screenshot(client):
    call = the_call(client.responses.create(model=MODEL, input="What is on the screen?", tools=COMPUTER))

    assert [action.type for action in call.actions] == ["screenshot"]


@pytest.mark.parametrize("image_url", [PNG, JPEG], ids=["png", "jpeg"])
def test_a_screenshot_with_the_checks_acknowledged_gets_the_answer(client, image_url):
    first = client.responses.create(model=MODEL, input=TASK, tools=COMPUTER)

    second = client.responses.create(
        model=MODEL, previous_response_id=first.id, input=[screenshot_for(the_call(first), image_url)], tools=COMPUTER
    )

    assert second.output_text == (
        "This is the offline stand-in, not a model, so this reply is canned: it typed the 2 value(s) the task "
        "quoted, Tab between them and Enter after the last, without looking at the screenshots; the page itself "
        "says what happened."
    )


def test_a_screenshot_that_leaves_a_safety_check_unacknowledged_is_refused(client):
    first = client.responses.create(model=MODEL, input=TASK, tools=COMPUTER)
    call = the_call(first)

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model=MODEL, previous_response_id=first.id, input=[screenshot_for(call, acknowledged=[])], tools=COMPUTER
        )

    (check,) = call.pending_safety_checks
    assert error_of(raised) == refusal(
        f"The computer call {call.call_id} has pending safety checks that were not acknowledged: {check.id}. "
        "Acknowledge them in 'input[0].acknowledged_safety_checks' to go on.",
        "input[0].acknowledged_safety_checks",
    )


@pytest.mark.parametrize(
    "image_url",
    [
        "https://example.com/shot.png",
        "data:image/png;base64,not base64!",
        "data:image/gif;base64," + base64.b64encode(b"GIF89a").decode(),
        "data:image/png;base64," + base64.b64encode(b"GIF89a").decode(),
        "",
    ],
    ids=["a web address", "not base64", "a gif", "a png that is not one", "nothing"],
)
def test_a_screenshot_that_is_not_a_png_or_jpeg_data_url_is_refused(client, image_url):
    first = client.responses.create(model=MODEL, input=TASK, tools=COMPUTER)

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model=MODEL,
            previous_response_id=first.id,
            input=[screenshot_for(the_call(first), image_url)],
            tools=COMPUTER,
        )

    assert error_of(raised) == refusal(
        "Invalid 'input[0].output.image_url': expected a PNG or JPEG screenshot as a base64 data URL.",
        "input[0].output.image_url",
    )


def test_a_computer_call_left_unanswered_is_refused(client):
    first = client.responses.create(model=MODEL, input=TASK, tools=COMPUTER)

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, previous_response_id=first.id, input="Done?", tools=COMPUTER)

    assert error_of(raised) == refusal(f"No tool output found for computer call {the_call(first).call_id}.", "input")


def test_a_screenshot_costs_the_same_tokens_whatever_its_size(client):
    first = client.responses.create(model=MODEL, input=TASK, tools=COMPUTER)
    bigger = PNG.removesuffix("=") + "A" * 4000

    def counted(image_url):
        items = [screenshot_for(the_call(first), image_url)]
        return client.responses.input_tokens.count(
            model=MODEL, previous_response_id=first.id, input=items, tools=COMPUTER
        ).input_tokens

    assert counted(PNG) == counted(bigger)


def test_the_preview_tool_is_refused_on_gpt_5_4_models_and_left_alone_on_older_ones(client):
    preview = [{"type": "computer_use_preview", "display_width": 1024, "display_height": 768, "environment": "browser"}]

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input=TASK, tools=preview)
    older = client.responses.create(model="gpt-4.1", input=TASK, tools=preview)

    assert error_of(raised) == refusal(
        f"The tool 'computer_use_preview' is not supported with the model '{MODEL}': use the 'computer' tool.",
        "tools[0].type",
    )
    assert [item.type for item in older.output] == ["message"]
