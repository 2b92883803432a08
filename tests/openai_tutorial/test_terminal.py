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


def test_a_frontend_that_reaches_another_tutorial_backend_names_both(live_server):
    other = Flask("other")
    other.add_url_rule("/healthz", "healthz", lambda: {"status": "ok", "app": "multi_user_app", "openai": "offline"})
    url = live_server(other)

    with pytest.raises(BackendError) as raised:
        terminal.expect_backend(url, "stateless_weather_app", "uv run python start.py")

    assert str(raised.value) == (
        f"{url} is the multi_user_app backend, not stateless_weather_app: start it with 'uv run python start.py', "
        "or give its --base-url."
    )


def test_a_server_that_is_no_tutorial_backend_is_said_to_be_so_and_its_own_backend_passes(live_server):
    stranger = Flask("stranger")  # no /healthz: a 404 page
    mine = Flask("mine")
    mine.add_url_rule("/healthz", "healthz", lambda: {"status": "ok", "app": "stateless_weather_app", "openai": "api"})
    url = live_server(stranger)

    with pytest.raises(BackendError) as raised:
        terminal.expect_backend(url, "stateless_weather_app", "start")

    assert str(raised.value) == (
        f"{url} is something that is not one of this tutorial's backends, not stateless_weather_app: "
        "start it with 'start', or give its --base-url."
    )
    assert terminal.expect_backend(live_server(mine), "stateless_weather_app", "start") is None


def test_another_error_on_the_health_check_is_said_as_it_is(live_server):
    failing = Flask("failing")
    failing.add_url_rule("/healthz", "healthz", lambda: ({"error": {"message": "Down."}}, 503))

    with pytest.raises(BackendError, match=r"^The backend answered 503: Down\.$"):
        terminal.expect_backend(live_server(failing), "stateless_weather_app", "start")
