"""Bounded check-in reads give exactly what reading every score gives (issue 14): a new
check-in's trend is computed from its instrument's baseline and the score just before it, and a
window of scores from the window plus, per instrument, the baseline and the last score before
it. The edges: a score exactly at the window's start is inside it, one a microsecond before is
the "previous" score, a score at the window's end (``until``) is inside, a deleted score counts
nowhere, and a back-dated or same-moment check-in is ordered as the full list orders it."""

from __future__ import annotations

from datetime import timedelta

from mitra.domain.checkins import ScoreRow, score_rows
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.storage.assessment_store import AssessmentStore
from tests.conftest import FIXED_NOW


def _answers(total: int) -> list[int]:
    return [min(3, max(0, total - 3 * i)) for i in range(10)]


def _every_row(ctx: AppContext) -> dict[int, ScoreRow]:
    with ctx.database.read() as conn:
        return {r.record.id: r for r in score_rows(AssessmentStore(conn).list_assessments())}


def test_a_new_checkins_trend_is_the_one_the_full_list_gives(ctx: AppContext) -> None:
    service = CheckinService(ctx)
    moments = [
        (4, 10),  # the baseline
        (3, 2),
        (1, 8),
        (6, 5),  # back-dated before the baseline: it becomes the baseline
        (1, 12),  # the same moment as an earlier one: after it (id order)
        (2, 4),  # between two stored scores
    ]
    for days, total in moments:
        result = service.record("sows-gossop", _answers(total), at=FIXED_NOW - timedelta(days=days))
        assert result.id is not None and result.trend is not None
        assert result.trend == _every_row(ctx)[result.id]
    service.record("phq2", [1, 1], at=FIXED_NOW - timedelta(days=5))
    assert service.record("phq2", [2, 2], at=FIXED_NOW).trend == next(
        r
        for r in _every_row(ctx).values()
        if r.assessment.instrument_id == "phq2" and r.assessment.at == FIXED_NOW
    )


def test_a_deleted_score_is_neither_baseline_nor_previous(ctx: AppContext) -> None:
    service = CheckinService(ctx)
    first = service.record("phq2", [0, 0], at=FIXED_NOW - timedelta(days=3))
    service.record("phq2", [1, 1], at=FIXED_NOW - timedelta(days=2))
    assert first.id is not None
    with ctx.database.transaction() as conn:
        AssessmentStore(conn).set_deleted(first.id, FIXED_NOW)
    result = service.record("phq2", [3, 3], at=FIXED_NOW - timedelta(days=1))
    assert result.trend is not None
    assert (result.trend.change_from_previous, result.trend.change_from_baseline) == (4, 4)


def test_a_window_of_scores_matches_the_full_list_at_its_edges(ctx: AppContext) -> None:
    service = CheckinService(ctx)
    start = FIXED_NOW - timedelta(days=3)
    end = FIXED_NOW - timedelta(hours=1)
    for at, total in (
        (start - timedelta(days=4), 3),  # the baseline
        (start - timedelta(microseconds=1), 9),  # just before: the previous score
        (start, 4),  # exactly at the start: inside
        (start + timedelta(days=1), 11),
        (end, 6),  # exactly at the end: inside
        (end + timedelta(minutes=30), 2),  # after the end: left out
    ):
        service.record("sows-gossop", _answers(total), at=at)
    service.record("phq2", [1, 0], at=start - timedelta(days=1))
    service.record("phq2", [2, 2], at=start + timedelta(hours=2))
    service.record("cows", [0] * 11, at=start - timedelta(days=2))  # none in the window
    every = service.scores()
    inside = [r for r in every if start <= r.assessment.at <= end]
    window = service.scores(since=start.isoformat(), until=end)
    assert window == inside
    assert [r.assessment.total for r in window if r.assessment.instrument_id == "sows-gossop"] == [
        4,
        11,
        6,
    ]
    assert window[0].change_from_previous == 4 - 9 and window[0].change_from_baseline == 1
    assert service.scores(since=start.isoformat()) == [r for r in every if r.assessment.at >= start]
    assert service.scores("phq2", since=start.isoformat()) == [
        r for r in every if r.assessment.instrument_id == "phq2" and r.assessment.at >= start
    ]


def test_a_window_holding_the_baseline_lists_it_once(ctx: AppContext) -> None:
    service = CheckinService(ctx)
    for days, total in ((2, 10), (1, 6)):
        service.record("sows-gossop", _answers(total), at=FIXED_NOW - timedelta(days=days))
    since = (FIXED_NOW - timedelta(days=5)).isoformat()
    ids = [row.record.id for row in service.scores(None, since=since)]
    assert len(ids) == 2 == len(set(ids))
    assert ids == sorted(_every_row(ctx))
