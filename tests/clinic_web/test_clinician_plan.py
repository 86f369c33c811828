"""A clinician sets a person's plan (issue 17 item 2) on the private PostgreSQL cluster: only
with a share to plan, audited by the plan's own transaction, recorded as theirs, and shown to
the person as set by their clinician."""

from __future__ import annotations

from sqlalchemy import select

from mitra.storage import clinic_tables as c
from mitra.storage import schema as t
from tests.clinic_web.conftest import Clinic

TAPER = {"steps": "120,108,96", "step_days": 28, "current_mg": 120}


def _post(clinic: Clinic, who: str, body: dict[str, object]) -> object:
    journal_id = clinic.accounts["owner"].journal_id
    return clinic.client().post(
        f"/api/v1/people/{journal_id}/plan/taper",
        json=body,
        headers={"authorization": f"Bearer {clinic.token(who)}"},
    )


def test_a_clinicians_taper_is_theirs_audited_and_shown_to_the_person(clinic: Clinic) -> None:
    answer = _post(clinic, "clin_plan", TAPER)
    assert answer.status_code == 201, answer.text  # type: ignore[attr-defined]
    made = answer.json()  # type: ignore[attr-defined]
    assert made["set_by"] == "clin.plan@clinic.example" and made["strategy"] == "custom"
    assert [s["daily_max_mg"] for s in made["steps"]][-3:] == [120, 108, 96]
    with clinic.base.database.read() as conn:
        authors = conn.execute(select(c.plan_authors.c.plan_id, c.plan_authors.c.action)).all()
        audited = conn.execute(
            select(c.audit_log.c.action, c.audit_log.c.object_id).where(
                c.audit_log.c.object_type == "plan"
            )
        ).all()
    assert [tuple(a) for a in authors] == [(made["plan_id"], "created")]
    assert [tuple(a) for a in audited] == [("plan", str(made["plan_id"]))]
    owner = clinic.sign_in("owner")
    assert "Set by your clinician" in owner.get("/plan").text
    assert "set or changed your plan" in owner.get("/who-looked").text


def test_a_clinician_who_may_only_read_cannot_set_a_plan(clinic: Clinic) -> None:
    assert _post(clinic, "clin_read", TAPER).status_code == 403  # type: ignore[attr-defined]
    assert _post(clinic, "clin_none", TAPER).status_code == 404  # type: ignore[attr-defined]
    with clinic.base.database.read() as conn:
        assert conn.execute(select(t.plans.c.id)).all() == []
        denied = conn.execute(
            select(c.audit_log.c.action).where(c.audit_log.c.object_type == "plan")
        ).scalars()
        assert sorted(denied) == ["denied_plan", "denied_plan"]


def test_a_persons_own_plan_names_no_clinician(clinic: Clinic) -> None:
    owner = clinic.client()
    token = {"authorization": f"Bearer {clinic.token('owner')}"}
    assert (
        owner.post("/api/v1/entries/doses", json={"amount": "2g"}, headers=token).status_code == 201
    )
    page = clinic.sign_in("owner").get("/plan").text
    assert "Set by your clinician" not in page


def test_a_clinicians_schedule_past_the_taper_limits_is_refused_and_nothing_is_kept(
    clinic: Clinic,
) -> None:
    fast = _post(clinic, "clin_plan", {**TAPER, "step_days": 14})
    assert fast.status_code == 422 and "at most 20%" in fast.text  # type: ignore[attr-defined]
    with clinic.base.database.read() as conn:
        assert conn.execute(select(t.plans.c.id)).all() == []
        assert conn.execute(select(c.plan_authors.c.id)).all() == []
        written = conn.execute(
            select(c.audit_log.c.action).where(c.audit_log.c.object_type == "plan")
        ).all()
        assert written == []  # the write rolled back, and its audit row with it


def test_a_step_back_with_no_plan_says_so_in_words_on_the_page(clinic: Clinic) -> None:
    from mitra.web import csrf
    from tests.clinic_web.conftest import page_token

    journal_id = clinic.accounts["owner"].journal_id
    client = clinic.sign_in("clin_plan")
    token = page_token(client, f"/clinic/people/{journal_id}")
    answer = client.post(
        f"/clinic/people/{journal_id}/plan/step-back",
        data={"reason": "withdrawal too strong", csrf.FIELD: token},
    )
    assert answer.status_code == 422
    assert "no active plan" in answer.text.lower() and "mitra plan" not in answer.text
