from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line

RETRIEVE = "Conversation_API/Basic_examples/03-retrieve_metadata.py"


def test_retrieve_prints_the_creation_time_and_metadata(openai_api, run_script):
    route = openai_api.get("/conversations/conv_1").respond(
        json=payloads.conversation(id="conv_1", metadata={"user_id": "ada"})
    )

    result = run_script(RETRIEVE, "conv_1")

    assert result.exit_code == 0, result.stderr
    assert route.call_count == 1
    assert result.stdout == 'Conversation conv_1, created 2025-11-22 08:26 UTC\n{\n  "user_id": "ada"\n}\n'


def test_retrieve_prints_the_keys_sorted_whatever_order_the_api_returns(openai_api, run_script):
    openai_api.get("/conversations/conv_1").respond(
        json=payloads.conversation(id="conv_1", metadata={"topic": "demo", "user_id": "ada", "lang": "en"})
    )

    result = run_script(RETRIEVE, "conv_1")

    assert result.stdout.splitlines()[1:] == ["{", '  "lang": "en",', '  "topic": "demo",', '  "user_id": "ada"', "}"]


def test_retrieve_without_an_id_shows_usage_and_exits_2(run_script):
    result = run_script(RETRIEVE)

    assert result.exit_code == 2
    assert "the following arguments are required: conversation_id" in result.stderr


def test_retrieve_api_error_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.get("/conversations/conv_1").mock(return_value=api_failure(401))

    result = run_script(RETRIEVE, "conv_1")

    assert (result.exit_code, result.stderr) == (1, api_failure_line(401))
