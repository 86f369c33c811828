"""Lost tolerance and naloxone through the journal: raised when an opioid is logged after a
break, reminded while the profile has no naloxone, and shown by the demo journey."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from mitra.services.catalogue import ProfileService
from mitra.services.context import AppContext
from mitra.services.demo import build_demo
from mitra.services.journal import JournalService
from mitra.services.safety import SafetyService
from mitra.storage.database import open_database
from tests.conftest import FIXED_NOW


def _rules(result_alerts: object) -> set[str]:
    return {a.alert.rule_id for a in result_alerts}  # type: ignore[attr-defined]


def test_an_opioid_four_days_after_the_last_warns_and_reminds_about_naloxone(
    sqlite_ctx: AppContext,
) -> None:
    journal = JournalService(sqlite_ctx)
    journal.log_dose("2g", at=FIXED_NOW - timedelta(days=6))
    journal.log_substance("oxycodone", "10mg", at=FIXED_NOW - timedelta(days=4))
    result = journal.log_substance("oxycodone", "10mg")
    assert {"opioid-after-break", "naloxone-not-at-hand"} <= _rules(result.alerts)


def test_with_naloxone_in_the_profile_there_is_no_reminder(sqlite_ctx: AppContext) -> None:
    ProfileService(sqlite_ctx).set(naloxone="yes", naloxone_expires="2030-01")
    journal = JournalService(sqlite_ctx)
    journal.log_dose("2g", at=FIXED_NOW - timedelta(days=6))
    result = journal.log_substance("oxycodone", "10mg")
    assert "naloxone-not-at-hand" not in _rules(result.alerts)
    assert "opioid-after-break" in _rules(result.alerts)


def test_the_demo_shows_the_lost_tolerance_warning(tmp_path: Path) -> None:
    now = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)
    db = open_database(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    ctx = AppContext(db, clock=lambda: now)
    build_demo(ctx)
    alerts = SafetyService(ctx).alerts(include_acknowledged=True)
    profile = ProfileService(ctx).show()
    db.dispose()
    assert "opioid-after-break" in {a.alert.rule_id for a in alerts}
    assert profile.naloxone is True and profile.naloxone_expires is not None


def test_a_back_dated_first_entry_lets_a_later_opioid_show_the_break(
    sqlite_ctx: AppContext,
) -> None:
    journal = JournalService(sqlite_ctx)
    opioid = journal.log_substance("oxycodone", "10mg")
    assert "opioid-after-break" not in _rules(opioid.alerts)  # a journal of one entry
    journal.log_dose("2g", at=FIXED_NOW - timedelta(days=5))  # the journal now reaches back
    open_rules = {a.alert.rule_id for a in SafetyService(sqlite_ctx).alerts()}
    assert "opioid-after-break" in open_rules


def test_deleting_the_first_entry_closes_a_break_the_journal_no_longer_shows(
    sqlite_ctx: AppContext,
) -> None:
    journal = JournalService(sqlite_ctx)
    first = journal.log_dose("2g", at=FIXED_NOW - timedelta(days=5))
    journal.log_substance("oxycodone", "10mg")
    assert "opioid-after-break" in {a.alert.rule_id for a in SafetyService(sqlite_ctx).alerts()}
    assert first.entry.id is not None
    journal.delete(first.entry.id)
    assert "opioid-after-break" not in {a.alert.rule_id for a in SafetyService(sqlite_ctx).alerts()}
