"""Kratom exposure: a relative body-load model, accumulation, and the time a change takes to settle.

Purpose: show people that repeated doses build up over days, and how long a change of dose takes
to show fully, without pretending to know a blood level. The model is the one-compartment oral
(Bateman) function: a dose D taken at time s contributes

    D * ka / (ka - ke) * (exp(-ke (t - s)) - exp(-ka (t - s)))        for t >= s

to the "relative body load" at time t, where ka is the absorption rate and ke = ln 2 / half-life.
The unit is "mg of mitragynine as if all of it were absorbed": only ratios within the model mean
anything (e.g. today's load against one dose's peak). Parameters and their sources live in
``data/pharmacology.toml``; ``describe_model()`` states them with the model's limits.

Invariants:

* every result over time is a band across the published half-life range (``Band``/``Estimate``
  with low <= typical <= high), never one precise line;
* the load is never negative, is zero before the first dose, and rises with the half-life, so the
  two ends of the half-life range bound every half-life between them;
* planners use the HIGH end of the settle time (the longest half-life), so a step is never judged
  before it has settled;
* pure: no clock, no files but the package's own data, no framework.

Speed: sums of decaying exponentials are evaluated with ``numpy.logaddexp.accumulate`` in log
space, which is exact to ~1e-11 relative error, never overflows, and costs O(doses + grid points)
per rate: a year of 4 doses a day on an hourly grid takes about a millisecond.
"""

from __future__ import annotations

import functools
import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from mitra.domain import catalogue_data
from mitra.domain.errors import InputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
# What callers may pass as a list of hours or mg: any real-valued numpy vector or a sequence.
Numbers = npt.NDArray[np.floating[Any]] | npt.NDArray[np.integer[Any]] | Sequence[float]

LN2 = math.log(2.0)
HOURS_PER_DAY = 24.0
# Doses closer together than this count as one dosing occasion when measuring a person's usual
# interval: it is about the time to peak (Tmax ~1 h), so a dose split into two sips is one dose.
SAME_OCCASION_H = 1.0
# Absorption faster than this would make exp(ka * 24 h) overflow in the population simulation's
# day blocks; published values are 3-5 per hour, so this only catches a broken data file.
MAX_KA_PER_H = 25.0
MAX_POPULATION = 1_000_000
MAX_DAYS = 3650


# ---------------------------------------------------------------------------------------------
# Parameters


@dataclass(frozen=True, slots=True)
class ExposureParams:
    """Model parameters. Half-lives in hours, rates per hour."""

    ka_per_h: float
    half_life_low_h: float
    half_life_typical_h: float
    half_life_high_h: float
    half_life_sweep_h: tuple[float, ...]
    settle_half_lives: int

    def __post_init__(self) -> None:
        values = (
            self.ka_per_h,
            self.half_life_low_h,
            self.half_life_typical_h,
            self.half_life_high_h,
            *self.half_life_sweep_h,
        )
        if not all(math.isfinite(v) and v > 0 for v in values):
            raise InputError(
                "model rates and half-lives must be finite and above 0", field="params"
            )
        if not self.half_life_low_h <= self.half_life_typical_h <= self.half_life_high_h:
            raise InputError("half-lives must satisfy low <= typical <= high", field="params")
        sweep = self.half_life_sweep_h
        if min(sweep, default=0) != self.half_life_low_h or max(sweep) != self.half_life_high_h:
            raise InputError("the half-life sweep must run from low to high", field="params")
        if self.ka_per_h > MAX_KA_PER_H or self.ka_per_h <= LN2 / self.half_life_low_h:
            raise InputError(
                f"absorption must be faster than elimination and at most {MAX_KA_PER_H:g} per hour",
                field="params",
            )
        if not 1 <= self.settle_half_lives <= 10:
            raise InputError("settle_half_lives must be from 1 to 10", field="params")

    @property
    def half_lives_for_band(self) -> tuple[float, ...]:
        """The sweep with the typical half-life included, in increasing order."""
        return tuple(sorted({*self.half_life_sweep_h, self.half_life_typical_h}))


