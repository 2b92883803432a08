"""What the stand-in can read in what it keeps: the text of an uploaded file, the files a vector store holds.

Plain text is read as it is, and simple PDFs by their text drawing operators, so that a
question about an uploaded document (``input_file``) gets an answer that quotes it, and
``file_search`` finds its sentences. ``files.py`` keeps the uploads, ``vector_stores.py``
the stores; ``responses.py`` reads both through here.
"""

import base64
import re
from typing import Any

from openai_tutorial.offline.errors import not_found
from openai_tutorial.offline.store import Transaction

PDF_TEXT = re.compile(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj")


def document_text(record: dict[str, Any]) -> str:
    content = base64.b64decode(record["content"])
    if content.startswith(b"%PDF"):
        unescaped = [re.sub(rb"\\(.)", rb"\1", line) for line in PDF_TEXT.findall(content)]
        lines = [line.decode("latin-1") for line in unescaped]  # pragma: no mutate: case-blind
        return " ".join(line for line in lines if line.strip())
    try:
        return content.decode()
    except UnicodeDecodeError:
        return ""


def kept_vector_store(store: Transaction, vector_store_id: str) -> dict[str, Any]:
    vector_store = store.get("vector_store", vector_store_id)
    if vector_store is None:
        raise not_found(f"No vector store found with id '{vector_store_id}'.")
    return vector_store


def searchable(store: Transaction, vector_store_ids: list[str]) -> list[tuple[str, str, str]]:
    """(file id, filename, text) of every completed file in these stores, for the ``file_search`` tool."""
    documents = []
    for vector_store_id in vector_store_ids:
        kept_vector_store(store, vector_store_id)
        for attached in store.owned_by("vector_store_file", vector_store_id):
            uploaded = store.get("file", attached["id"])
            if attached["status"] == "completed" and uploaded is not None:
                documents.append((attached["id"], uploaded["file"]["filename"], document_text(uploaded)))
    return documents
