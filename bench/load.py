"""Load a running multi-user app (or the persistent-memory app) with concurrent chat clients.

Each client is a user holding one conversation and sending its turns one after another;
all clients run at once. It prints turns per second and the p50 and p99 time of a turn, as
a user of the backend sees them. Used for README "Running it for real", to compare the
development server with gunicorn:

    uv run python -m Conversation_API.multi_user_app    # one terminal
    uv run python bench/load.py http://127.0.0.1:5000 --clients 32 --turns 15        # another
"""

import argparse
import statistics
import threading
import time

import requests


def one_user(base_url: str, user: int, turns: int, latencies: list[float], lock: threading.Lock) -> None:
    http, conversation_id = requests.Session(), None
    for number in range(turns):
        body = {"user_id": f"load-user-{user}", "message": f"Message {number}"}
        if conversation_id:
            body["conversation_id"] = conversation_id
        started = time.perf_counter()
        reply = http.post(f"{base_url}/chat", json=body, timeout=300)
        elapsed = time.perf_counter() - started
        reply.raise_for_status()
        conversation_id = reply.json()["conversation_id"]
        with lock:
            latencies.append(elapsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--turns", type=int, default=15, help="turns per client")
    args = parser.parse_args()
    latencies: list[float] = []
    lock = threading.Lock()
    clients = [
        threading.Thread(target=one_user, args=(args.base_url, user, args.turns, latencies, lock))
        for user in range(args.clients)
    ]
    started = time.perf_counter()
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    wall = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[max(int(len(latencies) * 0.99) - 1, 0)]
    print(
        f"{args.clients} clients, {len(latencies)} turns: {len(latencies) / wall:.0f} turns/s, "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
