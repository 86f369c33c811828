"""The pages in a real browser (Debian's Chromium, driven by Playwright) against a live server:
onboarding, logging, history with delete and undo, products, trends, the demo journey; at a
desktop width and at 360 px; with an automated accessibility check (axe-core, served by the
app itself) in light and dark schemes.
"""

from __future__ import annotations

from typing import Any

import pytest

from mitra.services.catalogue import ProductService, ProfileService
from mitra.services.journal import JournalService
from tests.web.browser_support import axe_violations, hours_ago, nav_to, set_up
from tests.web.conftest import LiveServer, entry_count

PAGES = (
    "/welcome",
    "/today",
    "/log/dose",
    "/log/substance",
    "/log/symptom",
    "/checkin",
    "/checkin/cows",
    "/checkin/craving",
    "/history",
    "/alerts",
    "/trends",
    "/products",
    "/profile",
    "/learn",
    "/plan",
    "/exposure",
    "/timeline",
    "/report",
)


def test_onboarding_saves_the_profile_and_leads_to_today(page: Any, server: LiveServer) -> None:
    page.goto("/")
    assert page.url.endswith("/welcome")
    assert "Before you start: safety" in page.content()
    page.select_option("#field-timezone", "America/Chicago")
    page.check("input[name=goals][value=taper-kratom]")
    page.click("text=A few more questions")  # behind one tap, so welcome fits two screens
    page.check("input[name=pregnant][value=no]")
    page.click("text=Save and start")
    page.wait_for_url("**/today?welcome=1")
    assert page.locator("h1").inner_text().startswith("Today")
    saved = ProfileService(server.ctx).show()
    assert (saved.timezone, saved.goals, saved.pregnant) == (
        "America/Chicago",
        ("taper-kratom",),
        False,
    )
    page.goto("/")
    assert page.url.endswith("/today")


def test_a_dose_logged_in_the_form_appears_on_today_and_in_history(
    page: Any, server: LiveServer
) -> None:
    set_up(server)
    page.goto("/log/dose")
    page.fill("#field-amount", "3g")
    page.fill("#field-note", "after breakfast")
    page.click("text=Save dose")
    page.wait_for_url("**/today?logged=*")
    assert "Logged" in page.locator("#logged").inner_text()
    assert page.locator("#dose-count").inner_text() == "1"
    assert "mg" in page.locator("#mitragynine-today").inner_text()
    assert "after breakfast" in page.locator(".entries").inner_text()
    page.goto("/history")
    assert "3 g" in page.locator(".entries").inner_text()


def test_a_refused_dose_shows_the_error_at_the_field_and_saves_nothing(
    page: Any, server: LiveServer
) -> None:
    set_up(server)
    page.goto("/log/dose")
    page.fill("#field-amount", "3 bananas")
    page.click("text=Save dose")
    error = page.locator("#error-amount")
    assert "unknown unit" in error.inner_text()
    assert page.get_attribute("#field-amount", "aria-invalid") == "true"
    assert page.input_value("#field-amount") == "3 bananas"
    # The list of problems takes the focus so a screen reader reads it first.
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert entry_count(server.ctx) == 0


def test_delete_and_undo_from_history(page: Any, server: LiveServer) -> None:
    set_up(server)
    journal = JournalService(server.ctx)
    journal.log_dose("2g", at=hours_ago(3))
    journal.log_symptom("nausea", severity=1, at=hours_ago(2))
    page.goto("/history")
    page.click("button[aria-label^='Delete entry'][aria-label*='nausea']")
    assert "Deleted" in page.locator("#history-notice").inner_text()
    assert "nausea" not in page.locator("main .entries").inner_text()
    page.click("#undo")
    assert "Restored" in page.locator("#history-notice").inner_text()
    assert "nausea" in page.locator("main .entries").inner_text()
    assert entry_count(server.ctx) == 2


def test_the_usual_dose_is_logged_in_one_tap(page: Any, server: LiveServer) -> None:
    set_up(server)
    ProductService(server.ctx).add("Red Bali", "leaf", mitragynine_pct=1.6)
    JournalService(server.ctx).log_dose("2.5g", product="Red Bali", at=hours_ago(0.5))
    page.goto("/today")
    button = page.locator("#log-usual")
    assert "2.5 g Red Bali" in button.inner_text()
    button.click()
    page.wait_for_url("**/today?logged=*")
    assert page.locator("#dose-count").inner_text() == "2"


