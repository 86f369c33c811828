"""``mitra serve``: loopback by default, a deliberate flag for anything else, the real address
printed, and no web framework on the start-up path of other commands."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import mitra.cli.main  # noqa: F401  (the command modules import it; it must load first)
from mitra.cli.serve_cmd import is_loopback
from tests.support.cli import run


def test_the_cli_start_up_path_imports_no_web_framework() -> None:
    code = (
        "import sys, mitra.cli.main; heavy = [m for m in ('fastapi', 'starlette', 'uvicorn', "
        "'jinja2', 'pygal', 'pydantic', 'mitra.web') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("192.168.1.20", False),
        ("myhost.example", False),
    ],
)
def test_only_loopback_addresses_count_as_this_computer(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_another_address_is_refused_without_allow_network(tmp_path: Path) -> None:
    result = run("serve", "--host", "0.0.0.0", db=str(tmp_path / "j.sqlite3"))
    assert result.code == 2
    assert "--allow-network" in result.err
    assert "no sign-in" in result.err
    assert not (tmp_path / "j.sqlite3").exists()  # refused before opening anything


def test_serve_prints_its_real_address_and_answers_there(tmp_path: Path) -> None:
    mitra = str(Path(sys.executable).with_name("mitra"))
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    process = subprocess.Popen(
        [mitra, "--db", str(tmp_path / "j.sqlite3"), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("mitra is serving "), first
        address = first.split(" at ", 1)[1].strip()
        assert address.startswith("http://127.0.0.1:")
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(address + "api/v1/profile", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=10)
