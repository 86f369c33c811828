"""The clinic's own pages doing their jobs: joining by invitation (a password that passes
the rules, a new journal, signed in), sharing by a clinician's email with an end date and
stopping it, the people page newest activity first, a clinician's or admin's invitation made
on the people page, and the admin's export download."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from mitra.domain.access import Role
from mitra.services import audit_log, clinic_accounts, clinic_sharing
from mitra.web import csrf
from tests.clinic_web.conftest import FAST, Clinic, page_token


def _caller(clinic: Clinic, who: str) -> clinic_accounts.Caller:
    found = clinic_accounts.resolve_token(
        clinic.base.database, clinic.token(who), at=clinic.clock.now
    )
    assert found is not None
    return found


def test_an_invited_person_sets_a_password_and_gets_a_journal_of_their_own(
    clinic: Clinic,
) -> None:
    invitation = clinic_accounts.create_invitation(
        clinic.base.database,
        inviter=_caller(clinic, "clin_read"),
        email="new.person@clinic.example",
        role=Role.PERSON,
        at=clinic.clock.now,
        settings=FAST,
    )
    client = clinic.client()
    page = client.get(f"/join/{invitation}")
    assert page.status_code == 200 and "new.person@clinic.example" in page.text
    token = page_token(client, f"/join/{invitation}")
    weak = client.post(
        f"/join/{invitation}", data={"password": "password", "again": "password",
                                      csrf.FIELD: token},
    )  # fmt: skip
    assert weak.status_code == 422 and 'id="error-password"' in weak.text
    differ = client.post(
        f"/join/{invitation}",
        data={"password": "amber lantern quietly", "again": "amber lantern quiet",
              csrf.FIELD: token},
    )  # fmt: skip
    assert differ.status_code == 422 and 'id="error-again"' in differ.text
    joined = client.post(
        f"/join/{invitation}",
        data={"password": "amber lantern quietly", "again": "amber lantern quietly",
              csrf.FIELD: token},
    )  # fmt: skip
    assert (joined.status_code, joined.headers["location"]) == (303, "/welcome")
    assert client.get("/welcome").status_code == 200
    dose = client.post(
        "/api/v1/entries/doses", json={"amount": "1g"}, headers={"sec-fetch-site": "same-origin"}
    )
    assert dose.status_code == 201
    (account,) = [
        a for a in clinic_accounts.list_users(clinic.base.database) if a.email.startswith("new.")
    ]
    known = {a.journal_id for a in clinic.accounts.values()}
    assert account.journal_id is not None and account.journal_id not in known
    used = clinic.client().get(f"/join/{invitation}")
    assert used.status_code == 404 and "cannot be used" in used.text


def test_a_person_shares_by_email_until_a_day_and_stops_it(clinic: Clinic) -> None:
    client = clinic.sign_in("other")
    token = page_token(client, "/sharing")
    email = clinic.accounts["clin_none"].email
    refused = client.post(
        "/sharing", data={"clinician": email, "scope": "read", "ends": "someday",
                          csrf.FIELD: token},
    )  # fmt: skip
    assert refused.status_code == 422 and 'id="error-ends"' in refused.text
    shared = client.post(
        "/sharing", data={"clinician": email, "scope": "plan", "ends": "2026-12-01",
                          csrf.FIELD: token},
    )  # fmt: skip
    assert shared.status_code == 303
    page = client.get("/sharing").text
    assert email in page and "helps with your plan" in page and "Active" in page
    journal_id = clinic.accounts["other"].journal_id or 0
    (share,) = clinic_sharing.shares_of_person(
        clinic.base.database, journal_id, at=clinic.clock.now
    )
    # "Until 1 December" includes that day: the share ends at midnight after it, New York time.
    assert share.ends == datetime(2026, 12, 2, tzinfo=ZoneInfo("America/New_York"))
    stopped = client.post(f"/sharing/{share.share_id}/revoke", data={csrf.FIELD: token})
    assert stopped.status_code == 303
    assert "Stopped by you" in client.get("/sharing").text
    not_mine = client.post("/sharing/1/revoke", data={csrf.FIELD: token})
    assert not_mine.status_code == 404  # share 1 is the owner's, not this person's


def test_the_people_page_lists_shared_journals_newest_activity_first(clinic: Clinic) -> None:
    clinic_sharing.share(
        clinic.base.database,
        person_email=clinic.accounts["other"].email,
        clinician_email=clinic.accounts["clin_read"].email,
        at=clinic.clock.now,
    )
    clinic.clock.advance(minutes=5)
    headers = {"authorization": f"Bearer {clinic.token('other')}"}
    assert clinic.client().post(
        "/api/v1/entries/doses", json={"amount": "1g"}, headers=headers
    ).status_code == 201  # fmt: skip
    page = clinic.sign_in("clin_read").get("/people").text
    other, owner = clinic.accounts["other"].email, clinic.accounts["owner"].email
    assert other in page and owner in page
    assert page.index(other) < page.index(owner)
    listed = (
        clinic.client()
        .get("/api/v1/people", headers={"authorization": f"Bearer {clinic.token('clin_read')}"})
        .json()
    )
    assert [p["email"] for p in listed["people"]] == [other, owner] and listed["total"] == 2


def test_the_admin_downloads_the_whole_audit_log_with_its_hashes(clinic: Clinic) -> None:
    client = clinic.sign_in("admin")
    answer = client.get("/admin/audit/export")
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    rows = [json.loads(line) for line in answer.text.splitlines()]
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert all(len(r["row_hash"]) == 64 for r in rows)
    assert audit_log.verify(clinic.base.database).rows == len(rows)


def _invite(client: TestClient, email: str, role: str = "person") -> Any:
    token = page_token(client, "/people")
    return client.post(
        "/people/invite", data={"invite_email": email, "role": role, csrf.FIELD: token}
    )


def test_a_clinician_invites_a_person_from_the_people_page_and_the_link_joins(
    clinic: Clinic,
) -> None:
    clinician = clinic.sign_in("clin_read")
    page = clinician.get("/people").text
    assert 'id="invite"' in page and 'name="role"' not in page  # a clinician invites persons
    made = _invite(clinician, " Sam.New@Example.org ")
    assert made.status_code == 200, made.text
    found = re.search(r'<code id="invite-link"[^>]*>([^<]+)</code>', made.text)
    assert found and "sam.new@example.org" in made.text
    link = found.group(1)
    assert link.startswith("http://127.0.0.1/join/")
    path = link.removeprefix("http://127.0.0.1")
    joining = clinic.client()
    assert "sam.new@example.org" in joining.get(path).text
    token = page_token(joining, path)
    joined = joining.post(
        path, data={"password": "amber lantern quietly", "again": "amber lantern quietly",
                    csrf.FIELD: token},
    )  # fmt: skip
    assert joined.status_code == 303
    # The link was shown once: the people page does not show it again.
    assert link not in clinician.get("/people").text
    created = [r for r in _audit_rows(clinic) if r["object_type"] == "invitation"]
    assert created and created[-1]["actor_role"] == "clinician"


def test_an_invitation_the_clinic_cannot_make_is_refused_beside_the_field(clinic: Clinic) -> None:
    clinician = clinic.sign_in("clin_read")
    bad = _invite(clinician, "not an email")
    assert bad.status_code == 422 and 'id="error-invite_email"' in bad.text
    taken = _invite(clinician, clinic.accounts["other"].email)
    assert taken.status_code == 422 and "already exists" in taken.text
    # Only an admin invites clinicians, whatever the form is made to send.
    staff = _invite(clinician, "new.clinician@clinic.example", role="clinician")
    assert staff.status_code == 422 and "only an admin" in staff.text
    admin = clinic.sign_in("admin")
    assert 'name="role"' in admin.get("/people").text
    assert _invite(admin, "new.clinician@clinic.example", role="clinician").status_code == 200
    person = clinic.sign_in("owner")
    assert _invite(person, "friend@example.org").status_code == 403


def _audit_rows(clinic: Clinic) -> list[dict[str, Any]]:
    import io

    out = io.StringIO()
    audit_log.export(clinic.base.database, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_the_sign_in_page_speaks_of_the_clinic_server_not_of_this_computer(
    clinic: Clinic,
) -> None:
    page = clinic.client().get("/sign-in")
    assert page.status_code == 200
    assert "keeps everything on this computer" not in page.text
    assert "The journals here are their owners'" in page.text
    assert 'aria-label="Main"' not in page.text  # no journal's menu before signing in
