from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line

SCRIPT = "Responses_API/Basic_examples/12-delete_response.py"


def test_creates_deletes_and_shows_the_404_that_follows(openai_api, run_script):
    openai_api.post("/responses").respond(json=payloads.response("Hello there, nice to meet.", id="resp_gone"))
    delete = openai_api.delete("/responses/resp_gone").respond(json=payloads.response_deleted("resp_gone"))
    retrieve = openai_api.get("/responses/resp_gone").respond(
        404,
        json=payloads.api_error(
            "Response with id 'resp_gone' not found.", type="invalid_request_error", param="response_id"
        ),
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert (delete.call_count, retrieve.call_count) == (1, 1)
    assert result.stdout.splitlines() == [
        "Created resp_gone: Hello there, nice to meet.",
        "Deleted resp_gone.",
        "Retrieving it now gives HTTP 404, as expected: it no longer exists.",
    ]


def test_a_response_that_survives_deletion_is_reported(openai_api, run_script):
    openai_api.post("/responses").respond(json=payloads.response(id="resp_still"))
    openai_api.delete("/responses/resp_still").respond(json=payloads.response_deleted("resp_still"))
    openai_api.get("/responses/resp_still").respond(json=payloads.response(id="resp_still"))

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert result.stdout.endswith("Unexpected: resp_still can still be retrieved.\n")


def test_a_failed_delete_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.post("/responses").respond(json=payloads.response(id="resp_kept"))
    openai_api.delete("/responses/resp_kept").mock(return_value=api_failure(401))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(401))
    assert "Deleted" not in result.stdout
