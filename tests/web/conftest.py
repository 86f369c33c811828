"""Web fixtures: apps over temporary SQLite files, an in-process client, a live server, and
a browser page on it.

The live server is uvicorn in a background thread on 127.0.0.1 with a free port, over its own
temporary database, as ``mitra serve`` runs it; the browser tests drive Debian's Chromium
against it (``page`` opens it at a desktop width and at 360 px). Nothing here reaches beyond
this machine.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.storage.database import open_database
from mitra.web.app import create_app
from tests.support.clock import fixed_now

BASE_URL = "http://127.0.0.1"
WIDTHS = {"desktop": (1280, 900), "phone": (360, 740)}


@pytest.fixture
def app(sqlite_ctx: AppContext) -> FastAPI:
    return create_app(sqlite_ctx)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


def entry_count(ctx: AppContext) -> int:
    """Every entry ever stored, deleted or not: a refused request must not change it."""
    found, _, _ = JournalService(ctx).history(include_deleted=True)
    return len(found)


@dataclass
class LiveServer:
    url: str
    ctx: AppContext
    demo: AppContext


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    import uvicorn

    ctx = AppContext(open_database(f"sqlite:///{tmp_path / 'journal.sqlite3'}"), clock=fixed_now)
    demo = AppContext(open_database(f"sqlite:///{tmp_path / 'demo.sqlite3'}"), clock=fixed_now)
    app = create_app(ctx, demo=lambda: demo)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start within 10 s")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{sock.getsockname()[1]}", ctx, demo)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        ctx.database.dispose()
        demo.database.dispose()


@pytest.fixture(params=sorted(WIDTHS))
def page(request: pytest.FixtureRequest, browser: Any, live_server: LiveServer) -> Iterator[Any]:
    width, height = WIDTHS[request.param]
    context = browser.new_context(
        viewport={"width": width, "height": height}, base_url=live_server.url
    )
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    """The live server of the test (the same one the page fixture opened)."""
    return live_server
