"""Trends compare a score only with earlier scores of the same instrument: the baseline is the
first one, changes add up, and "meaningful" follows the instrument's own data file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mitra.domain.checkins import StoredAssessment, score_rows
from mitra.domain.instruments import get_instrument, score

START = datetime(2026, 1, 1, tzinfo=UTC)


def stored(
    record_id: int, instrument_id: str, answers: list[int], hours: float
) -> StoredAssessment:
    instrument = get_instrument(instrument_id)
    at = START + timedelta(hours=hours)
    return StoredAssessment(record_id, score(instrument, answers, rater="self", at=at), at)


@given(st.lists(st.integers(0, 100), min_size=1, max_size=30))
def test_changes_from_previous_add_up_to_the_change_from_baseline(levels: list[int]) -> None:
    rows = score_rows(stored(n, "craving", [v], hours=n) for n, v in enumerate(levels))
    assert rows[0].is_baseline and rows[0].change_from_previous is None
    running = 0
    for row, level in zip(rows[1:], levels[1:], strict=True):
        assert row.change_from_previous is not None
        running += row.change_from_previous
        assert row.change_from_baseline == running == level - levels[0]
        assert row.meaningful == (abs(row.change_from_previous) >= 10)


def test_each_instrument_has_its_own_baseline_and_previous_score() -> None:
    records = [
        stored(1, "craving", [50], hours=0),
        stored(2, "phq2", [1, 1], hours=1),
        stored(3, "craving", [70], hours=2),
        stored(4, "phq2", [3, 3], hours=3),
    ]
    rows = {row.record.id: row for row in score_rows(reversed(records))}
    assert rows[2].is_baseline
    assert (rows[3].change_from_previous, rows[3].meaningful) == (20, True)
    assert (rows[4].change_from_previous, rows[4].change_from_baseline) == (4, 4)
    assert rows[4].threshold == 2 and rows[4].threshold_basis == "judgement"


def test_scores_at_the_same_moment_are_compared_in_recording_order() -> None:
    rows = score_rows([stored(2, "craving", [30], hours=0), stored(1, "craving", [10], hours=0)])
    assert [r.record.id for r in rows] == [1, 2]
    assert rows[1].change_from_previous == 20
