"""The stand-in's /conversations and /files endpoints, through the real SDK."""

from pathlib import Path

import openai
import pytest

from openai_tutorial.client import get_model
from tests.conftest import REPO_ROOT
from tests.support.refusals import error_of, refusal

MODEL = get_model()
SAMPLE_PDF = REPO_ROOT / "Responses_API" / "Basic_examples" / "resources" / "sample_document.pdf"


def texts(items) -> list[str]:
    return [item.content[0].text if item.type == "message" else item.type for item in items]


def test_a_conversation_is_created_with_items_and_metadata_and_retrieved(client):
    created = client.conversations.create(
        items=[{"role": "user", "content": "My name is Ada."}], metadata={"topic": "intro"}
    )

    retrieved = client.conversations.retrieve(created.id)
    items = client.conversations.items.list(created.id)

    assert created.id.startswith("conv_")
    assert retrieved.to_dict() == created.to_dict()
    assert retrieved.metadata == {"topic": "intro"}
    assert texts(items.data) == ["My name is Ada."]


def test_responses_in_a_conversation_add_their_items_and_remember_what_it_holds(client):
    conversation = client.conversations.create(items=[{"role": "user", "content": "I love astronomy."}])

    reply = client.responses.create(model=MODEL, conversation=conversation.id, input="What do I love?")
    items = client.conversations.items.list(conversation.id, order="asc")

    assert reply.conversation.id == conversation.id
    assert reply.output_text == "Offline stand-in, recalling what you said earlier: you love astronomy."
    assert texts(items.data) == ["I love astronomy.", "What do I love?", "reasoning", reply.output_text]


def test_a_conversation_given_as_an_object_works_and_an_unknown_one_is_404(client):
    conversation = client.conversations.create()

    reply = client.responses.create(model=MODEL, conversation={"id": conversation.id}, input="hi")
    with pytest.raises(openai.NotFoundError) as raised:
        client.responses.create(model=MODEL, conversation="conv_made_up", input="hi")

    assert reply.conversation.id == conversation.id
    assert raised.value.body == {
        "message": "Conversation with id 'conv_made_up' not found.",
        "type": "invalid_request_error",
        "param": "conversation",
        "code": None,
    }


def test_resending_an_item_the_conversation_holds_is_a_duplicate(client):
    conversation = client.conversations.create()
    first = client.responses.create(model=MODEL, conversation=conversation.id, input="hi")

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model=MODEL, conversation=conversation.id, input=[first.output[-1].to_dict(exclude_none=True)]
        )

    assert error_of(raised) == refusal(
        f"Duplicate item found with id {first.output[-1].id}. Remove duplicate items from your input and try again.",
        param="input",
    )


def test_metadata_is_replaced_by_an_update(client):
    conversation = client.conversations.create(metadata={"a": "1"})

    updated = client.conversations.update(conversation.id, metadata={"b": "2"})

    assert updated.metadata == {"b": "2"}
    assert client.conversations.retrieve(conversation.id).metadata == {"b": "2"}


def test_a_deleted_conversation_is_404_everywhere(client):
    conversation = client.conversations.create()

    deleted = client.conversations.delete(conversation.id)

    assert (deleted.id, deleted.deleted) == (conversation.id, True)
    for call in (
        lambda: client.conversations.retrieve(conversation.id),
        lambda: client.conversations.update(conversation.id, metadata={}),
        lambda: client.conversations.delete(conversation.id),
        lambda: client.conversations.items.list(conversation.id),
        lambda: client.conversations.items.create(conversation.id, items=[]),
    ):
        with pytest.raises(openai.NotFoundError) as raised:
            call()
        assert error_of(raised) == refusal(f"Conversation with id '{conversation.id}' not found.")


def test_items_are_added_without_a_reply_listed_in_pages_retrieved_and_deleted(client):
    conversation = client.conversations.create(items=[{"role": "user", "content": "one"}])

    added = client.conversations.items.create(
        conversation.id, items=[{"role": "user", "content": "two"}, {"role": "assistant", "content": "three"}]
    )
    page = client.conversations.items.list(conversation.id, limit=2, order="asc")
    following = client.conversations.items.list(conversation.id, limit=2, order="asc", after=page.last_id)
    every = list(client.conversations.items.list(conversation.id, limit=1))
    second = client.conversations.items.retrieve(added.data[0].id, conversation_id=conversation.id)
    after_delete = client.conversations.items.delete(added.data[0].id, conversation_id=conversation.id)

    assert (texts(added.data), added.first_id, added.last_id) == (["two", "three"], added.data[0].id, added.data[1].id)
    assert (texts(page.data), page.has_more) == (["one", "two"], True)
    assert (texts(following.data), following.has_more) == (["three"], False)
    assert texts(every) == ["three", "two", "one"]
    assert texts([second]) == ["two"]
    assert after_delete.id == conversation.id
    assert texts(client.conversations.items.list(conversation.id, order="asc")) == ["one", "three"]
    with pytest.raises(openai.NotFoundError) as raised:
        client.conversations.items.retrieve(added.data[0].id, conversation_id=conversation.id)
    assert error_of(raised) == refusal(
        f"Item with id '{added.data[0].id}' not found in conversation '{conversation.id}'."
    )


def test_items_added_are_checked_by_their_place_and_at_least_one_is_needed(client):
    conversation = client.conversations.create()

    with pytest.raises(openai.BadRequestError) as raised:
        client.conversations.items.create(conversation.id, items=[{"role": "user", "content": "ok"}, {"role": "x"}])
    with pytest.raises(openai.BadRequestError) as empty:
        client.conversations.items.create(conversation.id, items=[])

    assert error_of(raised) == refusal(
        "Invalid value: 'x'. Supported values are: 'user', 'assistant', 'system', 'developer'.",
        param="items[1].role",
        code="invalid_value",
    )
    assert error_of(empty) == refusal(
        "Invalid 'items': empty array. Expected an array with minimum length 1, but got an empty array instead.",
        param="items",
        code="empty_array",
    )
    assert client.conversations.items.list(conversation.id).data == []


