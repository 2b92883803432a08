import base64

import httpx

from tests.conftest import REPO_ROOT
from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/02-analyse_images.py"
PUBLIC_IMAGE_URL = "https://api.nga.gov/iiif/a2e6da57-3cd1-4235-b20e-95dcaefed6c8/full/!800,800/0/default.jpg"
SAMPLE_IMAGE = REPO_ROOT / "Responses_API/Basic_examples/resources/sample_image.png"


def image_part(body: dict) -> dict:
    (message,) = body["input"]
    text, image = message["content"]
    assert message["role"] == "user"
    assert text == {"type": "input_text", "text": "Describe this image in one or two sentences."}
    return image


def test_sends_the_local_sample_as_a_data_url_then_the_guides_image_at_low_detail(openai_api, run_script):
    route = openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(200, json=payloads.response("A red house under a yellow sun.", usage_=payloads.usage(812))),
            httpx.Response(200, json=payloads.response("A painted landscape.", usage_=payloads.usage(98))),
        ]
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert route.call_count == 2
    expected_data_url = "data:image/png;base64," + base64.b64encode(SAMPLE_IMAGE.read_bytes()).decode()
    assert image_part(sent_json(route, 0)) == {"type": "input_image", "image_url": expected_data_url, "detail": "high"}
    assert image_part(sent_json(route, 1)) == {"type": "input_image", "image_url": PUBLIC_IMAGE_URL, "detail": "low"}
    assert sent_json(route, 1)["model"] == "gpt-5.4-mini"
    assert result.stdout == (
        "Local image (sample_image.png, sent as a base64 data URL):\n"
        "A red house under a yellow sun.\n"
        "(detail=high: 812 input tokens)\n\n"
        f"Image from the web ({PUBLIC_IMAGE_URL}):\n"
        "A painted landscape.\n"
        "(detail=low: 98 input tokens)\n\n"
    )


def test_a_local_image_given_on_the_command_line_is_sent_with_its_media_type(openai_api, run_script, tmp_path):
    photo = tmp_path / "cat.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    route = openai_api.post("/responses").respond(json=payloads.response("A cat."))

    result = run_script(SCRIPT, str(photo))

    assert result.exit_code == 0
    assert image_part(sent_json(route, 0))["image_url"] == "data:image/jpeg;base64," + base64.b64encode(
        photo.read_bytes()
    ).decode("ascii")
    assert "Local image (cat.jpg, sent as a base64 data URL):" in result.stdout


def test_a_missing_local_image_is_a_clear_message_before_any_request(run_script, tmp_path):
    result = run_script(SCRIPT, str(tmp_path / "nope.png"))

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"No image at {tmp_path / 'nope.png'}: give the path of a PNG, JPEG, GIF or WebP file.\n"


def test_a_web_image_that_fails_to_download_is_reported_and_the_local_one_still_described(openai_api, run_script):
    download_failed = httpx.Response(
        400,
        json=payloads.api_error("Error while downloading the image.", type="invalid_request_error"),
        headers={"x-request-id": "req_f4"},
    )
    openai_api.post("/responses").mock(
        side_effect=[httpx.Response(200, json=payloads.response("A red house.")), download_failed]
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert "A red house.\n" in result.stdout
    assert result.stderr == (
        "This image failed: OpenAI API error 400 (invalid_request_error): Error while downloading the image. "
        "[request id: req_f4]\n\n"
    )


def test_each_image_that_fails_is_reported_on_its_own(openai_api, run_script):
    openai_api.post("/responses").mock(return_value=api_failure(500))

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert result.stderr == 2 * ("This image failed: " + api_failure_line(500) + "\n")


def test_a_connection_failure_ends_the_script_with_one_line(openai_api, run_script):
    openai_api.post("/responses").mock(side_effect=httpx.ConnectError("refused"))

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert result.stderr == "OpenAI API error (APIConnectionError): Connection error.\n"


def test_offline_a_file_that_is_not_an_image_is_refused_as_the_api_refuses_it(run_script, monkeypatch):
    monkeypatch.setenv("OPENAI_OFFLINE", "1")

    result = run_script(SCRIPT, str(REPO_ROOT / "README.md"))

    assert result.exit_code == 1
    refused = result.stderr.splitlines()[1]
    assert refused.startswith(
        "This image failed: OpenAI API error 400 (invalid_request_error): You uploaded an unsupported image."
    )
    assert "(detail=low:" in result.stdout  # the image from the web still ran
