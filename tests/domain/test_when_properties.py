"""Properties of the time grammar, checked exhaustively over every day of 2026 and 2027 and
29 Feb 2028, at several moments of each day, in New York, London, Sydney and UTC (so every
month end, 31 Dec, a leap day and each zone's daylight-saving days are covered): a bare time
is the most recent such time, "yesterday" is the previous calendar date, "N h ago" is exact,
and a time in a spring-forward gap is refused naming the gap."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from mitra.domain.errors import InputError
from mitra.domain.when import FUTURE_ALLOWANCE, describe_moment, parse_when

ZONES = [ZoneInfo(n) for n in ("America/New_York", "Europe/London", "Australia/Sydney", "UTC")]
# Minutes after local midnight (counted in real elapsed time, so they exist on every day).
MOMENTS = (5, 95, 155, 719, 1067, 1439)
CLOCKS = {
    "00:00": time(0, 0),
    "1:30am": time(1, 30),
    "02:30": time(2, 30),
    "8:30pm": time(20, 30),
    "noon": time(12, 0),
    "23:59": time(23, 59),
    "midnight": time(0, 0),
}


def days() -> Iterator[date]:
    day = date(2026, 1, 1)
    while day <= date(2027, 12, 31):
        yield day
        day += timedelta(days=1)
    yield date(2028, 2, 29)


def nows(zone: ZoneInfo) -> Iterator[datetime]:
    for day in days():
        midnight = datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)
        for minutes in MOMENTS:
            yield midnight + timedelta(minutes=minutes)


def exists(day: date, clock: time, zone: ZoneInfo) -> bool:
    wall = datetime.combine(day, clock)
    return wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


def test_the_calendar_covers_month_ends_new_year_a_leap_day_and_every_zones_dst_days() -> None:
    covered = set(days())
    assert {date(2026, 1, 31), date(2026, 2, 28), date(2026, 12, 31), date(2028, 2, 29)} <= covered
    for zone in ZONES[:3]:
        changes = [
            d
            for d in covered
            if datetime.combine(d, time(0), tzinfo=zone).utcoffset()
            != datetime.combine(d, time(23, 59), tzinfo=zone).utcoffset()
        ]
        assert len(changes) == 4, zone  # a spring and an autumn change in each year


@pytest.mark.parametrize("zone", ZONES, ids=lambda z: z.key)
@pytest.mark.parametrize("text", CLOCKS)
def test_a_bare_time_is_the_most_recent_such_time_never_another_day(
    zone: ZoneInfo, text: str
) -> None:
    clock = CLOCKS[text]
    for now in nows(zone):
        today = now.astimezone(zone).date()
        today_candidate = datetime.combine(today, clock, tzinfo=zone)
        expected_day = today if today_candidate <= now + FUTURE_ALLOWANCE else today - timedelta(1)
        if not exists(expected_day, clock, zone):
            with pytest.raises(InputError) as err:
                parse_when(text, now=now, zone=zone)
            assert "the clocks went forward" in err.value.message
            continue
        moment = parse_when(text, now=now, zone=zone)
        local = moment.astimezone(zone)
        assert local.date() == expected_day, (text, now)
        assert local.time() == clock
        assert moment <= now + FUTURE_ALLOWANCE
        assert moment > now - timedelta(hours=25)
        shown = describe_moment(moment, now=now, zone=zone)
        assert shown.startswith("today" if expected_day == today else "yesterday")


@pytest.mark.parametrize("zone", ZONES, ids=lambda z: z.key)
def test_yesterday_at_a_time_is_always_on_the_previous_calendar_date(zone: ZoneInfo) -> None:
    for now in nows(zone):
        yesterday = now.astimezone(zone).date() - timedelta(days=1)
        for text, clock in (("yesterday 21:00", time(21)), ("yesterday 8:30pm", time(20, 30))):
            local = parse_when(text, now=now, zone=zone).astimezone(zone)
            assert (local.date(), local.time()) == (yesterday, clock)
        if exists(yesterday, time(2, 30), zone):
            moment = parse_when("yesterday 2:30am", now=now, zone=zone).astimezone(zone)
            assert moment.date() == yesterday
        else:
            with pytest.raises(InputError):
                parse_when("yesterday 2:30am", now=now, zone=zone)


@pytest.mark.parametrize("zone", ZONES, ids=lambda z: z.key)
def test_elapsed_time_is_exactly_that_long_before_now(zone: ZoneInfo) -> None:
    cases = {
        "2h ago": timedelta(hours=2),
        "2 hours ago": timedelta(hours=2),
        "30 min ago": timedelta(minutes=30),
        "45 minutes ago": timedelta(minutes=45),
        "90m ago": timedelta(minutes=90),
        "1h30m ago": timedelta(minutes=90),
        "26 hours ago": timedelta(hours=26),
        "3 days ago": timedelta(days=3),
    }
    for now in nows(zone):
        for text, elapsed in cases.items():
            assert parse_when(text, now=now, zone=zone) == now - elapsed


@pytest.mark.parametrize("zone", ZONES, ids=lambda z: z.key)
def test_day_parts_follow_their_fixed_hours(zone: ZoneInfo) -> None:
    for now in nows(zone):
        today = now.astimezone(zone).date()
        night = parse_when("last night", now=now, zone=zone).astimezone(zone)
        assert (night.date(), night.time()) == (today - timedelta(days=1), time(22))
        eight = datetime.combine(today, time(8), tzinfo=zone)
        if eight <= now + FUTURE_ALLOWANCE:
            assert parse_when("this morning", now=now, zone=zone) == eight
        else:
            with pytest.raises(InputError, match="in the future"):
                parse_when("this morning", now=now, zone=zone)


@pytest.mark.parametrize("zone", ZONES, ids=lambda z: z.key)
def test_a_weekday_is_the_most_recent_one_and_the_confirmation_names_its_date(
    zone: ZoneInfo,
) -> None:
    for now in nows(zone):
        moment = parse_when("sunday 20:30", now=now, zone=zone)
        local = moment.astimezone(zone)
        assert local.weekday() == 6 and local.time() == time(20, 30)
        assert now - timedelta(days=7, hours=1) < moment <= now + FUTURE_ALLOWANCE
        shown = describe_moment(moment, now=now, zone=zone)
        if local.date() < now.astimezone(zone).date() - timedelta(days=1):
            assert shown.startswith(f"Sun {local.day} ")
            assert shown.endswith("20:30")


@pytest.mark.parametrize("zone", ZONES, ids=lambda z: z.key)
def test_a_written_date_without_a_year_is_the_most_recent_such_date(zone: ZoneInfo) -> None:
    months = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    for now in nows(zone):
        yesterday = now.astimezone(zone).date() - timedelta(days=1)
        text = f"{yesterday.day} {months[yesterday.month - 1]} 21:00"
        assert parse_when(text, now=now, zone=zone) == parse_when(
            "yesterday 21:00", now=now, zone=zone
        )
