"""The ``mitra clinic`` commands end to end, as an operator runs them (subprocesses, real
Argon2 parameters, a private PostgreSQL database): the contract of issue 16."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from mitra.domain.access import Action, Role
from mitra.services import clinic_accounts, clinic_sharing
from mitra.storage.database import Database, open_database
from tests.clinic.conftest import ADMIN_PASSWORD, CLINICIAN_PASSWORD, PERSON_PASSWORD, AddAccount
from tests.support.clock import FIXED_NOW

NEEDS_POSTGRESQL = "the clinic server needs PostgreSQL (postgresql://...)"


def clinic(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mitra", "clinic", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_operator_sets_up_accounts_tokens_shares_and_verifies_the_audit_log(
    pg_url: str,
) -> None:
    done = clinic("init", "--db", pg_url, "--admin", "Admin@Clinic.org", stdin=ADMIN_PASSWORD)
    assert done.returncode == 0, done.stderr
    assert "otpauth://totp/" in done.stdout and "admin@clinic.org" in done.stdout
    # A person's password once; the clinician's twice (a confirmation), both accepted.
    person = clinic(
        "user", "add", "sam@example.org", "--role", "person", "--db", pg_url, stdin=PERSON_PASSWORD
    )
    assert person.returncode == 0, person.stderr
    lee = clinic(
        "user",
        "add",
        "dr.lee@clinic.org",
        "--role",
        "clinician",
        "--db",
        pg_url,
        stdin=f"{CLINICIAN_PASSWORD}\n{CLINICIAN_PASSWORD}\n",
    )
    assert lee.returncode == 0, lee.stderr
    assert "otpauth://totp/" in lee.stdout
    listed = clinic("user", "list", "--db", pg_url)
    assert [line.split("\t")[1:3] for line in listed.stdout.splitlines()] == [
        ["admin@clinic.org", "admin"],
        ["sam@example.org", "person"],
        ["dr.lee@clinic.org", "clinician"],
    ]

    made = clinic("token", "create", "sam@example.org", "--db", pg_url, "--scope", "read")
    assert made.returncode == 0, made.stderr
    token = made.stdout.splitlines()[-1]
    database = open_database(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        caller = clinic_accounts.resolve_token(database, token, at=FIXED_NOW)
        assert caller is not None and caller.email == "sam@example.org"
        assert caller.scopes == frozenset({"read"})
        assert caller.journal_id is not None
        journal = caller.journal_id
        clinician = clinic_accounts.list_users(database)[2]
        lee_caller = clinic_accounts.caller_of(clinician, via="session")

        def lee_may_read() -> bool:
            decision = clinic_sharing.access_for(
                database, lee_caller, journal, Action.READ, at=FIXED_NOW
            )
            return decision.allowed

        assert not lee_may_read()
        shared = clinic("share", "sam@example.org", "dr.lee@clinic.org", "--db", pg_url)
        assert shared.returncode == 0, shared.stderr
        assert lee_may_read()
        revoked = clinic("revoke", "sam@example.org", "dr.lee@clinic.org", "--db", pg_url)
        assert revoked.returncode == 0, revoked.stderr
        assert not lee_may_read()

        verified = clinic("audit", "verify", "--db", pg_url)
        assert verified.returncode == 0, verified.stderr
        with database.transaction() as conn:
            conn.execute(text("UPDATE audit_log SET actor_role = 'admin' WHERE seq = 2"))
    finally:
        database.dispose()
    broken = clinic("audit", "verify", "--db", pg_url)
    assert broken.returncode == 1
    assert "broken at row 2:" in broken.stderr


def test_two_different_password_lines_are_refused_and_nothing_is_written(pg_url: str) -> None:
    done = clinic(
        "user",
        "add",
        "sam@example.org",
        "--role",
        "person",
        "--db",
        pg_url,
        stdin=f"{PERSON_PASSWORD}\n{PERSON_PASSWORD}x\n",
    )
    assert done.returncode == 2
    assert "differ" in done.stderr
    assert "sam@example.org" not in clinic("user", "list", "--db", pg_url).stdout


def test_a_sqlite_url_or_path_is_refused_with_exit_2_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    path = tmp_path / "clinic.sqlite3"
    for given in (str(path), f"sqlite:///{path}"):
        done = clinic("init", "--db", given, "--admin", "a@clinic.org", stdin=ADMIN_PASSWORD)
        assert done.returncode == 2
        assert NEEDS_POSTGRESQL in done.stderr
        assert "the local journal stays on SQLite" in done.stderr
        listed = clinic("user", "list", "--db", given)
        assert listed.returncode == 2
    assert list(tmp_path.iterdir()) == []


def test_a_weak_or_breached_password_is_refused_with_exit_2(pg_url: str) -> None:
    breached = clinic(
        "user", "add", "dr.lee@clinic.org", "--role", "clinician", "--db", pg_url,
        stdin="Password1",
    )  # fmt: skip
    assert breached.returncode == 2
    assert "leaked" in breached.stderr
    short = clinic(
        "user", "add", "sam@example.org", "--role", "person", "--db", pg_url,
        stdin="amber kettle 9",  # 14: 15 characters are needed without a second factor
    )  # fmt: skip
    assert short.returncode == 2
    assert "at least 15" in short.stderr
    assert clinic("user", "list", "--db", pg_url).stdout.startswith("No accounts")


def test_init_is_refused_once_there_is_an_admin(pg_url: str) -> None:
    assert (
        clinic("init", "--db", pg_url, "--admin", "a@clinic.org", stdin=ADMIN_PASSWORD).returncode
        == 0
    )
    again = clinic("init", "--db", pg_url, "--admin", "b@clinic.org", stdin=ADMIN_PASSWORD)
    assert again.returncode == 2
    assert "already has an admin" in again.stderr


def test_the_audit_log_exports_as_json_lines_and_csv_with_its_hashes(
    pg_url: str, tmp_path: Path
) -> None:
    clinic("init", "--db", pg_url, "--admin", "a@clinic.org", stdin=ADMIN_PASSWORD)
    made = json.loads(clinic("token", "create", "a@clinic.org", "--db", pg_url, "--json").stdout)
    assert made["token"].startswith("mitra_") and made["scopes"] == ["admin", "plan", "read"]
    lines = clinic("audit", "export", "--db", pg_url).stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    assert [(r["seq"], r["action"], r["object_type"]) for r in rows] == [
        (1, "create", "account"),
        (2, "create", "api_token"),
    ]
    assert rows[1]["prev_hash"] == rows[0]["row_hash"]
    out = tmp_path / "audit.csv"
    done = clinic("audit", "export", "--db", pg_url, "--out", str(out))
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8", newline="") as handle:
        from_csv = list(csv.DictReader(handle))
    assert [r["row_hash"] for r in from_csv] == [r["row_hash"] for r in rows]


def test_a_qr_code_is_written_for_a_clinician(pg_url: str, tmp_path: Path) -> None:
    qr = tmp_path / "lee.svg"
    done = clinic(
        "user", "add", "dr.lee@clinic.org", "--role", "clinician", "--db", pg_url,
        "--qr", str(qr), stdin=CLINICIAN_PASSWORD,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "<svg" in qr.read_text(encoding="utf-8")


def test_admins_list_every_break_glass_access(pg_url: str) -> None:
    from datetime import timedelta

    from mitra.domain.access import Role
    from tests.clinic.conftest import FAST

    database = open_database(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        sam = clinic_accounts.add_user(
            database,
            email="sam@example.org",
            role=Role.PERSON,
            password=PERSON_PASSWORD,
            at=FIXED_NOW,
            settings=FAST,
        )
        lee = clinic_accounts.add_user(
            database,
            email="dr.lee@clinic.org",
            role=Role.CLINICIAN,
            password=CLINICIAN_PASSWORD,
            at=FIXED_NOW,
            settings=FAST,
        )
        assert sam.journal_id is not None
        clinician = clinic_accounts.Caller(
            lee.account_id, Role.CLINICIAN, lee.email, None, frozenset({"read"})
        )
        clinic_sharing.break_glass(
            database,
            clinician=clinician,
            journal_id=sam.journal_id,
            reason="found unresponsive at the clinic door",
            minutes=45,
            at=FIXED_NOW - timedelta(hours=1),
        )
    finally:
        database.dispose()
    done = clinic("audit", "break-glass", "--db", pg_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "2026-11-20 14:00 to 2026-11-20 14:45 UTC\tdr.lee@clinic.org\t"
        f"sam@example.org (journal {sam.journal_id})\tfound unresponsive at the clinic door"
    ]


def test_a_clinician_invites_a_person_who_joins_with_a_journal_of_their_own(
    clinic_db: Database, clinic_url: str, add: AddAccount
) -> None:
    add("dr.lee@clinic.org", Role.CLINICIAN)
    add("sam@example.org", Role.PERSON)
    url = clinic_url
    made = clinic("invite", "ana@example.org", "--by", "Dr.Lee@clinic.org", "--db", url)
    assert made.returncode == 0, made.stderr
    path = made.stdout.splitlines()[-1]
    assert path.startswith("/join/mitra_")
    joined = clinic_accounts.accept_invitation(
        clinic_db, token=path.removeprefix("/join/"), password=PERSON_PASSWORD, at=FIXED_NOW
    )
    assert joined.email == "ana@example.org" and joined.role is Role.PERSON
    assert joined.journal_id is not None
    # Refused, exit 2 and nothing stored: a person inviting, a clinician inviting a clinician,
    # an inviter with no account, and an email that already has one.
    for args in (
        ("bo@example.org", "--by", "sam@example.org"),
        ("bo@example.org", "--by", "dr.lee@clinic.org", "--role", "clinician"),
        ("bo@example.org", "--by", "nobody@clinic.org"),
        ("sam@example.org", "--by", "dr.lee@clinic.org"),
    ):
        refused = clinic("invite", *args, "--db", url)
        assert refused.returncode == 2, (args, refused.stdout, refused.stderr)
        assert refused.stdout == "" and refused.stderr.startswith("mitra: "), args
    with clinic_db.read() as conn:
        count = conn.execute(text("SELECT count(*) FROM invitations")).scalar_one()
    assert count == 1
