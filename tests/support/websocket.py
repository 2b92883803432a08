"""A scripted Responses WebSocket server on loopback, for lessons that use ``client.responses.connect()``.

As respx scripts HTTP replies, this scripts a socket: each connection the client opens plays the
next script, a list of steps that either receive one client event (recorded for the test to
assert) or send server events. A step waits for what it needs, so a script runs in one order
only: a steer the lesson sends after the first words is received before anything else is sent.
"""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from websockets.sync.server import ServerConnection, serve

from tests.conftest import PATIENCE

RECEIVE = "receive"


@dataclass
class ScriptedSocket:
    scripts: list[list[Any]]  # per connection: RECEIVE, or a list of server events to send
    received: list[list[dict]] = field(default_factory=list)  # per connection: the client's events
    failures: list[str] = field(default_factory=list)

    def play(self, socket: ServerConnection) -> None:
        if not self.scripts:
            self.failures.append("a connection no script was left for")
            return
        script, received = self.scripts.pop(0), []
        self.received.append(received)
        try:
            for step in script:
                if step == RECEIVE:
                    received.append(json.loads(socket.recv(timeout=PATIENCE)))
                else:
                    for event in step:
                        socket.send(json.dumps(event))
            socket.close()
        except Exception as error:  # the test reads it: a server thread cannot fail a test itself
            self.failures.append(f"{type(error).__name__}: {error}")


def numbered(*events: dict) -> list[dict]:
    return [{**event, "sequence_number": number} for number, event in enumerate(events)]


def created_and_done(final: dict) -> list[dict]:
    """A response written at once: ``response.created``, then its final event."""
    started = {**final, "status": "in_progress", "output": [], "usage": None, "completed_at": None}
    ending = {"completed": "response.completed", "incomplete": "response.incomplete"}[final["status"]]
    return numbered({"type": "response.created", "response": started}, {"type": ending, "response": final})


def error_event(message: str, code: str, status: int = 400) -> list[dict]:
    error = {"type": "invalid_request_error", "code": code, "message": message, "param": None}
    return [{"type": "error", "status": status, "error": error}]


def start_scripted_socket(scripts: list[list[Any]]) -> Iterator[tuple[ScriptedSocket, str]]:
    """Serve ``scripts`` on a free loopback port; yields the script player and its ``websocket_base_url``."""
    player = ScriptedSocket(scripts)
    with serve(player.play, "127.0.0.1", 0, compression=None) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield player, f"ws://127.0.0.1:{server.socket.getsockname()[1]}/v1"
        server.shutdown()
        thread.join(PATIENCE)
