"""A taper in the person's own product: the plan page, its JSON, the calendar and the PDF show
each step in the product they use, beside the mg figures."""

from __future__ import annotations

from fastapi.testclient import TestClient

from mitra.services.catalogue import ProfileService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.plan_views import overview_view
from mitra.services.plans import PlanService
from mitra.services.report_data import ReportDataService


def _taper(ctx: AppContext) -> None:
    ProfileService(ctx).set(timezone="America/New_York", goals="taper-kratom")
    journal = JournalService(ctx)
    for day in range(1, 6):
        for hour in (8, 14, 20):
            journal.log_dose("2g", at=f"{day * 24 + hour}h ago")
    PlanService(ctx).new_taper()


def test_the_plan_page_shows_each_step_in_grams_of_the_usual_product(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    _taper(sqlite_ctx)
    text = client.get("/plan").text
    assert 'id="status-in-product"' in text
    assert "of generic leaf powder a day" in text
    assert text.count('class="small in-product"') >= 2


def test_the_plan_json_names_each_step_in_product(sqlite_ctx: AppContext) -> None:
    _taper(sqlite_ctx)
    view = overview_view(PlanService(sqlite_ctx).show(), sqlite_ctx.rules().ruleset.support)
    first = view["plan"]["steps"][0]
    shown = first["in_product"]
    assert shown["unit"] == "gram" and shown["product"] == "generic leaf powder"
    # Measured by the same high-end figure doses are judged by: never over the step.
    assert shown["dose_max"] * 19.5 <= first["dose_max_mg"] + 1e-6


def test_the_calendar_and_the_pdf_say_the_step_in_product(sqlite_ctx: AppContext) -> None:
    _taper(sqlite_ctx)
    ics = PlanService(sqlite_ctx).calendar().decode()
    assert "of generic leaf powder a day" in ics.replace("\r\n ", "")
    report = ReportDataService(sqlite_ctx).gather(all_time=True)
    assert any("In the person's usual product" in line for line in report.plan.lines)
