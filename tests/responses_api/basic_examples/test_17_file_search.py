import httpx
import pytest

from tests.conftest import REPO_ROOT
from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/17-file_search.py"
SAMPLE_PDF = REPO_ROOT / "Responses_API/Basic_examples/resources/sample_document.pdf"


@pytest.fixture
def store_api(openai_api):
    """A vector store vs_1 and an upload file-doc, attached to it and processing."""
    return {
        "create_store": openai_api.post("/vector_stores").respond(json=payloads.vector_store("vs_1")),
        "upload": openai_api.post("/files").respond(
            json={**payloads.file_object("sample_document.pdf", id="file-doc"), "purpose": "assistants"}
        ),
        "attach": openai_api.post("/vector_stores/vs_1/files").respond(
            json=payloads.vector_store_file("file-doc", status="in_progress")
        ),
    }


@pytest.fixture
def indexed(openai_api, store_api):
    """The first poll finds the file processed."""
    return openai_api.get("/vector_stores/vs_1/files/file-doc").respond(json=payloads.vector_store_file("file-doc"))


@pytest.fixture
def deletes(openai_api):
    return {
        "store": openai_api.delete("/vector_stores/vs_1").respond(json=payloads.deleted("vector_store", "vs_1")),
        "file": openai_api.delete("/files/file-doc").respond(json=payloads.file_deleted("file-doc")),
    }


def answer_with_citation() -> dict:
    text = "The coordinator is Mira Okafor; in winter it opens on Saturdays."
    results = [
        payloads.file_search_result(
            "The volunteer coordinator this season is Mira Okafor.", filename="sample_document.pdf"
        )
    ]
    return payloads.response(
        output=[
            payloads.file_search_call("volunteer coordinator", results),
            payloads.message(
                text, annotations=[payloads.file_citation(filename="sample_document.pdf", index=len(text))]
            ),
        ]
    )


def test_indexes_the_file_asks_with_file_search_then_deletes_the_store_and_the_file(
    openai_api, store_api, indexed, deletes, run_script
):
    ask = openai_api.post("/responses").respond(json=answer_with_citation())

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert [f"{call.request.method} {call.request.url.path}" for call in openai_api.calls] == [
        "POST /v1/vector_stores",
        "POST /v1/files",
        "POST /v1/vector_stores/vs_1/files",
        "GET /v1/vector_stores/vs_1/files/file-doc",
        "POST /v1/responses",
        "DELETE /v1/vector_stores/vs_1",
        "DELETE /v1/files/file-doc",
    ]
    assert b'name="purpose"\r\n\r\nassistants' in store_api["upload"].calls.last.request.content
    assert sent_json(store_api["attach"]) == {"file_id": "file-doc"}
    body = sent_json(ask)
    assert body["tools"] == [{"type": "file_search", "vector_store_ids": ["vs_1"]}]
    assert body["include"] == ["file_search_call.results"]
    assert result.stdout == (
        "Created vector store vs_1\n"
        "Indexed sample_document.pdf (1589 bytes)\n\n"
        "searched for: volunteer coordinator\n"
        "  0.90  sample_document.pdf: The volunteer coordinator this season is Mira Okafor.\n"
        "\nThe coordinator is Mira Okafor; in winter it opens on Saturdays.\n"
        "\nCited: sample_document.pdf\n"
        "Deleted vector store vs_1.\n"
        "Deleted file file-doc.\n"
    )


def test_keep_keeps_both_and_prints_their_ids(openai_api, indexed, run_script):
    openai_api.post("/responses").respond(json=payloads.response("No citation here."))

    result = run_script(SCRIPT, "--keep")

    assert result.exit_code == 0
    assert result.stdout.endswith("\nCited: (nothing)\n\nKept vector store vs_1 and file file-doc.\n")


def test_a_failed_question_still_deletes_both(openai_api, indexed, deletes, run_script):
    openai_api.post("/responses").mock(return_value=api_failure(500))

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert (deletes["store"].call_count, deletes["file"].call_count) == (1, 1)
    assert result.stderr == api_failure_line(500)


def test_a_file_that_fails_to_index_is_said_and_everything_is_deleted(openai_api, indexed, deletes, run_script):
    error = {"code": "unsupported_file", "message": "No text."}
    failed = payloads.vector_store_file("file-doc", status="failed", last_error=error)
    indexed.mock(return_value=httpx.Response(200, json=failed))

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert result.stderr == "sample_document.pdf could not be indexed: No text.\n"
    assert result.stdout.endswith("Deleted vector store vs_1.\nDeleted file file-doc.\n")


def test_a_file_not_indexed_in_time_is_said(openai_api, store_api, deletes, run_script, monkeypatch):
    # The SDK's poll raises TimeoutError once max_wait_seconds has passed; stand in for that wait.
    monkeypatch.setattr("openai.resources.vector_stores.files._poll_vector_store_file", _timeout)

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert result.stderr == "The file was not indexed within 120 seconds.\n"
    assert (deletes["store"].call_count, deletes["file"].call_count) == (1, 1)


def _timeout(*args, **kwargs):
    raise TimeoutError


def test_a_delete_that_fails_is_said_with_the_id_to_delete_by_hand(openai_api, indexed, deletes, run_script):
    openai_api.post("/responses").respond(json=answer_with_citation())
    deletes["file"].mock(return_value=api_failure(500))

    result = run_script(SCRIPT)

    assert result.exit_code == 0
    assert result.stderr == "Could not delete file file-doc (delete it by hand): " + api_failure_line(500)


def test_a_missing_file_is_refused_before_anything_is_created(run_script, tmp_path):
    result = run_script(SCRIPT, str(tmp_path / "none.pdf"))

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"No file at {tmp_path / 'none.pdf'}: give the path of a PDF or text file.\n"


def test_a_failed_upload_deletes_the_store_and_no_file(openai_api, run_script):
    openai_api.post("/vector_stores").respond(json=payloads.vector_store("vs_1"))
    openai_api.post("/files").mock(return_value=api_failure(500))
    delete_store = openai_api.delete("/vector_stores/vs_1").respond(json=payloads.deleted("vector_store", "vs_1"))

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert delete_store.call_count == 1
    assert result.stdout.endswith("Deleted vector store vs_1.\n")


MALFORMED = {
    "a string": ('"x"', "a reply of the wrong shape: Input should be a valid dictionary or instance of {model}"),
    "an empty object": ("{{}}", "a reply whose id is wrong: Field required"),
}


@pytest.mark.parametrize(("body", "problem"), MALFORMED.values(), ids=list(MALFORMED))
def test_a_malformed_vector_store_reply_is_one_line_and_exit_1(openai_api, run_script, body, problem):
    openai_api.post("/vector_stores").respond(200, content=body.format(), headers={"content-type": "application/json"})

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "OpenAI API error 502 (invalid_response): OpenAI answered POST /v1/vector_stores with "
        f"{problem.format(model='VectorStore')}. [request id: none]\n"
    )


@pytest.mark.parametrize(("body", "problem"), MALFORMED.values(), ids=list(MALFORMED))
def test_a_malformed_reply_on_attaching_is_one_line_and_everything_is_deleted(
    openai_api, store_api, deletes, run_script, body, problem
):
    store_api["attach"].respond(200, content=body.format(), headers={"content-type": "application/json"})

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert result.stderr == (
        "OpenAI API error 502 (invalid_response): OpenAI answered POST /v1/vector_stores/vs_1/files with "
        f"{problem.format(model='VectorStoreFile')}. [request id: none]\n"
    )
    assert (deletes["store"].call_count, deletes["file"].call_count) == (1, 1)
