"""Charts are self-contained SVG from plain data; day totals follow the person's local days."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mitra.domain.entries import DoseEntry, SymptomEntry
from mitra.domain.products import DoseEstimate, Form, Range
from mitra.web import charts
from mitra.web.daily import day_totals

DAYS = [date(2026, 11, 1) + timedelta(days=i) for i in range(30)]


@pytest.mark.parametrize("theme", [charts.LIGHT, charts.DARK, charts.PAGE])
@pytest.mark.parametrize("size", [charts.WIDE, charts.NARROW])
def test_charts_are_svg_that_need_nothing_from_outside(
    theme: charts.ChartTheme, size: charts.ChartSize
) -> None:
    counts = [i % 4 for i in range(30)]
    for svg in (
        charts.doses_per_day_svg(DAYS, counts, theme=theme, size=size),
        charts.mitragynine_per_day_svg(
            DAYS,
            [c * 48.0 for c in counts],
            [c * 36.0 for c in counts],
            [c * 60.0 for c in counts],
            theme=theme,
            size=size,
        ),
    ):
        assert svg.startswith("<svg")
        assert "<script" not in svg
        # No href, src or url() that points anywhere: only the SVG namespace and comments.
        assert not re.search(r"(href|src)=\"https?://", svg)
        assert "url(http" not in svg


def test_the_mitragynine_chart_shows_the_range_not_only_the_typical_value() -> None:
    svg = charts.mitragynine_per_day_svg(DAYS[:2], [48.0, 0.0], [36.0, 0.0], [60.0, 0.0])
    assert 'class="ci' in svg


def test_mismatched_data_is_refused() -> None:
    with pytest.raises(ValueError, match="same length"):
        charts.doses_per_day_svg(DAYS, [1, 2])
    with pytest.raises(ValueError, match="same length"):
        charts.mitragynine_per_day_svg(DAYS[:2], [1.0, 2.0], [1.0], [1.0, 2.0])


def dose(at: datetime, typical: float) -> DoseEntry:
    estimate = DoseEstimate(
        mitragynine_mg=Range(typical, typical * 0.75, typical * 1.25),
        seven_oh_mg=Range(0.1, 0.05, 0.2),
        product_mass_g=3.0,
        explanation="test",
    )
    return DoseEntry(
        at=at, product_name="leaf", form=Form.LEAF, amount=3, unit="gram", estimate=estimate
    )


def test_day_totals_count_local_days_and_keep_empty_days() -> None:
    zone = ZoneInfo("America/New_York")
    entries = [
        # 03:30 UTC on the 2nd is still the evening of the 1st in New York.
        dose(datetime(2026, 11, 2, 3, 30, tzinfo=UTC), 48.0),
        dose(datetime(2026, 11, 2, 14, 0, tzinfo=UTC), 32.0),
        SymptomEntry(at=datetime(2026, 11, 2, 15, 0, tzinfo=UTC), symptom_id="nausea", severity=1),
        dose(datetime(2026, 11, 9, 14, 0, tzinfo=UTC), 10.0),  # outside the span
    ]
    totals = day_totals(entries, zone, date(2026, 11, 1), date(2026, 11, 3))
    assert [(t.day.day, t.doses) for t in totals] == [(1, 1), (2, 1), (3, 0)]
    assert (totals[0].mitragynine_low_mg, totals[0].mitragynine_high_mg) == (36.0, 60.0)
    assert totals[2].mitragynine_mg == 0


def test_an_empty_span_has_no_days() -> None:
    assert day_totals([], ZoneInfo("UTC"), date(2026, 11, 3), date(2026, 11, 1)) == []