def test_adding_a_product_lists_it_and_offers_it_for_a_dose(page: Any, server: LiveServer) -> None:
    set_up(server)
    page.goto("/products")
    page.fill("#field-name", "Gold extract")
    page.select_option("#field-form", "extract")
    page.select_option("#field-source", "coa")
    page.fill("#field-mitragynine_pct", "45")
    page.click("text=Add product")
    assert "Added" in page.locator(".notice").inner_text()
    assert "Gold extract" in page.locator("#own-heading + .products").inner_text()
    page.goto("/log/dose")
    assert page.locator("#field-product option", has_text="Gold extract").count() == 1


def test_trends_draws_doses_and_mitragynine_per_day(page: Any, server: LiveServer) -> None:
    set_up(server)
    journal = JournalService(server.ctx)
    for days_back in (0, 1, 3):
        journal.log_dose("3g", at=hours_ago(24 * days_back + 1))
    page.goto("/trends?days=7")
    charts = page.locator("figure.chart svg").filter(visible=True)
    assert charts.count() == 2
    assert "3 kratom doses on 3 days" in page.locator("main").inner_text()
    page.click("text=The figures, day by day")
    assert page.locator("details table tbody tr").count() == 7


def test_opening_the_demo_journey_never_touches_the_journal(page: Any, server: LiveServer) -> None:
    page.goto("/welcome")
    page.click("#open-demo")
    page.wait_for_url("**/demo/today")
    assert "The demo journey" in page.locator(".demo-banner").inner_text()
    nav_to(page, "History")
    assert page.url.split("?")[0].endswith("/demo/history")
    assert page.locator(".entries .entry").count() > 10
    assert entry_count(server.ctx) == 0
    page.click(".demo-banner >> text=back to your journal")
    assert page.locator(".demo-banner").count() == 0


def test_the_dose_form_works_with_the_keyboard_alone(page: Any, server: LiveServer) -> None:
    set_up(server)
    page.goto("/log/dose")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "field-amount":
            break
    else:
        raise AssertionError("Tab never reached the amount field")
    page.keyboard.type("1.5g")
    page.keyboard.press("Enter")
    page.wait_for_url("**/today?logged=*")
    assert page.locator("#dose-count").inner_text() == "1"


def test_help_lines_and_treatments_are_on_every_page(page: Any, server: LiveServer) -> None:
    set_up(server)
    for path in PAGES:
        page.goto(path)
        bar = page.locator(".helpbar")
        box = bar.bounding_box()
        viewport = page.viewport_size
        assert box is not None and box["y"] + box["height"] <= viewport["height"] + 1, path
        for number in ("988", "1-800-662-4357", "911"):
            assert number in bar.inner_text(), (path, number)
        footer = page.locator("footer").inner_text().lower()
        for treatment in ("buprenorphine", "methadone", "naltrexone", "lofexidine", "naloxone"):
            assert treatment in footer, (path, treatment)


def test_no_page_scrolls_sideways(page: Any, server: LiveServer) -> None:
    set_up(server)
    JournalService(server.ctx).log_dose("3g", note="a rather long note " * 10)
    for path in PAGES:
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow} px wider than the screen"


def test_pages_ask_for_nothing_beyond_this_server(page: Any, server: LiveServer) -> None:
    set_up(server)
    JournalService(server.ctx).log_dose("3g")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path in PAGES:
        page.goto(path)
    outside = [u for u in requested if not u.startswith((server.url, "data:"))]
    assert outside == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_have_no_serious_accessibility_violations(
    page: Any, server: LiveServer, scheme: str
) -> None:
    set_up(server)
    journal = JournalService(server.ctx)
    journal.log_dose("3g", at=hours_ago(2))
    journal.log_symptom("yellow eyes", severity=1, at=hours_ago(1))
    page.emulate_media(color_scheme=scheme)
    problems = {}
    for path in (*PAGES, "/log/dose?refused"):
        if path.endswith("?refused"):  # a form showing the server's errors
            page.goto("/log/dose")
            page.fill("#field-amount", "lots")
            page.click("text=Save dose")
        else:
            page.goto(path)
        found = axe_violations(page)
        if found:
            problems[path] = found
    assert problems == {}
