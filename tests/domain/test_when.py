"""Reading times: ISO 8601 and natural phrases, relative to an injected now, in the person's
zone; the future and the implausibly old are refused."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mitra.domain.errors import InputError
from mitra.domain.when import parse_when

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=NY)  # 3 a.m.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("", NOW),
        ("2026-11-19T21:00", datetime(2026, 11, 19, 21, 0, tzinfo=NY)),
        ("2026-11-19T21:00+00:00", datetime(2026, 11, 19, 16, 0, tzinfo=NY)),
        ("yesterday 21:00", datetime(2026, 11, 19, 21, 0, tzinfo=NY)),
        ("2h ago", NOW - timedelta(hours=2)),
        ("30 minutes ago", NOW - timedelta(minutes=30)),
        # A bare time later than now is last night's, not tonight's.
        ("8:30pm", datetime(2026, 11, 19, 20, 30, tzinfo=NY)),
        ("1am", datetime(2026, 11, 20, 1, 0, tzinfo=NY)),
    ],
)
def test_common_time_phrases_are_read_in_the_persons_zone(text: str, expected: datetime) -> None:
    moment = parse_when(text, now=NOW, zone=NY)
    assert moment.tzinfo is not None
    assert moment == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("banana", "could not read"),
        ("2030-01-01T10:00", "in the future"),
        ("tomorrow", "in the future"),
        ("in 2 days", "in the future"),
        ("1999-12-31T10:00", "before the year 2000"),
    ],
)
def test_unreadable_future_or_ancient_times_are_refused(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        parse_when(text, now=NOW, zone=NY)
    assert fragment in err.value.message


def test_a_few_minutes_of_clock_skew_are_allowed() -> None:
    ahead = (NOW + timedelta(minutes=5)).isoformat()
    assert parse_when(ahead, now=NOW, zone=NY) == NOW + timedelta(minutes=5)
