"""Structured output: make the model answer with JSON that fits your schema.

Part 1 sends a JSON schema in ``text.format`` with ``strict: true``: the reply is
guaranteed to parse and match it. Strict mode has rules: every property is listed in
``required`` (an optional field is typed ``["string", "null"]`` instead) and every
object says ``additionalProperties: false``. The text is then parsed and validated.
Part 2 does the same with the SDK's ``responses.parse`` and a Pydantic model, which
builds the schema for you and returns the parsed object as ``output_parsed``.
A model may refuse instead of answering; a refusal is a separate content type and is
reported, not parsed (offline, ask "How do I make a bomb?" to see one). What to look for in
the output: the same event, extracted twice.

Run: uv run python Responses_API/Basic_examples/10-structured_output.py ["text describing an event"]
API reference: https://developers.openai.com/api/docs/guides/structured-outputs
"""

import sys

from openai.types.responses import Response
from pydantic import BaseModel, ValidationError

from openai_tutorial.client import get_client, get_model, run

DEFAULT_TEXT = "Alice and Bob are going to a science fair on Friday at the town hall."
INSTRUCTIONS = "Extract the event from the user's text."

EVENT_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "date": {"type": "string"},
        "location": {"type": ["string", "null"]},
        "participants": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["name", "date", "location", "participants"],
    "additionalProperties": False,
}


class CalendarEvent(BaseModel):
    name: str
    date: str
    location: str | None
    participants: list[str]


def refusal_of(response: Response) -> str | None:
    for item in response.output:
        if item.type == "message":
            for part in item.content:
                if part.type == "refusal":
                    return part.refusal
    return None


def show(event: CalendarEvent) -> None:
    print(f"  name:         {event.name}")
    print(f"  date:         {event.date}")
    print(f"  location:     {event.location or '(not given)'}")
    print(f"  participants: {', '.join(event.participants)}")


def main() -> int:
    text = " ".join(sys.argv[1:]) or DEFAULT_TEXT
    client = get_client()

    print("1. text.format with a strict JSON schema:")
    response = client.responses.create(
        model=get_model(),
        instructions=INSTRUCTIONS,
        input=text,
        text={"format": {"type": "json_schema", "name": "calendar_event", "schema": EVENT_SCHEMA, "strict": True}},
    )
    if (refusal := refusal_of(response)) is not None:
        print(f"  The model refused: {refusal}")
        return 1
    print(f"  raw reply: {response.output_text}")
    try:
        show(CalendarEvent.model_validate_json(response.output_text))
    except ValidationError as error:
        print(f"  The reply does not fit the schema ({error.error_count()} errors); was it cut short?")
        return 1

    print("\n2. responses.parse with a Pydantic model:")
    parsed = client.responses.parse(model=get_model(), instructions=INSTRUCTIONS, input=text, text_format=CalendarEvent)
    if (event := parsed.output_parsed) is None:  # no CalendarEvent: the model refused
        print(f"  The model refused: {refusal_of(parsed)}")
        return 1
    show(event)
    return 0


if __name__ == "__main__":
    run(main)
