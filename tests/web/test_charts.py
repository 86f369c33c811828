"""Charts are self-contained SVG from plain data; day totals follow the person's local days."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mitra import charts
from mitra.domain.entries import DoseEntry, Entry, SymptomEntry
from mitra.domain.patterns import day_totals
from mitra.domain.products import DoseEstimate, Form, Range

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
    entries: list[Entry] = [
        # 03:30 UTC on the 2nd is still the evening of the 1st in New York.
        dose(datetime(2026, 11, 2, 3, 30, tzinfo=UTC), 48.0),
        dose(datetime(2026, 11, 2, 14, 0, tzinfo=UTC), 32.0),
        SymptomEntry(at=datetime(2026, 11, 2, 15, 0, tzinfo=UTC), symptom_id="nausea", severity=1),
        dose(datetime(2026, 11, 9, 14, 0, tzinfo=UTC), 10.0),  # outside the span
    ]
    totals = day_totals(entries, zone, date(2026, 11, 1), date(2026, 11, 3))
    assert [(t.day.day, t.doses) for t in totals] == [(1, 1), (2, 1), (3, 0)]
    assert (totals[0].mitragynine_mg.low, totals[0].mitragynine_mg.high) == (36.0, 60.0)
    assert totals[2].mitragynine_mg.typical == 0


def test_an_empty_span_has_no_days() -> None:
    assert day_totals([], ZoneInfo("UTC"), date(2026, 11, 3), date(2026, 11, 1)) == []


COWS_SCALE = charts.ScoreScale(
    "COWS",
    0,
    48,
    (
        charts.ScoreBand(5, 12, "mild"),
        charts.ScoreBand(13, 24, "moderate"),
        charts.ScoreBand(25, 36, "moderately severe"),
        charts.ScoreBand(37, 48, "severe"),
    ),
)
PHQ2_SCALE = charts.ScoreScale("PHQ-2", 0, 6, positive_at=3)
MOMENTS = [datetime(2026, 11, 1, 9) + timedelta(hours=13 * i) for i in range(12)]


def series_paths(svg: str) -> list[str]:
    """The drawn line of each series, in drawing order."""
    return re.findall(r'<g class="series serie-\d+ color-\d+"><path d="([^"]+)"', svg)


@pytest.mark.parametrize("theme", [charts.LIGHT, charts.DARK, charts.PAGE])
@pytest.mark.parametrize("size", [charts.WIDE, charts.NARROW])
def test_score_charts_are_self_contained_svg(
    theme: charts.ChartTheme, size: charts.ChartSize
) -> None:
    for scale in (COWS_SCALE, PHQ2_SCALE, charts.ScoreScale("Craving VAS", 0, 100)):
        svg = charts.instrument_scores_svg(
            MOMENTS, [i % 6 for i in range(12)], scale, theme=theme, size=size
        )
        assert svg.startswith("<svg")
        assert "<script" not in svg
        assert not re.search(r"(href|src)=\"https?://", svg)


def test_the_cows_chart_draws_a_line_where_each_band_starts() -> None:
    svg = charts.instrument_scores_svg(MOMENTS, [20 - i for i in range(12)], COWS_SCALE)
    for label in ("5 mild", "13 moderate", "25 moderately severe", "37 severe"):
        assert f">{label}</text>" in svg
    # Four straight band lines drawn first, then the scores on top.
    paths = series_paths(svg)
    assert len(paths) == 5
    for path in paths[:4]:
        start, end = path.split(" L")
        assert start.split()[1] == end.split()[1]  # horizontal
    assert paths[4].count(" ") >= 11


def test_a_screen_chart_draws_its_cut_off_and_narrow_charts_only_number_it() -> None:
    wide = charts.instrument_scores_svg(MOMENTS[:1], [4], PHQ2_SCALE)
    assert ">3 positive screen</text>" in wide
    assert len(series_paths(wide)) == 1  # the cut-off line; a lone score is only a dot
    narrow = charts.instrument_scores_svg(
        MOMENTS[:1], [4], PHQ2_SCALE, line_labels=False, size=charts.NARROW
    )
    assert ">3</text>" in narrow and "positive screen</text>" not in narrow


def test_a_scale_without_bands_gets_round_ticks_and_no_lines() -> None:
    svg = charts.instrument_scores_svg(
        MOMENTS, [60] * 12, charts.ScoreScale("Craving VAS", 0, 100), size=charts.NARROW
    )
    assert ">50</text>" in svg or ">40</text>" in svg
    assert len(series_paths(svg)) == 1


def test_the_time_axis_labels_whole_days_without_repeats() -> None:
    svg = charts.instrument_scores_svg(
        MOMENTS,
        [1] * 12,
        PHQ2_SCALE,
        start=datetime(2026, 10, 29, 0, 0),
        end=datetime(2026, 11, 26, 15, 0),
    )
    labels = re.findall(r'<text x="[^"]+" y="[^"]+" class="">(\d+ \w{3})</text>', svg)
    assert labels and len(labels) == len(set(labels))
    assert labels[0] == "29 Oct"


def test_mismatched_scores_are_refused() -> None:
    with pytest.raises(ValueError, match="same length"):
        charts.instrument_scores_svg(MOMENTS, [1], PHQ2_SCALE)


def test_a_dense_series_is_drawn_as_a_line_without_a_dot_per_score() -> None:
    many = [MOMENTS[0] + timedelta(hours=6 * i) for i in range(charts.DOTS_UP_TO + 1)]
    dense = charts.instrument_scores_svg(many, [i % 7 for i in range(len(many))], PHQ2_SCALE)
    assert "<circle" not in dense
    few = charts.instrument_scores_svg(MOMENTS, [1] * len(MOMENTS), PHQ2_SCALE)
    assert few.count("<circle") == len(MOMENTS)
