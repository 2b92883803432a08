"""Image generation: the model draws a picture, showing it as it comes, then edits it in a follow-up turn.

With the ``image_generation`` tool the model can answer with an ``image_generation_call``
item whose ``result`` is the image, base64-encoded (PNG by default), next to the
``revised_prompt`` the image model was really given. Streamed, with ``partial_images`` (1 to
3) in the tool, rough versions arrive first as ``response.image_generation_call.partial_image``
events (``partial_image_b64``), so a page can show something long before the image is done;
each partial image is billed as extra output. A follow-up with ``previous_response_id`` can
ask for changes: the model sees the earlier image and edits it. Images are billed by size and
quality, well above text. What to look for in the output: each partial image saved as it
arrived, then where each final image was saved, and the revised prompts.

Run: uv run python Responses_API/Basic_examples/19-image_generation.py ["prompt"] [--out PATH]
(saves image.png, its partial images image-partial-1.png and image-partial-2.png, and
image-edit.png in output/ when run from the repository's root, which git ignores, in the
current folder when run from elsewhere, or beside --out PATH)
API reference: https://developers.openai.com/api/docs/guides/image-generation
"""

import argparse
import base64
import sys
from pathlib import Path

from openai.types.responses import Response, ToolParam

from openai_tutorial.client import get_client, get_model, run
from openai_tutorial.output import output_folder

DEFAULT_PROMPT = "Draw a small lighthouse on a rocky island at dusk, in a flat poster style."
EDIT = "Now make it night, with the lighthouse beam lit."
TOOLS: list[ToolParam] = [{"type": "image_generation"}]
PARTIAL_IMAGES = 2


def save_image(response: Response, path: Path) -> bool:
    """Write the response's image to ``path``; False when the model answered without one."""
    images = [
        (item.result, item.revised_prompt)
        for item in response.output
        if item.type == "image_generation_call" and item.result
    ]
    if not images:
        print(f"No image this time; the model said: {response.output_text}", file=sys.stderr)
        return False
    image, revised_prompt = images[-1]
    path.write_bytes(base64.b64decode(image))
    print(f"Saved {path.resolve()}")
    print(f"  revised prompt: {revised_prompt}")
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description="Generate an image, then edit it.")
    parser.add_argument("prompt", nargs="*", help="what to draw")
    parser.add_argument("--out", type=Path, help="where to save it (default: image.png, see output.py)")
    args = parser.parse_args()
    args.out = args.out or output_folder() / "image.png"
    prompt = " ".join(args.prompt) or DEFAULT_PROMPT
    client = get_client()

    streamed_tools: list[ToolParam] = [{"type": "image_generation", "partial_images": PARTIAL_IMAGES}]
    with client.responses.stream(model=get_model(), input=prompt, tools=streamed_tools) as stream:
        for event in stream:
            if event.type == "response.image_generation_call.partial_image":
                partial = args.out.with_stem(f"{args.out.stem}-partial-{event.partial_image_index + 1}")
                partial.write_bytes(base64.b64decode(event.partial_image_b64))
                print(f"Partial image {event.partial_image_index + 1} of {PARTIAL_IMAGES}: {partial.resolve()}")
        first = stream.get_final_response()
    if not save_image(first, args.out):
        return 1
    edited = client.responses.create(model=get_model(), previous_response_id=first.id, input=EDIT, tools=TOOLS)
    if not save_image(edited, args.out.with_stem(args.out.stem + "-edit")):
        return 1
    return 0


if __name__ == "__main__":
    run(main)
