"""The sliding-window pause of repeated failed sign-ins, checked against its plain reading:
the newest failure has at least ``limit`` failures within ``window`` before it (itself
included), and ``lock_for`` has not passed since it."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from mitra.domain.sign_in_limit import horizon, paused
from tests.support.clock import FIXED_NOW

WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)

offsets = st.lists(st.integers(min_value=0, max_value=3 * 3600), max_size=12)


@given(seconds_ago=offsets, limit=st.integers(min_value=1, max_value=6))
def test_paused_is_a_burst_ending_at_the_newest_failure_within_the_lock(
    seconds_ago: list[int], limit: int
) -> None:
    failures = sorted((FIXED_NOW - timedelta(seconds=s) for s in seconds_ago), reverse=True)
    since = horizon(FIXED_NOW, window=WINDOW, lock_for=LOCK_FOR)
    considered = [f for f in failures if f >= since][:limit]
    got = paused(considered, at=FIXED_NOW, limit=limit, window=WINDOW, lock_for=LOCK_FOR)
    if not failures:
        assert not got
        return
    newest = failures[0]
    in_burst = [f for f in failures if newest - WINDOW <= f <= newest]
    assert got == (len(in_burst) >= limit and newest + LOCK_FOR > FIXED_NOW)


def test_five_failures_in_fifteen_minutes_pause_for_fifteen_minutes_after_the_last() -> None:
    failures = [FIXED_NOW - timedelta(minutes=m) for m in (0, 3, 6, 9, 12)]
    for later, expected in ((timedelta(minutes=14, seconds=59), True), (LOCK_FOR, False)):
        at = FIXED_NOW + later
        assert paused(failures, at=at, limit=5, window=WINDOW, lock_for=LOCK_FOR) is expected
    spread = [FIXED_NOW - timedelta(minutes=m) for m in (0, 4, 8, 12, 16)]
    assert not paused(spread, at=FIXED_NOW, limit=5, window=WINDOW, lock_for=LOCK_FOR)
