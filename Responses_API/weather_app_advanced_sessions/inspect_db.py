"""Look inside the advanced weather app's database from the command line.

- ``sessions``: every session, newest first, with its number of messages;
- ``show SESSION_ID``: one session's history, turn by turn, as a person would read it;
- ``stats``: how many sessions and items of each type the database holds.

It reads the same database as backend.py: ``DATABASE_URL``, or the backend's default file.

Run: uv run python Responses_API/weather_app_advanced_sessions/inspect_db.py sessions
     uv run python Responses_API/weather_app_advanced_sessions/inspect_db.py show SESSION_ID
     uv run python Responses_API/weather_app_advanced_sessions/inspect_db.py stats
"""

import argparse
import json

from backend import DEFAULT_DATABASE, Base, ChatSession, Item, message_counts, readable
from sqlalchemy import func, select

from openai_tutorial.client import UsageError, run, setting
from openai_tutorial.database import open_database, sqlite_path


def open_backends_database():
    url = setting("DATABASE_URL", f"sqlite:///{DEFAULT_DATABASE}")
    # Opening a missing SQLite file would create an empty one: say so instead.
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise UsageError(f"No database at {path}: start backend.py and chat first, or set DATABASE_URL.")
    return open_database(url, Base, default=DEFAULT_DATABASE)


def list_sessions(session) -> None:
    rows = session.execute(select(ChatSession, message_counts()).order_by(ChatSession.created_at.desc())).all()
    print(f"{'SESSION ID':<38}{'CREATED (UTC)':<22}MESSAGES")
    for chat, count in rows:
        print(f"{chat.id:<38}{chat.created_at:%Y-%m-%d %H:%M:%S}   {count:>8}")
    print(f"({len(rows)} sessions)")


def show_session(session, session_id: str) -> None:
    chat = session.get(ChatSession, session_id)
    if chat is None:
        raise UsageError(f"No session {session_id!r} in the database.")
    print(f"Session {chat.id}, created {chat.created_at:%Y-%m-%d %H:%M:%S} UTC")
    for item in session.scalars(select(Item).where(Item.session_id == session_id).order_by(Item.id)):
        who = item.role or item.type
        print(f"  turn {item.turn:<3} {who:<22} {readable(json.loads(item.payload))}")


def show_stats(session) -> None:
    print(f"sessions: {session.scalar(select(func.count(ChatSession.id)))}")
    by_type = session.execute(select(Item.type, func.count(Item.id)).group_by(Item.type).order_by(Item.type)).all()
    print(f"items:    {sum(count for _, count in by_type)}")
    for item_type, count in by_type:
        print(f"  {item_type:<22}{count:>6}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Inspect the advanced weather app's database.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("sessions", help="list the sessions")
    show = commands.add_parser("show", help="show one session's history")
    show.add_argument("session_id")
    commands.add_parser("stats", help="count sessions and items")
    args = parser.parse_args()

    sessions = open_backends_database()
    try:
        with sessions() as session:
            if args.command == "sessions":
                list_sessions(session)
            elif args.command == "show":
                show_session(session, args.session_id)
            else:
                show_stats(session)
    finally:
        sessions.kw["bind"].dispose()


if __name__ == "__main__":
    run(main)
