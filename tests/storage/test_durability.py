"""Durability under kill -9: CLI and server writers are killed at random moments; afterwards
no acknowledged write is missing and SQLite's integrity check is ok.

Bounded in count and time (``CLI_KILLS`` commands, ``SERVER_ROUNDS`` server lifetimes of at
most ``ROUND_SECONDS`` each), on a temporary journal and 127.0.0.1 only. The kill moments come
from a seeded generator; a write counts as acknowledged only when its writer said so (the
CLI's JSON on exit 0, the API's 201), which is the promise mitra makes.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

CLI_KILLS = 12
SERVER_ROUNDS = 3
ROUND_SECONDS = 1.5
HOST = "127.0.0.1"


def _mitra() -> str:
    return str(Path(sys.executable).with_name("mitra"))


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}


def _cli_round(journal: Path, env: dict[str, str], rng: random.Random, number: int) -> str | None:
    """Log one dose and kill -9 it at a random moment; its note if it was acknowledged."""
    note = f"cli-{number}"
    process = subprocess.Popen(
        [_mitra(), "--db", str(journal), "log", "dose", "1g", "--note", note, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    time.sleep(rng.uniform(0.0, 1.2))
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    out, _ = process.communicate(timeout=10)
    if process.returncode == 0 and json.loads(out)["entry"]["note"] == note:
        return note
    return None


def _server_round(journal: Path, env: dict[str, str], rng: random.Random, number: int) -> list[str]:
    """Serve, write from a thread, kill -9 the server at a random moment; acknowledged notes."""
    server = subprocess.Popen(
        [_mitra(), "--db", str(journal), "serve", "--host", HOST, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    assert " at http://" in line, line
    port = int(line.rsplit(":", 1)[1].strip().rstrip("/"))
    acknowledged: list[str] = []
    stop = threading.Event()

    def write() -> None:
        sent = 0
        while not stop.is_set():
            note = f"api-{number}-{sent}"
            sent += 1
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=5)
                body = json.dumps({"amount": "1g", "note": note})
                conn.request(
                    "POST",
                    "/api/v1/entries/doses",
                    body=body,
                    headers={"content-type": "application/json"},
                )
                if conn.getresponse().status == 201:
                    acknowledged.append(note)
                conn.close()
            except OSError:
                return  # the server is gone

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(rng.uniform(0.2, ROUND_SECONDS))
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=10)
    stop.set()
    writer.join(timeout=10)
    return acknowledged


def test_no_acknowledged_write_is_lost_when_writers_are_killed(tmp_path: Path) -> None:
    rng = random.Random(13)
    env = _env(tmp_path)
    journal = tmp_path / "journal.sqlite3"
    assert (
        subprocess.run(
            [_mitra(), "--db", str(journal), "profile", "set", "--timezone", "UTC"],
            env=env,
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    acknowledged = [n for i in range(CLI_KILLS) if (n := _cli_round(journal, env, rng, i))]
    for number in range(SERVER_ROUNDS):
        acknowledged += _server_round(journal, env, rng, number)
    with sqlite3.connect(journal) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = {row[0] for row in conn.execute("SELECT note FROM entries")}
    missing = [note for note in acknowledged if note not in stored]
    assert missing == []
    assert len(acknowledged) > CLI_KILLS // 3  # the test did write, not only kill
