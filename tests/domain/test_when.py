"""Reading times: ISO 8601 and mitra's fixed phrases, relative to an injected now, in the
person's zone; impossible times, the future and the implausibly old are refused; daylight
saving follows one rule (a gap is refused, a repeat is the first occurrence)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mitra.domain.errors import InputError
from mitra.domain.when import describe_moment, parse_when

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
        ("8:30 pm", datetime(2026, 11, 19, 20, 30, tzinfo=NY)),
        ("8.30pm", datetime(2026, 11, 19, 20, 30, tzinfo=NY)),
        ("20:30", datetime(2026, 11, 19, 20, 30, tzinfo=NY)),
        ("8pm", datetime(2026, 11, 19, 20, 0, tzinfo=NY)),
        ("12am", datetime(2026, 11, 20, 0, 0, tzinfo=NY)),
        ("noon", datetime(2026, 11, 19, 12, 0, tzinfo=NY)),
        ("midnight", datetime(2026, 11, 20, 0, 0, tzinfo=NY)),
        ("at 9pm", datetime(2026, 11, 19, 21, 0, tzinfo=NY)),
        ("yesterday 8:30pm", datetime(2026, 11, 19, 20, 30, tzinfo=NY)),
        ("yesterday at 9pm", datetime(2026, 11, 19, 21, 0, tzinfo=NY)),
        ("today 1am", datetime(2026, 11, 20, 1, 0, tzinfo=NY)),
        ("2 hours ago", NOW - timedelta(hours=2)),
        ("90m ago", NOW - timedelta(minutes=90)),
        ("1h30m ago", NOW - timedelta(minutes=90)),
        ("1 h 30 min ago", NOW - timedelta(minutes=90)),
        ("an hour ago", NOW - timedelta(hours=1)),
        ("half an hour ago", NOW - timedelta(minutes=30)),
        ("7 days ago", NOW - timedelta(days=7)),
        ("last night", datetime(2026, 11, 19, 22, 0, tzinfo=NY)),
        ("last night 11pm", datetime(2026, 11, 19, 23, 0, tzinfo=NY)),
        ("last night 2am", datetime(2026, 11, 20, 2, 0, tzinfo=NY)),
        ("yesterday morning", datetime(2026, 11, 19, 8, 0, tzinfo=NY)),
        ("yesterday evening", datetime(2026, 11, 19, 19, 0, tzinfo=NY)),
        # 20 Nov 2026 is a Friday: Sunday is five days back, Friday 20:30 a week back.
        ("sunday 20:30", datetime(2026, 11, 15, 20, 30, tzinfo=NY)),
        ("last sun 8pm", datetime(2026, 11, 15, 20, 0, tzinfo=NY)),
        ("friday 20:30", datetime(2026, 11, 13, 20, 30, tzinfo=NY)),
        ("friday 1am", datetime(2026, 11, 20, 1, 0, tzinfo=NY)),
        ("19 nov 21:00", datetime(2026, 11, 19, 21, 0, tzinfo=NY)),
        ("nov 19 2026 9pm", datetime(2026, 11, 19, 21, 0, tzinfo=NY)),
        ("25 dec 10:00", datetime(2025, 12, 25, 10, 0, tzinfo=NY)),
        ("2026-11-19", datetime(2026, 11, 19, 0, 0, tzinfo=NY)),
        ("2026-11-19 21:00", datetime(2026, 11, 19, 21, 0, tzinfo=NY)),
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
        ("tomorrow 9am", "in the future"),
        ("in 2 days", "in the future"),
        ("1999-12-31T10:00", "before the year 2000"),
        ("25:00", "hours go from 00 to 23"),
        ("24:30", "hours go from 00 to 23"),
        ("24:00", "midnight is 00:00"),
        ("13pm", "with am/pm the hour is 1 to 12"),
        ("0am", "with am/pm the hour is 1 to 12"),
        ("8:75pm", "minutes go from 00 to 59"),
        ("20:60", "minutes go from 00 to 59"),
        ("yesterday 25:00", "hours go from 00 to 23"),
        ("31 feb", "there is no 31 February"),
        ("29 feb 2026 10:00", "there is no 29 February in 2026"),
        ("2026-02-31T10:00", "there is no 31 February"),
        ("2026-13-01", "months go from 1 to 12"),
        ("2026-11-19T25:00", "hours go from 00 to 23"),
        ("yesterday", "needs a time of day"),
        ("sunday", "needs a time of day"),
        ("8", "write it with minutes or am/pm"),
        ("this morning 9pm", "not in the morning"),
        ("next tuesday-ish blah", "could not read"),
        ("99999999999999 days ago", "further from now than a calendar goes"),
    ],
)
def test_unreadable_future_or_ancient_times_are_refused(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        parse_when(text, now=NOW, zone=NY)
    assert fragment in err.value.message


def test_a_few_minutes_of_clock_skew_are_allowed() -> None:
    ahead = (NOW + timedelta(minutes=5)).isoformat()
    assert parse_when(ahead, now=NOW, zone=NY) == NOW + timedelta(minutes=5)


def test_a_bare_time_on_the_first_of_a_month_stays_on_that_day_or_the_day_before() -> None:
    first = datetime(2026, 12, 1, 17, 47, tzinfo=ZoneInfo("UTC"))
    assert parse_when("8:30pm", now=first, zone=NY) == datetime(2026, 11, 30, 20, 30, tzinfo=NY)
    assert parse_when("9am", now=first, zone=NY) == datetime(2026, 12, 1, 9, 0, tzinfo=NY)


@pytest.mark.parametrize(
    ("zone", "text", "gap"),
    [
        ("America/New_York", "2027-03-14T02:30", "from 02:00 to 03:00"),
        ("Europe/London", "2027-03-28T01:30", "from 01:00 to 02:00"),
        ("Australia/Sydney", "2027-10-03T02:15", "from 02:00 to 03:00"),
    ],
)
def test_a_time_in_a_spring_forward_gap_is_refused_naming_the_gap(
    zone: str, text: str, gap: str
) -> None:
    now = datetime(2027, 10, 10, 12, 0, tzinfo=ZoneInfo("UTC"))
    with pytest.raises(InputError) as err:
        parse_when(text, now=now, zone=ZoneInfo(zone))
    assert "did not exist" in err.value.message and gap in err.value.message


def test_a_bare_time_in_todays_gap_is_refused_and_one_before_it_is_yesterdays() -> None:
    now = datetime(2027, 3, 14, 10, 0, tzinfo=NY)  # spring-forward day, after the gap
    with pytest.raises(InputError, match="from 02:00 to 03:00"):
        parse_when("2:30am", now=now, zone=NY)
    early = datetime(2027, 3, 14, 1, 50, tzinfo=NY)  # before the gap: 2:30 was yesterday's
    assert parse_when("2:30am", now=early, zone=NY) == datetime(2027, 3, 13, 2, 30, tzinfo=NY)


@pytest.mark.parametrize(
    ("zone", "text", "offset_hours"),
    [
        ("America/New_York", "2027-11-07T01:30", -4),  # EDT, not EST
        ("Europe/London", "2027-10-31T01:30", 1),  # BST, not GMT
        ("Australia/Sydney", "2027-04-04T02:30", 11),  # AEDT, not AEST
    ],
)
def test_a_repeated_autumn_time_is_the_first_occurrence(
    zone: str, text: str, offset_hours: int
) -> None:
    now = datetime(2027, 12, 1, tzinfo=ZoneInfo("UTC"))
    moment = parse_when(text, now=now, zone=ZoneInfo(zone))
    assert moment.utcoffset() == timedelta(hours=offset_hours)


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(2026, 11, 20, 2, 15, tzinfo=NY), "today 02:15"),
        (datetime(2026, 11, 19, 21, 0, tzinfo=NY), "yesterday 21:00"),
        (datetime(2026, 11, 15, 20, 30, tzinfo=NY), "Sun 15 Nov 20:30"),
        (datetime(2025, 11, 30, 20, 30, tzinfo=NY), "Sun 30 Nov 2025 20:30"),
        (datetime(2026, 11, 1, 5, 30, tzinfo=ZoneInfo("UTC")), "Sun 1 Nov 01:30 EDT"),
    ],
)
def test_confirmations_show_the_date_whenever_it_is_not_today(moment: datetime, shown: str) -> None:
    assert describe_moment(moment, now=NOW, zone=NY) == shown
