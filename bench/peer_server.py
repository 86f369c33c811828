"""A ``mitra serve`` for the load benchmark, with one extra route: ``GET /bench-peer``, a bare
FastAPI route returning a constant, on the same app, server and process.

Why on mitra's own app (not a second bare app in another process): the peer then shares
everything that is not mitra's work on a write (the uvicorn server and event loop, the
process, mitra's middleware: host guard, timing header) and runs at the same moments on the
same loaded machine, so "mitra's dose API / bare route" isolates the cost of the write itself.
The app is made as ``mitra serve`` makes it (``create_app`` over the journal, the web
settings ``serve_cmd.web_settings`` gives, uvicorn configured the same, the socket bound
before the address is printed); the route is only ever added here, never in mitra.

Usage (by ``bench/web_load.py``): python bench/peer_server.py JOURNAL_FILE
Prints ``mitra is serving ... at http://127.0.0.1:PORT/`` once listening, as ``mitra serve``.
"""

from __future__ import annotations

import socket
import sys

HOST = "127.0.0.1"  # loopback only, always


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
    # A route added last would be shadowed by a catch-all; put it first.
    app.router.routes.insert(0, app.router.routes.pop())
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    sock.listen(512)
    print(f"mitra is serving {sys.argv[1]} at http://{HOST}:{sock.getsockname()[1]}/", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
