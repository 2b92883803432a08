"""The offline "model": canned, deterministic replies that show the API's shapes, not intelligence.

``reply(request, history, new_items, documents)`` decides what one response holds, the way
a model's output is shaped:
- a reasoning item first, for reasoning models (its size follows ``reasoning.effort``);
- function calls when a function tool fits, with arguments valid for its strict schema,
  taken from the user's words (one call per place named), then an answer built from the
  tool outputs once they come back;
- a ``web_search_call`` with ``url_citation`` annotations to example.com pages; MCP tools
  listed, called, or held for approval; a ``file_search_call`` that quotes the uploaded
  files' own sentences with ``file_citation`` annotations; a ``code_interpreter_call`` that
  runs nothing; an ``image_generation_call`` with a placeholder PNG;
- JSON valid against ``text.format``'s schema; otherwise a text reply that says it is
  canned, recalls facts said earlier in the same chain or conversation (a name, what you
  love, a favourite...), and follows ``instructions`` only on the request that sends them;
- usage estimated from the text, and a reply cut to ``incomplete`` by ``max_output_tokens``.
"""

import base64
import json
import re
import zoneinfo
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from openai_tutorial.offline.images import placeholder_png
from openai_tutorial.offline.items import assistant_message, estimated_tokens, last_user_text, new_id, text_of

CANNED_NOTE = "This is the offline stand-in, not a model, so this reply is canned"
COMPACTION_PREFIX = "offline-compaction-"
REASONING_TOKENS = {"minimal": 8, "low": 24, "medium": 64, "high": 192, "xhigh": 384, "max": 512}
IMAGE_TOKENS = {"low": 85}
DETAILED_IMAGE_TOKENS = 765
MCP_TOOL_NAMES = ("read_wiki_structure", "read_wiki_contents", "ask_question")
SENTENCE_STARTERS = {"I", "What", "Which", "Is", "And", "Or", "How", "The", "It", "Please", "Tell", "Hi", "Hello"}
WEEKDAYS_AND_MONTHS = (
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|tomorrow|January|February|March|April|May|June"
    "|July|August|September|October|November|December"
)


@dataclass
class Reply:
    output: list[dict[str, Any]]
    usage: dict[str, Any]
    incomplete_reason: str | None = None


@dataclass
class Turn:
    """What the model is given: the request, what came before it, and its new input."""

    request: dict[str, Any]
    history: list[dict[str, Any]]
    new_items: list[dict[str, Any]]
    documents: dict[str, tuple[str, str]] = field(default_factory=dict)
    searchable: list[tuple[str, str, str]] = field(default_factory=list)  # (file id, filename, text)

    @property
    def context(self) -> list[dict[str, Any]]:
        return self.history + self.new_items

    @property
    def question(self) -> str:
        return last_user_text(self.new_items) or last_user_text(self.history)

    @property
    def since_question(self) -> list[dict[str, Any]]:
        """The items after the user's last message: this turn's calls, their outputs, approvals."""
        context = self.context
        users = [index for index, item in enumerate(context) if item.get("role") == "user"]
        return context[users[-1] + 1 :] if users else context

    @property
    def before_question(self) -> list[dict[str, Any]]:
        context = self.context
        return context[: len(context) - len(self.since_question)]


def reasoning_effort(request: dict[str, Any]) -> str:
    """Reasoning models (gpt-5 and o-series) think before they answer unless told ``none``."""
    model = str(request["model"])  # required: the request was refused without it
    if not model.startswith(("gpt-5", "o1", "o3", "o4")):
        return "none"
    return (request.get("reasoning") or {}).get("effort") or "medium"


def reply(turn: Turn) -> Reply:
    request = turn.request
    effort = reasoning_effort(request)
    reasoning_tokens = REASONING_TOKENS.get(effort, 0)
    output = [reasoning_item(turn)] if reasoning_tokens else []
    output += act(turn)

    incomplete_reason = None  # pragma: no mutate: "" is as false as None
    cap = request.get("max_output_tokens")
    if cap is not None:
        reasoning_tokens = min(reasoning_tokens, cap // 2)
        incomplete_reason = cut_to(output, cap - reasoning_tokens)
    output_tokens = reasoning_tokens + sum(estimated_tokens(written(item)) for item in output)
    input_tokens = count_input_tokens(request, turn.context)
    return Reply(output, usage(input_tokens, output_tokens, reasoning_tokens), incomplete_reason)


def usage(input_tokens: int, output_tokens: int, reasoning_tokens: int = 0) -> dict[str, Any]:
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
        "total_tokens": input_tokens + output_tokens,
    }


