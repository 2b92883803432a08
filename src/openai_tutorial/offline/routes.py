"""Every endpoint the stand-in answers, on one page: method, path, handler, and what the SDK reads the reply as.

The transport is handed this table and knows no endpoint of its own; each handler is a plain
function of one ``Call`` in its endpoint's module, and nothing imports this table back but
the package's face (``offline/__init__.py``) and the guard on real replies (``replies.py``).
That guard checks each successful reply of these same endpoints against the reply type
given here, so the endpoints the lessons use and the endpoints whose replies are checked
cannot drift apart: a new endpoint is one row, for both.

Order matters where paths overlap: ``/responses/input_tokens`` comes before
``/responses/{response_id}``. A named group becomes ``Call.path[name]``.
"""

import re

from openai.types import (
    ContainerCreateResponse,
    ContainerListResponse,
    ContainerRetrieveResponse,
    DeletedSkill,
    FileDeleted,
    FileObject,
    Skill,
    VectorStore,
    VectorStoreDeleted,
)
from openai.types.containers import FileCreateResponse, FileListResponse, FileRetrieveResponse
from openai.types.conversations import Conversation, ConversationDeletedResource, ConversationItem, ConversationItemList
from openai.types.responses import CompactedResponse, InputTokenCountResponse, Response, ResponseItem
from openai.types.vector_stores import VectorStoreFile, VectorStoreFileDeleted

from openai_tutorial.offline import containers, conversations, files, responses, skills, vector_stores
from openai_tutorial.offline.call import Route

RESPONSE = r"/responses/(?P<response_id>[^/]+)"
CONVERSATION = r"/conversations/(?P<conversation_id>[^/]+)"
ITEM = CONVERSATION + r"/items/(?P<item_id>[^/]+)"
FILE = r"/files/(?P<file_id>[^/]+)"
VECTOR_STORE = r"/vector_stores/(?P<vector_store_id>[^/]+)"
VECTOR_STORE_FILE = VECTOR_STORE + r"/files/(?P<file_id>[^/]+)"
CONTAINER = r"/containers/(?P<container_id>[^/]+)"
CONTAINER_FILE = CONTAINER + r"/files/(?P<file_id>[^/]+)"
SKILL = r"/skills/(?P<skill_id>[^/]+)"

# A list reply's type is list[...]: the guard checks its "data". A reply the SDK does not read is None (it ignores
# what DELETE /responses/{id} and DELETE /containers/... answer); file content is bytes, passed on as they are.
ROUTES = [
    Route(method, re.compile(path), handler, reply)
    for method, path, handler, reply in [
        ("POST", r"/responses", responses.create, Response),
        ("POST", r"/responses/input_tokens", responses.count_input_tokens, InputTokenCountResponse),
        ("POST", r"/responses/compact", responses.compact, CompactedResponse),
        ("GET", RESPONSE, responses.retrieve, Response),
        ("DELETE", RESPONSE, responses.delete, None),
        ("POST", RESPONSE + "/cancel", responses.cancel, Response),
        ("GET", RESPONSE + "/input_items", responses.list_input_items, list[ResponseItem]),
        ("POST", r"/conversations", conversations.create, Conversation),
        ("GET", CONVERSATION, conversations.retrieve, Conversation),
        ("POST", CONVERSATION, conversations.update, Conversation),
        ("DELETE", CONVERSATION, conversations.delete, ConversationDeletedResource),
        ("POST", CONVERSATION + "/items", conversations.create_items, ConversationItemList),
        ("GET", CONVERSATION + "/items", conversations.list_items, list[ConversationItem]),
        ("GET", ITEM, conversations.retrieve_item, ConversationItem),
        ("DELETE", ITEM, conversations.delete_item, Conversation),
        ("POST", r"/files", files.create, FileObject),
        ("GET", FILE, files.retrieve, FileObject),
        ("DELETE", FILE, files.delete, FileDeleted),
        ("POST", r"/vector_stores", vector_stores.create, VectorStore),
        ("GET", VECTOR_STORE, vector_stores.retrieve, VectorStore),
        ("DELETE", VECTOR_STORE, vector_stores.delete, VectorStoreDeleted),
        ("POST", VECTOR_STORE + "/files", vector_stores.attach, VectorStoreFile),
        ("GET", VECTOR_STORE_FILE, vector_stores.retrieve_file, VectorStoreFile),
        ("DELETE", VECTOR_STORE_FILE, vector_stores.delete_file, VectorStoreFileDeleted),
        ("POST", r"/containers", containers.create, ContainerCreateResponse),
        ("GET", r"/containers", containers.list_containers, list[ContainerListResponse]),
        ("GET", CONTAINER, containers.retrieve, ContainerRetrieveResponse),
        ("DELETE", CONTAINER, containers.delete, None),
        ("POST", CONTAINER + "/files", containers.create_file, FileCreateResponse),
        ("GET", CONTAINER + "/files", containers.list_files, list[FileListResponse]),
        ("GET", CONTAINER_FILE, containers.retrieve_file, FileRetrieveResponse),
        ("DELETE", CONTAINER_FILE, containers.delete_file, None),
        ("GET", CONTAINER_FILE + "/content", containers.file_content, bytes),
        ("POST", r"/skills", skills.create, Skill),
        ("GET", r"/skills", skills.list_skills, list[Skill]),
        ("GET", SKILL, skills.retrieve, Skill),
        ("DELETE", SKILL, skills.delete, DeletedSkill),
    ]
]
