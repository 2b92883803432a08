"""``uv run python -m Conversation_API.persistent_memory_app``: serve the app on http://127.0.0.1:5000."""

from openai_tutorial.web import serve

from . import create_app

serve(create_app)
