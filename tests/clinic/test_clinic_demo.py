"""``mitra clinic demo``: the sample clinic is built through the clinic's own use cases in an
empty PostgreSQL database, shows the roster in its documented risk order, carries what the
clinician did for a person, and never writes into a database that has accounts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mitra.domain.alerts import Severity
from mitra.domain.errors import ConflictError
from mitra.services import audit_log, care_notes, clinic_demo, clinic_roster, person_limits
from mitra.services.clinic_demo import build_clinic_demo
from mitra.services.context import AppContext
from mitra.services.plans import PlanService
from mitra.services.safety import SafetyService
from mitra.storage import account_store
from mitra.storage.database import Database
from tests.clinic.conftest import FAST
from tests.support.clock import fixed_now


@pytest.fixture
def built(clinic_db: Database) -> clinic_demo.ClinicDemo:
    return build_clinic_demo(AppContext(clinic_db, clock=fixed_now), settings=FAST)


def test_roster_puts_the_unseen_emergency_first_and_leaves_out_the_unshared_journal(
    built: clinic_demo.ClinicDemo,
) -> None:
    rows = built.roster.rows
    assert [r.email for r in rows] == [clinic_demo.JO, clinic_demo.SAM, clinic_demo.ANA]
    assert [r.placed.tier.id for r in rows] == ["emergency-unseen", "emergency", "urgent"]
    jo, sam, ana = (r.signals for r in rows)
    assert jo.unseen_emergency >= 1
    assert sam.open_emergency >= 1 and sam.unseen_emergency == 0
    assert ana.open_urgent >= 1
    assert [r.scope for r in rows] == ["plan", "plan", "read"]
    cows = next(t for t in jo.trends if t.instrument_id == "cows")
    assert cows.latest >= 13 and cows.previous is not None and cows.latest > cows.previous


def test_what_the_clinician_did_for_sam_is_stored_and_audited(
    built: clinic_demo.ClinicDemo, clinic_db: Database
) -> None:
    sam = next(a for a in built.accounts if a.email == clinic_demo.SAM)
    assert sam.journal_id is not None
    journal_id = sam.journal_id
    overrides = person_limits.in_force(clinic_db, journal_id)[1]
    assert overrides == clinic_demo.SAM_LIMITS
    team = care_notes.for_team(clinic_db, journal_id, offset=0, limit=10)
    mine = care_notes.for_person(clinic_db, journal_id, offset=0, limit=10)
    assert len(team.notes) == 2
    assert [n.text for n in mine.notes] == [clinic_demo.NOTE_FOR_SAM]  # the private one hidden
    row = next(r for r in built.roster.rows if r.journal_id == journal_id)
    assert row.signals.plan_event == "step-back"
    ctx = AppContext(clinic_db.for_journal(journal_id), clock=fixed_now)
    overview = PlanService(ctx).show()
    assert overview is not None
    emergencies = [
        s.alert_ids or (s.id,)
        for s in SafetyService(ctx).alerts()
        if s.alert.severity is Severity.EMERGENCY
    ]
    acks = clinic_roster.acks_by_alert(clinic_db, journal_id, emergencies)
    assert emergencies and all(seen for seen in acks)
    assert {a.note for seen in acks for a in seen} == {clinic_demo.SEEN_NOTE}
    verified = audit_log.verify(clinic_db)
    assert verified.broken is None and verified.rows > 0


def test_the_accounts_have_random_passwords_and_the_clinician_a_second_factor(
    built: clinic_demo.ClinicDemo,
) -> None:
    by_email = {a.email: a for a in built.accounts}
    assert set(by_email) == {
        clinic_demo.ADMIN,
        clinic_demo.CLINICIAN,
        clinic_demo.SAM,
        clinic_demo.JO,
        clinic_demo.ANA,
        clinic_demo.KIM,
    }
    assert len({a.password for a in built.accounts}) == len(built.accounts)
    assert by_email[clinic_demo.CLINICIAN].totp_uri is not None
    assert by_email[clinic_demo.SAM].totp_uri is None
    assert by_email[clinic_demo.KIM].shared is None


def test_a_database_with_accounts_is_refused_and_left_as_it_was(
    built: clinic_demo.ClinicDemo, clinic_db: Database
) -> None:
    with clinic_db.read() as conn:
        before = account_store.count_accounts(conn)
    with pytest.raises(ConflictError, match="only in an empty database"):
        build_clinic_demo(AppContext(clinic_db, clock=fixed_now), settings=FAST)
    with clinic_db.read() as conn:
        assert account_store.count_accounts(conn) == before


def clinic(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mitra", "clinic", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_the_command_builds_once_shows_the_roster_and_then_refuses(pg_url: str) -> None:
    done = clinic("demo", "--db", pg_url)
    assert done.returncode == 0, done.stderr
    assert "Lee's list, most in need first:" in done.stdout
    lines = done.stdout.splitlines()
    listed = [line.split()[0] for line in lines if line.startswith("  ") and "@" in line][:3]
    assert listed == [clinic_demo.JO, clinic_demo.SAM, clinic_demo.ANA]
    assert "Emergency not yet seen" in done.stdout
    assert "otpauth://totp/" in done.stdout
    assert "Authorization: Bearer " in done.stdout
    again = clinic("demo", "--db", pg_url, "--json")
    assert again.returncode == 2
    assert "only in an empty database" in again.stderr and again.stdout == ""


def test_the_command_refuses_sqlite() -> None:
    done = clinic("demo", "--db", "sqlite:///demo.sqlite3")
    assert done.returncode == 2
    assert "needs PostgreSQL" in done.stderr


def test_json_lists_accounts_tokens_and_roster(pg_url: str) -> None:
    done = clinic("demo", "--db", pg_url, "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert [r["email"] for r in document["roster"]] == [
        clinic_demo.JO,
        clinic_demo.SAM,
        clinic_demo.ANA,
    ]
    assert document["clinician_token"] and document["person_token"]
    assert {a["role"] for a in document["accounts"]} == {"admin", "clinician", "person"}
