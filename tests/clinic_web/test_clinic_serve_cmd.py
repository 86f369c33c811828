"""``mitra clinic serve``: PostgreSQL only (a SQLite journal is refused, exit 2, nothing made),
and on PostgreSQL it prints its real address and answers there, with sign-in first; with
--workers, several processes share the port and one sign-in holds whichever answers."""

from __future__ import annotations

import http.cookiejar
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from mitra.web import csrf
from tests.support.cli import run


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_a_sqlite_journal_is_refused_and_nothing_is_made(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite3"
    result = run("clinic", "serve", "--db", str(path))
    assert result.code == 2
    assert "needs PostgreSQL" in result.err
    assert not path.exists()


def test_a_wildcard_allowed_host_is_refused(pg_url: str) -> None:
    result = run("clinic", "serve", "--db", pg_url, "--allowed-host", "*.example.org")
    assert result.code == 2
    assert "not a host name" in result.err


def test_a_replica_that_is_not_postgresql_is_refused(pg_url: str) -> None:
    result = run("clinic", "serve", "--db", pg_url, "--replica-url", "sqlite:///standby.db")
    assert result.code == 2
    assert "the replica must be a PostgreSQL URL" in result.err


def test_the_replica_bound_in_help_is_the_replicas_own_default() -> None:
    from mitra.cli.clinic_serve_cmd import DEFAULT_MAX_LAG_SECONDS
    from mitra.storage import replica

    assert DEFAULT_MAX_LAG_SECONDS == replica.DEFAULT_MAX_LAG_SECONDS


def _get(address: str) -> tuple[int, str | None]:
    opener = urllib.request.build_opener(NoRedirect)
    try:
        answer = opener.open(address, timeout=5)
        return answer.status, answer.headers.get("location")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("location")


def test_it_serves_on_loopback_and_sends_visitors_to_sign_in(pg_url: str, tmp_path: Path) -> None:
    mitra = str(Path(sys.executable).with_name("mitra"))
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    process = subprocess.Popen(
        [mitra, "clinic", "serve", "--db", pg_url, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "http://127.0.0.1:" in line, line
        address = line.split(" at ", 1)[1].strip()
        deadline = time.monotonic() + 20
        while True:
            try:
                found = _get(address + "today")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert found == (303, "/sign-in")
        page = urllib.request.urlopen(address + "sign-in", timeout=5).read().decode()
        assert "<h1>Sign in</h1>" in page
    finally:
        process.terminate()
        process.wait(timeout=10)


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(p) for p in found]


def test_worker_processes_share_the_port_and_honour_one_sign_in(
    pg_url: str, tmp_path: Path
) -> None:
    from mitra.domain.access import Role
    from mitra.services import clinic_accounts
    from mitra.storage.database import open_database, resolve_url
    from tests.clinic_web.conftest import FAST, FIXED_NOW, PASSWORD, TOKEN_FIELD

    database = open_database(resolve_url(pg_url))
    clinic_accounts.add_user(
        database, email="w@example.org", role=Role.PERSON, password=PASSWORD, at=FIXED_NOW,
        settings=FAST,
    )  # fmt: skip
    database.dispose()
    mitra = str(Path(sys.executable).with_name("mitra"))
    env = {
        **os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
        "MITRA_FIXED_NOW": FIXED_NOW.isoformat(),
    }  # fmt: skip
    process = subprocess.Popen(
        [mitra, "clinic", "serve", "--db", pg_url, "--port", "0", "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        address = line.split(" at ", 1)[1].strip()
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        deadline = time.monotonic() + 30
        while True:
            try:
                form = opener.open(address + "sign-in", timeout=5).read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "the workers did not answer"
                time.sleep(0.2)
        while len(_children(process.pid)) < 2:
            assert time.monotonic() < deadline, "two workers did not start"
            time.sleep(0.2)
        found = TOKEN_FIELD.search(form)
        assert found
        body = urllib.parse.urlencode(
            {"email": "w@example.org", "password": PASSWORD, "code": "",
             csrf.FIELD: found.group(1)}
        ).encode()  # fmt: skip
        try:
            opener.open(address + "sign-in", data=body, timeout=5)
        except urllib.error.HTTPError as exc:
            assert exc.code == 303, exc.read()
        # Whichever worker answers, the session is the same one (it is a row, not memory).
        answers = []
        for _ in range(16):
            try:
                answers.append(opener.open(address + "today", timeout=5).status)
            except urllib.error.HTTPError as exc:
                answers.append(exc.code)
        assert answers == [200] * 16
    finally:
        process.terminate()
        process.wait(timeout=20)
