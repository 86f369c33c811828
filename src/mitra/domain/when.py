"""Turn what a person types for a time into a timezone-aware moment, by one fixed grammar.

mitra reads times with its own small parser, so the same words give the same moment on every
day of the year (no general date library guesses). Everything is relative to an injected
``now``, in the person's zone. The grammar, after lower-casing and collapsing spaces:

- ``now`` or nothing: now.
- ISO 8601: ``2026-11-25``, ``2026-11-25T21:00``, ``2026-11-25 21:00``, with or without an
  offset (``+01:00``, ``Z``). Without an offset it is local time in the person's zone.
- A time of day: ``8:30pm``, ``8:30 pm``, ``8.30pm``, ``8pm``, ``20:30``, ``noon``,
  ``midnight``. With am/pm the hour is 1-12 (``12am`` is 00:00, ``12pm`` is 12:00); without,
  it is 00-23 and needs minutes. Alone, it means **the most recent such time**: today's if it
  is not later than now (plus the 10-minute clock allowance below), otherwise yesterday's.
- A day, then optionally ``at`` and a time of day: ``today``, ``yesterday``, ``tomorrow``,
  a weekday (``sunday 20:30``, ``last sunday 20:30``: the most recent one, today included
  when that time has passed), or a date (``30 nov 20:30``, ``nov 30 2026 8pm``; without a
  year, the most recent such date). A day alone needs a time, except with a part of the day:
- Parts of the day, fixed hours: morning 08:00, afternoon 15:00, evening 19:00, night 22:00.
  ``this morning`` is today 08:00, ``last night`` is yesterday 22:00, ``tonight`` today
  22:00, ``yesterday morning`` yesterday 08:00. With a time the time wins, and must lie in
  that part (morning 04:00-11:59, afternoon 12:00-17:59, evening 17:00-23:59, night
  18:00-05:59); ``last night 2am`` is 02:00 of the night that ended this morning (today).
- Elapsed time: ``2h ago``, ``2 hours ago``, ``90m ago``, ``90 min ago``, ``1h30m ago``,
  ``an hour ago``, ``half an hour ago``, ``3 days ago``, ``two weeks ago`` (counts one to
  twelve may be words; "a few" is 3, "a couple of" 2): exactly that much
  elapsed time before now (a day is 24 hours). ``in 3 days`` is the same forwards.

Impossible times are refused, never rounded: ``25:00``, ``13pm``, ``24:30``, ``31 feb``,
``2026-02-29``. Times in the future beyond ``FUTURE_ALLOWANCE`` (clocks on two devices differ
a little) are refused unless the caller allows them (the end of a report range), and so are
times before 2000.

Daylight saving, one rule: a local time that does not exist (in the spring-forward gap, e.g.
02:30 on 14 Mar 2027 in New York) is **refused**, with a message naming the gap; a local time
that happens twice (the autumn repeat) is the **first** occurrence (fold=0, still summer time).
Give an ISO time with an offset to mean the second one.

Invariant: every returned datetime is timezone-aware. ``now`` is always injected; nothing here
reads a clock. ``describe_moment`` is the one way confirmations show a moment ("today 21:00",
"yesterday 21:00", "Sun 30 Nov 20:30"), so the date is visible whenever it is not today.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mitra.domain.errors import InputError
from mitra.domain.number_words import NUMBER_WORDS

# Clocks on two devices differ a little; more than this ahead is a mistake, not a record.
FUTURE_ALLOWANCE = timedelta(minutes=10)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
ACCEPTED = (
    "ISO 8601 (2026-11-25T21:00), 'now', '8:30pm', '20:30', 'noon', 'yesterday 21:00', "
    "'sunday 20:30', '30 nov 20:30', '2h ago', '90 min ago', 'last night', 'this morning'"
)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = tuple(m[:3].capitalize() for m in MONTHS)


@dataclass(frozen=True, slots=True)
class DayPart:
    """A part of the day: the hour it stands for alone, and the hours a given time must fit."""

    default: time
    first_hour: int  # inclusive
    end_hour: int  # exclusive; smaller than first_hour when the part crosses midnight


PARTS = {
    "morning": DayPart(time(8, 0), 4, 12),
    "afternoon": DayPart(time(15, 0), 12, 18),
    "evening": DayPart(time(19, 0), 17, 24),
    "night": DayPart(time(22, 0), 18, 6),
}

_UNIT_SECONDS = {
    "w": 604800,
    "wk": 604800,
    "wks": 604800,
    "week": 604800,
    "weeks": 604800,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
}
_UNIT = "|".join(sorted(_UNIT_SECONDS, key=len, reverse=True))
_COUNT_WORDS = {word: float(i + 1) for i, word in enumerate(NUMBER_WORDS[:12])} | {
    "a": 1.0,
    "an": 1.0,
    "a couple of": 2.0,
    "a few": 3.0,
    "half an": 0.5,
    "half a": 0.5,
}
_COUNT = "|".join(sorted(_COUNT_WORDS, key=len, reverse=True))
_SPAN = re.compile(rf"(\d+(?:\.\d+)?|{_COUNT})\s*({_UNIT})(?![a-z])\s*(?:and\s+)?")
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{1,2}))?\s*([ap])\.?\s*m\.?$|^(\d{1,2})[:.](\d{1,2})$")
_ISO_START = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_WEEKDAY = {name: i for i, name in enumerate(WEEKDAYS)} | {
    alias: i
    for i, aliases in enumerate(
        (
            ("mon",),
            ("tue", "tues"),
            ("wed",),
            ("thu", "thur", "thurs"),
            ("fri",),
            ("sat",),
            ("sun",),
        )
    )
    for alias in aliases
}
_MONTH = (
    {name: i + 1 for i, name in enumerate(MONTHS)}
    | {name[:3]: i + 1 for i, name in enumerate(MONTHS)}
    | {"sept": 9}
)
_MONTH_WORD = "|".join(sorted(_MONTH, key=len, reverse=True))
_DAY_MONTH = re.compile(rf"^(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_WORD})\.?(?:,?\s+(\d{{4}}))?\b")
_MONTH_DAY = re.compile(rf"^({_MONTH_WORD})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b")


def parse_when(
    text: str | None, *, now: datetime, zone: ZoneInfo, allow_future: bool = False
) -> datetime:
    """The moment ``text`` names (see the module docstring), or InputError saying why not."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    raw = " ".join((text or "").split())
    spoken = raw.lower()
    if not spoken or spoken == "now":
        return now
    moment = _parse(raw, spoken, now=now, zone=zone)
    if not allow_future and moment > now + FUTURE_ALLOWANCE:
        raise InputError(
            f"'{raw}' is in the future ({describe_moment(moment, now=now, zone=zone)}); "
            "entries record what already happened",
            field="at",
        )
    if moment < EARLIEST:
        raise InputError(f"'{raw}' is before the year 2000; check the date", field="at")
    return moment


