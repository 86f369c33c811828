"""A ``mitra serve`` for the load benchmark, with two extra routes on the same app, server and
process: ``GET /bench-peer``, a bare FastAPI route returning a constant, and
``POST /bench-peer/write``, the least a durable write can be (below).

Why on mitra's own app (not a second bare app in another process): the peer then shares
everything that is not mitra's work on a write (the uvicorn server and event loop, the
process, mitra's middleware: host guard, timing header) and runs at the same moments on the
same loaded machine, so "mitra's dose API / bare route" isolates the cost of the write itself.
The app is made as ``mitra serve`` makes it (``create_app`` over the journal, the web
settings ``serve_cmd.web_settings`` gives, uvicorn configured the same, the socket bound
before the address is printed); the route is only ever added here, never in mitra.

``POST /bench-peer/write`` takes the dose API's body (a pydantic model of its two fields)
and stores it as one row of a SQLite file of its own beside the journal, set up as mitra's
(WAL, ``synchronous=FULL``, ``BEGIN IMMEDIATE``, one writer of the process at a time), and
answers 201 with the row's id. No judging, no journal: it is the floor under any write that
is acknowledged only once it is on disk, so "dose API / durable one-row write" says how much
of a dose write is mitra's work and how much is storing anything at all on this machine.

Usage (by ``bench/web_load.py``): python bench/peer_server.py JOURNAL_FILE
Prints ``mitra is serving ... at http://127.0.0.1:PORT/`` once listening, as ``mitra serve``.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable

from pydantic import BaseModel

HOST = "127.0.0.1"  # loopback only, always


class PeerDose(BaseModel):
    """The dose API's body, as the durable-write peer reads it."""

    amount: str
    at: str | None = None


def durable_writer(path: str) -> Callable[[PeerDose], dict[str, int]]:
    """The ``POST /bench-peer/write`` endpoint over a SQLite file at ``path`` (see above)."""
    import sqlite3
    import threading

    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=10000"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE IF NOT EXISTS doses (id INTEGER PRIMARY KEY, amount TEXT, at TEXT)")
    one_writer = threading.Lock()

    def write(dose: PeerDose) -> dict[str, int]:
        with one_writer:
            conn.execute("BEGIN IMMEDIATE")
            try:
                cursor = conn.execute(
                    "INSERT INTO doses (amount, at) VALUES (?, ?)", (dose.amount, dose.at)
                )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        return {"id": int(cursor.lastrowid or 0)}

    return write


def main() -> None:
    import uvicorn

    from mitra.services.context import AppContext
    from mitra.storage.database import open_database
    from mitra.web.app import WebSettings, create_app

    ctx = AppContext(open_database(f"sqlite:///{sys.argv[1]}"))
    app = create_app(ctx, settings=WebSettings(allowed_hosts=(), bound_host=HOST, demo=False))

    def bench_peer() -> dict[str, str]:
        return {"status": "ok"}

    app.add_api_route("/bench-peer", bench_peer, methods=["GET"])
    write = durable_writer(sys.argv[1] + ".peer-writes")
    app.add_api_route("/bench-peer/write", write, methods=["POST"], status_code=201)
    # Routes added last would be shadowed by a catch-all; put them first.
    app.router.routes[:0] = [app.router.routes.pop(), app.router.routes.pop()]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    sock.listen(512)
    print(f"mitra is serving {sys.argv[1]} at http://{HOST}:{sock.getsockname()[1]}/", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
