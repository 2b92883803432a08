"""The text heuristics: replies that say they are canned, recall facts said earlier, and follow a few instructions.

Facts a user states about themselves (a name, what they love, a favourite, "remember that...")
are recalled when asked back, from the same chain or conversation, compaction items included:
a compaction item carries what the user said that states a fact, sealed. ``instructions``
apply to the request that sends them; ``text.verbosity`` and ``text.format`` shape the answer.
"""

import base64
import json
import re
from typing import Any

from openai_tutorial.offline.functions import (
    REFERS_BACK,
    answer_from_tool_outputs,
    functions_of,
    parameters_of,
    places_in,
    subject_property,
)
from openai_tutorial.offline.harmful import refused
from openai_tutorial.offline.items import assistant_message, new_id, text_of
from openai_tutorial.offline.schemas import instance_of
from openai_tutorial.offline.turn import CANNED_NOTE, Turn

COMPACTION_PREFIX = "offline-compaction-"
ASKS_BACK = (
    r"\b(what('s| is| are) my|who am i|what do i|do you (remember|know)|what did i)\b"  # pragma: no mutate: case-blind
)


def answer(turn: Turn) -> dict[str, Any]:
    """The answer when no tool is called: JSON valid against ``text.format``'s schema, or text."""
    text = turn.request.get("text") or {}
    text_format = text.get("format") or {}
    if refused(turn.question):  # as a model would, whatever format was asked for
        refusal = {"type": "refusal", "refusal": "I'm sorry, but I can't help with that."}
        return {
            "id": new_id("msg"),
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [refusal],
        }
    if text_format.get("type") == "json_schema":
        return assistant_message(json.dumps(instance_of(text_format.get("schema") or {}, turn.question)))
    reply_text = styled(text_reply(turn), turn.request.get("instructions"))
    return assistant_message(with_verbosity(reply_text, text.get("verbosity")))


