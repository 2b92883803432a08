"""Vision: ask the model about an image on your disk and about an image on the web.

An image goes into the input as an ``input_image`` content part next to the text.
``image_url`` is either the image itself as a base64 ``data:`` URL (for local files) or a
public https URL, which OpenAI then downloads. ``detail`` trades cost for precision:
``low`` looks at a small version for few tokens, ``high`` looks closely, ``auto`` lets the
model choose. The local image goes first, since it cannot fail to download; a failure of
one image is reported and the other still runs. What to look for in the output: each
description, and how many input tokens each image cost at its detail level.

Run: uv run python Responses_API/Basic_examples/02-analyse_images.py [path/to/local/image.png]
API reference: https://developers.openai.com/api/docs/guides/images-vision
"""

import base64
import mimetypes
import sys
from pathlib import Path

import openai
from openai.types.responses import ImageDetail

from openai_tutorial.client import UsageError, describe_api_error, get_client, get_model, run
from openai_tutorial.responses import usage_of

# The small, stable image of OpenAI's own vision guide (large thumbnails from elsewhere are a
# known source of "Error while downloading" 400s).
PUBLIC_IMAGE_URL = "https://api.nga.gov/iiif/a2e6da57-3cd1-4235-b20e-95dcaefed6c8/full/!800,800/0/default.jpg"
LOCAL_IMAGE = Path(__file__).parent / "resources" / "sample_image.png"


def as_data_url(path: Path) -> str:
    if not path.is_file():
        raise UsageError(f"No image at {path}: give the path of a PNG, JPEG, GIF or WebP file.")
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{media_type};base64,{base64.b64encode(path.read_bytes()).decode()}"


def describe(image_url: str, detail: ImageDetail) -> bool:
    """Print the model's description of one image; False (with the reason) when that image failed."""
    try:
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
    except openai.APIStatusError as error:
        print(f"This image failed: {describe_api_error(error)}\n", file=sys.stderr)
        return False
    print(response.output_text)
    print(f"(detail={detail}: {usage_of(response).input_tokens} input tokens)\n")
    return True


def main() -> int:
    local_image = Path(sys.argv[1]) if len(sys.argv) > 1 else LOCAL_IMAGE
    local_image_url = as_data_url(local_image)

    print(f"Local image ({local_image.name}, sent as a base64 data URL):")
    local_ok = describe(local_image_url, detail="high")

    print(f"Image from the web ({PUBLIC_IMAGE_URL}):")
    web_ok = describe(PUBLIC_IMAGE_URL, detail="low")
    return 0 if local_ok and web_ok else 1


if __name__ == "__main__":
    run(main)
