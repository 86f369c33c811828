"""The plan page in-process: steps and today's status are shown with the alternatives, the
taper and titration forms create plans inside the hard limits, a refused option shows its
field error and writes nothing, a step back is recorded, the calendar downloads."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from mitra.services.catalogue import ProfileService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.plans import PlanService
from mitra.web import csrf
from mitra.web.app import create_app
from tests.conftest import FIXED_NOW
from tests.services.test_plans_service import at, gossop
from tests.web.conftest import BASE_URL
from tests.web.test_forms import form_token


def _with_doses(ctx: AppContext) -> None:
    ProfileService(ctx).set(timezone="America/New_York", goals="taper-kratom")
    journal = JournalService(ctx)
    for hours in (100, 80, 60, 40, 20, 4):
        journal.log_dose("3g", at=f"{hours}h ago")


def test_the_plan_page_shows_the_steps_the_status_and_the_alternatives(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    _with_doses(sqlite_ctx)
    created = PlanService(sqlite_ctx).new_taper()
    page = client.get("/plan")
    assert page.status_code == 200
    text = page.text
    first = created.stored.plan.steps[0]
    assert 'id="plan-steps"' in text
    assert text.count("<tr") >= len(created.stored.plan.steps)
    assert first.start.strftime("%d %b") in text
    assert "Today&#39;s decision" in text or "Today's decision" in text
    assert 'id="status-daily-max"' in text
    assert "buprenorphine" in text.lower() and "ASAM" in text
    assert "tel:988" in text and "1-800-662-4357" in text
    # A GET never writes: opening the page again adds no plan event.
    events = len(PlanService(sqlite_ctx).show().events)  # type: ignore[union-attr]
    client.get("/plan")
    assert len(PlanService(sqlite_ctx).show().events) == events  # type: ignore[union-attr]


def test_without_a_plan_the_page_offers_the_forms_and_the_alternatives(
    client: TestClient,
) -> None:
    text = client.get("/plan").text
    assert 'id="no-plan"' in text and 'action="/plan/taper"' in text
    assert "methadone" in text and "1-800-662-4357" in text


def test_starting_a_taper_in_the_form_creates_a_plan_within_the_hard_limits(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    _with_doses(sqlite_ctx)
    response = client.post(
        "/plan/taper",
        data={
            "strategy": "percent",
            "speed": "slow",
            "used_over_a_year": "yes",
            csrf.FIELD: form_token(client, "/plan"),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/plan?done=taper"
    overview = PlanService(sqlite_ctx).show()
    assert overview is not None
    plan = overview.stored.plan
    limits = PlanService(sqlite_ctx).limits()
    assert plan.kind == "taper"
    for step in plan.steps:
        assert step.dose_max_mg <= limits.dose_max_mg
        assert step.daily_max_mg <= limits.daily_max_mg
        assert step.doses_per_day_max <= limits.doses_per_day_max
        assert step.min_interval_h >= limits.min_interval_h
    assert "Your taper plan is saved" in client.get(response.headers["location"]).text


def test_a_clinicians_schedule_is_kept_within_the_hard_limits(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    _with_doses(sqlite_ctx)
    response = client.post(
        "/plan/taper",
        data={
            "strategy": "custom",
            "steps": "5000:28, 4500:28",
            "current_mg": "5000",
            csrf.FIELD: form_token(client, "/plan"),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    overview = PlanService(sqlite_ctx).show()
    assert overview is not None
    limits = PlanService(sqlite_ctx).limits()
    assert all(s.daily_max_mg <= limits.daily_max_mg for s in overview.stored.plan.steps)
    assert all(s.dose_max_mg <= limits.dose_max_mg for s in overview.stored.plan.steps)


def test_a_bad_option_shows_a_field_error_and_writes_nothing(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    _with_doses(sqlite_ctx)
    response = client.post(
        "/plan/taper",
        data={"speed": "very fast", "current_mg": "60", csrf.FIELD: form_token(client, "/plan")},
    )
    assert response.status_code == 422
    assert 'id="error-speed"' in response.text
    assert 'value="very fast"' in response.text or "very fast" in response.text
    assert PlanService(sqlite_ctx).show() is None
    titration = client.post(
        "/plan/titration",
        data={"first_dose_mg": "lots", csrf.FIELD: form_token(client, "/plan")},
    )
    assert titration.status_code == 422
    assert 'id="error-first_dose_mg"' in titration.text
    assert PlanService(sqlite_ctx).show() is None


def test_a_step_back_is_recorded_with_its_reason(sqlite_ctx: AppContext) -> None:
    ProfileService(sqlite_ctx).set(timezone="UTC")
    gossop(sqlite_ctx, 4, FIXED_NOW - timedelta(days=1))
    PlanService(sqlite_ctx).new_taper(current_mg="100")
    due = FIXED_NOW + timedelta(days=28)
    gossop(sqlite_ctx, 3, due - timedelta(hours=1))
    later = at(sqlite_ctx, due + timedelta(days=2))
    with TestClient(create_app(later), base_url=BASE_URL) as client:
        client.get("/plan")  # shows that the check-in allows the second step (stores nothing)
        token = form_token(client, "/plan")
        empty = client.post("/plan/step-back", data={"reason": " ", csrf.FIELD: token})
        assert empty.status_code == 422
        assert 'id="error-reason"' in empty.text
        response = client.post(
            "/plan/step-back",
            data={"reason": "could not sleep for three nights", csrf.FIELD: token},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert "Stepped back one step" in client.get(response.headers["location"]).text
        # Never twice in a row: the refusal is shown at the field and nothing is kept.
        again = client.post("/plan/step-back", data={"reason": "again", csrf.FIELD: token})
        assert again.status_code == 422
    events = PlanService(later).show().events  # type: ignore[union-attr]
    backs = [e for e in events if e.event == "step-back"]
    assert len(backs) == 1 and "could not sleep" in backs[0].reason


def test_the_calendar_downloads_as_ics(client: TestClient, sqlite_ctx: AppContext) -> None:
    assert client.get("/plan/calendar.ics").status_code == 404  # no plan yet
    _with_doses(sqlite_ctx)
    PlanService(sqlite_ctx).new_taper()
    response = client.get("/plan/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    assert response.text.startswith("BEGIN:VCALENDAR")
    plain = client.get("/plan/calendar.ics?details=false").text
    assert not re.search(r"\d+(\.\d+)? ?mg", plain)
