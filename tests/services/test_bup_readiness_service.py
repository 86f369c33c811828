"""The readiness use case over a real journal: it reads the latest COWS and the recent uses,
judges them as of the injected clock, and reads only its window."""

from __future__ import annotations

from datetime import timedelta

from mitra.services.bup_readiness import ReadinessService, readiness_view
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from tests.conftest import FIXED_NOW

SIGNS_8 = "1,1,1,1,1,1,0,1,1,0,0"


def test_a_journal_with_a_fresh_cows_and_an_old_enough_oxycodone_is_likely_ready(
    ctx: AppContext,
) -> None:
    JournalService(ctx).log_substance("oxycodone", "10mg", at=FIXED_NOW - timedelta(hours=16))
    CheckinService(ctx).record("cows", SIGNS_8, at=FIXED_NOW - timedelta(minutes=30))
    view = readiness_view(ReadinessService(ctx).readiness())
    assert view["answer"] == "likely-ready"
    assert view["cows"]["total"] == 8
    assert view["last_uses"][0]["kind"] == "short-acting"
    assert view["last_uses"][0]["waited"] is True
    assert all(source["citation"] for source in view["sources"])


def test_a_cows_scored_before_the_latest_dose_does_not_make_it_ready(ctx: AppContext) -> None:
    CheckinService(ctx).record("cows", SIGNS_8, at=FIXED_NOW - timedelta(hours=2))
    JournalService(ctx).log_dose("3g", at=FIXED_NOW - timedelta(hours=1))
    found = ReadinessService(ctx).readiness().readiness
    assert found.answer == "not-yet"
    assert found.last_uses[0].kind == "kratom"


def test_fentanyl_from_ten_days_ago_still_asks_for_a_low_or_high_dose_start(
    ctx: AppContext,
) -> None:
    JournalService(ctx).log_substance("fentanyl", "1mg", at=FIXED_NOW - timedelta(days=10))
    CheckinService(ctx).record("cows", SIGNS_8, at=FIXED_NOW - timedelta(minutes=5))
    assert ReadinessService(ctx).readiness().readiness.answer == "talk-low-or-high"


def test_uses_older_than_the_window_are_not_read(ctx: AppContext) -> None:
    JournalService(ctx).log_substance("fentanyl", "1mg", at=FIXED_NOW - timedelta(days=15))
    CheckinService(ctx).record("cows", SIGNS_8, at=FIXED_NOW - timedelta(minutes=5))
    found = ReadinessService(ctx).readiness().readiness
    assert found.last_uses == ()
    assert found.answer == "likely-ready"
    assert any("No opioid or kratom use is logged" in reason for reason in found.reasons)
