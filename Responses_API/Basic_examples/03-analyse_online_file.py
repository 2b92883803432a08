"""Files by URL: ask the model about a PDF that is on the web, without uploading it.

An ``input_file`` content part with ``file_url`` makes OpenAI fetch the document
itself, so the URL must be public. For PDFs the model sees both the extracted text and
an image of each page, so charts and tables count too. What to look for in the output:
an answer drawn from the document, and the input tokens it cost (documents are large).

Run: uv run python Responses_API/Basic_examples/03-analyse_online_file.py [PDF_URL]
API reference: https://developers.openai.com/api/docs/guides/file-inputs
"""

import sys

from openai_tutorial.client import get_client, get_model, run
from openai_tutorial.responses import usage_of

DEFAULT_PDF_URL = "https://www.berkshirehathaway.com/letters/2024ltr.pdf"
QUESTION = "What is this document, who wrote it, and what are its three main points?"


def main() -> None:
    pdf_url = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_PDF_URL
    response = get_client().responses.create(
        model=get_model(),
        input=[
            {
                "role": "user",
                "content": [
                    {"type": "input_file", "file_url": pdf_url},
                    {"type": "input_text", "text": QUESTION},
                ],
            }
        ],
    )
    print(f"Document: {pdf_url}\n")
    print(response.output_text)
    print(f"\n({usage_of(response).input_tokens} input tokens)")


if __name__ == "__main__":
    run(main)
