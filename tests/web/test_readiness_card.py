"""The readiness card on today: there after a recent COWS, worded for a prescriber, with the
locator and the helpline; absent on a calm day."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from mitra.services.catalogue import ProfileService
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from tests.conftest import FIXED_NOW


def _card(text: str) -> str:
    return text.split('id="bup-readiness"')[1].split("</section>", maxsplit=1)[0]


def test_today_shows_readiness_after_a_recent_cows(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    ProfileService(sqlite_ctx).set(timezone="America/New_York")
    JournalService(sqlite_ctx).log_substance(
        "oxycodone", "10mg", at=FIXED_NOW - timedelta(hours=20)
    )
    CheckinService(sqlite_ctx).record(
        "cows", "1,1,1,1,1,1,0,1,1,0,0", at=FIXED_NOW - timedelta(hours=1)
    )
    card = _card(client.get("/today").text)
    assert "Likely ready to start with your clinician" in card
    assert "not an instruction to start buprenorphine on your own" in card
    assert 'href="tel:18006624357"' in card and "findtreatment.gov" in card
    assert "mitra " not in card  # no terminal commands on a web page


def test_today_shows_the_fentanyl_answer_without_a_cows(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    ProfileService(sqlite_ctx).set(timezone="UTC")
    JournalService(sqlite_ctx).log_substance("fentanyl", "1mg", at=FIXED_NOW - timedelta(days=2))
    assert "low-dose or high-dose start" in _card(client.get("/today").text)


def test_today_has_no_readiness_card_without_a_recent_cows(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    ProfileService(sqlite_ctx).set(timezone="UTC")
    JournalService(sqlite_ctx).log_dose("3g", at=FIXED_NOW - timedelta(hours=3))
    assert 'id="bup-readiness"' not in client.get("/today").text