def describe_moment(moment: datetime, *, now: datetime, zone: ZoneInfo) -> str:
    """How confirmations show a moment: "today 21:00", "yesterday 21:00", "Sun 30 Nov 20:30"
    (the year too when it is not this year), with the zone's abbreviation when the local time
    happens twice that night (the autumn repeat)."""
    local = moment.astimezone(zone)
    today = now.astimezone(zone).date()
    clock = f"{local:%H:%M}"
    if _is_repeated(local.replace(tzinfo=None), zone):
        clock += f" {local.tzname()}"
    if local.date() == today:
        return f"today {clock}"
    if local.date() == today - timedelta(days=1):
        return f"yesterday {clock}"
    day = f"{_DAY_NAMES[local.weekday()]} {local.day} {_MONTH_NAMES[local.month - 1]}"
    if local.year != today.year:
        day += f" {local.year}"
    return f"{day} {clock}"


# -- the grammar --------------------------------------------------------------------------------
def _parse(raw: str, spoken: str, *, now: datetime, zone: ZoneInfo) -> datetime:
    if spoken.startswith("at "):  # "at 9pm" reads as "9pm"
        spoken = spoken[3:]
    if _ISO_START.match(spoken):
        return _iso(raw, zone)
    elapsed = _elapsed(spoken, now)
    if elapsed is not None:
        return elapsed
    today = now.astimezone(zone).date()
    for phrase, day, part in (
        ("last night", today - timedelta(days=1), "night"),
        ("tonight", today, "night"),
        ("this morning", today, "morning"),
        ("this afternoon", today, "afternoon"),
        ("this evening", today, "evening"),
    ):
        if spoken == phrase or spoken.startswith(phrase + " "):
            rest = _after(spoken, phrase)
            return _day_part(raw, day, part, rest, zone)
    named, rest = _day(raw, spoken, now=now, zone=zone)
    if named is not None:
        first = rest.split(" ", 1)[0] if rest else ""
        if first in PARTS:
            return _day_part(raw, named, first, _after(rest, first), zone)
        if not rest:
            raise InputError(
                f"'{raw}' needs a time of day, e.g. '{raw} 21:00' or '{raw} 8:30pm'", field="at"
            )
        return _resolve(raw, named, _clock(raw, rest), zone)
    clock = _time_of_day(raw, spoken)
    if clock is not None:
        return _most_recent(raw, clock, now=now, zone=zone)
    if spoken.isdigit():
        raise InputError(
            f"'{raw}' is not a time: write it with minutes or am/pm, e.g. {spoken}:00, "
            f"{spoken}am or {spoken}pm",
            field="at",
        )
    raise InputError(f"could not read the time '{raw}'; accepted: {ACCEPTED}", field="at")


