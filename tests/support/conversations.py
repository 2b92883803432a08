"""OpenAI's side of deleting conversations, as the conversation backends' tests mock it."""

import httpx

from tests.support import payloads


def deleting(openai_api, *, responses: bool = True) -> dict:
    """The routes of ``openai_deletes``; without ``responses`` when no response was made to delete."""

    def one_item(request, conversation_id):
        return httpx.Response(
            200, json=payloads.item_list([payloads.input_message("hi", id=f"item_of_{conversation_id}")])
        )

    def deleted_conversation(request, conversation_id):
        return httpx.Response(200, json=payloads.conversation_deleted(conversation_id))

    routes = {
        "list_items": openai_api.get(
            path__regex=r"/conversations/(?P<conversation_id>[^/]+)/items$", name="list_items"
        ).mock(side_effect=one_item),
        "delete_item": openai_api.delete(
            path__regex=r"/conversations/(?P<conversation_id>[^/]+)/items/[^/]+$", name="delete_item"
        ).mock(
            side_effect=lambda request, conversation_id: httpx.Response(
                200, json=payloads.conversation(id=conversation_id)
            )
        ),
        "delete_conversation": openai_api.delete(
            path__regex=r"/conversations/(?P<conversation_id>[^/]+)$", name="delete_conversation"
        ).mock(side_effect=deleted_conversation),
    }
    if responses:
        routes["delete_response"] = openai_api.delete(
            path__regex=r"/responses/(?P<response_id>[^/]+)$", name="delete_response"
        ).mock(
            side_effect=lambda request, response_id: httpx.Response(200, json=payloads.response_deleted(response_id))
        )
    return routes
