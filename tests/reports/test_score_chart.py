"""The scores-over-time chart (in the web's chart module, shared with the PDF): self-contained
SVG, the instrument's full range, band edges labelled only where the instrument has bands."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from mitra import charts

TIMES = [datetime(2026, 11, 1, 9) + timedelta(hours=12 * i) for i in range(10)]


def test_bands_are_labelled_and_the_full_range_is_shown() -> None:
    svg = charts.scores_over_time_svg(
        TIMES,
        [20, 18, 15, 13, 12, 9, 8, 6, 5, 4],
        y_title="COWS total",
        min_total=0,
        max_total=48,
        bands=[charts.ScoreBand(5, 12, "mild"), charts.ScoreBand(13, 24, "moderate")],
    )
    assert svg.startswith("<svg") and "<script" not in svg
    for label in ("13 moderate", "5 mild", ">48<", ">0<"):
        assert label in svg


def test_an_instrument_without_bands_gets_plain_ticks() -> None:
    svg = charts.scores_over_time_svg(
        TIMES, list(range(10)), y_title="SOWS total", min_total=0, max_total=64
    )
    assert "mild" not in svg and ">20<" in svg


def test_mismatched_scores_are_refused() -> None:
    with pytest.raises(ValueError, match="same length"):
        charts.scores_over_time_svg(TIMES, [1], y_title="x", min_total=0, max_total=4)
