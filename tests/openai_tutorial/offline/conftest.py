import httpx2
import pytest

from openai_tutorial import offline
from openai_tutorial.client import get_client
from openai_tutorial.offline.routes import ROUTES
from openai_tutorial.offline.store import Store
from openai_tutorial.offline.transport import OfflineTransport


@pytest.fixture
def client(monkeypatch):
    """The SDK client as a script gets it in offline mode: strict validation, no pause between deltas."""
    monkeypatch.setenv("OPENAI_OFFLINE", "1")
    monkeypatch.setenv("OPENAI_OFFLINE_STREAM_DELAY", "0")
    return get_client()


@pytest.fixture
def raw_api(tmp_path):
    """Plain HTTP to the stand-in, for requests the SDK would never send; it keeps the same state as ``client``."""
    transport = OfflineTransport(Store(tmp_path / "repo" / ".offline" / "state.sqlite3"), ROUTES, stream_delay=0)
    with httpx2.Client(transport=transport, base_url=offline.BASE_URL + "/") as raw:
        yield raw
