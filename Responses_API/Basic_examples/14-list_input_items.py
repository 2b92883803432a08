"""Input items: list what went into a stored response, a page at a time.

``responses.input_items.list(id)`` returns the items the response was given as input
(messages, tool outputs…), as pages. ``limit`` sets the page size, ``order`` is
``asc`` (oldest first) or ``desc`` (the default: newest first), and ``after=<item id>``
asks for the page after that item; ``has_more`` says whether one exists. Iterating over
the result instead lets the SDK fetch the following pages for you. What to look for in
the output: the same four input messages, twice in pages of two (oldest first), then
once through auto-pagination (newest first, the default order).

Run: uv run python Responses_API/Basic_examples/14-list_input_items.py
API reference: https://developers.openai.com/api/reference/resources/responses/subresources/input_items/methods/list
"""

from openai.types.responses import ResponseInputItemParam, ResponseItem

from openai_tutorial.client import get_client, get_model, run

PAGE_SIZE = 2
CONVERSATION: list[ResponseInputItemParam] = [
    {"role": "developer", "content": "Answer in one sentence."},
    {"role": "user", "content": "I am planning a week in Japan in spring."},
    {"role": "assistant", "content": "Spring is cherry blossom season, a lovely time to go."},
    {"role": "user", "content": "Which city should I visit first?"},
]


def describe(item: ResponseItem) -> str:
    """An item in one line: a message's id, role and text; any other item (a tool call...) its id and type."""
    if item.type != "message":
        return f"{item.id}  {item.type}"
    text = " ".join(part.text for part in item.content if part.type == "input_text" or part.type == "output_text")
    return f"{item.id}  {item.role:<9} {text}"


def main() -> None:
    client = get_client()
    response = client.responses.create(model=get_model(), input=CONVERSATION)
    print(f"Response {response.id}: {response.output_text}\n")

    print(f"Pages of {PAGE_SIZE}, oldest first, fetched by hand with `after`:")
    page = client.responses.input_items.list(response.id, limit=PAGE_SIZE, order="asc")
    page_number = 1
    while True:
        for item in page.data:
            print(f"  page {page_number}: {describe(item)}")
        if not page.has_more:
            break
        page = client.responses.input_items.list(response.id, limit=PAGE_SIZE, order="asc", after=page.data[-1].id)
        page_number += 1

    print("\nAuto-pagination (default order, newest first):")
    for item in client.responses.input_items.list(response.id, limit=PAGE_SIZE):
        print(f"  {describe(item)}")


if __name__ == "__main__":
    run(main)