def count_input_tokens(request: dict[str, Any], context: list[dict[str, Any]]) -> int:
    tokens = estimated_tokens(request.get("instructions") or "") + estimated_tokens(request.get("tools") or "")
    for item in context:
        tokens += 4  # each item's role and framing
        if item.get("type") != "message":
            counted = {key: value for key, value in item.items() if key not in {"id", "result", "encrypted_content"}}
            tokens += estimated_tokens(counted)
            continue
        for part in item["content"]:
            if part["type"] == "input_image":
                tokens += IMAGE_TOKENS.get(part.get("detail"), DETAILED_IMAGE_TOKENS)
            else:
                tokens += estimated_tokens(part.get("text") or part.get("file_url") or part.get("file_id") or "")
    return tokens


def written(item: dict[str, Any]) -> str:
    if item["type"] == "message":
        return text_of(item)
    return item.get("arguments") or ""


def cut_to(output: list[dict[str, Any]], budget: int) -> str | None:
    """Cut the written text to ``budget`` tokens; returns why the response is incomplete, if it is."""
    for item in output:
        if item["type"] != "message" or not item["content"]:
            continue
        part = item["content"][0]
        if estimated_tokens(part["text"]) <= budget:
            return None
        part["text"] = part["text"][: budget * 4].rsplit(" ", 1)[0]  # budget >= 8: max_output_tokens is >= 16
        item["status"] = "incomplete"
        return "max_output_tokens"
    return None


def reasoning_item(turn: Turn) -> dict[str, Any]:
    reasoning = turn.request.get("reasoning") or {}
    item: dict[str, Any] = {"id": new_id("rs"), "type": "reasoning", "summary": []}
    if reasoning.get("summary"):
        thought = f"**Planning a canned answer**\n\nThe offline stand-in reads the request: {excerpt(turn.question)}"
        item["summary"] = [{"type": "summary_text", "text": thought}]
    if "reasoning.encrypted_content" in (turn.request.get("include") or []):
        sealed = json.dumps({"offline_reasoning": item["id"]}).encode()
        item["encrypted_content"] = "offline-" + base64.b64encode(sealed).decode()
    return item


def act(turn: Turn) -> list[dict[str, Any]]:
    """The items after the reasoning: tool calls, or the answer."""
    outputs = [item for item in turn.since_question if item["type"] == "function_call_output"]
    if outputs:
        functions = [tool for tool in turn.request.get("tools") or [] if tool.get("type") == "function"]
        made = [(item["name"], item["arguments"]) for item in turn.since_question if item["type"] == "function_call"]
        still_to_call = [
            call for call in function_calls(turn, functions) if (call["name"], call["arguments"]) not in made
        ]
        if still_to_call and turn.request.get("parallel_tool_calls") is False:
            return still_to_call[:1]  # one call per response: the next place the question named
        return [assistant_message(answer_from_tool_outputs(outputs, turn.context))]
    approvals = [item for item in turn.since_question if item["type"] == "mcp_approval_response"]
    if approvals:
        return after_approvals(turn, approvals)

    tools = turn.request.get("tools") or []
    if turn.request.get("tool_choice") != "none":
        for tool in tools:
            if tool.get("type") in {"web_search", "web_search_preview"}:
                return web_search(turn)
            if tool.get("type") == "mcp":
                return use_mcp(turn, tool)
            if tool.get("type") == "file_search":
                return file_search(turn, tool)
            if tool.get("type") == "code_interpreter":
                return code_interpreter(turn, tool)
            if tool.get("type") == "image_generation":
                return generate_image(turn)
        calls = function_calls(turn, [tool for tool in tools if tool.get("type") == "function"])
        if turn.request.get("parallel_tool_calls") is False:
            calls = calls[:1]
        if calls:
            return calls[: turn.request.get("max_tool_calls") or len(calls)]

    text = turn.request.get("text") or {}
    text_format = text.get("format") or {}
    if text_format.get("type") == "json_schema":
        return [assistant_message(json.dumps(instance_of(text_format.get("schema") or {}, turn.question)))]
    reply_text = styled(text_reply(turn), turn.request.get("instructions"))
    return [assistant_message(with_verbosity(reply_text, text.get("verbosity")))]


