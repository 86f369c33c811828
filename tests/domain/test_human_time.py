"""Times read as a person says them, in the person's zone, whatever the machine's clock."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from mitra.domain.human_time import ago_words, day_words, when_words

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # 10:00 in New York


def test_today_and_yesterday_are_calendar_days_in_the_persons_zone() -> None:
    assert when_words(datetime(2026, 11, 20, 14, 5, tzinfo=UTC), NOW, NY) == "today 09:05"
    # 02:30 UTC on the 20th is 21:30 on the 19th in New York: yesterday there.
    assert when_words(datetime(2026, 11, 20, 2, 30, tzinfo=UTC), NOW, NY) == "yesterday 21:30"
    assert when_words(datetime(2026, 11, 17, 20, 0, tzinfo=UTC), NOW, NY) == "Tue 17 Nov 15:00"
    assert when_words(datetime(2025, 11, 17, 20, 0, tzinfo=UTC), NOW, NY) == (
        "Mon 17 Nov 2025 15:00"
    )


def test_day_headings_name_today_yesterday_and_other_days_in_full() -> None:
    today = date(2026, 11, 20)
    assert day_words(today, today) == "Today"
    assert day_words(date(2026, 11, 19), today) == "Yesterday"
    assert day_words(date(2026, 11, 17), today) == "Tuesday 17 November"
    assert day_words(date(2025, 12, 31), today) == "Wednesday 31 December 2025"


def test_ages_use_the_largest_unit_that_reads_naturally() -> None:
    assert ago_words(NOW, NOW) == "just now"
    assert ago_words(NOW - timedelta(minutes=1), NOW) == "1 minute ago"
    assert ago_words(NOW - timedelta(hours=5), NOW) == "5 hours ago"
    assert ago_words(NOW - timedelta(hours=604), NOW) == "3 weeks ago"
    assert ago_words(NOW - timedelta(days=3), NOW) == "3 days ago"
    assert ago_words(NOW - timedelta(days=200), NOW) == "6 months ago"
    assert ago_words(NOW + timedelta(hours=2), NOW) == "not yet"


@given(st.integers(min_value=0, max_value=10 * 365 * 24 * 60))
def test_an_age_is_never_negative_or_empty(minutes: int) -> None:
    words = ago_words(NOW - timedelta(minutes=minutes), NOW)
    assert words and "-" not in words


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)))
def test_a_moment_in_the_last_day_reads_today_or_yesterday(naive: datetime) -> None:
    now = naive.replace(tzinfo=UTC)
    for hours in (0, 5, 23):
        words = when_words(now - timedelta(hours=hours), now, NY)
        assert words.startswith(("today", "yesterday"))