@functools.cache
def default_params() -> ExposureParams:
    """The parameters of ``data/pharmacology.toml``."""
    data = catalogue_data.load("pharmacology")
    half_life = data["half_life"]
    return ExposureParams(
        ka_per_h=float(data["absorption"]["ka_per_h"]),
        half_life_low_h=float(half_life["low_h"]),
        half_life_typical_h=float(half_life["typical_h"]),
        half_life_high_h=float(half_life["high_h"]),
        half_life_sweep_h=tuple(float(v) for v in half_life["sweep_h"]),
        settle_half_lives=int(data["settle"]["half_lives"]),
    )


def elimination_rate(half_life_h: float) -> float:
    """ke = ln 2 / half-life, per hour."""
    _check_positive(half_life_h, "half_life_h")
    return LN2 / half_life_h


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True)
class Estimate:
    """One figure over the half-life range: the smallest result (``low``), the result at the
    typical half-life, and the largest (``high``); always low <= typical <= high."""

    low: float
    typical: float
    high: float


@dataclass(frozen=True, slots=True, eq=False)
class Band:
    """Relative body load on a grid of hours: element-wise low <= typical <= high, all >= 0."""

    low: FloatArray
    typical: FloatArray
    high: FloatArray


# ---------------------------------------------------------------------------------------------
# Checking inputs


