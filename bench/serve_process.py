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


def start_clinic_serve(
    url: str, workers: int, env: dict[str, str]
) -> tuple[subprocess.Popen[str], int]:
    """``mitra clinic serve --db URL --port 0 --workers N`` on loopback, once every worker
    answers (a worker still starting would otherwise show up as the first requests' latency).
    The server is killed if it does not say it started or never answers."""
    import time
    import urllib.error
    import urllib.request

    mitra = str(Path(sys.executable).with_name("mitra"))
    process = subprocess.Popen(
        [mitra, "clinic", "serve", "--db", url, "--host", "127.0.0.1", "--port", "0",
         "--workers", str(workers)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # its own process group, with its workers
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    if " at http://" not in line:
        process.kill()
        raise RuntimeError(f"mitra clinic serve did not start: {line!r}")
    port = int(line.rsplit(":", 1)[1].strip().rstrip("/"))
    deadline = time.monotonic() + 60
    answered = 0
    while answered < 4 * workers:  # the port is shared: ask often enough to reach each worker
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=10) as reply:
                answered += reply.status == 200
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("mitra clinic serve never answered") from None
            time.sleep(0.2)
    return process, port
