"""Today as a launcher in a real browser (Chromium via Playwright), at 360x740 and 1280x900: the
four buttons (usual dose, log, check in, how I feel) end inside the first screen on a new
journal and on a journal with open serious alerts; after an emergency the emergency view with
its tel: links is the first thing in the page; "Undo this" in an older tab takes back that
tab's entry only."""

from __future__ import annotations

from typing import Any

from mitra.services.journal import JournalService
from tests.web.browser_support import axe_violations, hours_ago, set_up
from tests.web.conftest import LiveServer

LAUNCHER = (
    "#log-usual, #log-first-dose, #log-usual-form",
    "#launch-log",
    "#launch-checkin",
    "#launch-feel",
)


def _bottoms(page: Any) -> list[float]:
    bottoms = []
    for selector in LAUNCHER:
        box = page.locator(selector).first.bounding_box()
        assert box is not None, selector
        bottoms.append(box["y"] + box["height"])
    return bottoms


def test_the_four_buttons_are_in_the_first_screen_of_a_new_journal(
    page: Any, server: LiveServer
) -> None:
    page.goto("/today")
    height = page.viewport_size["height"]
    assert all(bottom <= height for bottom in _bottoms(page)), _bottoms(page)
    assert axe_violations(page) == []


def test_the_four_buttons_are_in_the_first_screen_with_alerts_and_a_week_of_doses(
    page: Any, server: LiveServer
) -> None:
    set_up(server)
    journal = JournalService(server.ctx)
    for hours in range(2, 24 * 7, 8):
        journal.log_dose("3g", at=hours_ago(hours))
    journal.log_substance("alprazolam", "1mg", at=hours_ago(3))
    journal.log_symptom("seizure", severity=2, at=hours_ago(1))
    page.goto("/today")
    assert page.locator(".serious-banner").count() == 1
    assert page.locator("#log-usual").count() == 1
    height = page.viewport_size["height"]
    assert all(bottom <= height for bottom in _bottoms(page)), _bottoms(page)


def test_after_cant_breathe_the_emergency_view_comes_first(page: Any, server: LiveServer) -> None:
    set_up(server)
    page.goto("/log/symptom")
    page.fill("#field-name", "can't breathe")
    page.click("button:has-text('Save')")
    page.wait_for_url("**/today?logged=*")
    first = page.locator("main > *").first
    assert first.get_attribute("id") == "emergency"
    for tel in ("tel:911", "tel:988", "tel:18002221222"):
        link = first.locator(f'a[href="{tel}"]')
        box = link.bounding_box()
        assert box is not None and box["height"] >= 48, tel
    assert first.bounding_box()["y"] < page.locator("#logged").bounding_box()["y"]


def test_undo_this_in_an_older_tab_takes_back_only_that_entry(
    page: Any, server: LiveServer
) -> None:
    set_up(server)
    other = page.context.new_page()
    page.goto("/log/dose")
    page.fill("#field-amount", "3g")
    page.click("button:has-text('Save dose')")
    page.wait_for_url("**/today?logged=*")
    other.goto("/log/symptom")
    other.fill("#field-name", "muscle aches")
    other.click("button:has-text('Save')")
    other.wait_for_url("**/today?logged=*")
    page.click("#logged button:has-text('Undo this')")
    page.wait_for_selector("#taken-back")
    found, _, _ = JournalService(server.ctx).history()
    assert [e.kind.value for e in found] == ["symptom"]
    other.close()


def test_welcome_fits_its_essentials_in_two_screens(page: Any, server: LiveServer) -> None:
    page.goto("/welcome")
    height = page.viewport_size["height"]
    for selector in ("#safety-heading", "#field-timezone", "#field-goals", "#save-and-start"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 2 * height, selector
    assert axe_violations(page) == []


def test_a_new_person_logs_a_first_dose_in_at_most_four_taps(page: Any, server: LiveServer) -> None:
    taps = 0
    page.goto("/")  # a new person lands on welcome
    page.click("#first-dose-now")
    taps += 1
    page.click("#field-amount")
    taps += 1
    page.keyboard.type("2g")
    page.click("button:has-text('Save dose')")
    taps += 1
    page.wait_for_url("**/today?logged=*")
    assert taps <= 4
    found, _, _ = JournalService(server.ctx).history()
    assert [e.kind.value for e in found] == ["dose"]


def test_in_dark_mode_the_launcher_and_the_emergency_view_read_at_aa(
    page: Any, server: LiveServer
) -> None:
    # The same first screen and emergency view in the dark colour scheme, checked by axe-core
    # (its colour-contrast rule is the AA one) and by where the buttons sit.
    page.emulate_media(color_scheme="dark")
    set_up(server)
    page.goto("/today")
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    height = page.viewport_size["height"]
    assert all(bottom <= height for bottom in _bottoms(page)), _bottoms(page)
    assert axe_violations(page) == []
    page.goto("/log/symptom")
    page.fill("#field-name", "can't breathe")
    page.click("button:has-text('Save')")
    page.wait_for_url("**/today?logged=*")
    assert page.locator("main > *").first.get_attribute("id") == "emergency"
    assert axe_violations(page) == []
