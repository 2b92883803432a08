"""Web search: let the model search the web and cite its sources.

The built-in ``web_search`` tool runs on OpenAI's side: you list it in ``tools`` and the
model decides when to search. The reply's text carries ``url_citation`` annotations,
each with the title and URL of a page it used; ``include`` asks for the full list of
sources consulted too. Two optional settings of the tool narrow the search:
``filters.allowed_domains`` keeps it to the sites you name (``--domain``, repeatable), and
``user_location`` gives an approximate place for local results (``--country``, ``--city``).
A search action reports its ``query``, or several ``queries``. What to look for in the
output: the searches the model ran, the answer, then the cited sources.

Run: uv run python Responses_API/Basic_examples/05-model_with_web_search_tool.py ["your question"] \
         [--domain nature.com] [--country GB --city London]
API reference: https://developers.openai.com/api/docs/guides/tools-web-search
"""

import argparse

from openai.types.responses import WebSearchToolParam

from openai_tutorial.client import get_client, get_model, run

DEFAULT_QUESTION = "What is one notable science news story from this week? Answer in three sentences."


def web_search_tool(args: argparse.Namespace) -> WebSearchToolParam:
    tool: WebSearchToolParam = {"type": "web_search"}
    if args.domain:
        tool["filters"] = {"allowed_domains": args.domain}
    if args.country or args.city:
        tool["user_location"] = {"type": "approximate", "country": args.country, "city": args.city}
    return tool


def main() -> None:
    parser = argparse.ArgumentParser(description="Ask a question with the web_search tool.")
    parser.add_argument("question", nargs="*")
    parser.add_argument("--domain", action="append", help="search only this site (repeatable)")
    parser.add_argument("--country", help="two-letter country code for local results, such as GB")
    parser.add_argument("--city", help="a city for local results")
    args = parser.parse_args()
    question = " ".join(args.question) or DEFAULT_QUESTION
    response = get_client().responses.create(
        model=get_model(),
        input=question,
        tools=[web_search_tool(args)],
        include=["web_search_call.action.sources"],
    )

    for item in response.output:
        if item.type == "web_search_call" and item.action.type == "search":
            searched = item.action.query or "; ".join(item.action.queries or []) or "(no query reported)"
            print(f"searched: {searched} ({len(item.action.sources or [])} pages consulted)")
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
