"""Local midnight in the person's time zone, for pages that read a day's or a period's entries.

Per-day totals themselves are the domain's (``mitra.domain.patterns.day_totals``), shared with
the clinician report, so a day's figures are the same on every screen and on paper.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)