# --- Text -------------------------------------------------------------------------------------------


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
    favourite = r"\b(my favou?rite [\w ]+? is [^.!?,;]+)"  # pragma: no mutate: case is ignored
    favourites = re.findall(favourite, text, flags=re.IGNORECASE)
    facts += [("favourite", second_person(favourite)) for favourite in favourites]
    if not favourites:
        remembered = re.findall(r"\bremember that ([^.!?]+)", text, re.I)  # pragma: no mutate: case is ignored
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
        return json.loads(base64.b64decode(content.removeprefix(COMPACTION_PREFIX)))
    except ValueError:
        return []


def compaction_item(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The context made small: only what the user said that states a fact survives, sealed."""
    kept = [text for text in said_by_user(items) if facts_in(text)]
    return {"id": new_id("cmp"), "type": "compaction", "encrypted_content": sealed(kept)}


def text_reply(turn: Turn) -> str:
    question = turn.question
    earlier = [fact for text in said_by_user(turn.context[:-1]) for fact in facts_in(text)]
    # Not mutated: the pattern in capitals matches the same, as case is ignored.
    asks_back = r"\b(what('s| is| are) my|who am i|what do i|do you (remember|know)|what did i)\b"  # pragma: no mutate
    if re.search(asks_back, question, re.I):
        return recall(question, earlier)
    if stated := facts_in(question):
        return f"Noted: {'; '.join(fact for _, fact in stated)}. ({CANNED_NOTE}, but it remembers what you tell it.)"
    if REFERS_BACK.search(question) and (outputs := [i for i in turn.context if i["type"] == "function_call_output"]):
        return answer_from_tool_outputs(outputs, turn.context).replace(
            "built from the tool results", "built from the tool results already in this conversation"
        )
    if described := described_media(turn):
        return f"{CANNED_NOTE} and it cannot look at content: it received {described}. A real model describes it."
    asked = f"you asked {excerpt(question)}" if question.strip() else "there was no question to answer"
    return (
        f"{CANNED_NOTE}: {asked}. "
        "Set OPENAI_API_KEY in .env and a real model answers instead. "
        "Everything else about this response, its id, status, usage and shape, is what the API returns."
    )


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
        # Not mutated: no other item the stand-in accepts has media parts, so reading them all changes nothing.
        parts = item.get("content") or [] if item.get("type") == "message" else []  # pragma: no mutate
        for part in parts:
            if part["type"] == "input_image":
                url = part.get("image_url") or part.get("file_id") or ""
                if url.startswith("data:"):
                    kind, _, data = url[5:].partition(";base64,")  # pragma: no mutate: base64 has no ";"
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
    filename, text = documents.get(part.get("file_id"), (part.get("filename", "a file"), ""))
    if not text:
        return f"{filename}, in which it found no text it can read"
    return f"{filename} ({len(text.split())} words), which begins {excerpt(text, 160)}"


def styled(text: str, instructions: str | None) -> str:
    """Follow the few instructions the stand-in understands; they apply to this request only."""
    if not instructions:
        return text
    if re.search(r"\bone sentence\b|\bbrief\b", instructions, re.I):  # pragma: no mutate: case is ignored
        text = first_sentence(text)
    if re.search(r"\bpirate\b", instructions, re.I):  # pragma: no mutate: case is ignored
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
    return re.split(r"(?<=\.)\s", text, maxsplit=1)[0]  # pragma: no mutate: only the first piece is kept


def summary_of(value: Any, limit: int = 240) -> str:
    """A tool's output as one line: its scalar fields, one level deep."""
    if isinstance(value, dict):
        if "error" in value:
            return f"the tool reported a problem: {value['error']}"
        fields = []
        for key, inner in value.items():
            if isinstance(inner, dict):
                inner = ", ".join(f"{k}: {v}" for k, v in inner.items() if not isinstance(v, dict | list))
            elif isinstance(inner, list):
                inner = f"{len(inner)} entries"
            fields.append(f"{key.replace('_', ' ')}: {inner}")
        text = "; ".join(fields)
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def answer_from_tool_outputs(outputs: list[dict[str, Any]], context: list[dict[str, Any]]) -> str:
    names = {item["call_id"]: item.get("name", "tool") for item in context if item["type"] == "function_call"}
    lines = []
    for output in outputs:
        raw = output["output"] if isinstance(output["output"], str) else json.dumps(output["output"])
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        lines.append(f"{names.get(output['call_id'], 'tool')} says {summary_of(value)}")
    return f"Offline stand-in answer, built from the tool results: {'. '.join(lines)}."


# --- Function tools ----------------------------------------------------------------------------------


@cache
def time_zones() -> dict[str, str]:
    return {name.rsplit("/", 1)[-1].lower(): name for name in sorted(zoneinfo.available_timezones())}


def places_in(text: str) -> list[str]:
    """Capitalised names after "in", "at", "for", "and"... : the places a question names."""
    pattern = r"\b(?:in|at|for|of|from|to|and|or|near)\s+([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)"
    places = [place for place in re.findall(pattern, text) if place not in SENTENCE_STARTERS]
    return list(dict.fromkeys(places))


def subject_property(schema: dict[str, Any]) -> str | None:
    """The string parameter a user's words fill (a place, a city, a time zone...)."""
    for name, spec in (schema.get("properties") or {}).items():
        # Not mutated: a type left unwrapped is a string, and "string" in "string" holds all the same.
        types = spec.get("type") if isinstance(spec.get("type"), list) else [spec.get("type")]  # pragma: no mutate
        if "string" in types and "enum" not in spec:
            return name
    return None


def chosen_tools(turn: Turn, functions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    choice = turn.request.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "function":
        return [tool for tool in functions if tool.get("name") == choice.get("name")]
    return functions


REFERS_BACK = re.compile(r"\b(you found|earlier|already|based on|from before|those results|that result)\b", re.I)


def function_calls(turn: Turn, functions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if REFERS_BACK.search(turn.question) and not places_in(turn.question):
        return []  # the answer is in the outputs already in the context: no new call
    for tool in chosen_tools(turn, functions):
        schema = tool.get("parameters") or {}
        subject = subject_property(schema)
        if subject is None:
            return [function_call(tool["name"], instance_of(schema, turn.question))]
        values = places_in(turn.question) or earlier_values(turn, tool["name"], subject)
        if values:
            return [function_call(tool["name"], arguments(schema, subject, value, turn.question)) for value in values]
    return []


def earlier_values(turn: Turn, name: str, subject: str) -> list[str]:
    """The value the last call of this function had: a follow-up ("and tomorrow?") keeps its place."""
    for item in reversed(turn.before_question):
        if item["type"] == "function_call" and item.get("name") == name:
            try:
                value = json.loads(item["arguments"]).get(subject)
            except (ValueError, AttributeError):
                continue
            if isinstance(value, str):
                return [value.rpartition("/")[2].replace("_", " ")]  # America/Argentina/Buenos_Aires: Buenos Aires
    return []


def arguments(schema: dict[str, Any], subject: str, value: str, text: str) -> dict[str, Any]:
    spec = schema["properties"][subject]
    # Not mutated: "ZONE" matches as "zone" does, and a missing description may read as any text without "zone".
    if re.search(r"zone", f"{subject} {spec.get('description', '')}", re.I):  # pragma: no mutate
        value = time_zones().get(value.replace(" ", "_").lower(), value)
    return {**instance_of(schema, text), subject: value}


def function_call(name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": new_id("fc"),
        "type": "function_call",
        "status": "completed",
        "name": name,
        "call_id": new_id("call"),
        "arguments": json.dumps(args),
    }


# --- JSON that fits a schema ---------------------------------------------------------------------------


def resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        *_, kind, name = schema["$ref"].split("/")
        schema = root.get(kind, {}).get(name, {})
    return schema


def instance_of(schema: dict[str, Any], text: str, root: dict[str, Any] | None = None, name: str = "") -> Any:
    """A value valid against ``schema``, filled from ``text`` where a property's name says how."""
    root = root or schema
    schema = resolve(schema, root)
    if "anyOf" in schema:
        branches = [resolve(branch, root) for branch in schema["anyOf"]]
        real = [branch for branch in branches if branch.get("type") != "null"]
        if not real:
            return None
        branch = real[0]
        if len(real) < len(branches) and branch.get("type") == "string":
            branch = {**branch, "type": ["string", "null"]}
        return instance_of(branch, text, root, name)
    types = schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type", "object")]
    kind = next((t for t in types if t != "null"), "null")  # pragma: no mutate: any other kind also gives None
    if "enum" in schema:
        named = [option for option in schema["enum"] if isinstance(option, str) and option.lower() in text.lower()]
        return named[0] if named else (None if None in schema["enum"] else schema["enum"][0])
    if kind == "object":
        properties = schema.get("properties") or {}
        return {key: instance_of(spec, text, root, key) for key, spec in properties.items()}
    if kind == "array":
        if "string" in str(resolve(schema.get("items") or {}, root).get("type")):
            return names_in(text)
        return []
    if kind == "string":
        found = string_from(name, text)
        return None if not found and "null" in types else found or f"offline {name or 'value'}"
    return {"integer": 1, "number": 1.0, "boolean": False}.get(kind)


def names_in(text: str) -> list[str]:
    words = re.findall(rf"\b(?!(?:{WEEKDAYS_AND_MONTHS})\b)[A-Z][a-z]+\b", text)
    return [word for word in dict.fromkeys(words) if word not in SENTENCE_STARTERS]


def string_from(name: str, text: str) -> str:
    """Guess a string property from the words around it: dates, places, names of events."""
    key = name.lower()
    patterns = []
    if re.search(r"date|day|when|time", key):
        patterns = [rf"\b({WEEKDAYS_AND_MONTHS})\b", r"\b(\d{4}-\d{2}-\d{2})\b"]
    elif re.search(r"location|place|where|city|venue|address", key):
        patterns = [r"\b(?:at|in)\s+((?:the\s+)?[\w' -]+?)(?=[.,;!?]|$)"]
    elif re.search(r"name|title|event|subject|topic", key):
        patterns = [r"\b(?:to|for|at) (?:a|an|the) ([\w' -]+?)(?= on | at | in |[.,;!?]|$)"]
    for pattern in patterns:
        if match := re.search(pattern, text):
            return match.group(1).strip()
    return ""


# --- Built-in tools ---------------------------------------------------------------------------------


def web_search(turn: Turn) -> list[dict[str, Any]]:
    query = " ".join(turn.question.split())[:100]
    sources = [f"https://example.com/offline-search/{index}" for index in (1, 2)]
    action: dict[str, Any] = {"type": "search", "query": query, "queries": [query]}
    if "web_search_call.action.sources" in (turn.request.get("include") or []):
        action["sources"] = [{"type": "url", "url": url} for url in sources]
    call = {"id": new_id("ws"), "type": "web_search_call", "status": "completed", "action": action}
    text = (
        f"{CANNED_NOTE} and it searched nothing: this is how an answer with sources looks. "
        "The first example page is cited here [1], the second here [2]."
    )
    annotations = []
    for index, url in enumerate(sources, start=1):
        start = text.index(f"[{index}]")  # pragma: no mutate: each marker is there once
        annotations.append(
            {
                "type": "url_citation",
                "title": f"Example page {index} (offline stand-in, not a real search result)",
                "url": url,
                "start_index": start,
                "end_index": start + 3,
            }
        )
    return [call, assistant_message(text, annotations=annotations)]


def mcp_tool_names(tool: dict[str, Any]) -> list[str]:
    allowed = tool.get("allowed_tools")
    if isinstance(allowed, dict):
        allowed = allowed.get("tool_names")
    return [name for name in MCP_TOOL_NAMES if not allowed or name in allowed] or list(allowed)


def needs_approval(tool: dict[str, Any], name: str) -> bool:
    policy = tool.get("require_approval")  # unset: always
    if isinstance(policy, dict):
        never = (policy.get("never") or {}).get("tool_names") or []
        return name not in never
    return policy != "never"


def use_mcp(turn: Turn, tool: dict[str, Any]) -> list[dict[str, Any]]:
    label = tool["server_label"]  # required: the request was refused without it
    names = mcp_tool_names(tool)
    output = []
    listed = any(item["type"] == "mcp_list_tools" and item.get("server_label") == label for item in turn.context)
    if not listed:
        output.append(
            {
                "id": new_id("mcpl"),
                "type": "mcp_list_tools",
                "server_label": label,
                "tools": [
                    {"name": name, "description": f"{name} (offline stand-in)", "input_schema": {"type": "object"}}
                    for name in names
                ],
            }
        )
    name = names[-1]
    call_arguments = json.dumps({"question": turn.question})
    if needs_approval(tool, name):
        request = {
            "id": new_id("mcpr"),
            "type": "mcp_approval_request",
            "server_label": label,
            "name": name,
            "arguments": call_arguments,
        }
        return [*output, request]
    return [*output, mcp_call(label, name, call_arguments, None), mcp_answer(label, name)]


def mcp_call(label: str, name: str, call_arguments: str, approval_request_id: str | None) -> dict[str, Any]:
    return {
        "id": new_id("mcp"),
        "type": "mcp_call",
        "status": "completed",
        "server_label": label,
        "name": name,
        "arguments": call_arguments,
        "output": f"Offline stand-in result of {label}.{name}: no MCP server was contacted.",
        "error": None,
        "approval_request_id": approval_request_id,
    }


def mcp_answer(label: str, name: str) -> dict[str, Any]:
    return assistant_message(f"{CANNED_NOTE}: it called {label}.{name} (in pretence) and got a canned result.")


def after_approvals(turn: Turn, approvals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    requests = {item["id"]: item for item in turn.context if item["type"] == "mcp_approval_request"}
    output, declined = [], []
    for approval in approvals:
        request = requests[approval["approval_request_id"]]
        if approval["approve"]:
            output.append(mcp_call(request["server_label"], request["name"], request["arguments"], request["id"]))
        else:
            declined.append(f"{request['server_label']}.{request['name']}")
    if declined:
        return [
            *output,
            assistant_message(f"Offline stand-in: you declined {', '.join(declined)}, so it was not called."),
        ]
    request = requests[approvals[-1]["approval_request_id"]]
    return [*output, mcp_answer(request["server_label"], request["name"])]


def words_of(text: str) -> set[str]:
    # Not mutated: the words are lower case by then, so stripping "XXsXX" strips the same as "s".
    return {word.lower().rstrip("s") for word in re.findall(r"[A-Za-z]{3,}", text)}  # pragma: no mutate


def file_search(turn: Turn, tool: dict[str, Any]) -> list[dict[str, Any]]:
    """Search the stores' files sentence by sentence, by the words they share with the question."""
    asked = words_of(turn.question)
    passages = [
        (len(asked & words_of(sentence)), file_id, filename, sentence.strip())
        for file_id, filename, text in turn.searchable
        for sentence in re.split(r"(?<=[.!?])\s+", text)
        if sentence.strip()
    ]
    found = sorted((p for p in passages if p[0]), key=lambda passage: -passage[0])[: tool.get("max_num_results", 3)]
    call: dict[str, Any] = {
        "id": new_id("fs"),
        "type": "file_search_call",
        "status": "completed",
        "queries": [" ".join(turn.question.split())],
    }
    if "file_search_call.results" in (turn.request.get("include") or []):
        call["results"] = [
            {"file_id": file_id, "filename": filename, "score": round(score / len(asked), 3), "text": text}
            for score, file_id, filename, text in found
        ]
    if not found:
        return [call, assistant_message("Offline stand-in: nothing in the files matches the question.")]
    _, file_id, filename, text = found[0]
    answer = f"Offline stand-in, quoting the best matching passage of {filename}: “{text}”"
    citation = {"type": "file_citation", "file_id": file_id, "filename": filename, "index": len(answer)}
    return [call, assistant_message(answer, annotations=[citation])]


def code_interpreter(turn: Turn, tool: dict[str, Any]) -> list[dict[str, Any]]:
    container = tool.get("container")
    logs = "offline: nothing was run\n"
    call: dict[str, Any] = {
        "id": new_id("ci"),
        "type": "code_interpreter_call",
        "status": "completed",
        "container_id": container if isinstance(container, str) else new_id("cntr"),
        "code": (
            "# The offline stand-in writes and runs no code. A real model writes Python here for:\n"
            f"# {' '.join(turn.question.split())}\n"
            'print("offline: nothing was run")'
        ),
    }
    if "code_interpreter_call.outputs" in (turn.request.get("include") or []):
        call["outputs"] = [{"type": "logs", "logs": logs}]
    text = f"{CANNED_NOTE}: it ran no code, so it has no result; the call above shows where the code and its output go."
    return [call, assistant_message(text)]


def generate_image(turn: Turn) -> list[dict[str, Any]]:
    earlier = [item for item in turn.history if item["type"] == "image_generation_call"]
    prompt = " ".join(turn.question.split())
    call = {
        "id": new_id("ig"),
        "type": "image_generation_call",
        "status": "completed",
        "action": "edit" if earlier else "generate",
        "result": placeholder_png(prompt, edit_of=earlier[-1]["revised_prompt"] if earlier else None),
        "revised_prompt": f"A placeholder picture (offline stand-in) for: {prompt}",
        "output_format": "png",
        "size": "64x64",
        "quality": "low",
        "background": "opaque",
    }
    what = "an edit of the previous picture, same frame, new colours" if earlier else "a frame and a colour field"
    return [call, assistant_message(f"{CANNED_NOTE}, and so is the picture: {what}.")]
