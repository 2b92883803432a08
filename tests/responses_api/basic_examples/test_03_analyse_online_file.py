from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/03-analyse_online_file.py"
DEFAULT_PDF_URL = "https://www.berkshirehathaway.com/letters/2024ltr.pdf"


def test_sends_the_pdf_as_an_input_file_url_and_prints_the_answer(openai_api, run_script):
    route = openai_api.post("/responses").respond(
        json=payloads.response("It is Warren Buffett's 2024 letter to shareholders.", usage_=payloads.usage(31_200))
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert sent_json(route)["input"] == [
        {
            "role": "user",
            "content": [
                {"type": "input_file", "file_url": DEFAULT_PDF_URL},
                {
                    "type": "input_text",
                    "text": "What is this document, who wrote it, and what are its three main points?",
                },
            ],
        }
    ]
    assert result.stdout == (
        f"Document: {DEFAULT_PDF_URL}\n\nIt is Warren Buffett's 2024 letter to shareholders.\n\n(31200 input tokens)\n"
    )


def test_the_url_can_be_given_on_the_command_line(openai_api, run_script):
    route = openai_api.post("/responses").respond(json=payloads.response("A report."))

    result = run_script(SCRIPT, "https://example.org/report.pdf")

    assert result.exit_code == 0
    assert sent_json(route)["input"][0]["content"][0] == {
        "type": "input_file",
        "file_url": "https://example.org/report.pdf",
    }


def test_api_error_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.post("/responses").mock(return_value=api_failure(500))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stdout, result.stderr) == (1, "", api_failure_line(500))
