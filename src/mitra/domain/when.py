"""Turn what a person types for a time into a timezone-aware moment.

Accepts ISO 8601 ("2026-11-25T21:00", with or without an offset), "now", and natural phrases
such as "8:30pm", "yesterday 21:00", "2h ago", parsed by dateparser relative to ``now`` in the
person's zone. A bare time of day later than now means the most recent one (last night's
8:30pm at 3 a.m.). Times in the future beyond a small allowance, or before 2000, are refused.

Invariant: every returned datetime is timezone-aware. ``now`` is always injected.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from mitra.domain.errors import InputError

# Clocks on two devices differ a little; more than this ahead is a mistake, not a record.
FUTURE_ALLOWANCE = timedelta(minutes=10)
EARLIEST = datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC"))
_BARE_TIME = re.compile(r"^\s*\d{1,2}([:.]\d{2})?\s*([ap]\.?m\.?)?\s*$", re.IGNORECASE)
ACCEPTED = "ISO 8601 (2026-11-25T21:00), 'now', '8:30pm', 'yesterday 21:00', '2h ago'"


def parse_when(
    text: str | None, *, now: datetime, zone: ZoneInfo, allow_future: bool = False
) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    raw = (text or "").strip()
    if not raw or raw.lower() == "now":
        return now
    moment = _iso(raw, zone) or _natural(raw, now=now, zone=zone)
    if moment is None:
        raise InputError(f"could not read the time '{raw}'; accepted: {ACCEPTED}", field="at")
    if not allow_future and moment > now + FUTURE_ALLOWANCE:
        shown = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        raise InputError(
            f"'{raw}' is in the future ({shown}); entries record what already happened", field="at"
        )
    if moment < EARLIEST:
        raise InputError(f"'{raw}' is before the year 2000; check the date", field="at")
    return moment


def _iso(raw: str, zone: ZoneInfo) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def _natural(raw: str, *, now: datetime, zone: ZoneInfo) -> datetime | None:
    import dateparser  # noqa: PLC0415  (slow import; only for natural phrases)

    local_now = now.astimezone(zone)
    settings = {
        "RELATIVE_BASE": local_now.replace(tzinfo=None),
        "TIMEZONE": str(zone),
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
    }
    try:
        moment = dateparser.parse(raw, languages=["en"], settings=settings)
    except (ValueError, OverflowError):
        return None
    if moment is None:
        return None
    moment = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)
    # "Prefer the past" makes dateparser put a bare time that has already passed today on
    # yesterday; the most recent such time is today's.
    if _BARE_TIME.match(raw) and moment + timedelta(days=1) <= now + FUTURE_ALLOWANCE:
        moment += timedelta(days=1)
    return moment
