"""The Host allowlist: loopback names, the bound address and ``--allowed-host`` names answer;
every other name is refused, also when serving beyond loopback (no wildcard, so a
DNS-rebinding page never reaches the journal)."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import mitra.cli.main  # noqa: F401  (the command modules import it; it must load first)
from mitra.cli.serve_cmd import web_settings
from mitra.services.context import AppContext
from mitra.web.app import WebSettings, create_app
from mitra.web.guards import host_name
from tests.support.cli import run


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("localhost:8000", "localhost"),
        ("LOCALHOST", "localhost"),
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]:8000", "::1"),
        ("[::1]", "::1"),
        ("mypc.local:80", "mypc.local"),
    ],
)
def test_host_headers_are_read_with_ports_and_ipv6_brackets(header: str, name: str) -> None:
    assert host_name(header) == name


def _status(ctx: AppContext, settings: WebSettings, host: str) -> int:
    with TestClient(create_app(ctx, settings=settings), base_url="http://127.0.0.1") as client:
        return client.get("/api/v1/profile", headers={"host": host}).status_code


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1:8000", "[::1]:8000", "[::1]"])
def test_loopback_names_always_answer(sqlite_ctx: AppContext, host: str) -> None:
    assert _status(sqlite_ctx, WebSettings(), host) == 200


@pytest.mark.parametrize(
    ("bound", "host"), [("::1", "[::1]:8123"), ("127.0.0.2", "127.0.0.2:8123")]
)
def test_the_bound_address_answers(sqlite_ctx: AppContext, bound: str, host: str) -> None:
    assert _status(sqlite_ctx, web_settings(bound, (), demo=False), host) == 200


def test_an_allowed_host_answers_and_others_are_refused_beyond_loopback(
    sqlite_ctx: AppContext,
) -> None:
    settings = web_settings("0.0.0.0", ("mypc.local",), demo=False)
    assert _status(sqlite_ctx, settings, "mypc.local:8000") == 200
    # --allow-network used to allow every name: a rebinding page's own name must stay out.
    for host in ("evil.example", "rebind.attacker.test:8000", "0.0.0.0:8000", ""):
        assert _status(sqlite_ctx, settings, host) == 400, host


def test_a_refused_host_writes_nothing(sqlite_ctx: AppContext) -> None:
    with TestClient(create_app(sqlite_ctx), base_url="http://127.0.0.1") as client:
        refused = client.post(
            "/api/v1/entries/doses", json={"amount": "3g"}, headers={"host": "evil.example"}
        )
        assert refused.status_code == 400
        assert refused.headers["cache-control"] == "no-store"
        assert client.get("/api/v1/entries").json()["entries"] == []


@pytest.mark.parametrize("name", ["*", "*.example", "http://x.example", "x.example:80", ""])
def test_an_allowed_host_must_be_a_plain_name(tmp_path: Path, name: str) -> None:
    result = run("serve", "--allowed-host", name, db=str(tmp_path / "j.sqlite3"))
    assert result.code == 2 and "--allowed-host" in result.err
    assert not (tmp_path / "j.sqlite3").exists()


def _serve_and_ask(tmp_path: Path, bound: str, extra: list[str], hosts: list[str]) -> list[int]:
    """Run ``mitra serve --host bound``, then GET /api/v1/profile once per Host header."""
    mitra = str(Path(sys.executable).with_name("mitra"))
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    args = [mitra, "--db", str(tmp_path / "j.sqlite3"), "serve", "--host", bound, "--port", "0"]
    process = subprocess.Popen(
        [*args, *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("mitra is serving "), first + process.stderr.read()
        port = int(first.rsplit(":", 1)[1].strip().rstrip("/"))
        statuses = []
        deadline = time.monotonic() + 15
        for host in hosts:
            while True:
                try:
                    connection = http.client.HTTPConnection(bound, port, timeout=2)
                    connection.request("GET", "/api/v1/profile", headers={"Host": host})
                    statuses.append(connection.getresponse().status)
                    connection.close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
        return statuses
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_on_ipv6_loopback_answers_its_own_address(tmp_path: Path) -> None:
    assert _serve_and_ask(tmp_path, "::1", [], ["[::1]", "localhost", "evil.example"]) == [
        200,
        200,
        400,
    ]


def test_serve_on_another_loopback_address_answers_it(tmp_path: Path) -> None:
    hosts = ["127.0.0.2", "mypc.local", "evil.example"]
    extra = ["--allowed-host", "mypc.local"]
    assert _serve_and_ask(tmp_path, "127.0.0.2", extra, hosts) == [200, 200, 400]
