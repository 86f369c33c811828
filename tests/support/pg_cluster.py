"""A private PostgreSQL cluster on 127.0.0.1 for the storage tests, started and stopped here.

Uses Debian's server binaries (``/usr/lib/postgresql/<version>/bin``), which ``make test``
installs when missing. ``running_replica`` makes a hot standby of a running cluster with
``pg_basebackup`` and streams from it (the tests of the clinic's replica reads). PostgreSQL
refuses to run as root, so as root the clusters run as the ``postgres`` system user through
``runuser``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


def _bin_dir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    if which:
        return Path(which).parent
    raise RuntimeError(
        "PostgreSQL server binaries not found: run 'make test' (it installs Debian's "
        "postgresql) or 'apt-get install postgresql'"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _place(prefix: str) -> tuple[Path, Path, Path, Callable[..., None]]:
    """A new folder for a cluster (root, data and socket folders), and how to run the server
    binaries there (as the ``postgres`` user when this is root)."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    as_root = os.geteuid() == 0
    runner = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
        root.chmod(0o755)

    def run(*args: str) -> None:
        subprocess.run([*runner, *args], check=True, capture_output=True, text=True)

    return root, data, sockets, run


@contextlib.contextmanager
def running_cluster() -> Iterator[str]:
    """Yield a base URL ``postgresql://postgres@127.0.0.1:PORT`` of a fresh cluster."""
    bin_dir = _bin_dir()
    root, data, sockets, run = _place("mitra-pg-")
    port = _free_port()

    run(
        str(bin_dir / "initdb"),
        "-D",
        str(data),
        "-U",
        "postgres",
        "--auth=trust",
        "--encoding=UTF8",
        "--no-sync",
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={sockets} "
        "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
    )
    run(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-l",
        str(root / "log"),
        "-w",
        "-t",
        "60",
        "start",
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def create_database(base_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base_url}/{name}"


@contextlib.contextmanager
def running_replica(primary_url: str) -> Iterator[str]:
    """Yield the base URL of a streaming hot standby of the cluster at ``primary_url``
    (``postgresql://postgres@127.0.0.1:PORT``, as ``running_cluster`` gives)."""
    bin_dir = _bin_dir()
    primary_port = primary_url.rsplit(":", 1)[1].split("/", 1)[0]
    root, data, sockets, run = _place("mitra-pg-replica-")
    port = _free_port()

    # -R writes standby.signal and primary_conninfo: the copy starts as a streaming standby.
    run(
        str(bin_dir / "pg_basebackup"),
        "-h", "127.0.0.1", "-p", primary_port, "-U", "postgres",
        "-D", str(data), "-R", "-X", "stream", "--no-sync", "--checkpoint=fast",
    )  # fmt: skip
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={sockets} "
        "-c hot_standby=on -c fsync=off"
    )
    run(
        str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"),
        "-w", "-t", "60", "start",
    )  # fmt: skip
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
