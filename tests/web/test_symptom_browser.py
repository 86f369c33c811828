"""The log-symptom chips in a real browser (Chromium via Playwright) at desktop and phone
widths: tapping chips and typing free text logs them all; a chip is reached and ticked with
the keyboard alone; chips are big enough for a thumb; the page passes axe-core."""

from __future__ import annotations

from typing import Any

from mitra.domain.entries import SymptomEntry
from mitra.services.journal import JournalService
from tests.web.browser_support import axe_violations, set_up
from tests.web.conftest import LiveServer

MIN_TOUCH_PX = 44  # WCAG 2.5.5 target size (AAA), the usual guidance for touch targets


def test_tapping_chips_and_typing_logs_every_symptom(page: Any, server: LiveServer) -> None:
    set_up(server)
    page.goto("/log/symptom")
    page.locator("label.chip", has_text="Sweating").click()
    page.locator("label.chip", has_text="Yawning").click()
    page.fill("#field-name", "my knees feel weird")
    page.click("button:has-text('Save')")
    page.wait_for_url("**/today?logged=*")
    notice = page.locator("#understood").inner_text()
    assert notice.startswith("Understood: sweating, yawning, your own words")
    found, _, _ = JournalService(server.ctx).history()
    ids = sorted(e.symptom_id for e in found if isinstance(e, SymptomEntry))
    assert ids == ["other", "sweating", "yawning"]


def test_a_warning_chip_works_from_the_keyboard_and_raises_911(
    page: Any, server: LiveServer
) -> None:
    set_up(server)
    page.goto("/log/symptom")
    chip = page.locator("input[name=chips][value=overdose-signs]")
    chip.focus()
    page.keyboard.press("Space")
    assert chip.is_checked()
    page.click("button:has-text('Save')")
    page.wait_for_url("**/today?logged=*")
    assert "Call 911 now" in page.locator("main").inner_text()


def test_chips_are_big_enough_to_tap_and_the_page_is_accessible(
    page: Any, server: LiveServer
) -> None:
    set_up(server)
    page.goto("/log/symptom")
    boxes = [c.bounding_box() for c in page.locator("label.chip").all()]
    assert boxes and all(b is not None and b["height"] >= MIN_TOUCH_PX for b in boxes)
    assert axe_violations(page) == []
