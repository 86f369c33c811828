"""The plan page and the today page with a plan, in a real browser (Debian's Chromium via
Playwright) at a desktop width and at 360 px: the steps, status and band chart show, a taper
starts from the form, nothing scrolls sideways, and axe-core finds no serious or critical
violation in the light or the dark scheme."""

from __future__ import annotations

from typing import Any

import pytest

from mitra.services.journal import JournalService
from mitra.services.plans import PlanService
from tests.web.browser_support import axe_violations, hours_ago, nav_to, set_up
from tests.web.conftest import LiveServer


def with_plan(server: LiveServer) -> None:
    set_up(server)
    journal = JournalService(server.ctx)
    for hours in (150, 130, 110, 90, 70, 50, 30, 10, 2):
        journal.log_dose("3g", at=hours_ago(hours))
    PlanService(server.ctx).new_taper()


def test_the_plan_page_shows_steps_and_status_at_every_width(page: Any, server: LiveServer) -> None:
    with_plan(server)
    page.goto("/today")
    nav_to(page, "Plan")
    page.wait_for_url("**/plan")
    assert page.locator("#plan-steps table").is_visible()
    assert "mg" in page.locator("#status-daily-max").inner_text()
    assert page.locator("#status-decision").is_visible()
    assert "buprenorphine" in page.locator("#alternatives").inner_text().lower()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_a_taper_starts_from_the_form(page: Any, server: LiveServer) -> None:
    set_up(server)
    journal = JournalService(server.ctx)
    for hours in (100, 75, 50, 30, 10):  # doses on at least 3 of the 7 days before today
        journal.log_dose("3g", at=hours_ago(hours))
    page.goto("/plan")
    page.check("input[name=strategy][value=percent]")
    page.select_option("#field-speed", "slow")
    page.click("text=Start this taper")
    page.wait_for_url("**/plan?done=taper")
    assert "Your taper plan is saved" in page.locator("#plan-notice").inner_text()
    assert PlanService(server.ctx).show() is not None


def test_today_with_a_plan_shows_the_ceilings_and_the_band(page: Any, server: LiveServer) -> None:
    with_plan(server)
    page.goto("/today")
    assert page.locator("#plan-today").is_visible()
    assert "mg" in page.locator("#plan-daily-max").inner_text()
    chart = page.locator("#exposure-today svg:visible")
    assert chart.count() == 1
    assert chart.locator("polygon.band").count() == 1
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_plan_and_today_with_a_plan_have_no_serious_accessibility_violations(
    page: Any, server: LiveServer, scheme: str
) -> None:
    with_plan(server)
    page.emulate_media(color_scheme=scheme)
    problems = {}
    for path in ("/plan", "/today", "/exposure", "/timeline", "/report", "/plan?refused"):
        if path.endswith("?refused"):
            page.goto("/plan")
            page.locator("#titration-form summary").click()
            page.fill("#field-first_dose_mg", "lots")
            page.click("text=Start this titration")
        else:
            page.goto(path)
        found = axe_violations(page)
        if found:
            problems[path] = found
    assert problems == {}
