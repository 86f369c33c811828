"""Clinicians' notes in a person's journal (issue 17 item 2) on the private PostgreSQL cluster:
written only with a share to plan, shown to the person unless private to the care team (the
person told how many private ones there are, and the rule), every write audited, bad notes
refused with nothing stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from mitra.services.care_notes import MAX_NOTE, PERSON_RULE
from mitra.storage import clinic_tables as c
from mitra.web import csrf
from tests.clinic_web.conftest import Clinic, page_token


def _auth(clinic: Clinic, who: str) -> dict[str, str]:
    return {"authorization": f"Bearer {clinic.token(who)}"}


def _write(clinic: Clinic, who: str, text: str, private: bool = False) -> Any:
    journal_id = clinic.accounts["owner"].journal_id
    return clinic.client().post(
        f"/api/v1/people/{journal_id}/notes",
        json={"text": text, "private": private},
        headers=_auth(clinic, who),
    )


def _stored(clinic: Clinic) -> int:
    with clinic.base.database.read() as conn:
        return int(conn.execute(select(func.count()).select_from(c.care_notes)).scalar_one())


def test_the_person_sees_every_note_but_the_private_ones_and_is_told_of_those(
    clinic: Clinic,
) -> None:
    made = _write(clinic, "clin_plan", "Let's talk Thursday about the taper.")
    assert made.status_code == 201 and made.json()["author"] == "clin.plan@clinic.example"
    assert (
        _write(clinic, "clin_plan", "Watch for benzodiazepine use.", private=True).status_code
        == 201
    )
    own = clinic.client().get("/api/v1/notes", headers=_auth(clinic, "owner")).json()
    assert [n["text"] for n in own["notes"]] == ["Let's talk Thursday about the taper."]
    assert own["private_hidden"] == 1 and own["rule"] == PERSON_RULE
    journal_id = clinic.accounts["owner"].journal_id
    team = (
        clinic.client()
        .get(f"/api/v1/people/{journal_id}/notes", headers=_auth(clinic, "clin_read"))
        .json()
    )
    assert [n["private"] for n in team["notes"]] == [True, False]  # newest first
    page = clinic.sign_in("owner").get("/sharing").text
    assert "talk Thursday" in page and "benzodiazepine" not in page
    assert "keeps 1 note private to the team" in page
    assert "wrote a note in your journal" in clinic.sign_in("owner").get("/who-looked").text


def test_a_note_needs_a_share_to_plan_and_a_refusal_is_audited(clinic: Clinic) -> None:
    refused = _write(clinic, "clin_read", "I only read this journal.")
    assert refused.status_code == 403
    assert _write(clinic, "clin_none", "Not shared with me.").status_code == 404
    assert _stored(clinic) == 0
    with clinic.base.database.read() as conn:
        denied = conn.execute(
            select(c.audit_log.c.action).where(c.audit_log.c.object_type == "note")
        ).scalars()
        assert sorted(denied) == ["denied_plan", "denied_plan"]


def test_an_empty_or_too_long_note_is_refused_and_nothing_is_stored(clinic: Clinic) -> None:
    empty = _write(clinic, "clin_plan", "   ")
    assert empty.status_code == 422 and "empty" in empty.text
    long = _write(clinic, "clin_plan", "x" * (MAX_NOTE + 1))
    assert long.status_code == 422 and str(MAX_NOTE) in long.text
    assert _stored(clinic) == 0


def test_a_clinician_writes_a_note_on_the_persons_page(clinic: Clinic) -> None:
    journal_id = clinic.accounts["owner"].journal_id
    client = clinic.sign_in("clin_plan")
    token = page_token(client, f"/clinic/people/{journal_id}")
    answer = client.post(
        f"/clinic/people/{journal_id}/notes",
        data={"text": "Good week. Keep the evening dose.", csrf.FIELD: token},
    )
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    assert "Your note is saved." in page and "Good week. Keep the evening dose." in page
    reader = clinic.sign_in("clin_read").get(f"/clinic/people/{journal_id}").text
    assert "Good week." in reader and "notes need a share to plan" in reader
