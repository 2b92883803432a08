"""Look inside the advanced weather app's database from the command line.

- ``sessions``: every session, newest first, with its number of messages;
- ``show SESSION_ID``: one session's history, turn by turn, as a person would read it;
- ``stats``: how many sessions and items of each type the database holds.

It reads the same database as the backend: ``DATABASE_URL``, or the backend's default file.

Run: uv run python -m Responses_API.weather_app_advanced_sessions.inspect_db sessions
     uv run python -m Responses_API.weather_app_advanced_sessions.inspect_db show SESSION_ID
     uv run python -m Responses_API.weather_app_advanced_sessions.inspect_db stats
"""

import argparse

from sqlalchemy import Connection, Engine, func, select

from openai_tutorial.client import UsageError, run, setting
from openai_tutorial.database import open_database, sqlite_path

from . import DEFAULT_DATABASE
from .models import ITEMS, SESSIONS, Base, message_counts, readable


def open_backends_database() -> Engine:
    url = setting("DATABASE_URL", f"sqlite:///{DEFAULT_DATABASE}")
    # Opening a missing SQLite file would create an empty one: say so instead.
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise UsageError(f"No database at {path}: start the backend and chat first, or set DATABASE_URL.")
    return open_database(url, Base, default=DEFAULT_DATABASE)


def list_sessions(connection: Connection) -> None:
    query = select(SESSIONS.c.id, SESSIONS.c.created_at, message_counts().label("messages"))
    rows = connection.execute(query.order_by(SESSIONS.c.created_at.desc())).all()
    print(f"{'SESSION ID':<38}{'CREATED (UTC)':<22}MESSAGES")
    for chat in rows:
        print(f"{chat.id:<38}{chat.created_at:%Y-%m-%d %H:%M:%S}   {chat.messages:>8}")
    print(f"({len(rows)} sessions)")


def show_session(connection: Connection, session_id: str) -> None:
    created_at = connection.scalar(select(SESSIONS.c.created_at).where(SESSIONS.c.id == session_id))
    if created_at is None:
        raise UsageError(f"No session {session_id!r} in the database.")
    print(f"Session {session_id}, created {created_at:%Y-%m-%d %H:%M:%S} UTC")
    for item in connection.execute(select(ITEMS).where(ITEMS.c.session_id == session_id).order_by(ITEMS.c.id)):
        who = item.role or item.type
        print(f"  turn {item.turn:<3} {who:<22} {readable(item.payload)}")


def show_stats(connection: Connection) -> None:
    print(f"sessions: {connection.scalar(select(func.count(SESSIONS.c.id)))}")
    by_type = connection.execute(
        select(ITEMS.c.type, func.count(ITEMS.c.id)).group_by(ITEMS.c.type).order_by(ITEMS.c.type)
    ).all()
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

    engine = open_backends_database()
    try:
        with engine.connect() as connection:
            if args.command == "sessions":
                list_sessions(connection)
            elif args.command == "show":
                show_session(connection, args.session_id)
            else:
                show_stats(connection)
    finally:
        engine.dispose()


if __name__ == "__main__":
    run(main)
