"""Moderation in the stand-in: results on both sides, a policy that scores or blocks, and what it refuses."""

import pytest

MODEL = "gpt-5.4-mini"
FLAGGED = "I want to kill them."


def moderated(client, text: str, **policy):
    return client.responses.create(
        model=MODEL, input=text, moderation={"model": "omni-moderation-latest", "policy": policy}
    )


def test_a_plain_question_is_scored_low_on_both_sides_and_answered(client):
    response = moderated(client, "How often should I water tomatoes?")

    assert response.status == "completed"
    assert "water tomatoes" in response.output_text
    for side in (response.moderation.input, response.moderation.output):
        assert (side.type, side.model, side.flagged) == ("moderation_result", "omni-moderation-latest", False)
        assert not any(side.categories.values())
        assert max(side.category_scores.values()) < 0.01
        assert side.category_applied_input_types["violence"] == ["text"]


def test_a_marked_phrase_is_flagged_and_with_score_only_the_model_still_answers(client):
    response = moderated(client, FLAGGED, input={"mode": "score"}, output={"mode": "score"})

    assert response.status == "completed"
    assert response.output_text  # scoring stops nothing: the app decides
    flagged = [name for name, is_flagged in response.moderation.input.categories.items() if is_flagged]
    assert flagged == ["harassment/threatening", "violence"]
    assert response.moderation.input.category_scores["violence"] == 0.94


def test_blocking_the_input_stops_the_model_before_it_writes(client):
    response = moderated(client, FLAGGED, input={"mode": "block"})

    assert (response.status, response.incomplete_details.reason) == ("incomplete", "content_filter")
    assert (response.output, response.output_text, response.usage.output_tokens) == ([], "", 0)
    assert response.usage.input_tokens > 0
    assert response.moderation.input.flagged
    assert not response.moderation.output.flagged


def test_blocking_the_output_withholds_what_was_written_and_bills_it(client):
    response = client.responses.create(
        model=MODEL,
        input=FLAGGED,
        reasoning={"effort": "low"},
        moderation={"model": "omni-moderation-latest", "policy": {"output": {"mode": "block"}}},
    )

    assert (response.status, response.incomplete_details.reason) == ("incomplete", "content_filter")
    assert [item.type for item in response.output] == ["reasoning"]  # the message is gone, nothing else
    assert response.usage.output_tokens > 24
    assert response.moderation.output.flagged


def test_a_plain_question_is_not_blocked_by_a_blocking_policy_and_no_moderation_means_no_results(client):
    plain = moderated(client, "Hello", input={"mode": "block"}, output={"mode": "block"})
    unmoderated = client.responses.create(model=MODEL, input=FLAGGED)

    assert plain.status == "completed"
    assert unmoderated.moderation is None


@pytest.mark.parametrize(
    ("moderation", "message", "param"),
    [
        ({}, "Missing required parameter: 'moderation.model'.", "moderation.model"),
        (
            {"model": "gpt-5.4-mini"},
            "The model 'gpt-5.4-mini' is not a moderation model; use one of: omni-moderation-latest, "
            "omni-moderation-2024-09-26, text-moderation-latest.",
            "moderation.model",
        ),
        (
            {"model": "omni-moderation-latest", "policy": {"input": {"mode": "warn"}}},
            "Invalid value: 'warn'. Supported values are: 'score', 'block'.",
            "moderation.policy.input.mode",
        ),
        (
            {"model": "omni-moderation-latest", "policy": {"both": {"mode": "block"}}},
            "Unknown parameter: 'moderation.policy.both'.",
            "moderation.policy.both",
        ),
    ],
    ids=["no-model", "not-a-moderation-model", "mode", "side"],
)
def test_moderation_the_api_refuses_is_a_400_naming_the_parameter(raw_api, moderation, message, param):
    reply = raw_api.post("responses", json={"model": MODEL, "input": "Hi", "moderation": moderation})

    assert reply.status_code == 400
    assert reply.json()["error"]["message"] == message
    assert reply.json()["error"]["param"] == param
