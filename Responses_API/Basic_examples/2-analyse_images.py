"""Vision: ask the model about an image on the web and about an image on your disk.

An image goes into the input as an ``input_image`` content part next to the text.
``image_url`` is either a public https URL (OpenAI fetches it) or the image itself as a
base64 ``data:`` URL (for local files). ``detail`` trades cost for precision: ``low``
looks at a small version for few tokens, ``high`` looks closely, ``auto`` lets the model
choose. What to look for in the output: each description, and how many input tokens
each image cost at its detail level.

Run: uv run python Responses_API/Basic_examples/2-analyse_images.py [path/to/local/image.png]
API reference: https://platform.openai.com/docs/guides/images-vision
"""

import base64
import mimetypes
import sys
from pathlib import Path

from openai_tutorial.client import UsageError, get_client, get_model, run

PUBLIC_IMAGE_URL = (
    "https://upload.wikimedia.org/wikipedia/commons/thumb/d/dd/Gfp-wisconsin-madison-the-nature-boardwalk.jpg"
    "/2560px-Gfp-wisconsin-madison-the-nature-boardwalk.jpg"
)
LOCAL_IMAGE = Path(__file__).parent / "resources" / "sample_image.png"


def as_data_url(path: Path) -> str:
    if not path.is_file():
        raise UsageError(f"No image at {path}: give the path of a PNG, JPEG, GIF or WebP file.")
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{media_type};base64,{base64.b64encode(path.read_bytes()).decode()}"


def describe(image_url: str, detail: str) -> None:
    response = get_client().responses.create(
        model=get_model(),
        input=[
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "Describe this image in one or two sentences."},
                    {"type": "input_image", "image_url": image_url, "detail": detail},
                ],
            }
        ],
    )
    print(response.output_text)
    print(f"(detail={detail}: {response.usage.input_tokens} input tokens)\n")


def main() -> None:
    local_image = Path(sys.argv[1]) if len(sys.argv) > 1 else LOCAL_IMAGE
    local_image_url = as_data_url(local_image)

    print(f"Image from the web ({PUBLIC_IMAGE_URL}):")
    describe(PUBLIC_IMAGE_URL, detail="low")

    print(f"Local image ({local_image.name}, sent as a base64 data URL):")
    describe(local_image_url, detail="high")


if __name__ == "__main__":
    run(main)
