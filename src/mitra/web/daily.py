"""Per-day totals of kratom doses in the person's time zone, for the today and trends pages.

Pure functions over journal entries. A day is a local calendar day in the profile's zone;
days without doses are present with zero, so a chart shows gaps as gaps. Mitragynine totals
add up the per-dose estimates (typical, low and high separately): the range of a day is the
sum of the ranges, which is what "at most" and "at least" mean for a day's intake.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mitra.domain.entries import DoseEntry, Entry


@dataclass(frozen=True, slots=True)
class DayTotal:
    day: date
    doses: int
    mitragynine_mg: float
    mitragynine_low_mg: float
    mitragynine_high_mg: float
    seven_oh_mg: float


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def day_totals(entries: Iterable[Entry], zone: ZoneInfo, first: date, last: date) -> list[DayTotal]:
    """One total per day from ``first`` to ``last`` inclusive; other days' entries are ignored."""
    if last < first:
        return []
    span = (last - first).days + 1
    doses = [0] * span
    typical = [0.0] * span
    low = [0.0] * span
    high = [0.0] * span
    seven = [0.0] * span
    for entry in entries:
        if not isinstance(entry, DoseEntry):
            continue
        index = (entry.at.astimezone(zone).date() - first).days
        if not 0 <= index < span:
            continue
        est = entry.estimate
        doses[index] += 1
        typical[index] += est.mitragynine_mg.typical
        low[index] += est.mitragynine_mg.low
        high[index] += est.mitragynine_mg.high
        seven[index] += est.seven_oh_mg.typical
    return [
        DayTotal(first + timedelta(days=i), doses[i], typical[i], low[i], high[i], seven[i])
        for i in range(span)
    ]
