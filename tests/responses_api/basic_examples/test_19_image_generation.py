import base64

import httpx

from openai_tutorial.offline.images import placeholder_png
from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/19-image_generation.py"
PNG = placeholder_png("a lighthouse")
PARTIALS = [placeholder_png("rough 1"), placeholder_png("rough 2")]


def image_response(revised: str, image: str | None = PNG) -> dict:
    return payloads.response(output=[payloads.image_generation_call(image, revised), payloads.message("Done.")])


def drawn(revised: str, image: str | None = PNG) -> httpx.Response:
    return httpx.Response(200, json=image_response(revised, image))


def streamed(final: dict, partials: list[str] = PARTIALS) -> httpx.Response:
    """The first picture, streamed: each partial image, then the response with the final one."""
    call = final["output"][0]
    where = {"item_id": call["id"], "output_index": 0}
    started = {**final, "status": "in_progress", "output": [], "usage": None, "completed_at": None}
    events = [
        {"type": "response.created", "response": started},
        {"type": "response.output_item.added", "output_index": 0, "item": {**call, "status": "in_progress"}},
        *(
            {
                "type": "response.image_generation_call.partial_image",
                **where,
                "partial_image_index": n,
                "partial_image_b64": b64,
            }
            for n, b64 in enumerate(partials)
        ),
        {"type": "response.output_item.done", "output_index": 0, "item": call},
        {"type": "response.completed", "response": final},
    ]
    body = payloads.sse_body(payloads.number_events(events))
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)


def test_streams_the_partial_images_saves_each_then_the_image_then_edits_it(
    openai_api, run_script, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    first_reply = image_response("A lighthouse at dusk.")
    route = openai_api.post("/responses").mock(side_effect=[streamed(first_reply), drawn("At night.")])

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    first, second = sent_json(route, 0), sent_json(route, 1)
    assert first["tools"] == [{"type": "image_generation", "partial_images": 2}]
    assert first["stream"] is True
    assert second["tools"] == [{"type": "image_generation"}]
    assert first["input"].startswith("Draw a small lighthouse")
    assert second["previous_response_id"] == first_reply["id"]
    assert (tmp_path / "image-partial-1.png").read_bytes() == base64.b64decode(PARTIALS[0])
    assert (tmp_path / "image-partial-2.png").read_bytes() == base64.b64decode(PARTIALS[1])
    assert (tmp_path / "image.png").read_bytes() == base64.b64decode(PNG)
    assert (tmp_path / "image-edit.png").read_bytes().startswith(b"\x89PNG")
    assert result.stdout == (
        f"Partial image 1 of 2: {tmp_path / 'image-partial-1.png'}\n"
        f"Partial image 2 of 2: {tmp_path / 'image-partial-2.png'}\n"
        f"Saved {tmp_path / 'image.png'}\n  revised prompt: A lighthouse at dusk.\n"
        f"Saved {tmp_path / 'image-edit.png'}\n  revised prompt: At night.\n"
    )


def test_out_chooses_the_files_and_a_reply_without_an_image_is_exit_1(openai_api, run_script, tmp_path):
    openai_api.post("/responses").mock(
        side_effect=[
            streamed(image_response("A cat."), PARTIALS[:1]),
            httpx.Response(200, json=payloads.response("No.")),
        ]
    )

    result = run_script(SCRIPT, "a", "cat", "--out", str(tmp_path / "cat.png"))

    assert result.exit_code == 1
    assert (tmp_path / "cat-partial-1.png").is_file()
    assert (tmp_path / "cat.png").is_file()
    assert not (tmp_path / "cat-edit.png").exists()
    assert result.stderr == "No image this time; the model said: No.\n"


def test_no_image_in_the_first_reply_stops_there(openai_api, run_script, tmp_path):
    final = payloads.response(output=[payloads.image_generation_call(None)])
    route = openai_api.post("/responses").mock(return_value=streamed(final, []))

    result = run_script(SCRIPT, "--out", str(tmp_path / "x.png"))

    assert (result.exit_code, route.call_count) == (1, 1)


def test_api_error_prints_one_line_and_exits_1(openai_api, run_script, tmp_path):
    openai_api.post("/responses").mock(return_value=api_failure(429))

    assert run_script(SCRIPT, "--out", str(tmp_path / "x.png")).stderr == api_failure_line(429)
