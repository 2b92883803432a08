"""Moderation run by the API on a response's input and output (``moderation`` on ``responses.create``).

Each side gets a ``moderation_result``: a flag and a score for every category. A policy of
``score`` (the default) only reports; ``block`` on the input stops the model before it runs,
and on the output withholds what it wrote: either way the response ends ``incomplete`` with
reason ``content_filter``. The stand-in is no classifier: it flags a text that holds one of a
few phrases (``harmful.py``) and scores everything else low.
"""

from collections.abc import Callable
from typing import Any

from openai_tutorial.offline.errors import invalid
from openai_tutorial.offline.harmful import categories_in
from openai_tutorial.offline.items import text_of
from openai_tutorial.offline.model import Reply, count_input_tokens, usage
from openai_tutorial.offline.rules import check_one_of
from openai_tutorial.offline.turn import Turn

CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/instructions",
    "self-harm/intent",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)
LOW_SCORE = 0.0004
MODELS = ("omni-moderation-latest", "omni-moderation-2024-09-26", "text-moderation-latest")
MODES = ("score", "block")


def check_moderation(body: dict[str, Any]) -> None:
    moderation = body.get("moderation")
    if moderation is None:
        return
    if not isinstance(moderation, dict) or not moderation.get("model"):
        raise invalid("Missing required parameter: 'moderation.model'.", param="moderation.model")
    if moderation["model"] not in MODELS:
        raise invalid(
            f"The model '{moderation['model']}' is not a moderation model; use one of: {', '.join(MODELS)}.",
            param="moderation.model",
            code="model_not_found",
        )
    for side, policy in (moderation.get("policy") or {}).items():
        if side not in {"input", "output"}:
            raise invalid(f"Unknown parameter: 'moderation.policy.{side}'.", param=f"moderation.policy.{side}")
        check_one_of((policy or {}).get("mode"), MODES, f"moderation.policy.{side}.mode")


def result(text: str, model: str) -> dict[str, Any]:
    """A ``moderation_result`` for ``text``: flagged under a marked phrase's categories, else scored low."""
    scores = dict.fromkeys(CATEGORIES, LOW_SCORE) | categories_in(text)
    categories = {category: score >= 0.5 for category, score in scores.items()}
    return {
        "type": "moderation_result",
        "model": model,
        "flagged": any(categories.values()),
        "categories": categories,
        "category_scores": scores,
        "category_applied_input_types": {category: ["text"] for category in CATEGORIES},
    }


def blocks(body: dict[str, Any], side: str) -> bool:
    return ((body["moderation"].get("policy") or {}).get(side) or {}).get("mode") == "block"


def moderated(turn: Turn, generate: Callable[[Turn], Reply]) -> tuple[Reply, dict[str, Any]]:
    """The reply under the request's moderation policy, and the results the response carries."""
    body = turn.request
    text = " ".join(text_of(item) for item in turn.new_items if item.get("type") == "message")
    checked_input = result(text, body["moderation"]["model"])
    if checked_input["flagged"] and blocks(body, "input"):  # the model never runs: nothing written, nothing to check
        reply = Reply([], usage(count_input_tokens(body, turn.context), 0), "content_filter")
        return reply, {"input": checked_input, "output": result("", body["moderation"]["model"])}
    reply = generate(turn)
    written = " ".join(text_of(item) for item in reply.output if item["type"] == "message")
    checked_output = result(written, body["moderation"]["model"])
    if checked_output["flagged"] and blocks(body, "output"):  # written and billed, but withheld
        reply = Reply([item for item in reply.output if item["type"] != "message"], reply.usage, "content_filter")
    return reply, {"input": checked_input, "output": checked_output}
