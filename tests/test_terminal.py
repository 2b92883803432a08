"""The frontends' shared plumbing: timeouts, error answers, and leaving the chat loop."""

import builtins
import time

import pytest
from flask import Flask

from openai_tutorial import terminal
from openai_tutorial.terminal import BackendError, call_backend, chat_loop


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
    def interrupted(prompt):
        raise KeyboardInterrupt

    monkeypatch.setattr(builtins, "input", interrupted)

    chat_loop(lambda question: "never asked")

    assert capsys.readouterr().out == "Ask about the weather anywhere (Ctrl-D to quit).\n\nBye.\n"
