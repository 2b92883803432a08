"""Images sent to the stand-in are read by their bytes, as the API reads them."""

import base64

import openai
import pytest

from openai_tutorial.offline.images import format_of, placeholder_png
from tests.conftest import REPO_ROOT
from tests.support.refusals import error_of, refusal

MODEL = "gpt-5.4-mini"
PNG = base64.b64decode(placeholder_png("a lighthouse"))
IMAGES = {
    "png": PNG,
    "jpeg": b"\xff\xd8\xff\xe0" + b"\x00" * 16,
    "gif": b"GIF89a" + b"\x00" * 16,
    "webp": b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8,
}


def data_url(content: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(content).decode()}"


def ask_about(client, url: str):
    content = [
        {"type": "input_text", "text": "What is this?"},
        {"type": "input_image", "image_url": url, "detail": "low"},
    ]
    return client.responses.create(model=MODEL, input=[{"role": "user", "content": content}])


@pytest.mark.parametrize("kind", IMAGES)
def test_each_format_the_api_takes_is_read_from_its_bytes_whatever_the_url_says(client, kind):
    assert format_of(data_url(IMAGES[kind], "text/plain")) == kind
    assert ask_about(client, data_url(IMAGES[kind], "application/octet-stream")).status == "completed"


@pytest.mark.parametrize(
    "content",
    [(REPO_ROOT / "README.md").read_bytes(), b"RIFF\x10\x00\x00\x00WAVEfmt ", b""],
    ids=["markdown", "riff-but-not-webp", "empty"],
)
def test_a_file_that_is_not_an_image_is_refused_though_it_is_named_one(client, content):
    with pytest.raises(openai.BadRequestError) as raised:
        ask_about(client, data_url(content, "image/png"))

    assert error_of(raised) == refusal(
        "You uploaded an unsupported image. Please make sure your image has one of the following formats: "
        "['png', 'jpeg', 'gif', 'webp'].",
        "input[0].content[1].image_url",
        "invalid_image_format",
    )


def test_data_that_is_not_base64_is_no_image_and_a_web_address_is_not_read(client):
    assert format_of("data:image/png;base64,not base64!") is None
    assert ask_about(client, "https://example.com/garden.jpg").status == "completed"
