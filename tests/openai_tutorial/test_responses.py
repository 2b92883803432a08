import pytest
from openai.types.responses import Response

from openai_tutorial.client import UpstreamError, run
from openai_tutorial.responses import as_input, usage_of
from tests.support import payloads


def test_usage_of_a_finished_response_is_its_usage():
    response = Response.model_validate(payloads.response(usage_=payloads.usage(30, 7)))

    usage = usage_of(response)

    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (30, 7, 37)


def test_a_reply_without_its_usage_is_one_line_and_status_1(capsys):
    response = Response.model_validate(payloads.response(id="resp_1", usage=None))

    with pytest.raises(SystemExit) as exited:
        run(lambda: print(usage_of(response).total_tokens))

    assert exited.value.code == 1
    assert capsys.readouterr().err == "OpenAI's reply resp_1 came without its token usage; try again.\n"


def test_usage_of_raises_an_upstream_error_a_backend_answers_502():
    with pytest.raises(UpstreamError, match="came without its token usage"):
        usage_of(Response.model_validate(payloads.response(usage=None)))


def test_an_output_item_goes_back_as_input_without_its_null_fields():
    call = payloads.function_call("get_weather", {"place": "Paris"}, call_id="call_1") | {"namespace": None}
    response = Response.model_validate(payloads.response(output=[call]))

    assert as_input(response.output[0]) == {
        "id": call["id"],
        "type": "function_call",
        "status": "completed",
        "name": "get_weather",
        "call_id": "call_1",
        "arguments": '{"place": "Paris"}',
    }