def _check_positive(value: float, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{name} must be a finite number; got {value!r}", field=name)
    if value <= 0:
        raise InputError(f"{name} must be above 0; got {value}", field=name)


def _as_vector(values: object, name: str) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a list of numbers", field=name) from None
    if array.ndim != 1:
        raise InputError(f"{name} must be one-dimensional; got shape {array.shape}", field=name)
    if not np.all(np.isfinite(array)):
        raise InputError(f"{name} must hold only finite numbers", field=name)
    return array


def _checked_doses(dose_times_h: object, doses_mg: object) -> tuple[FloatArray, FloatArray]:
    """Doses sorted by time, zero doses dropped; refuses negative or mismatched input."""
    times = _as_vector(dose_times_h, "dose_times_h")
    doses = _as_vector(doses_mg, "doses_mg")
    if times.shape != doses.shape:
        raise InputError(
            f"dose_times_h and doses_mg must be the same length ({times.size} vs {doses.size})",
            field="doses_mg",
        )
    if np.any(doses < 0):
        raise InputError("doses_mg must not be negative", field="doses_mg")
    keep = doses > 0
    times, doses = times[keep], doses[keep]
    order = np.argsort(times, kind="stable")
    return times[order], doses[order]


# ---------------------------------------------------------------------------------------------
# The model


def _decaying_sums(
    times: FloatArray, doses: FloatArray, grid: FloatArray, rates: FloatArray
) -> FloatArray:
    """For each rate k and grid time t: sum over doses s <= t of D * exp(-k (t - s)).

    Returns shape (len(rates), len(grid)). Works in log space: the running log-sum
    logaddexp.accumulate(log D + k s) never overflows, where exp(k s) would after a few days at
    k = 4 per hour. Times are shifted to start at the first dose to keep the logs small.
    """
    result = np.zeros((rates.size, grid.size))
    if times.size == 0:
        return result
    origin = times[0]
    log_terms = np.log(doses)[None, :] + rates[:, None] * (times - origin)[None, :]
    running = np.logaddexp.accumulate(log_terms, axis=1)
    last = np.searchsorted(times, grid, side="right") - 1
    started = last >= 0
    exponents = running[:, np.where(started, last, 0)] - rates[:, None] * (grid - origin)[None, :]
    np.exp(exponents, out=result, where=started[None, :])
    return result


def _loads(
    times: FloatArray, doses: FloatArray, grid: FloatArray, half_lives: Sequence[float], ka: float
) -> FloatArray:
    """Bateman body load at each half-life (rows) and grid time (columns)."""
    kes = LN2 / np.asarray(half_lives, dtype=np.float64)
    # The absorption sum is the same for every half-life: compute it once, as row 0.
    sums = _decaying_sums(times, doses, grid, np.concatenate(([ka], kes)))
    scale = ka / (ka - kes)
    loads = scale[:, None] * (sums[1:] - sums[0][None, :])
    # The difference of two nearly equal sums just after a dose can round to a hair below zero.
    clipped: FloatArray = np.maximum(loads, 0.0)
    return clipped


def exposure_band(
    dose_times_h: Numbers,
    doses_mg: Numbers,
    grid_h: Numbers,
    params: ExposureParams | None = None,
) -> Band:
    """Relative body load at each time of ``grid_h`` from doses (mg at hours ``dose_times_h``),
    as a band over the half-life sweep. Dose times need not be sorted; zero doses are ignored."""
    p = params or default_params()
    times, doses = _checked_doses(dose_times_h, doses_mg)
    grid = _as_vector(grid_h, "grid_h")
    half_lives = p.half_lives_for_band
    loads = _loads(times, doses, grid, half_lives, p.ka_per_h)
    typical = loads[half_lives.index(p.half_life_typical_h)]
    return Band(low=loads.min(axis=0), typical=typical, high=loads.max(axis=0))


def peak_time_h(half_life_h: float, params: ExposureParams | None = None) -> float:
    """Hours from a single dose to the model's peak: ln(ka/ke) / (ka - ke)."""
    p = params or default_params()
    ke = elimination_rate(half_life_h)
    return math.log(p.ka_per_h / ke) / (p.ka_per_h - ke)


def single_dose_peak(
    dose_mg: float, half_life_h: float, params: ExposureParams | None = None
) -> float:
    """The model's peak load after one dose taken alone (the yardstick for "x times one dose")."""
    p = params or default_params()
    ke = elimination_rate(half_life_h)
    t = peak_time_h(half_life_h, p)
    return (
        dose_mg * p.ka_per_h / (p.ka_per_h - ke) * (math.exp(-ke * t) - math.exp(-p.ka_per_h * t))
    )


# ---------------------------------------------------------------------------------------------
# Accumulation and settling


def accumulation_factor(interval_h: float, half_life_h: float) -> float:
    """How many times one dose's level the level becomes at steady state with a dose every
    ``interval_h`` hours: 1 / (1 - exp(-ke * interval)). Exact for the troughs (and the average);
    the peaks approach it as absorption gets fast compared with the interval."""
    _check_positive(interval_h, "interval_h")
    ke = elimination_rate(half_life_h)
    return 1.0 / -math.expm1(-ke * interval_h)


def accumulation_band(interval_h: float, params: ExposureParams | None = None) -> Estimate:
    """``accumulation_factor`` at the low, typical and high half-life (it rises with half-life)."""
    p = params or default_params()
    return Estimate(
        low=accumulation_factor(interval_h, p.half_life_low_h),
        typical=accumulation_factor(interval_h, p.half_life_typical_h),
        high=accumulation_factor(interval_h, p.half_life_high_h),
    )


@dataclass(frozen=True, slots=True)
class PatternAccumulation:
    """Accumulation for a person's recent dosing: the mean interval between dosing occasions
    in the window, and the factor over the half-life range."""

    interval_h: float
    occasions: int
    window_days: int
    factor: Estimate
    note: str


def accumulation_for_pattern(
    dose_times: Sequence[datetime],
    *,
    now: datetime,
    window_days: int = 7,
    params: ExposureParams | None = None,
) -> PatternAccumulation | None:
    """Accumulation implied by the doses of the last ``window_days`` days, or None when fewer than
    two dosing occasions fall in the window (too little to measure an interval).

    The interval is the MEAN dosing interval (doses within an hour of each other are one
    occasion), because build-up depends on how much is taken per unit of time, night included:
    3 doses a day is one every 8 hours on average, whatever the daytime gaps. When the doses
    reach back past the start of the window (the window is fully observed) it is the window's
    length divided by the occasions in it (21 occasions in 7 days: 8 h); when the record starts
    inside the window it is the mean gap between the occasions found. (The median gap used
    before gave the daytime gap, e.g. 6 h for 3 doses a day, and overstated build-up.)
    """
    if now.tzinfo is None:
        raise InputError("now must be timezone-aware", field="now")
    if (
        isinstance(window_days, bool)
        or not isinstance(window_days, int)
        or not 1 <= window_days <= 90
    ):
        raise InputError("window_days must be a whole number from 1 to 90", field="window_days")
    if any(t.tzinfo is None for t in dose_times):
        raise InputError("dose times must be timezone-aware", field="dose_times")
    start = now - timedelta(days=window_days)
    recent = sorted(t for t in dose_times if start < t <= now)
    occasions: list[datetime] = []
    for moment in recent:
        if not occasions or (moment - occasions[-1]).total_seconds() / 3600 >= SAME_OCCASION_H:
            occasions.append(moment)
    if len(occasions) < 2:
        return None
    observed_all = any(t <= start for t in dose_times)
    if observed_all:
        interval = window_days * 24.0 / len(occasions)
        how = f"{window_days * 24} h / {len(occasions)} dosing times"
    else:
        gaps = [(b - a).total_seconds() / 3600 for a, b in itertools.pairwise(occasions)]
        interval = statistics.fmean(gaps)
        how = f"the mean gap between your {len(occasions)} dosing times since your first dose"
    note = (
        f"On average one dosing time every {interval:.1f} h over the last {window_days} days "
        f"({how}). Doses within an hour of each other count as one."
    )
    return PatternAccumulation(
        interval_h=interval,
        occasions=len(occasions),
        window_days=window_days,
        factor=accumulation_band(interval, params),
        note=note,
    )


def settled_fraction(half_lives: float) -> float:
    """Share of the way to a new steady state after ``half_lives`` half-lives: 1 - 2^-n."""
    return 1.0 - math.pow(2.0, -half_lives)


def time_to_settle(half_life_h: float, params: ExposureParams | None = None) -> float:
    """Hours for a change of steady dosing to settle: ``settle_half_lives`` (4 in the data, i.e.
    93.75% of the way) times the half-life. See ``data/pharmacology.toml`` [settle] for why 4."""
    p = params or default_params()
    _check_positive(half_life_h, "half_life_h")
    return p.settle_half_lives * half_life_h


def settle_band(params: ExposureParams | None = None) -> Estimate:
    """``time_to_settle`` in hours at the low, typical and high half-life."""
    p = params or default_params()
    return Estimate(
        low=time_to_settle(p.half_life_low_h, p),
        typical=time_to_settle(p.half_life_typical_h, p),
        high=time_to_settle(p.half_life_high_h, p),
    )


def settle_days(params: ExposureParams | None = None) -> int:
    """Whole days a plan step must last: the HIGH settle time rounded up (12 with the data:
    4 x 67.9 h = 271.6 h = 11.3 days)."""
    return math.ceil(settle_band(params).high / HOURS_PER_DAY)


# ---------------------------------------------------------------------------------------------
# Description


def _citation(source_id: str) -> str:
    local: dict[str, dict[str, str]] = catalogue_data.load("pharmacology").get("sources", {})
    if source_id in local:
        return local[source_id]["citation"]
    return catalogue_data.source_citation(source_id)


def model_sources() -> tuple[str, ...]:
    """Every source id the model's data cites, in first-mention order."""
    data = catalogue_data.load("pharmacology")
    ids: list[str] = []
    for section in data.values():
        if isinstance(section, dict):
            for key, value in section.items():
                if key.endswith("sources") and isinstance(value, list):
                    ids.extend(value)
    return tuple(dict.fromkeys(ids))


def describe_model(params: ExposureParams | None = None) -> str:
    """The model, its numbers, why, its limits and its sources, as plain text."""
    p = params or default_params()
    data = catalogue_data.load("pharmacology")
    settle = settle_band(p)
    example = accumulation_band(8.0, p)
    lines = [
        "How mitra estimates build-up of kratom (mitragynine) in the body",
        "",
        "Model: one-compartment oral model (Bateman function) of the RELATIVE body load; "
        "each dose adds a curve that rises over about an hour and then falls with the half-life.",
        f"Absorption rate: {p.ka_per_h:g} per hour. {data['absorption']['why']}",
        f"Half-life: {p.half_life_low_h:g}-{p.half_life_high_h:g} h (typical "
        f"{p.half_life_typical_h:g} h), shown as a band. {data['half_life']['why']}",
        f"Example: a dose every 8 hours builds up to {example.low:.1f}-{example.high:.1f} times "
        "the level of one dose.",
        f"Settling: {p.settle_half_lives} half-lives "
        f"({settled_fraction(p.settle_half_lives):.1%} of the way), "
        f"{settle.low / 24:.1f}-{settle.high / 24:.1f} days; plans wait {settle_days(p)} days. "
        f"{data['settle']['why']}",
        f"7-OH: half-life {data['seven_oh']['half_life_h']:g} h. {data['seven_oh']['why']}",
        data["felt_effect"]["text"],
        "",
        "Limits of this model:",
        *(f"- {text}" for text in data["limits_of_model"]["text"]),
        "",
        "Sources:",
        *(f"- {_citation(source_id)}" for source_id in model_sources()),
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# A synthetic population


@dataclass(frozen=True, slots=True, eq=False)
class Population:
    """Simulated people (rows) over days (columns of the daily arrays). ``daily_peak`` and
    ``daily_trough`` are the highest and lowest hourly load of each day; ``single_dose_peak`` is
    each person's one-dose peak at their usual dose, the yardstick for build-up."""

    half_life_h: FloatArray
    doses_per_day: IntArray
    dose_mg: FloatArray
    daily_peak: FloatArray
    daily_trough: FloatArray
    single_dose_peak: FloatArray

    def build_up(self) -> FloatArray:
        """Daily peak as a multiple of each person's single-dose peak, shape (people, days)."""
        return self.daily_peak / self.single_dose_peak[:, None]


@dataclass(frozen=True, slots=True)
class _PopulationConfig:
    dose_median_mg: float
    dose_sigma: float
    dose_jitter_sigma: float
    doses_per_day: tuple[int, ...]
    weights: tuple[float, ...]
    wake_hour: float
    waking_hours: float
    timing_jitter_h: float


@functools.cache
def _population_config() -> _PopulationConfig:
    row: dict[str, Any] = catalogue_data.load("pharmacology")["population"]
    median, mean = float(row["dose_median_mg"]), float(row["dose_mean_mg"])
    weights = tuple(float(w) for w in row["doses_per_day_weights"])
    return _PopulationConfig(
        dose_median_mg=median,
        # A log-normal's mean is its median times exp(sigma^2 / 2).
        dose_sigma=math.sqrt(2.0 * math.log(mean / median)),
        dose_jitter_sigma=float(row["dose_jitter_sigma"]),
        doses_per_day=tuple(int(n) for n in row["doses_per_day"]),
        weights=tuple(w / sum(weights) for w in weights),
        wake_hour=float(row["wake_hour"]),
        waking_hours=float(row["waking_hours"]),
        timing_jitter_h=float(row["timing_jitter_h"]),
    )


def simulate_population(
    n: int, days: int, rng: np.random.Generator, params: ExposureParams | None = None
) -> Population:
    """``n`` synthetic people dosing daily for ``days`` days, with half-lives, dose sizes, doses a
    day and timings drawn as ``data/pharmacology.toml`` [population] says (each published or a
    stated assumption). For showing spread and testing the model; never advice.

    Works one day at a time for all people at once: within a day, a sum of decaying exponentials
    is exp(-k h) * (start + cumulative sum of D exp(k u)), with u and h under 24 hours, so nothing
    overflows and the state carries from day to day.
    """
    for value, name, top in ((n, "n", MAX_POPULATION), (days, "days", MAX_DAYS)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
            raise InputError(f"{name} must be a whole number from 1 to {top}", field=name)
    p = params or default_params()
    cfg = _population_config()
    ka = p.ka_per_h
    half_life = rng.uniform(p.half_life_low_h, p.half_life_high_h, n)
    ke = LN2 / half_life
    per_day = rng.choice(np.asarray(cfg.doses_per_day), size=n, p=np.asarray(cfg.weights))
    dose = cfg.dose_median_mg * np.exp(cfg.dose_sigma * rng.standard_normal(n))
    slots = int(per_day.max())
    active = np.arange(slots)[None, :] < per_day[:, None]
    # Evenly spaced slots over the waking day; jitter stays below half a slot's spacing, so the
    # order of doses within a day is kept and every dose falls inside its own day.
    spacing = cfg.waking_hours / per_day
    slot_offset = cfg.wake_hour + np.arange(slots)[None, :] * spacing[:, None]
    jitter_limit = min(cfg.timing_jitter_h, float(spacing.min()) / 2 - 1e-6)

    hours = np.arange(25, dtype=np.float64)  # grid points 0..24 of a day block
    decay_e = np.exp(-np.outer(hours, ke))  # (25, n)
    decay_a = np.exp(-ka * hours)[:, None]  # (25, 1)
    scale = ka / (ka - ke)
    state_e = np.zeros(n)
    state_a = np.zeros(n)
    peaks = np.empty((n, days))
    troughs = np.empty((n, days))
    person = np.broadcast_to(np.arange(n)[:, None], (n, slots))
    for day in range(days):
        # Unused slots (people with fewer doses a day) carry no dose; park them at hour 0.
        offset = np.where(
            active, slot_offset + rng.uniform(-jitter_limit, jitter_limit, (n, slots)), 0.0
        )
        amount = np.where(
            active,
            dose[:, None] * np.exp(cfg.dose_jitter_sigma * rng.standard_normal((n, slots))),
            0,
        )
        # A dose at offset u first counts at grid point ceil(u) (the same point when u is whole).
        bins = np.ceil(offset).astype(np.int64)
        flat = (bins * n + person).ravel()
        added_e = np.bincount(
            flat, weights=(amount * np.exp(ke[:, None] * offset)).ravel(), minlength=25 * n
        ).reshape(25, n)
        added_a = np.bincount(
            flat, weights=(amount * np.exp(ka * offset)).ravel(), minlength=25 * n
        ).reshape(25, n)
        sums_e = decay_e * (state_e[None, :] + np.cumsum(added_e, axis=0))
        sums_a = decay_a * (state_a[None, :] + np.cumsum(added_a, axis=0))
        load = np.maximum(scale[None, :] * (sums_e - sums_a), 0.0)[1:]
        peaks[:, day] = load.max(axis=0)
        troughs[:, day] = load.min(axis=0)
        state_e, state_a = sums_e[24], sums_a[24]

    t_peak = np.log(ka / ke) / (ka - ke)
    one_peak = dose * scale * (np.exp(-ke * t_peak) - np.exp(-ka * t_peak))
    return Population(
        half_life_h=half_life,
        doses_per_day=per_day.astype(np.int64),
        dose_mg=dose,
        daily_peak=peaks,
        daily_trough=troughs,
        single_dose_peak=one_peak,
    )
