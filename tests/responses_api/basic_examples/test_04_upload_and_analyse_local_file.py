import pytest

from tests.conftest import REPO_ROOT
from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/04-upload_and_analyse_local_file.py"
SAMPLE_PDF = REPO_ROOT / "Responses_API/Basic_examples/resources/sample_document.pdf"


@pytest.fixture
def files_api(openai_api):
    """Routes for upload and delete; the upload answers with file id file-sample."""
    upload = openai_api.post("/files").respond(
        json=payloads.file_object("sample_document.pdf", size=SAMPLE_PDF.stat().st_size, id="file-sample")
    )
    delete = openai_api.delete("/files/file-sample").respond(json=payloads.file_deleted("file-sample"))
    return upload, delete


def test_uploads_asks_by_file_id_then_deletes_the_upload(openai_api, files_api, run_script):
    upload, delete = files_api
    ask = openai_api.post("/responses").respond(json=payloads.response("- Open daily\n- 42 plots\nContact Mira."))

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert [call.request.method + " " + call.request.url.path for call in openai_api.calls] == [
        "POST /v1/files",
        "POST /v1/responses",
        "DELETE /v1/files/file-sample",
    ]
    multipart = upload.calls.last.request.content
    assert b'name="purpose"\r\n\r\nuser_data' in multipart
    assert b'filename="sample_document.pdf"' in multipart
    assert SAMPLE_PDF.read_bytes() in multipart
    assert sent_json(ask)["input"] == [
        {
            "role": "user",
            "content": [
                {"type": "input_file", "file_id": "file-sample"},
                {
                    "type": "input_text",
                    "text": "Summarise this document in three bullet points, then say who to contact.",
                },
            ],
        }
    ]
    assert delete.call_count == 1
    assert result.stdout == (
        f"Uploaded sample_document.pdf ({SAMPLE_PDF.stat().st_size} bytes) as file-sample\n\n"
        "- Open daily\n- 42 plots\nContact Mira.\n\n"
        "Deleted file-sample from your OpenAI files.\n"
    )


def test_the_upload_is_deleted_even_when_the_question_fails(openai_api, files_api, run_script):
    _, delete = files_api
    openai_api.post("/responses").mock(return_value=api_failure(429))

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert delete.call_count == 1
    assert result.stdout.endswith("Deleted file-sample from your OpenAI files.\n")
    assert result.stderr == api_failure_line(429)


def test_a_path_on_the_command_line_is_uploaded(openai_api, run_script, tmp_path):
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4 tiny")
    upload = openai_api.post("/files").respond(json=payloads.file_object("report.pdf", size=13, id="file-r"))
    openai_api.post("/responses").respond(json=payloads.response("A tiny report."))
    openai_api.delete("/files/file-r").respond(json=payloads.file_deleted("file-r"))

    result = run_script(SCRIPT, str(report))

    assert result.exit_code == 0
    assert b'filename="report.pdf"' in upload.calls.last.request.content


def test_a_missing_file_is_a_clear_message_and_nothing_is_sent(run_script, tmp_path):
    missing = tmp_path / "missing.pdf"

    result = run_script(SCRIPT, str(missing))

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"No file at {missing}: give the path of a PDF to upload.\n"


def test_a_failed_upload_leaves_nothing_to_delete(openai_api, run_script):
    openai_api.post("/files").mock(return_value=api_failure(401))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stdout, result.stderr) == (1, "", api_failure_line(401))
    assert [call.request.method for call in openai_api.calls] == ["POST"]


def test_when_the_question_and_the_delete_both_fail_both_are_told_and_the_file_to_delete_by_hand(
    openai_api, files_api, run_script
):
    _, delete = files_api
    openai_api.post("/responses").mock(return_value=api_failure(429))
    delete.mock(return_value=api_failure(500))

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert result.stderr == (
        "Could not delete file-sample: "
        + api_failure_line(500)
        + "Delete it by hand: https://platform.openai.com/storage/files/file-sample\n"
        + api_failure_line(429)
    )


def test_a_folder_is_not_a_file_to_upload(run_script, tmp_path):
    folder_named_like_a_pdf = tmp_path / "report.pdf"
    folder_named_like_a_pdf.mkdir()

    missing = run_script(SCRIPT, str(folder_named_like_a_pdf))

    assert (missing.exit_code, missing.stdout) == (2, "")
    assert missing.stderr == f"No file at {folder_named_like_a_pdf}: give the path of a PDF to upload.\n"
