"""``GET /``: the chat page, a static page (``page/``) on top of ``POST /chat/stream`` and the lists.

``GET /page/limits`` tells the page what the server accepts, so that the page refuses nothing the
server takes and takes nothing it refuses (the longest message).
"""

from pathlib import Path

from flask import Blueprint, current_app, send_from_directory
from flask.typing import ResponseReturnValue

from openai_tutorial.web import public

PAGE_FOLDER = Path(__file__).parent / "page"
# The page may load only its own files and talk only to this app: no CDN, no inline script.
PAGE_POLICY = "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

bp = Blueprint("chat_page", __name__)


@bp.get("/")
@public
def chat_page() -> ResponseReturnValue:
    return page_file("index.html")


@bp.get("/page/limits")
@public
def page_limits() -> ResponseReturnValue:
    return {"max_message_chars": current_app.config["MAX_MESSAGE_CHARS"]}


@bp.get("/page/<name>")
@public
def page_file(name: str) -> ResponseReturnValue:
    response = send_from_directory(PAGE_FOLDER, name)
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
