"""The exposure model: closed forms, bands, accumulation, settling and the population helper."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mitra.domain import catalogue_data
from mitra.domain import exposure as ex
from mitra.domain.errors import InputError

P = ex.default_params()
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def bateman(dose: float, t: float, half_life: float, ka: float = P.ka_per_h) -> float:
    ke = math.log(2) / half_life
    return dose * ka / (ka - ke) * (math.exp(-ke * t) - math.exp(-ka * t)) if t >= 0 else 0.0


def only(half_life: float) -> ex.ExposureParams:
    """Parameters whose whole sweep is one half-life, so the band collapses to one line."""
    return ex.ExposureParams(
        ka_per_h=P.ka_per_h,
        half_life_low_h=half_life,
        half_life_typical_h=half_life,
        half_life_high_h=half_life,
        half_life_sweep_h=(half_life,),
        settle_half_lives=P.settle_half_lives,
    )


# ---------------------------------------------------------------------------------------------
# Parameters are the published ones


def test_parameters_are_the_published_half_lives_and_absorption() -> None:
    assert (P.half_life_low_h, P.half_life_typical_h, P.half_life_high_h) == (23.2, 45.3, 67.9)
    assert 3.0 <= P.ka_per_h <= 5.0
    assert P.settle_half_lives == 4


def test_every_source_the_model_cites_resolves() -> None:
    local = catalogue_data.load("pharmacology").get("sources", {})
    known = catalogue_data.source_ids() | set(local)
    assert set(ex.model_sources()) <= known
    assert not set(local) & catalogue_data.source_ids(), "a source id is defined twice"


# ---------------------------------------------------------------------------------------------
# Closed forms


@pytest.mark.parametrize("half_life", [23.2, 45.3, 67.9])
def test_a_single_dose_matches_the_bateman_closed_form(half_life: float) -> None:
    grid = np.array([0.0, 0.5, 1.0, 1.4, 3.0, 24.0, 100.0, 500.0])
    band = ex.exposure_band([0.0], [30.0], grid, only(half_life))
    expected = [bateman(30.0, t, half_life) for t in grid]
    assert np.allclose(band.typical, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("half_life", [23.2, 45.3, 67.9])
def test_a_single_dose_peaks_near_the_published_tmax(half_life: float) -> None:
    grid = np.arange(0.0, 6.0, 0.001)
    band = ex.exposure_band([0.0], [25.0], grid, only(half_life))
    peak_at = float(grid[int(np.argmax(band.typical))])
    assert peak_at == pytest.approx(ex.peak_time_h(half_life), abs=0.002)
    # Published Tmax: 0.83 h (Trakulsrichai 2015), 1 h (Tanna 2022), 1-1.7 h (Huestis 2024).
    assert 0.8 <= peak_at <= 1.7
    assert float(band.typical.max()) == pytest.approx(ex.single_dose_peak(25.0, half_life))


@pytest.mark.parametrize("interval", [4.0, 6.0, 8.0, 12.0, 24.0])
@pytest.mark.parametrize("half_life", [23.2, 45.3, 67.9])
def test_steady_state_accumulation_equals_the_closed_form_within_1_percent(
    interval: float, half_life: float
) -> None:
    # Dose for 40 half-lives: the steady state is reached to 1 part in 2^40.
    count = math.ceil(40 * half_life / interval)
    times = np.arange(count) * interval
    just_before = np.array([interval, count * interval]) - 1e-6
    band = ex.exposure_band(times, np.full(count, 10.0), just_before, only(half_life))
    first_trough, steady_trough = band.typical
    factor = ex.accumulation_factor(interval, half_life)
    assert steady_trough / first_trough == pytest.approx(factor, rel=0.01)
    # Peaks approach the same factor; with absorption in about an hour they are within 5%.
    peaks = ex.exposure_band(
        times, np.full(count, 10.0), times[[0, -1]] + ex.peak_time_h(half_life), only(half_life)
    ).typical
    assert peaks[1] / peaks[0] == pytest.approx(factor, rel=0.05)


def test_accumulation_matches_the_reference_examples() -> None:
    # kratom-evidence.md: doses every 8 h give ~4.9x with a 24 h half-life and ~8.6x with 45 h.
    assert ex.accumulation_factor(8.0, 24.0) == pytest.approx(4.85, abs=0.01)
    assert ex.accumulation_factor(8.0, 45.0) == pytest.approx(8.63, abs=0.01)


def test_the_accumulation_band_rises_with_the_half_life() -> None:
    band = ex.accumulation_band(8.0)
    assert band.low < band.typical < band.high
    assert band.low == pytest.approx(ex.accumulation_factor(8.0, 23.2))
    assert band.high == pytest.approx(ex.accumulation_factor(8.0, 67.9))


# ---------------------------------------------------------------------------------------------
# Band properties

doses_strategy = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=24 * 30, allow_nan=False),
        st.floats(min_value=0, max_value=200, allow_nan=False),
    ),
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(doses=doses_strategy)
def test_the_band_is_ordered_and_never_negative(doses: list[tuple[float, float]]) -> None:
    times = [t for t, _ in doses]
    amounts = [d for _, d in doses]
    band = ex.exposure_band(times, amounts, np.arange(-5.0, 24 * 35, 1.0))
    assert np.all(band.low >= 0)
    assert np.all(band.low <= band.typical + 1e-9)
    assert np.all(band.typical <= band.high + 1e-9)


@settings(max_examples=40, deadline=None)
@given(doses=doses_strategy, fraction=st.floats(min_value=0, max_value=1))
def test_any_half_life_inside_the_range_lies_inside_the_band(
    doses: list[tuple[float, float]], fraction: float
) -> None:
    middle = P.half_life_low_h + fraction * (P.half_life_high_h - P.half_life_low_h)
    params = ex.ExposureParams(
        ka_per_h=P.ka_per_h,
        half_life_low_h=P.half_life_low_h,
        half_life_typical_h=middle,
        half_life_high_h=P.half_life_high_h,
        half_life_sweep_h=(P.half_life_low_h, P.half_life_high_h),
        settle_half_lives=4,
    )
    band = ex.exposure_band(
        [t for t, _ in doses], [d for _, d in doses], np.arange(0.0, 24 * 35, 2.0), params
    )
    assert np.all(band.low <= band.typical * (1 + 1e-9) + 1e-12)
    assert np.all(band.typical <= band.high * (1 + 1e-9) + 1e-12)


def test_the_load_is_zero_before_the_first_dose() -> None:
    band = ex.exposure_band([10.0, 20.0], [5.0, 5.0], [0.0, 5.0, 9.99, 10.0])
    assert np.all(band.high == 0)


def test_dose_order_and_zero_doses_do_not_matter() -> None:
    grid = np.arange(0, 100.0)
    one = ex.exposure_band([0.0, 8.0, 16.0], [10.0, 20.0, 30.0], grid)
    other = ex.exposure_band([16.0, 3.0, 0.0, 8.0], [30.0, 0.0, 10.0, 20.0], grid)
    assert np.allclose(one.typical, other.typical)


def test_no_doses_means_no_load() -> None:
    band = ex.exposure_band([], [], [0.0, 1.0])
    assert np.all(band.high == 0)


@pytest.mark.parametrize(
    ("times", "doses", "grid"),
    [
        ([0.0], [-1.0], [1.0]),
        ([0.0, 1.0], [1.0], [1.0]),
        ([math.nan], [1.0], [1.0]),
        ([0.0], [1.0], [math.inf]),
        ([[0.0]], [[1.0]], [1.0]),
    ],
)
def test_bad_input_is_refused(times: object, doses: object, grid: object) -> None:
    with pytest.raises(InputError):
        ex.exposure_band(times, doses, grid)  # type: ignore[arg-type]


def test_a_year_of_doses_stays_accurate() -> None:
    # Four doses a day for a year: the last trough equals the closed-form steady state.
    times = np.arange(365 * 4) * 6.0
    band = ex.exposure_band(times, np.full(times.size, 25.0), [times[-1] + 6.0 - 1e-6])
    single_trough = bateman(25.0, 6.0 - 1e-6, P.half_life_typical_h)
    expected = single_trough * ex.accumulation_factor(6.0, P.half_life_typical_h)
    assert float(band.typical[0]) == pytest.approx(expected, rel=1e-6)


# ---------------------------------------------------------------------------------------------
# The person's pattern


def test_three_doses_a_day_build_up_like_a_dose_every_8_hours() -> None:
    # A full week of doses at 08:00, 14:00 and 20:00 (daytime gaps of 6 h, a night of 12 h),
    # with older doses before the window: the mean interval is 8 h, not the 6 h median gap.
    start = NOW - timedelta(days=10)
    doses = [start + timedelta(days=d, hours=h) for d in range(11) for h in (0, 6, 12)]
    doses = [d for d in doses if d <= NOW]
    result = ex.accumulation_for_pattern(doses, now=NOW)
    assert result is not None
    assert result.occasions == 21
    assert result.interval_h == pytest.approx(8.0)
    assert result.factor == ex.accumulation_band(8.0)
    # 4.7-12.8 times one dose's level over the published half-lives (23.2-67.9 h).
    assert (round(result.factor.low, 1), round(result.factor.high, 1)) == (4.7, 12.8)


def test_a_record_that_starts_inside_the_window_uses_the_mean_gap() -> None:
    doses = [NOW - timedelta(hours=h) for h in (1, 7, 13, 25, 31, 37)]
    result = ex.accumulation_for_pattern(doses, now=NOW)
    assert result is not None
    assert result.occasions == 6
    # Gaps 6, 12, 6, 6 and 6 h (oldest first): the mean is 7.2 h.
    assert result.interval_h == pytest.approx(7.2)
    assert result.factor == ex.accumulation_band(7.2)


def test_doses_within_an_hour_count_as_one_occasion() -> None:
    doses = [NOW - timedelta(hours=h) for h in (1, 1.5, 9, 9.25, 17)]
    result = ex.accumulation_for_pattern(doses, now=NOW)
    assert result is not None
    # Occasions start at -17 h, -9.25 h and -1.5 h: gaps of 7.75 h, mean 7.75 h.
    assert (result.occasions, result.interval_h) == (3, 7.75)


def test_too_few_doses_give_no_pattern() -> None:
    assert ex.accumulation_for_pattern([NOW - timedelta(hours=2)], now=NOW) is None
    assert ex.accumulation_for_pattern([], now=NOW) is None


def test_pattern_times_must_be_timezone_aware() -> None:
    with pytest.raises(InputError):
        ex.accumulation_for_pattern([datetime(2026, 11, 20, 10)], now=NOW)
    with pytest.raises(InputError):
        ex.accumulation_for_pattern([], now=datetime(2026, 11, 20, 10))


# ---------------------------------------------------------------------------------------------
# Settling


def test_settling_takes_four_half_lives_and_twelve_days_for_plans() -> None:
    assert ex.settled_fraction(4) == pytest.approx(0.9375)
    assert ex.time_to_settle(45.3) == pytest.approx(181.2)
    band = ex.settle_band()
    assert (band.low, band.typical, band.high) == pytest.approx((92.8, 181.2, 271.6))
    assert ex.settle_days() == 12


@pytest.mark.parametrize("half_life", [23.2, 45.3, 67.9])
def test_after_the_settle_time_a_new_pattern_is_94_percent_of_the_way(half_life: float) -> None:
    interval = 8.0
    times = np.arange(0, 60 * half_life, interval)
    settle_at = ex.time_to_settle(half_life)
    trough_at = times[times >= settle_at][0] - 1e-6
    band = ex.exposure_band(times, np.full(times.size, 10.0), [trough_at], only(half_life))
    steady = bateman(10.0, interval - 1e-6, half_life) * ex.accumulation_factor(interval, half_life)
    assert float(band.typical[0]) / steady >= ex.settled_fraction(4) - 1e-9


def test_describe_model_states_limits_and_sources() -> None:
    text = ex.describe_model()
    assert "not a blood level" in text
    assert "Tanna" in text and "Trakulsrichai" in text and "Huestis" in text
    assert "industry-funded" in text
    assert "12 days" in text


# ---------------------------------------------------------------------------------------------
# Population


def test_the_population_is_reproducible_and_plausible() -> None:
    one = ex.simulate_population(500, 30, np.random.default_rng(7))
    two = ex.simulate_population(500, 30, np.random.default_rng(7))
    assert np.array_equal(one.daily_peak, two.daily_peak)
    assert one.daily_peak.shape == (500, 30)
    assert np.all(one.daily_trough <= one.daily_peak)
    assert np.all((one.half_life_h >= 23.2) & (one.half_life_h <= 67.9))
    assert set(np.unique(one.doses_per_day)) <= {1, 2, 3, 4, 5}
    build_up = one.build_up()[:, -1]
    # After 30 days everyone dosing daily carries more than one dose's peak, and no more than
    # the steady state of dosing every 3.2 hours (5 a day over 16 h) allows, with dose jitter.
    assert np.all(build_up > 1.0)
    assert np.all(build_up < ex.accumulation_factor(3.2, 67.9) * 3)


def test_the_population_agrees_with_exposure_band_for_one_person() -> None:
    # Same person through both routes: a population of one with no jitter is not available, so
    # check the daily peaks rise and level off as accumulation says.
    population = ex.simulate_population(2000, 60, np.random.default_rng(3))
    median_by_day = np.median(population.build_up(), axis=0)
    assert np.all(np.diff(median_by_day[:10]) > 0)
    assert abs(median_by_day[-1] - median_by_day[-5]) / median_by_day[-1] < 0.05


@pytest.mark.parametrize(("n", "days"), [(0, 10), (10, 0), (True, 10), (10, 10_000)])
def test_population_size_is_checked(n: int, days: int) -> None:
    with pytest.raises(InputError):
        ex.simulate_population(n, days, np.random.default_rng(0))
