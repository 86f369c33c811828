"""The exposure service builds its band from the journal: high side from the high end of each
estimate, typical from the typical; a band, never one line; the model's limits travel with it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mitra.domain import exposure
from mitra.services.catalogue import ProfileService
from mitra.services.context import AppContext
from mitra.services.exposure import ExposureService
from mitra.services.journal import JournalService
from tests.conftest import FIXED_NOW


def test_no_doses_give_an_empty_band_and_no_accumulation(sqlite_ctx: AppContext) -> None:
    report = ExposureService(sqlite_ctx).exposure()
    assert report.doses == 0 and report.accumulation is None
    assert max(report.high) == 0.0 and report.times_one_dose is None


def test_the_band_uses_the_high_estimate_for_its_high_side_and_typical_for_typical(
    ctx: AppContext,
) -> None:
    ProfileService(ctx).set(timezone="UTC")
    JournalService(ctx).log_dose("3g", product="leaf", at=FIXED_NOW - timedelta(hours=2))
    report = ExposureService(ctx).exposure()
    params = exposure.default_params()
    band_high = exposure.exposure_band([-2.0], [3 * 19.5], [0.0])
    band_typical = exposure.exposure_band([-2.0], [3 * 15.0], [0.0])
    assert report.now.high == pytest.approx(float(band_high.high[0]))
    assert report.now.typical == pytest.approx(float(band_typical.typical[0]))
    assert report.now.low == pytest.approx(float(band_typical.low[0]))
    assert report.now.low < report.now.typical < report.now.high
    assert all(
        lo <= ty <= hi for lo, ty, hi in zip(report.low, report.typical, report.high, strict=True)
    )
    assert report.one_dose_peak == pytest.approx(
        exposure.single_dose_peak(45.0, params.half_life_typical_h)
    )
    assert "high end of each dose's estimate" in report.basis
    assert report.limits and report.sources and "not a blood level" in report.model


def test_a_steady_pattern_reports_the_closed_form_accumulation(sqlite_ctx: AppContext) -> None:
    ProfileService(sqlite_ctx).set(timezone="UTC")
    journal = JournalService(sqlite_ctx)
    for k in range(21):  # every 8 hours for a week
        journal.log_dose("2g", product="leaf", at=FIXED_NOW - timedelta(hours=8 * k + 1))
    report = ExposureService(sqlite_ctx).exposure()
    assert report.accumulation is not None
    factor = report.accumulation.factor
    assert report.accumulation.interval_h == pytest.approx(8.0)
    assert factor.typical == pytest.approx(exposure.accumulation_factor(8.0, 45.3), rel=0.01)
    assert factor.low < factor.typical < factor.high
    times = report.times_one_dose
    assert times is not None and times.typical > 3  # repeated doses build up well past one dose


def test_exposure_at_an_earlier_moment_ignores_later_doses(sqlite_ctx: AppContext) -> None:
    ProfileService(sqlite_ctx).set(timezone="UTC")
    journal = JournalService(sqlite_ctx)
    journal.log_dose("3g", product="leaf", at=FIXED_NOW - timedelta(hours=30))
    journal.log_dose("3g", product="leaf", at=FIXED_NOW - timedelta(hours=1))
    earlier = ExposureService(sqlite_ctx).exposure("2026-11-19T15:00:00+00:00")
    assert earlier.doses == 1
    assert earlier.at == FIXED_NOW - timedelta(hours=24)


def test_settling_is_stated_as_a_range_and_the_plan_step(sqlite_ctx: AppContext) -> None:
    report = ExposureService(sqlite_ctx).exposure()
    assert report.settle_hours.low == pytest.approx(4 * 23.2)
    assert report.settle_hours.high == pytest.approx(4 * 67.9)
    assert report.settle_days == 12
