"""A throwaway PostgreSQL server for the tests, started once per run on a free loopback port.

The database-backed apps' suites run on SQLite and on this server. It needs PostgreSQL's
server programs (Debian's ``postgresql`` package, which ``.ci/run`` installs) and psycopg
(the ``production`` dependency group); without them the PostgreSQL tests are skipped
(see ``tests/support/optional.py``).
"""

import glob
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    # A test server that dies loses nothing of value: skip the disk syncs.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


class Unavailable(Exception):
    """Why no PostgreSQL server can be started here."""


def server_programs() -> Path:
    initdb = shutil.which("initdb") or max(glob.glob("/usr/lib/postgresql/*/bin/initdb"), default=None)
    if initdb is None:
        raise Unavailable("PostgreSQL's server programs are not installed (Debian: apt-get install postgresql)")
    return Path(initdb).parent


def as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root (CI), run it as the ``postgres`` user."""
    if os.geteuid() != 0:
        return command
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise Unavailable("running as root and there is no 'postgres' user to run the server as") from None
    return ["runuser", "-u", "postgres", "--", *command]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_server() -> Iterator[str]:
    """Start a new cluster in a temporary folder; yield the URL of its ``postgres`` database; stop and remove it."""
    if importlib.util.find_spec("psycopg") is None:
        raise Unavailable("psycopg is not installed: uv sync --group production")
    programs = server_programs()
    folder = Path(tempfile.mkdtemp(prefix="pg-tests-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", free_port()
    options = " ".join(f"-c {name}={value}" for name, value in SERVER_SETTINGS.items())
    try:
        subprocess.run(
            as_server_user([str(programs / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync"]),
            check=True,
            capture_output=True,
            env={**os.environ, "LC_ALL": "C.UTF-8"},
        )
        subprocess.run(
            as_server_user(
                [
                    str(programs / "pg_ctl"),
                    *("-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60"),
                    *("-o", f"-p {port} -k {folder} {options}", "start"),
                ]
            ),
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as error:
        shutil.rmtree(folder, ignore_errors=True)
        details = getattr(error, "stderr", b"") or b""
        raise Unavailable(f"could not start PostgreSQL: {error} {details.decode(errors='replace')}") from None
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            as_server_user([str(programs / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def new_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server, dropped afterwards (after its connections are closed)."""
    from sqlalchemy import create_engine, make_url, text

    name = f"test_{uuid.uuid4().hex}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
