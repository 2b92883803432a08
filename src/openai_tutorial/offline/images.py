"""Small PNG pictures for the ``image_generation`` tool: a colour field with a frame, drawn from the prompt.

Real PNG files (a test can open them), deterministic (the same prompt, the same picture),
and plainly placeholders: the stand-in draws no pictures of anything.
"""

import base64
import hashlib
import struct
import zlib

SIZE = 64


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