def test_at_most_20_items_at_once(client):
    items = [{"role": "user", "content": str(n)} for n in range(21)]
    conversation = client.conversations.create(items=items[:20])

    with pytest.raises(openai.BadRequestError) as on_create:
        client.conversations.create(items=items)
    with pytest.raises(openai.BadRequestError) as on_add:
        client.conversations.items.create(conversation.id, items=items)
    with pytest.raises(openai.BadRequestError) as not_a_list:
        client.conversations.items.create(conversation.id, items="one")

    message = (
        "Invalid 'items': array too long. Expected an array with maximum length 20, but got an array with length 21 "
        "instead."
    )
    too_long = refusal(message, param="items", code="array_above_max_length")
    assert error_of(on_create) == error_of(on_add) == too_long
    assert error_of(not_a_list) == refusal("Invalid 'items': expected an array.", param="items", code="invalid_type")
    assert len(client.conversations.items.list(conversation.id, limit=100).data) == 20


def test_a_file_is_uploaded_retrieved_read_by_a_question_and_deleted(client):
    with SAMPLE_PDF.open("rb") as pdf:
        uploaded = client.files.create(file=pdf, purpose="user_data")

    retrieved = client.files.retrieve(uploaded.id)
    answer = client.responses.create(
        model=MODEL,
        input=[
            {
                "role": "user",
                "content": [{"type": "input_file", "file_id": uploaded.id}, {"type": "input_text", "text": "Who?"}],
            }
        ],
    )
    deleted = client.files.delete(uploaded.id)

    assert uploaded.id.startswith("file-")
    assert (uploaded.filename, uploaded.bytes, uploaded.purpose) == (
        "sample_document.pdf",
        SAMPLE_PDF.stat().st_size,
        "user_data",
    )
    assert retrieved.to_dict() == uploaded.to_dict()
    assert (
        "sample_document.pdf (107 words), which begins “Harbour Lane Community Garden Members' handbook"
        in answer.output_text
    )
    assert (deleted.id, deleted.deleted) == (uploaded.id, True)
    for call in (lambda: client.files.retrieve(uploaded.id), lambda: client.files.delete(uploaded.id)):
        with pytest.raises(openai.NotFoundError) as raised:
            call()
        assert raised.value.body == {
            "message": f"No such File object: {uploaded.id}",
            "type": "invalid_request_error",
            "param": "id",
            "code": None,
        }


def test_a_text_file_is_read_and_a_binary_one_is_not(client, tmp_path):
    note, blob = tmp_path / "note.txt", tmp_path / "blob.bin"
    note.write_text("Meet at noon by the old oak.")
    blob.write_bytes(b"\xff\xfe\x00")
    answers = []
    for path in (note, blob):
        uploaded = client.files.create(file=path, purpose="user_data")
        answers.append(
            client.responses.create(
                model=MODEL, input=[{"role": "user", "content": [{"type": "input_file", "file_id": uploaded.id}]}]
            ).output_text
        )

    assert "note.txt (7 words), which begins “Meet at noon by the old oak.”" in answers[0]
    assert "blob.bin, in which it found no text it can read" in answers[1]


def test_an_unknown_file_in_the_input_and_a_bad_purpose_are_refused(client, tmp_path):
    path = Path(tmp_path / "x.txt")
    path.write_text("x")

    with pytest.raises(openai.BadRequestError) as unknown:
        client.responses.create(
            model=MODEL, input=[{"role": "user", "content": [{"type": "input_file", "file_id": "file-nowhere"}]}]
        )
    with pytest.raises(openai.BadRequestError) as purpose:
        client.files.create(file=path, purpose="snacks")

    assert error_of(unknown) == refusal("The file 'file-nowhere' was not found.", param="input")
    assert error_of(purpose) == refusal(
        "Invalid value for 'purpose': 'snacks'. Supported values are: assistants, batch, fine-tune, vision, "
        "user_data, evals.",
        param="purpose",
    )


def test_an_upload_must_be_multipart_and_carry_a_file(raw_api):
    not_multipart = raw_api.post("/files", json={"purpose": "user_data"})
    no_type = raw_api.post("/files", content=b"purpose=user_data")
    no_file = raw_api.post("/files", data={"purpose": "user_data"}, files={"other": ("x.txt", b"x")})

    for refused in (not_multipart, no_type):
        assert (refused.status_code, refused.json()["error"]) == (
            400,
            refusal("Uploads must be sent as multipart/form-data."),
        )
    assert (no_file.status_code, no_file.json()["error"]) == (
        400,
        refusal("Missing required parameter: 'file'.", param="file", code="missing_required_parameter"),
    )


def test_an_upload_needs_a_purpose_and_a_file_sent_without_a_name_is_called_upload(raw_api):
    no_purpose = raw_api.post("/files", files={"file": ("x.txt", b"x")})
    unnamed = raw_api.post("/files", data={"purpose": "user_data"}, files={"file": (None, b"x", "text/plain")})

    assert (no_purpose.status_code, no_purpose.json()["error"]) == (
        400,
        refusal("Missing required parameter: 'purpose'.", param="purpose", code="missing_required_parameter"),
    )
    assert (unnamed.status_code, unnamed.json()["filename"], unnamed.json()["bytes"]) == (200, "upload", 1)
