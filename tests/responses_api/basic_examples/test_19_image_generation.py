import base64

import httpx

from openai_tutorial.offline.images import placeholder_png
from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/19-image_generation.py"
PNG = placeholder_png("a lighthouse")


def drawn(revised: str, image: str | None = PNG) -> httpx.Response:
    return httpx.Response(
        200, json=payloads.response(output=[payloads.image_generation_call(image, revised), payloads.message("Done.")])
    )


def test_generates_saves_then_edits_via_previous_response_id(openai_api, run_script, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    route = openai_api.post("/responses").mock(side_effect=[drawn("A lighthouse at dusk."), drawn("At night.")])

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    first, second = sent_json(route, 0), sent_json(route, 1)
    assert first["tools"] == second["tools"] == [{"type": "image_generation"}]
    assert first["input"].startswith("Draw a small lighthouse")
    assert second["previous_response_id"] == route.calls[0].response.json()["id"]
    assert (tmp_path / "image.png").read_bytes() == base64.b64decode(PNG)
    assert (tmp_path / "image-edit.png").read_bytes().startswith(b"\x89PNG")
    assert result.stdout == (
        f"Saved {tmp_path / 'image.png'}\n  revised prompt: A lighthouse at dusk.\n"
        f"Saved {tmp_path / 'image-edit.png'}\n  revised prompt: At night.\n"
    )


def test_out_chooses_the_file_and_a_reply_without_an_image_is_exit_1(openai_api, run_script, tmp_path):
    openai_api.post("/responses").mock(
        side_effect=[drawn("A cat."), httpx.Response(200, json=payloads.response("I would rather not."))]
    )

    result = run_script(SCRIPT, "a", "cat", "--out", str(tmp_path / "cat.png"))

    assert result.exit_code == 1
    assert (tmp_path / "cat.png").is_file()
    assert not (tmp_path / "cat-edit.png").exists()
    assert result.stderr == "No image this time; the model said: I would rather not.\n"


def test_no_image_in_the_first_reply_stops_there(openai_api, run_script, tmp_path):
    route = openai_api.post("/responses").respond(json=payloads.response(output=[payloads.image_generation_call(None)]))

    result = run_script(SCRIPT, "--out", str(tmp_path / "x.png"))

    assert (result.exit_code, route.call_count) == (1, 1)


def test_api_error_prints_one_line_and_exits_1(openai_api, run_script, tmp_path):
    openai_api.post("/responses").mock(return_value=api_failure(429))

    assert run_script(SCRIPT, "--out", str(tmp_path / "x.png")).stderr == api_failure_line(429)