def excerpt(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def second_person(text: str) -> str:
    swaps = {"my": "your", "i": "you", "am": "are", "me": "you", "mine": "yours", "i'm": "you're"}
    return re.sub(r"[A-Za-z']+", lambda word: swaps.get(word.group().lower(), word.group()), text).strip()


def facts_in(text: str) -> list[tuple[str, str]]:
    """(topic, fact) pairs a user states about themselves: name, loves, favourites, things to remember."""
    facts = []
    for pattern in (r"\b(?i:my name is) ([A-Z][\w-]*)", r"\bI am ([A-Z][\w-]*)", r"\bI'm ([A-Z][\w-]*)"):
        facts += [("name", f"your name is {name}") for name in re.findall(pattern, text)]
    facts += [
        (verb, f"you {verb} {what.strip()}") for verb, what in re.findall(r"\bI (love|like|enjoy) ([^.!?,;]+)", text)
    ]
    favourite = r"\b(my favou?rite [\w ]+? is [^.!?,;]+)"  # pragma: no mutate: case-blind
    favourites = re.findall(favourite, text, flags=re.IGNORECASE)
    facts += [("favourite", second_person(favourite)) for favourite in favourites]
    if not favourites:
        remembered = re.findall(r"\bremember that ([^.!?]+)", text, re.I)  # pragma: no mutate: case-blind
        facts += [("remember", second_person(what)) for what in remembered]
    return facts


def said_by_user(items: list[dict[str, Any]]) -> list[str]:
    """What the user said in these items, compaction items included (they carry it, sealed)."""
    texts = []
    for item in items:
        if item.get("role") == "user":
            texts.append(text_of(item))
        elif item.get("type") == "compaction":
            texts += unsealed(item.get("encrypted_content", ""))
    return texts


def sealed(texts: list[str]) -> str:
    return COMPACTION_PREFIX + base64.b64encode(json.dumps(texts).encode()).decode()


def unsealed(content: str) -> list[str]:
    if not content.startswith(COMPACTION_PREFIX):
        return []
    try:
        facts: list[str] = json.loads(base64.b64decode(content.removeprefix(COMPACTION_PREFIX)))
        return facts
    except ValueError:
        return []


def compaction_item(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The context made small: only what the user said that states a fact survives, sealed."""
    kept = [text for text in said_by_user(items) if facts_in(text)]
    return {"id": new_id("cmp"), "type": "compaction", "encrypted_content": sealed(kept)}


def text_reply(turn: Turn) -> str:
    question = turn.question
    earlier = [fact for text in said_by_user(turn.context[:-1]) for fact in facts_in(text)]
    if re.search(ASKS_BACK, question, re.I):
        return recall(question, earlier)
    if stated := facts_in(question):
        return f"Noted: {'; '.join(fact for _, fact in stated)}. ({CANNED_NOTE}, but it remembers what you tell it.)"
    if REFERS_BACK.search(question) and (outputs := [i for i in turn.context if i["type"] == "function_call_output"]):
        return answer_from_tool_outputs(outputs, turn.context, question).replace(
            "built from the tool results", "built from the tool results already in this conversation"
        )
    if missing := missing_subject(turn):
        return f"Offline stand-in: which {missing} do you mean? Nothing said earlier in this conversation names one."
    if described := described_media(turn):
        return f"{CANNED_NOTE} and it cannot look at content: it received {described}. A real model describes it."
    asked = f"you asked {excerpt(question)}" if question.strip() else "there was no question to answer"
    return (
        f"{CANNED_NOTE}: {asked}. "
        "Set OPENAI_API_KEY in .env and a real model answers instead. "
        "Everything else about this response, its id, status, usage and shape, is what the API returns."
    )


def missing_subject(turn: Turn) -> str | None:
    """What a function needs and nothing gives: the question names no place, and no earlier call had one."""
    if places_in(turn.question) or any(item["type"] == "function_call" for item in turn.context):
        return None
    subjects = [subject_property(parameters_of(tool)) for tool in functions_of(turn)]
    return next((subject.replace("_", " ") for subject in subjects if subject), None)


# What a question may ask back about: a pattern of its words, and the topic of the facts it wants.
RECALL_TOPICS = {"name": "name", "love": "love", "like": "like", "enjoy": "enjoy", "favou?rite": "favourite"}


def recall(question: str, facts: list[tuple[str, str]]) -> str:
    asked = {topic for pattern, topic in RECALL_TOPICS.items() if re.search(pattern, question, re.I)}
    relevant = [fact for topic, fact in facts if not asked or topic in asked or topic == "remember"]
    if not relevant:
        return "Offline stand-in: nothing said earlier in this conversation tells me that."
    return f"Offline stand-in, recalling what you said earlier: {'; '.join(dict.fromkeys(relevant))}."


def described_media(turn: Turn) -> str:
    described = []
    for item in turn.new_items:
        parts = item.get("content") or [] if item.get("type") == "message" else []  # pragma: no mutate: equivalent
        for part in parts:
            if part["type"] == "input_image":
                url = part.get("image_url") or part.get("file_id") or ""
                if url.startswith("data:"):
                    kind, _, data = url[5:].partition(";base64,")  # pragma: no mutate: equivalent
                    what = f"an image ({kind}, {len(base64.b64decode(data, validate=False))} bytes) sent inline"
                else:
                    what = f"the image at {url}"
                described.append(f"{what} (detail: {part.get('detail')})")
            elif part["type"] == "input_file":
                described.append(described_file(part, turn.documents))
    return "; and ".join(described)


def described_file(part: dict[str, Any], documents: dict[str, tuple[str, str]]) -> str:
    if part.get("file_url"):
        return f"a link to {part['file_url']}, which it does not fetch"
    filename, text = documents.get(part.get("file_id", ""), (part.get("filename", "a file"), ""))
    if not text:
        return f"{filename}, in which it found no text it can read"
    return f"{filename} ({len(text.split())} words), which begins {excerpt(text, 160)}"


def styled(text: str, instructions: str | None) -> str:
    """Follow the few instructions the stand-in understands; they apply to this request only."""
    if not instructions:
        return text
    if re.search(r"\bone sentence\b|\bbrief\b", instructions, re.I):  # pragma: no mutate: case-blind
        text = first_sentence(text)
    if re.search(r"\bpirate\b", instructions, re.I):  # pragma: no mutate: case-blind
        text = f"Arr, matey! {text}"
    return text


def with_verbosity(text: str, verbosity: str | None) -> str:
    """``text.verbosity``: low keeps the first sentence, high adds a paragraph."""
    if verbosity == "low":
        return first_sentence(text)
    if verbosity == "high":
        return (
            f"{text}\n\nIn more detail: with verbosity set to high a model writes more, and every word is billed as "
            "output. This extra paragraph stands for that: the stand-in has nothing more to say, but it says so at "
            "length, so that output_tokens grows as it would."
        )
    return text


def first_sentence(text: str) -> str:
    return re.split(r"(?<=\.)\s", text, maxsplit=1)[0]  # pragma: no mutate: equivalent
