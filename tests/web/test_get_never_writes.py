"""A GET never writes (so a cross-site image or a prefetch cannot change the journal), today's
plan decision is stored only by a POST, and every page, download and API answer with personal
data says ``Cache-Control: no-store`` (static files may be cached)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from mitra.services.catalogue import ProfileService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.plans import PlanService
from mitra.web import csrf
from mitra.web.app import create_app
from tests.conftest import FIXED_NOW
from tests.services.test_plans_service import at, gossop
from tests.support.refusal import snapshot
from tests.web.conftest import BASE_URL
from tests.web.test_forms import form_token

PAGES = [
    "/",
    "/today",
    "/plan",
    "/plan/calendar.ics",
    "/plan/calendar.ics?details=false",
    "/history",
    "/alerts",
    "/checkin",
    "/checkin/cows",
    "/log/dose",
    "/log/substance",
    "/log/symptom",
    "/welcome",
    "/products",
    "/profile",
    "/report",
    "/report/pdf",
    "/report/fhir",
    "/report/export",
    "/exposure",
    "/timeline",
    "/trends",
    "/learn",
    "/api/v1/entries",
    "/api/v1/profile",
    "/api/v1/alerts",
    "/api/v1/products",
]


@pytest.fixture
def planned(sqlite_ctx: AppContext) -> AppContext:
    """A taper whose second step a check-in allows: today's decision would change the plan."""
    ProfileService(sqlite_ctx).set(timezone="UTC")
    gossop(sqlite_ctx, 4, FIXED_NOW - timedelta(days=1))
    PlanService(sqlite_ctx).new_taper(current_mg="100")
    due = FIXED_NOW + timedelta(days=28)
    gossop(sqlite_ctx, 3, due - timedelta(hours=1))
    later = at(sqlite_ctx, due + timedelta(days=2))
    JournalService(later).log_dose("2g", at="1h ago", note="a private note")
    return later


def _journal_file(ctx: AppContext) -> str:
    return ctx.database.url.removeprefix("sqlite:///")


def test_no_get_changes_the_journal(planned: AppContext) -> None:
    before = snapshot(_journal_file(planned))
    with TestClient(create_app(planned), base_url=BASE_URL) as client:
        for path in PAGES:
            response = client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
    assert snapshot(_journal_file(planned)) == before


def test_the_pages_show_the_decision_that_a_post_then_stores_once(planned: AppContext) -> None:
    events = len(PlanService(planned).show().events)  # type: ignore[union-attr]
    with TestClient(create_app(planned), base_url=BASE_URL) as client:
        page = client.get("/plan").text
        assert "decision: move on to the next step" in page
        assert 'action="/plan/decide"' in page
        assert 'action="/plan/decide"' in client.get("/today").text
        token = form_token(client, "/plan")
        assert len(PlanService(planned).show().events) == events  # type: ignore[union-attr]
        saved = client.post("/plan/decide", data={csrf.FIELD: token}, follow_redirects=False)
        assert saved.status_code == 303 and saved.headers["location"] == "/plan?done=decided"
        after_first = PlanService(planned).show()
        assert after_first is not None and len(after_first.events) == events + 1
        assert after_first.events[-1].event == "advance"
        # On the new step the decision is taken again; then a same-day repeat adds nothing.
        client.post("/plan/decide", data={csrf.FIELD: token})
        settled = len(PlanService(planned).show().events)  # type: ignore[union-attr]
        client.post("/plan/decide", data={csrf.FIELD: token})
    assert len(PlanService(planned).show().events) == settled  # type: ignore[union-attr]


def test_the_decision_post_needs_the_csrf_token(planned: AppContext) -> None:
    before = snapshot(_journal_file(planned))
    with TestClient(create_app(planned), base_url=BASE_URL) as client:
        assert client.post("/plan/decide", data={}).status_code == 403
    assert snapshot(_journal_file(planned)) == before


def test_a_read_transaction_cannot_write(sqlite_ctx: AppContext) -> None:
    from sqlalchemy import text

    from mitra.storage.database import DatabaseError

    with pytest.raises(DatabaseError), sqlite_ctx.database.read() as conn:
        conn.execute(text("DELETE FROM entries"))
    # The connection goes back to the pool able to write again.
    JournalService(sqlite_ctx).log_dose("1g")


@pytest.mark.parametrize("path", PAGES)
def test_personal_responses_are_never_cached(planned: AppContext, path: str) -> None:
    with TestClient(create_app(planned), base_url=BASE_URL) as client:
        assert client.get(path).headers["cache-control"] == "no-store"


def test_errors_and_refusals_are_not_cached_either(client: TestClient) -> None:
    assert client.get("/no-such-page").headers["cache-control"] == "no-store"
    refused = client.post("/api/v1/entries/doses", json={"amount": "-5g"})
    assert refused.status_code == 422 and refused.headers["cache-control"] == "no-store"


def test_static_files_may_be_cached(client: TestClient) -> None:
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert response.headers.get("cache-control") != "no-store"
