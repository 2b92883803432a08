"""Web search: let the model search the web and cite its sources.

The built-in ``web_search`` tool runs on OpenAI's side: you list it in ``tools`` and the
model decides when to search. The reply's text carries ``url_citation`` annotations,
each with the title and URL of a page it used; ``include`` asks for the full list of
sources consulted too. What to look for in the output: the searches the model ran, the
answer, then the cited sources.

Run: uv run python Responses_API/Basic_examples/5-model_with_web_search_tool.py ["your question"]
API reference: https://platform.openai.com/docs/guides/tools-web-search
"""

import sys

from openai_tutorial.client import get_client, get_model, run

DEFAULT_QUESTION = "What is one notable science news story from this week? Answer in three sentences."


def main() -> None:
    question = " ".join(sys.argv[1:]) or DEFAULT_QUESTION
    response = get_client().responses.create(
        model=get_model(),
        input=question,
        tools=[{"type": "web_search"}],
        include=["web_search_call.action.sources"],
    )

    for item in response.output:
        if item.type == "web_search_call" and item.action.type == "search":
            print(f"searched: {item.action.query} ({len(item.action.sources or [])} pages consulted)")
    print()
    print(response.output_text)

    citations = {
        annotation.url: annotation.title
        for item in response.output
        if item.type == "message"
        for part in item.content
        if part.type == "output_text"
        for annotation in part.annotations
        if annotation.type == "url_citation"
    }
    print("\nSources:" if citations else "\n(No sources were cited.)")
    for url, title in citations.items():
        print(f"- {title}: {url}")


if __name__ == "__main__":
    run(main)
