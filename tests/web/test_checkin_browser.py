"""Check-ins in a real browser (Debian's Chromium via Playwright), at a desktop width and at
360 px: one tap per item, the pulse typed in beats a minute, the running total, the result with
its band; a positive mood screen with its alert and 988; the arrow keys; the form without
JavaScript; the phone menu; and axe-core on every check-in page in light and dark schemes."""

from __future__ import annotations

from typing import Any

import pytest

from mitra.services.checkins import CheckinService
from tests.web.browser_support import axe_violations, hours_ago, nav_to, set_up
from tests.web.conftest import LiveServer

# Which answer to tap on each COWS item after the pulse (by position): 17 points; with a pulse
# of 104 (score 2) the total is 19, in the moderate band (13-24).
COWS_TAPS = {
    "sweating": 1,
    "restlessness": 2,
    "pupil-size": 1,
    "bone-joint-aches": 2,
    "runny-nose-tearing": 1,
    "gi-upset": 2,
    "tremor": 1,
    "yawning": 1,
    "anxiety-irritability": 2,
    "gooseflesh": 1,
}


def tap(page: Any, item: str, position: int) -> None:
    page.locator(f"#field-{item} label.answer").nth(position).click()


def test_a_cows_check_in_by_tapping_one_answer_per_item(page: Any, server: LiveServer) -> None:
    set_up(server)
    page.goto("/today")
    nav_to(page, "Check-in")
    page.click("a[aria-label='Start a COWS check-in']")
    page.wait_for_url("**/checkin/cows")
    page.fill("#field-bpm", "104")
    # The typed pulse picks the matching answer, so the buttons agree with what is scored.
    assert page.is_checked("input[name=resting-pulse][value='2']")
    for item, position in COWS_TAPS.items():
        tap(page, item, position)
    assert page.locator("#running-total").inner_text() == "Total so far: 19 of 48 (all answered)"
    page.click("text=Save COWS")
    page.wait_for_url("**/checkin/cows/result?saved=*")
    assert page.locator("#total").inner_text() == "19 of 48"
    assert "moderate" in page.locator("#band").inner_text()
    assert "Your first COWS" in page.locator("main").inner_text()
    rows = CheckinService(server.ctx).scores("cows")
    assert [score for _, score in rows[0].assessment.items] == [2, 1, 3, 1, 2, 1, 2, 1, 1, 2, 3]


def test_a_positive_mood_screen_shows_its_alert_with_988(page: Any, server: LiveServer) -> None:
    set_up(server)
    page.goto("/checkin/phq2")
    tap(page, "little-interest", 2)
    tap(page, "feeling-down", 1)
    page.click("text=Save PHQ-2")
    page.wait_for_url("**/checkin/phq2/result?saved=*")
    alert = page.locator(".alerts .alert").first
    assert "Your mood screen was positive" in alert.inner_text()
    assert "988" in alert.inner_text()
    assert page.locator(".support a[href='tel:988']").is_visible()
    assert "Screen: positive" in page.locator("#screen").inner_text()


def test_answers_can_be_chosen_with_the_arrow_keys(page: Any, server: LiveServer) -> None:
    set_up(server)
    page.goto("/checkin/gad2")
    page.focus("input[name=nervous][value='0']")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.is_checked("input[name=nervous][value='2']")
    page.keyboard.press("Tab")  # the next item's group
    page.keyboard.press("ArrowDown")
    assert page.is_checked("input[name=cannot-stop-worrying][value='1']")
    assert page.locator("#running-total").inner_text() == "Total so far: 3 of 6 (all answered)"


def test_the_craving_slider_shows_its_value_and_is_saved(page: Any, server: LiveServer) -> None:
    set_up(server)
    page.goto("/checkin/craving")
    page.fill("#field-craving-now", "65")
    assert page.locator("output.vas-value").inner_text() == "65"
    page.click("text=Save Craving VAS")
    page.wait_for_url("**/checkin/craving/result?saved=*")
    assert page.locator("#total").inner_text() == "65 of 100"


def test_a_refused_check_in_points_at_the_items_and_saves_nothing(
    page: Any, server: LiveServer
) -> None:
    set_up(server)
    page.goto("/checkin/phq2")
    tap(page, "little-interest", 1)
    page.click("text=Save PHQ-2")
    assert "not answered yet" in page.locator("#error-feeling-down").inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.is_checked("input[name=little-interest][value='1']")
    assert CheckinService(server.ctx).scores() == []


def test_the_form_works_without_javascript(browser: Any, live_server: LiveServer) -> None:
    set_up(live_server)
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        base_url=live_server.url,
        java_script_enabled=False,
    )
    page = context.new_page()
    try:
        page.goto("/checkin/sows-gossop")
        assert not page.locator("#running-total").is_visible()
        for fieldset in page.locator("fieldset.item").all():
            fieldset.locator("label.answer").nth(1).click()
        page.click("text=Save SOWS-Gossop")
        page.wait_for_url("**/checkin/sows-gossop/result?saved=*")
        assert page.locator("#total").inner_text() == "10 of 30"
    finally:
        context.close()


def test_the_phone_menu_keeps_the_header_to_one_row(page: Any, server: LiveServer) -> None:
    set_up(server)
    page.goto("/today")
    header = page.locator("header.site").bounding_box()
    assert header is not None and header["height"] < 64
    nav_to(page, "Trends")
    page.wait_for_url("**/trends")
    if page.viewport_size["width"] < 700:
        # The area shown lives under "More", which says so.
        assert page.locator(".nav-more summary.has-current").is_visible()
        assert not page.locator(".nav-extra").first.is_visible()
    else:
        assert not page.locator(".nav-more").is_visible()


def test_scores_appear_on_today_and_in_trends(page: Any, server: LiveServer) -> None:
    set_up(server)
    service = CheckinService(server.ctx)
    service.record("cows", [2, 2, 3, 2, 2, 2, 2, 2, 2, 2, 3], at=hours_ago(30))
    service.record("cows", [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0], at=hours_ago(3))
    service.record("phq2", [1, 1], at=hours_ago(2))
    page.goto("/today")
    block = page.locator("#latest-scores").inner_text()
    assert "COWS 10 of 48, mild" in block and "(meaningful)" in block
    page.goto("/trends?days=7")
    charts = page.locator("#scores figure.chart svg").filter(visible=True)
    assert charts.count() == 2
    assert page.locator("#scores-cows").is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_check_in_pages_have_no_serious_accessibility_violations(
    page: Any, server: LiveServer, scheme: str
) -> None:
    set_up(server)
    service = CheckinService(server.ctx)
    service.record("cows", [2, 2, 3, 2, 2, 2, 2, 2, 2, 2, 3], at=hours_ago(30))
    service.record("phq2", [2, 2], at=hours_ago(20))
    page.emulate_media(color_scheme=scheme)
    problems = {}
    for path in ("/checkin", "/checkin/cows", "/checkin/craving", "/checkin/phq2", "/trends"):
        page.goto(path)
        if path == "/checkin/cows":
            tap(page, "sweating", 2)  # a chosen answer is drawn differently: check it too
        found = axe_violations(page)
        if found:
            problems[path] = found
    page.goto("/checkin/cows")
    page.fill("#field-bpm", "400")
    page.click("text=Save COWS")  # refused: errors at the items
    problems["refused"] = axe_violations(page)
    page.goto("/checkin/phq2")
    tap(page, "little-interest", 3)
    tap(page, "feeling-down", 3)
    page.click("text=Save PHQ-2")
    page.wait_for_url("**/result?saved=*")
    problems["result"] = axe_violations(page)
    assert {k: v for k, v in problems.items() if v} == {}
