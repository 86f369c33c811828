"""Bare check-in records for tests of plan gating (scoring itself is tested elsewhere)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from mitra.domain.instruments import Assessment


def check_in(instrument_id: str, total: int, day: date, hour: int = 9) -> Assessment:
    """An assessment with just the fields gating reads: instrument, total and time (UTC)."""
    return Assessment(
        instrument_id=instrument_id,
        instrument_version="1",
        total=total,
        band=None,
        band_meaning=None,
        items=(),
        rater="self",
        at=datetime(day.year, day.month, day.day, hour, tzinfo=UTC),
        interpretation="",
        source="",
        positive_screen=None,
    )
