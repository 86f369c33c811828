"""The clinic server in a real browser (Chromium via Playwright) at 360 px and 1280 px: a
person signs in with the form, lands on Today, and sees on "Who looked" the clinician who read
their journal; /sharing and /who-looked pass axe-core and are kept as screenshots in
/tmp/clinic-shots/ (for a person to look at)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from mitra.services.checkins import CheckinService
from mitra.services.journal import JournalService
from tests.clinic_web.conftest import PASSWORD, Clinic
from tests.web.browser_support import axe_violations
from tests.web.conftest import WIDTHS

SHOTS = Path("/tmp/clinic-shots")


@pytest.fixture
def clinic_url(clinic: Clinic) -> Iterator[str]:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(
        uvicorn.Config(clinic.app, log_level="warning", access_log=False, lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the clinic test server did not start within 10 s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_a_person_signs_in_sees_today_and_who_looked(
    browser: Any, clinic: Clinic, clinic_url: str, width: str
) -> None:
    owner = clinic.accounts["owner"]
    reader = {"authorization": f"Bearer {clinic.token('clin_read')}"}
    assert clinic.client().get(
        f"/api/v1/people/{owner.journal_id}/entries", headers=reader
    ).status_code == 200  # fmt: skip
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, base_url=clinic_url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/today")
        assert page.url.endswith("/sign-in")
        page.fill("#field-email", owner.email)
        page.fill("#field-password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/today")
        assert page.locator("h1").first.inner_text().strip() != ""
        page.goto("/who-looked")
        text = page.locator("main").inner_text()
        assert "clin.read@clinic.example" in text and "looked at your entries" in text
        SHOTS.mkdir(parents=True, exist_ok=True)
        pixels = w
        page.screenshot(path=str(SHOTS / f"who-looked-{pixels}.png"), full_page=True)
        assert axe_violations(page) == []
        page.goto("/sharing")
        assert "clin.read@clinic.example" in page.locator("main").inner_text()
        page.screenshot(path=str(SHOTS / f"sharing-{pixels}.png"), full_page=True)
        assert axe_violations(page) == []
        # Signing out from the header ends the session: Today asks to sign in again.
        page.locator("form.sign-out button").click()
        page.wait_for_url("**/sign-in**")
        page.goto("/today")
        assert "/sign-in" in page.url
    finally:
        context.close()


def _sign_in(page: Any, clinic: Clinic, who: str) -> None:
    """Sign in through the form (with a TOTP code for the staff)."""
    page.goto("/sign-in")
    page.fill("#field-email", clinic.accounts[who].email)
    page.fill("#field-password", PASSWORD)
    if clinic.accounts[who].totp_secret is not None:
        page.fill("#field-code", clinic.code(who))
    page.click("button[type=submit]")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_a_clinician_makes_an_invitation_link_on_the_people_page(
    browser: Any, clinic: Clinic, clinic_url: str, width: str
) -> None:
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, base_url=clinic_url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        _sign_in(page, clinic, "clin_read")
        page.wait_for_url("**/clinic")  # a clinician's home is the roster
        page.goto("/people")
        page.fill("#field-invite_email", "sam.new@example.org")
        page.click("#invite button[type=submit]")
        link = page.locator("#invite-link").inner_text()
        assert f"{clinic_url}/join/" in link
        assert "sam.new@example.org" in page.locator("#invited").inner_text()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"people-invited-{w}.png"), full_page=True)
        assert axe_violations(page) == []
        width_used = page.evaluate("document.documentElement.scrollWidth")
        assert width_used <= w  # the long link wraps instead of widening the page
    finally:
        context.close()


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_a_clinician_sees_the_roster_opens_an_emergency_and_marks_it_seen(
    browser: Any, clinic: Clinic, clinic_url: str, width: str
) -> None:
    owner = clinic.accounts["owner"]
    JournalService(clinic.journal("owner")).log_symptom("I can't breathe")
    CheckinService(clinic.journal("owner")).record(
        "cows", "2,2,1,2,1,2,2,1,1,0,0", at=clinic.clock.now - timedelta(hours=1)
    )
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, base_url=clinic_url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        _sign_in(page, clinic, "clin_read")
        page.wait_for_url("**/clinic")
        first = page.locator(".roster-row").first
        assert "Emergency not yet seen" in first.inner_text()
        assert "COWS 14" in first.inner_text()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"roster-{w}.png"), full_page=True)
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= w
        first.locator("h2 a").click()
        page.wait_for_url(f"**/clinic/people/{owner.journal_id}")
        page.screenshot(path=str(SHOTS / f"person-as-clinician-{w}.png"), full_page=True)
        assert axe_violations(page) == []
        page.fill("#alerts input[name=note]", "Seen. I will call you at 4.")
        page.click("#alerts button[type=submit]")
        page.wait_for_url(f"**/clinic/people/{owner.journal_id}?seen=alert")
        assert "Seen by you" in page.locator("#alerts").inner_text()
        page.goto("/clinic")
        assert "Emergency, seen" in page.locator(".roster-row").first.inner_text()
        page.screenshot(path=str(SHOTS / f"roster-after-seen-{w}.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_a_clinician_acts_for_a_person_and_the_person_sees_it(
    browser: Any, clinic: Clinic, clinic_url: str, width: str
) -> None:
    owner = clinic.accounts["owner"]
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, base_url=clinic_url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        _sign_in(page, clinic, "clin_plan")
        page.wait_for_url("**/clinic")
        page.goto(f"/clinic/people/{owner.journal_id}")
        page.fill("#note-text", "Good to hear the evenings are easier. Call me Thursday.")
        page.click("#notes button[type=submit]")
        assert "Your note is saved." in page.locator("#seen-notice").inner_text()
        page.select_option("#limit-threshold", "dose-mitragynine-high.max_mg")
        page.fill("#limit-value", "40")
        page.click("#limits button[type=submit]")
        assert "40 mg" in page.locator("#limits").inner_text()
        page.fill("#taper-steps", "120, 108, 96")
        page.fill("#taper-days", "28")
        page.fill("#taper-current", "120")
        page.click("#plan form:first-of-type button[type=submit]")
        assert "The taper is set." in page.locator("#seen-notice").inner_text()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"person-acted-for-{w}.png"), full_page=True)
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= w
        page.click("header button[type=submit], .account button[type=submit]")
        _sign_in(page, clinic, "owner")
        page.wait_for_url("**/today")
        page.goto("/sharing")
        shared = page.locator("main").inner_text()
        assert "Call me Thursday." in shared and "usually 100 mg" in shared
        page.screenshot(path=str(SHOTS / f"sharing-care-team-{w}.png"), full_page=True)
        assert axe_violations(page) == []
        page.goto("/plan")
        assert "Set by your clinician" in page.locator("main").inner_text()
    finally:
        context.close()
