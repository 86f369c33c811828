"""The timeline service: the last opioid use and its type (by the catalogue's release field,
or kratom while tapering), the phase now, and the person's own scores by hours since."""

from __future__ import annotations

from datetime import timedelta

from mitra.services.catalogue import ProfileService
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.plans import PlanService
from mitra.services.timeline import TimelineService
from tests.conftest import FIXED_NOW


def _utc(ctx: AppContext) -> AppContext:
    ProfileService(ctx).set(timezone="UTC")
    return ctx


def _last(ctx: AppContext, name: str, amount: str, hours_ago: float) -> None:
    JournalService(ctx).log_substance(name, amount, at=FIXED_NOW - timedelta(hours=hours_ago))


def test_oxycodone_thirty_hours_ago_is_the_peak(ctx: AppContext) -> None:
    _last(_utc(ctx), "oxycodone", "30mg", 30)
    report = TimelineService(ctx).timeline()
    assert report.primary is not None
    timeline = report.primary.timeline
    assert (timeline.opioid_type, timeline.phase) == ("short-acting", "peak")
    assert timeline.certainty == "moderate"
    assert "12-18 hours" in timeline.buprenorphine_start
    assert "ASAM 2020" in report.alternatives


def test_methadone_two_days_ago_is_still_onset(sqlite_ctx: AppContext) -> None:
    # Just under two days: methadone's peak window starts at 48 hours (day 3).
    _last(_utc(sqlite_ctx), "methadone", "40mg", 47)
    primary = TimelineService(sqlite_ctx).timeline().primary
    assert primary is not None
    assert (primary.timeline.opioid_type, primary.timeline.phase) == ("methadone", "onset")


def test_extended_release_oxycodone_uses_the_long_acting_timeline(sqlite_ctx: AppContext) -> None:
    _last(_utc(sqlite_ctx), "oxycontin", "20mg", 20)
    primary = TimelineService(sqlite_ctx).timeline().primary
    assert primary is not None and primary.opioid_type == "long-acting"
    assert primary.timeline.phase == "onset"


def test_fentanyl_is_labelled_variable_and_low_certainty(sqlite_ctx: AppContext) -> None:
    _last(_utc(sqlite_ctx), "fentanyl", "100mcg", 30)
    report = TimelineService(sqlite_ctx).timeline()
    primary = report.primary
    assert primary is not None
    timeline = primary.timeline
    assert (timeline.opioid_type, timeline.phase, timeline.certainty) == (
        "fentanyl",
        "onset",
        "low",
    )
    onset, peak, _ = timeline.windows
    assert onset.low_h is None and "variable" in onset.published and "variable" in peak.published
    assert "timing varies" in report.message  # never "typically starts now" after fentanyl
    assert "precipitated" in timeline.buprenorphine_start


def test_buprenorphine_comes_from_lay_sources_and_says_so(sqlite_ctx: AppContext) -> None:
    _last(_utc(sqlite_ctx), "buprenorphine", "8mg", 60)
    primary = TimelineService(sqlite_ctx).timeline().primary
    assert primary is not None
    assert primary.timeline.certainty == "low" and "lay-sources" in primary.timeline.sources


def test_kratom_counts_only_while_tapering(ctx: AppContext) -> None:
    _utc(ctx)
    JournalService(ctx).log_dose("3g", product="leaf", at=FIXED_NOW - timedelta(hours=30))
    assert TimelineService(ctx).timeline().primary is None
    PlanService(ctx).new_taper(current_mg="100")
    report = TimelineService(ctx).timeline()
    assert report.tapering and report.primary is not None
    assert (report.primary.opioid_type, report.primary.timeline.phase) == ("kratom", "peak")


def test_while_tapering_the_latest_use_leads_and_the_other_is_shown_too(
    sqlite_ctx: AppContext,
) -> None:
    ProfileService(sqlite_ctx).set(timezone="UTC", goals="taper-kratom")
    _last(sqlite_ctx, "oxycodone", "10mg", 24 * 20)
    JournalService(sqlite_ctx).log_dose("3g", product="leaf", at=FIXED_NOW - timedelta(hours=3))
    report = TimelineService(sqlite_ctx).timeline()
    assert report.primary is not None and report.primary.opioid_type == "kratom"
    assert [o.timeline.phase for o in report.others] == ["protracted"]


def test_scores_are_listed_by_hours_since_the_last_use(ctx: AppContext) -> None:
    _last(_utc(ctx), "oxycodone", "30mg", 40)
    checkins = CheckinService(ctx)
    checkins.record("cows", [0] * 11, at=FIXED_NOW - timedelta(hours=50))  # before: not shown
    checkins.record("cows", [2, 2, 1, 2, 2, 2, 1, 1, 2, 0, 0], at=FIXED_NOW - timedelta(hours=20))
    checkins.record("sows-gossop", [1] * 10, at=FIXED_NOW - timedelta(hours=30))
    report = TimelineService(ctx).timeline()
    points = [
        (p.assessment.instrument_id, round(p.hours_since_last_use), p.phase) for p in report.scores
    ]
    assert points == [("sows-gossop", 10, "onset"), ("cows", 20, "onset")]
