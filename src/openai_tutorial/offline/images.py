"""Images: what an image sent to the model must be, and the small PNG pictures the ``image_generation`` tool draws.

An ``input_image`` sent as a base64 ``data:`` URL must hold a PNG, JPEG, GIF or WebP image: the
stand-in reads the bytes, as the API does, whatever the URL's media type or the file's name said.
The pictures it draws are a colour field with a frame, from the prompt: real PNG files (a test
can open them), deterministic (the same prompt, the same picture), and plainly placeholders.
"""

import base64
import binascii
import hashlib
import struct
import zlib
from typing import Any

from openai_tutorial.offline.errors import invalid

SIZE = 64
# How each image format the API takes begins.
SIGNATURES = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),  # then the size, then b"WEBP"
}


def format_of(data_url: str) -> str | None:
    """The image format a base64 data URL holds, read from its bytes; None when it holds no image the API takes."""
    _, _, data = data_url.partition(";base64,")
    try:
        image = base64.b64decode(data, validate=True)
    except binascii.Error:
        return None
    for kind, starts in SIGNATURES.items():
        if image.startswith(starts) and (kind != "webp" or image[8:12] == b"WEBP"):
            return kind
    return None


def check_input_images(new_items: list[dict[str, Any]]) -> None:
    """Every image sent inline must be an image, by its content: a text file named .png is refused."""
    for index, item in enumerate(new_items):
        for number, part in enumerate(item.get("content") or [] if item["type"] == "message" else []):
            url = part.get("image_url") or "" if part["type"] == "input_image" else ""
            if url.startswith("data:") and format_of(url) is None:
                raise invalid(
                    "You uploaded an unsupported image. Please make sure your image has one of the following "
                    "formats: ['png', 'jpeg', 'gif', 'webp'].",
                    param=f"input[{index}].content[{number}].image_url",
                    code="invalid_image_format",
                )


def chunk(kind: bytes, data: bytes) -> bytes:
    length = struct.pack(">I", len(data))  # pragma: no mutate: equivalent
    return length + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def placeholder_png(prompt: str, *, edit_of: str | None = None) -> str:
    """A base64 PNG whose colours come from the prompt; an edit keeps the frame of the image it edits."""
    fill = hashlib.sha256(prompt.encode()).digest()[:3]
    frame = hashlib.sha256((edit_of or prompt).encode()).digest()[3:6]
    rows = b""
    for y in range(SIZE):
        row = b"".join(frame if min(x, y, SIZE - 1 - x, SIZE - 1 - y) < 6 else fill for x in range(SIZE))
        rows += b"\x00" + row
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)  # pragma: no mutate: equivalent
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return base64.b64encode(png).decode()
