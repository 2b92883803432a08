"""The frontends' shared plumbing: timeouts, error answers, and leaving the chat loop."""

import builtins
import time

import pytest
from flask import Flask

from openai_tutorial import terminal
from openai_tutorial.terminal import BackendError, base_url_argument, call_backend, chat_loop


def test_a_backend_slower_than_the_timeout_is_reported(monkeypatch, live_server):
    slow = Flask("slow")
    slow.add_url_rule("/ask", "ask", lambda: time.sleep(1) or {"answer": "late"}, methods=["POST"])
    monkeypatch.setattr(terminal, "BACKEND_TIMEOUT_SECONDS", 0.2)

    with pytest.raises(BackendError, match=r"^The backend did not answer within 0.2 seconds.$"):
        call_backend("POST", f"{live_server(slow)}/ask", {"question": "?"})


def test_an_empty_answer_is_none(live_server):
    empty = Flask("empty")
    empty.add_url_rule("/thing", "thing", lambda: ("", 204), methods=["DELETE"])

    assert call_backend("DELETE", f"{live_server(empty)}/thing") is None


def test_ctrl_c_at_the_prompt_ends_the_chat_quietly(monkeypatch, capsys):
    prompts = []

    def interrupted(prompt):
        prompts.append(prompt)
        raise KeyboardInterrupt

    monkeypatch.setattr(builtins, "input", interrupted)

    chat_loop(lambda question: "never asked")

    assert prompts == ["you> "]
    assert capsys.readouterr().out == "Ask about the weather anywhere (Ctrl-D to quit).\n\nBye.\n"


def test_the_default_backend_is_the_one_the_backends_serve_on(monkeypatch):
    monkeypatch.setattr("sys.argv", ["frontend.py"])

    assert base_url_argument("x").parse_args().base_url == "http://127.0.0.1:5000"


def test_help_says_what_the_frontend_is_and_where_it_looks_for_the_backend(monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["frontend.py", "--help"])

    with pytest.raises(SystemExit):
        base_url_argument("Chat with the weather backend.").parse_args()

    shown = " ".join(capsys.readouterr().out.split())
    assert "Chat with the weather backend." in shown
    assert "--base-url BASE_URL the backend (default http://127.0.0.1:5000)" in shown


@pytest.mark.parametrize("status", [400, 404, 409, 500])
def test_an_error_status_from_the_backend_is_an_error_with_its_message(live_server, status):
    app = Flask(__name__)
    app.add_url_rule(
        "/x", "x", lambda: ({"error": {"type": "t", "message": f"refused with {status}"}}, status), methods=["POST"]
    )
    base_url = live_server(app)

    with pytest.raises(BackendError) as raised:
        call_backend("POST", f"{base_url}/x", {})

    assert str(raised.value) == f"The backend answered {status}: refused with {status}"


def test_a_non_json_error_page_is_reported_by_its_text(live_server):
    app = Flask(__name__)
    app.add_url_rule("/x", "x", lambda: ("Bad gateway", 502))
    base_url = live_server(app)

    with pytest.raises(BackendError) as raised:
        call_backend("GET", f"{base_url}/x")

    assert str(raised.value) == "The backend answered 502: Bad gateway"
