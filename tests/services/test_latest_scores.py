"""Bounded reads: ``CheckinService.latest_scores`` gives each instrument's latest score with
exactly the changes ``scores()`` gives it (from the previous score and from the baseline),
deleted scores left out; and the profile knows whether it was ever saved."""

from __future__ import annotations

from datetime import timedelta

from mitra.services.catalogue import ProfileService
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.storage.assessment_store import AssessmentStore
from mitra.storage.journal_store import JournalStore
from tests.conftest import FIXED_NOW


def test_the_latest_scores_match_the_full_comparison(ctx: AppContext) -> None:
    service = CheckinService(ctx)
    assert service.latest_scores() == []
    totals = [5, 9, 3, 12, 7, 8]
    for n, total in enumerate(totals):
        answers = [min(3, max(0, total - 3 * i)) for i in range(10)]
        service.record("sows-gossop", answers, at=FIXED_NOW - timedelta(hours=10 * (6 - n)))
    service.record("phq2", [1, 1], at=FIXED_NOW - timedelta(hours=3))
    full = service.scores()
    latest = service.latest_scores()
    expected = {}
    for row in full:
        expected[row.assessment.instrument_id] = row
    assert {r.assessment.instrument_id: r for r in latest} == expected
    gossop = next(r for r in latest if r.assessment.instrument_id == "sows-gossop")
    assert (gossop.change_from_previous, gossop.change_from_baseline) == (1, 3)
    assert [r.assessment.instrument_id for r in service.latest_scores("phq2")] == ["phq2"]


def test_a_deleted_latest_score_is_left_out(ctx: AppContext) -> None:
    service = CheckinService(ctx)
    first = service.record("phq2", [0, 1], at=FIXED_NOW - timedelta(days=2))
    last = service.record("phq2", [2, 2], at=FIXED_NOW - timedelta(days=1))
    assert last.id is not None and first.id is not None
    with ctx.database.transaction() as conn:
        AssessmentStore(conn).set_deleted(last.id, FIXED_NOW)
    (row,) = service.latest_scores()
    assert row.record.id == first.id and row.change_from_baseline is None


def test_the_profile_knows_whether_it_was_ever_saved(ctx: AppContext) -> None:
    service = ProfileService(ctx)
    with ctx.database.transaction() as conn:
        assert not JournalStore(conn).has_profile()
    assert not service.is_saved()
    service.set(timezone=ctx.default_timezone)
    assert service.is_saved()
    with ctx.database.transaction() as conn:
        assert JournalStore(conn).has_profile()
