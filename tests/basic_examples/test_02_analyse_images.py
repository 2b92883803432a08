import base64

import httpx
import pytest

from tests import payloads
from tests.conftest import REPO_ROOT
from tests.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/2-analyse_images.py"
PUBLIC_IMAGE_URL = (
    "https://upload.wikimedia.org/wikipedia/commons/thumb/d/dd/Gfp-wisconsin-madison-the-nature-boardwalk.jpg"
    "/2560px-Gfp-wisconsin-madison-the-nature-boardwalk.jpg"
)
SAMPLE_IMAGE = REPO_ROOT / "Responses_API/Basic_examples/resources/sample_image.png"


def image_part(body: dict) -> dict:
    (message,) = body["input"]
    text, image = message["content"]
    assert message["role"] == "user"
    assert text == {"type": "input_text", "text": "Describe this image in one or two sentences."}
    return image


def test_sends_a_public_url_at_low_detail_then_the_local_sample_as_a_data_url(openai_api, run_script):
    route = openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(
                200, json=payloads.response("A boardwalk through a green meadow.", usage_=payloads.usage(98))
            ),
            httpx.Response(200, json=payloads.response("A red house under a yellow sun.", usage_=payloads.usage(812))),
        ]
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert route.call_count == 2
    assert image_part(sent_json(route, 0)) == {"type": "input_image", "image_url": PUBLIC_IMAGE_URL, "detail": "low"}
    expected_data_url = "data:image/png;base64," + base64.b64encode(SAMPLE_IMAGE.read_bytes()).decode()
    assert image_part(sent_json(route, 1)) == {"type": "input_image", "image_url": expected_data_url, "detail": "high"}
    assert sent_json(route, 1)["model"] == "gpt-5.4-mini"
    assert result.stdout == (
        f"Image from the web ({PUBLIC_IMAGE_URL}):\n"
        "A boardwalk through a green meadow.\n"
        "(detail=low: 98 input tokens)\n\n"
        "Local image (sample_image.png, sent as a base64 data URL):\n"
        "A red house under a yellow sun.\n"
        "(detail=high: 812 input tokens)\n\n"
    )


def test_a_local_image_given_on_the_command_line_is_sent_with_its_media_type(openai_api, run_script, tmp_path):
    photo = tmp_path / "cat.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    route = openai_api.post("/responses").respond(json=payloads.response("A cat."))

    result = run_script(SCRIPT, str(photo))

    assert result.exit_code == 0
    assert image_part(sent_json(route, 1))["image_url"] == "data:image/jpeg;base64," + base64.b64encode(
        photo.read_bytes()
    ).decode("ascii")
    assert "Local image (cat.jpg, sent as a base64 data URL):" in result.stdout


def test_a_missing_local_image_is_a_clear_message_before_any_request(run_script, tmp_path):
    result = run_script(SCRIPT, str(tmp_path / "nope.png"))

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"No image at {tmp_path / 'nope.png'}: give the path of a PNG, JPEG, GIF or WebP file.\n"


@pytest.mark.parametrize("status", [401, 429, 500])
def test_api_error_prints_one_line_and_exits_1(openai_api, run_script, status):
    openai_api.post("/responses").mock(return_value=api_failure(status))

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert result.stderr == api_failure_line(status)
