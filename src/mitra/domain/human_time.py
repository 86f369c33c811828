"""Dates and times in the words a person uses: "today 21:05", "yesterday", "3 days ago".

Pages and the PDF show times this way instead of ISO stamps or "604 hours ago". Pure: the
caller passes ``now`` and the person's zone (from the injected clock and the profile), so the
words never depend on the machine's clock or zone.

Invariants: a time is always shown in the person's zone; "today" and "yesterday" are calendar
days in that zone (so 00:30 after a 23:50 dose is "yesterday 23:50", and a DST change does not
move a day); a time in the future (a clock set ahead, a back-dated entry edited) is shown with
its date, never as a negative age.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from mitra.domain.when import describe_moment


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def day_words(day: date, today: date) -> str:
    """A day heading: "Today", "Yesterday", "Tuesday 24 November" (with the year if not this)."""
    if day == today:
        return "Today"
    if day == today - timedelta(days=1):
        return "Yesterday"
    if day == today + timedelta(days=1):
        return "Tomorrow"
    text = f"{day.strftime('%A')} {day.day} {day.strftime('%B')}"
    return text if day.year == today.year else f"{text} {day.year}"


def when_words(at: datetime, now: datetime, zone: ZoneInfo) -> str:
    """A moment: "today 21:05", "yesterday 21:05", "Tue 24 Nov 21:05", "Tue 24 Nov 2025 21:05".

    The words are ``when.describe_moment``'s, the ones the log confirmations use, so a page and
    a confirmation never say the same moment differently (it also names the zone in the hour
    that happens twice on the autumn night)."""
    return describe_moment(at, now=now, zone=zone)


def ago_words(at: datetime, now: datetime) -> str:
    """How long ago: "just now", "5 minutes ago", "3 hours ago", "3 days ago", "5 weeks ago".

    Hours up to two days, then days up to two weeks, then weeks up to about three months,
    then months; a moment in the future reads "not yet" rather than a negative age.
    """
    seconds = (now - at).total_seconds()
    if seconds < -60:
        return "not yet"
    minutes = int(seconds // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{_plural(minutes, 'minute')} ago"
    hours = minutes // 60
    if hours < 48:
        return f"{_plural(hours, 'hour')} ago"
    days = hours // 24
    if days < 14:
        return f"{_plural(days, 'day')} ago"
    if days < 90:
        return f"{_plural(days // 7, 'week')} ago"
    return f"{_plural(days // 30, 'month')} ago"