def _after(text: str, prefix: str) -> str:
    rest = text[len(prefix) :].strip()
    return rest[3:].strip() if rest.startswith("at ") else rest


def _iso(raw: str, zone: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        pass
    else:
        if moment.tzinfo is not None:
            return moment
        return _resolve(raw, moment.date(), moment.time(), zone)
    parts = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ](\d{1,2}):(\d{1,2}))?", raw.lower())
    if parts is not None:
        year, month, day = (int(parts.group(i)) for i in (1, 2, 3))
        _check_date(raw, year, month, day)
        if parts.group(4) is not None:
            _check_clock(raw, int(parts.group(4)), int(parts.group(5)))
    raise InputError(
        f"could not read '{raw}' as an ISO 8601 time; write e.g. 2026-11-25T21:00", field="at"
    )


def _elapsed(spoken: str, now: datetime) -> datetime | None:
    if spoken.endswith(" ago"):
        body, sign = spoken[: -len(" ago")].strip(), -1
    elif spoken.startswith("in "):
        body, sign = spoken[3:].strip(), 1
    else:
        return None
    seconds = 0.0
    position = 0
    for match in _SPAN.finditer(body):
        if match.start() != position:
            return None
        count = match.group(1)
        number = _COUNT_WORDS[count] if count in _COUNT_WORDS else float(count)
        seconds += number * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    if position == 0 or position != len(body):
        return None
    try:
        return now + sign * timedelta(seconds=seconds)
    except OverflowError:
        raise InputError(
            f"'{spoken}' is further from now than a calendar goes; check the number", field="at"
        ) from None


def _day(raw: str, spoken: str, *, now: datetime, zone: ZoneInfo) -> tuple[date | None, str]:
    """The calendar day a phrase starts with and the rest of the phrase, or (None, text)."""
    today = now.astimezone(zone).date()
    for word, offset in (("today", 0), ("yesterday", -1), ("tomorrow", 1)):
        if spoken == word or spoken.startswith(word + " "):
            return today + timedelta(days=offset), _after(spoken, word)
    words = spoken.split(" ", 2)
    named = words[1] if words[0] == "last" and len(words) > 1 else words[0]
    if named in _WEEKDAY:
        rest = _after(spoken, " ".join(words[: 2 if words[0] == "last" else 1]))
        back = (today.weekday() - _WEEKDAY[named]) % 7
        day = today - timedelta(days=back)
        # The most recent such day: today only when the time named has already passed.
        if back == 0 and _starts_later_than(raw, day, rest, now, zone):
            day -= timedelta(days=7)
        return day, rest
    match = _DAY_MONTH.match(spoken)
    if match is not None:
        day_text, month_text, year_text = match.groups()
    else:
        match = _MONTH_DAY.match(spoken)
        if match is None:
            return None, spoken
        month_text, day_text, year_text = match.groups()
    month, number = _MONTH[month_text], int(day_text)
    rest = _after(spoken, match.group(0))
    if year_text is not None:
        year = int(year_text)
        _check_date(raw, year, month, number)
        return date(year, month, number), rest
    if number > _days_in(month, 2028):  # never valid, whatever the year (2028 is a leap year)
        _check_date(raw, today.year, month, number)
    year = today.year if (month, number) <= (today.month, today.day) else today.year - 1
    _check_date(raw, year, month, number)
    return date(year, month, number), rest


def _starts_later_than(raw: str, day: date, rest: str, now: datetime, zone: ZoneInfo) -> bool:
    first = rest.split(" ", 1)[0] if rest else ""
    if first in PARTS:
        clock: time | None = PARTS[first].default
    else:
        clock = _time_of_day(raw, rest) if rest else None
    if clock is None:
        return False
    return datetime.combine(day, clock, tzinfo=zone) > now + FUTURE_ALLOWANCE


def _day_part(raw: str, day: date, part: str, rest: str, zone: ZoneInfo) -> datetime:
    shape = PARTS[part]
    if not rest:
        return _resolve(raw, day, shape.default, zone)
    clock = _clock(raw, rest)
    crosses = shape.end_hour < shape.first_hour
    inside = (
        clock.hour >= shape.first_hour or clock.hour < shape.end_hour
        if crosses
        else shape.first_hour <= clock.hour < shape.end_hour
    )
    if not inside:
        end = f"{shape.end_hour:02d}:00" if shape.end_hour < 24 else "midnight"
        raise InputError(
            f"'{raw}': {clock:%H:%M} is not in the {part} (the {part} is "
            f"{shape.first_hour:02d}:00 to {end}); give the time alone or another day",
            field="at",
        )
    if crosses and clock.hour < shape.end_hour:
        # The small hours belong to the night that began the evening before.
        day += timedelta(days=1)
    return _resolve(raw, day, clock, zone)


