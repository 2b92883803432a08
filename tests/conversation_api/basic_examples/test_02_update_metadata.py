import httpx
import pytest

from tests.support import payloads
from tests.support.helpers import sent_json

UPDATE = "Conversation_API/Basic_examples/02-update_metadata.py"


def test_update_sends_the_pairs_and_prints_the_map_the_api_returns(openai_api, run_script):
    returned = {"ticket": "T-42", "topic": "billing", "user_id": "ada"}
    route = openai_api.post("/conversations/conv_1").respond(json=payloads.conversation(id="conv_1", metadata=returned))

    result = run_script(UPDATE, "conv_1", "topic=billing", "ticket=T-42")

    assert result.exit_code == 0, result.stderr
    assert sent_json(route) == {"metadata": {"topic": "billing", "ticket": "T-42"}}
    assert result.stdout == (
        'Metadata of conv_1 is now:\n{\n  "ticket": "T-42",\n  "topic": "billing",\n  "user_id": "ada"\n}\n'
    )


def test_merge_reads_the_current_map_and_sends_all_of_it(openai_api, run_script):
    openai_api.get("/conversations/conv_1").respond(
        json=payloads.conversation(id="conv_1", metadata={"user_id": "ada", "topic": "old"})
    )
    update = openai_api.post("/conversations/conv_1").respond(
        json=payloads.conversation(id="conv_1", metadata={"user_id": "ada", "topic": "new"})
    )

    result = run_script(UPDATE, "conv_1", "topic=new", "--merge")

    assert result.exit_code == 0, result.stderr
    assert sent_json(update) == {"metadata": {"user_id": "ada", "topic": "new"}}


def test_merge_checks_the_pair_limit_on_the_merged_map(openai_api, run_script):
    current = {f"key{number}": "v" for number in range(15)}
    openai_api.get("/conversations/conv_1").respond(json=payloads.conversation(id="conv_1", metadata=current))

    result = run_script(UPDATE, "conv_1", "extra1=a", "extra2=b", "--merge")

    assert result.exit_code == 2
    assert result.stderr == "That makes 17 pairs; a conversation holds at most 16.\n"
    assert [call.request.method for call in openai_api.calls] == ["GET"]


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        (["novalue"], "'novalue' is not key=value."),
        (["=value"], "'=value' is not key=value."),
        ([f"{'k' * 65}=v"], f"The key {'k' * 20!r}… is longer than 64 characters."),
        ([f"note={'v' * 513}"], "The value of 'note' is longer than 512 characters."),
        ([f"key{number}=v" for number in range(17)], "That makes 17 pairs; a conversation holds at most 16."),
    ],
)
def test_limits_are_checked_before_any_request(run_script, pairs, message):
    result = run_script(UPDATE, "conv_1", *pairs)

    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message + "\n")


def test_limits_at_their_maximum_are_accepted(openai_api, run_script):
    pairs = [f"{'k' * 62}{number:02d}={'v' * 512}" for number in range(16)]
    route = openai_api.post("/conversations/conv_1").respond(json=payloads.conversation(id="conv_1"))

    result = run_script(UPDATE, "conv_1", *pairs)

    assert result.exit_code == 0, result.stderr
    assert len(sent_json(route)["metadata"]) == 16


def test_update_of_an_unknown_conversation_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.post("/conversations/conv_gone").mock(
        return_value=httpx.Response(
            404, json=payloads.api_error("Conversation not found.", type="invalid_request_error")
        )
    )

    result = run_script(UPDATE, "conv_gone", "a=b")

    assert result.exit_code == 1
    assert result.stderr == "OpenAI API error 404 (invalid_request_error): Conversation not found. [request id: none]\n"
