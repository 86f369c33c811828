"""``mitra share push`` from a local SQLite journal to a real clinic server (uvicorn on
127.0.0.1, over HTTP and over HTTPS with a test CA): only what changed travels, entries keep
their uuids, the server judges them with the same engine, a deletion travels as a deletion,
and a retried or interrupted push never doubles or loses an entry."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from mitra.domain.errors import InputError
from mitra.services import share_push
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.safety import SafetyService
from mitra.storage.database import open_database
from tests.clinic_web.conftest import Clinic
from tests.support.cli import run
from tests.support.clock import FIXED_NOW


def _serve(clinic: Clinic, **ssl_files: str) -> Iterator[int]:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    config = uvicorn.Config(
        clinic.app, log_level="warning", access_log=False, lifespan="off", **ssl_files
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the clinic test server did not start"
        time.sleep(0.02)
    try:
        yield int(sock.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def port(clinic: Clinic) -> Iterator[int]:
    yield from _serve(clinic)


@pytest.fixture
def local(tmp_path: Path) -> AppContext:
    return AppContext(
        open_database(f"sqlite:///{tmp_path / 'local.sqlite3'}"), clock=lambda: FIXED_NOW
    )


def _server_entries(clinic: Clinic) -> tuple[dict[str, int], set[int]]:
    entries, deleted, _ = JournalService(clinic.journal("owner")).history(
        since="60 days ago", include_deleted=True
    )
    return {str(e.uuid): int(e.id or 0) for e in entries}, deleted


def test_a_push_sends_what_changed_and_the_server_judges_it(
    clinic: Clinic, port: int, local: AppContext
) -> None:
    journal = JournalService(local)
    first = journal.log_dose("3g", at="2h ago").entry
    breathing = journal.log_symptom("I can't breathe properly").entry
    slip = journal.log_dose("2g", at="1h ago").entry
    journal.delete(int(slip.id or 0))
    to, token = f"http://127.0.0.1:{port}", clinic.token("owner", "read", "write")
    assert [v.pending for v in share_push.status(local, to)] == [3]

    sent = share_push.push(local, to, token)
    assert (sent.sent, sent.added, sent.unchanged) == (3, 2, 1)  # the deleted one stays home
    by_uuid, deleted = _server_entries(clinic)
    assert set(by_uuid) == {first.uuid, breathing.uuid} and not deleted
    serious = SafetyService(clinic.journal("owner")).open_serious()
    assert any(a.alert.severity.value == "emergency" for a in serious)  # judged on the server

    again = share_push.push(local, to, token)
    assert again.sent == 0 and _server_entries(clinic)[0] == by_uuid  # nothing doubled

    journal.delete(int(first.id or 0))
    gone = share_push.push(local, to, token)
    assert (gone.sent, gone.deleted) == (1, 1)
    assert _server_entries(clinic)[1] == {by_uuid[str(first.uuid)]}
    journal.undo()  # restores the dose
    back = share_push.push(local, to, token)
    assert (back.sent, back.restored) == (1, 1)
    assert not _server_entries(clinic)[1]
    assert [v.pending for v in share_push.status(local)] == [0]


class _FailsOnce(httpx.HTTPTransport):
    """A real transport that loses the connection on the second request, once."""

    def __init__(self) -> None:
        super().__init__()
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.requests == 2:
            raise httpx.ConnectError("connection lost", request=request)
        return super().handle_request(request)


def test_an_interrupted_push_run_again_neither_doubles_nor_loses_an_entry(
    clinic: Clinic, port: int, local: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = JournalService(local)
    made = [journal.log_dose(f"{n}g", at=f"{n}h ago").entry for n in (1, 2, 3)]
    to, token = f"http://127.0.0.1:{port}", clinic.token("owner", "read", "write")
    monkeypatch.setattr(share_push, "BATCH", 1)
    with pytest.raises(share_push.PushFailed, match="run the push again"):
        share_push.push(local, to, token, transport=_FailsOnce())
    assert len(_server_entries(clinic)[0]) == 1  # the first batch arrived
    assert [v.pending for v in share_push.status(local, to)] == [3]  # nothing marked sent
    done = share_push.push(local, to, token)
    assert (done.added, done.unchanged) == (2, 1)
    assert set(_server_entries(clinic)[0]) == {e.uuid for e in made}


def _test_ca(folder: Path) -> tuple[Path, Path, Path]:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # certificates valid 2026-2036, not "now"
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mitra test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(name).public_key(server_key.public_key()).serial_number(2)
        .not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


def test_over_https_the_servers_certificate_is_checked(
    clinic: Clinic, local: AppContext, tmp_path: Path
) -> None:
    ca_file, cert_file, key_file = _test_ca(tmp_path)
    JournalService(local).log_dose("3g")
    token = clinic.token("owner", "read", "write")
    served = _serve(clinic, ssl_certfile=str(cert_file), ssl_keyfile=str(key_file))
    port = next(served)
    try:
        to = f"https://127.0.0.1:{port}"
        with pytest.raises(share_push.PushFailed, match="could not reach"):
            share_push.push(local, to, token)  # an unknown CA is refused
        assert share_push.push(local, to, token, ca_file=str(ca_file)).added == 1
    finally:
        next(served, None)
    ssl.create_default_context(cafile=str(ca_file))  # the test CA itself is well formed


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://clinic.example.org", "plain http is only for a server on this computer"),
        ("ftp://clinic.example.org", "is not a server address"),
        ("https://user:pw@clinic.example.org", "address alone"),
    ],
)
def test_an_address_mitra_will_not_push_to_is_refused(url: str, words: str) -> None:
    with pytest.raises(InputError, match=words):
        share_push.normalise_target(url)


def test_addresses_are_kept_in_one_form() -> None:
    assert share_push.normalise_target("HTTPS://Clinic.Example.org:8443/mitra/") == (
        "https://clinic.example.org:8443/mitra"
    )
    assert share_push.normalise_target("http://[::1]:8800") == "http://[::1]:8800"


def test_the_command_refuses_plain_http_across_the_network_and_writes_nothing(
    tmp_path: Path,
) -> None:
    db = tmp_path / "journal.sqlite3"
    result = run("--db", str(db), "share", "push", "--to", "http://clinic.example.org",
                 "--token", "t")  # fmt: skip
    assert result.code == 2 and "use https://" in result.err
    status = run("--db", str(db), "share", "status", "--json")
    assert status.code == 0 and '"servers": []' in status.out