def _clock(raw: str, text: str) -> time:
    """``text`` as a time of day, or InputError."""
    clock = _time_of_day(raw, text)
    if clock is None:
        raise InputError(
            f"could not read the time of day in '{raw}'; write e.g. 21:00, 9pm or 8:30pm",
            field="at",
        )
    return clock


def _time_of_day(raw: str, text: str) -> time | None:
    """``text`` as a time of day; None if it is not shaped like one, InputError if it is
    shaped like one but impossible (25:00, 13pm)."""
    text = text.strip()
    if text in {"noon", "midday"}:
        return time(12, 0)
    if text == "midnight":
        return time(0, 0)
    match = _CLOCK.match(text)
    if match is None:
        return None
    if match.group(3) is not None:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12:
            raise InputError(
                f"'{raw}' is not a time: with am/pm the hour is 1 to 12 "
                f"(write {hour:02d}:00 without am/pm for the 24-hour clock)",
                field="at",
            )
        if minute > 59:
            raise InputError(f"'{raw}' is not a time: minutes go from 00 to 59", field="at")
        return time(hour % 12 + (12 if match.group(3) == "p" else 0), minute)
    hour, minute = int(match.group(4)), int(match.group(5))
    _check_clock(raw, hour, minute)
    return time(hour, minute)


def _check_clock(raw: str, hour: int, minute: int) -> None:
    if hour > 23:
        raise InputError(
            f"'{raw}' is not a time: hours go from 00 to 23 (midnight is 00:00)", field="at"
        )
    if minute > 59:
        raise InputError(f"'{raw}' is not a time: minutes go from 00 to 59", field="at")


def _check_date(raw: str, year: int, month: int, day: int) -> None:
    if not 1 <= month <= 12:
        raise InputError(f"'{raw}' is not a date: months go from 1 to 12", field="at")
    days = _days_in(month, year)
    if not 1 <= day <= days:
        raise InputError(
            f"'{raw}' is not a date: there is no {day} {MONTHS[month - 1].capitalize()} "
            f"in {year} (it has {days} days)",
            field="at",
        )


def _days_in(month: int, year: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def _most_recent(raw: str, clock: time, *, now: datetime, zone: ZoneInfo) -> datetime:
    today = now.astimezone(zone).date()
    day = today
    if datetime.combine(today, clock, tzinfo=zone) > now + FUTURE_ALLOWANCE:
        day = today - timedelta(days=1)
    return _resolve(raw, day, clock, zone)


# -- daylight saving ----------------------------------------------------------------------------
def _resolve(raw: str, day: date, clock: time, zone: ZoneInfo) -> datetime:
    """Local ``day`` at ``clock`` in ``zone``: refused in a spring-forward gap, the first
    occurrence (fold=0) in an autumn repeat."""
    wall = datetime.combine(day, clock.replace(tzinfo=None, fold=0))
    moment = wall.replace(tzinfo=zone)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        before, after = _gap(wall, zone)
        raise InputError(
            f"'{raw}': {wall:%H:%M} did not exist on {_DAY_NAMES[day.weekday()]} {day.day} "
            f"{_MONTH_NAMES[day.month - 1]} {day.year} in {zone.key}: the clocks went "
            f"forward from {before} to {after}; give a time before {before} or from {after}",
            field="at",
        )
    return moment


def _is_repeated(wall: datetime, zone: ZoneInfo) -> bool:
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    return first.utcoffset() != second.utcoffset() and not _in_gap(wall, zone)


def _in_gap(wall: datetime, zone: ZoneInfo) -> bool:
    return wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall


def _gap(wall: datetime, zone: ZoneInfo) -> tuple[str, str]:
    """The wall clock just before and just after the jump around ``wall`` ("02:00", "03:00")."""
    low = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)  # read with the later offset
    high = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)  # read with the earlier offset
    low, high = min(low, high), max(low, high)
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
            low = middle
        else:
            high = middle
    jump = high.replace(second=0, microsecond=0)
    old_offset = low.astimezone(zone).utcoffset() or timedelta(0)
    before = (jump + old_offset).replace(tzinfo=None)
    return f"{before:%H:%M}", f"{jump.astimezone(zone):%H:%M}"
