"""Start ``mitra serve`` as its own process on a free loopback port, for the web benchmarks
(each measures the server from another process, as a browser or client would)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def start_serve(journal: Path, env: dict[str, str], host: str) -> tuple[subprocess.Popen[str], int]:
    """The running server and its port; the server is killed if it does not say it started."""
    mitra = str(Path(sys.executable).with_name("mitra"))
    process = subprocess.Popen(
        [mitra, "--db", str(journal), "serve", "--host", host, "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if " at http://" not in line:
        process.kill()
        raise RuntimeError(f"mitra serve did not start: {line!r}")
    return process, int(line.rsplit(":", 1)[1].strip().rstrip("/"))


def start_peer_serve(journal: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    """``start_serve`` for ``peer_server.py``: mitra's app plus the bare ``/bench-peer`` route."""
    script = Path(__file__).with_name("peer_server.py")
    process = subprocess.Popen(
        [sys.executable, str(script), str(journal)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if " at http://" not in line:
        process.kill()
        raise RuntimeError(f"the peer server did not start: {line!r}")
    return process, int(line.rsplit(":", 1)[1].strip().rstrip("/"))
