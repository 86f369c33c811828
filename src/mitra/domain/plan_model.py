"""Plan records: hard limits, plan steps and plans, and the one place ceilings meet the limits.

Purpose: the shared vocabulary of the planners (``planners``) and the symptom gating
(``plan_gating``): the records, the checks of settings (a refusal always says what is
accepted), a clinician's schedule and its checks, and the reviewed settings of
``data/tapering.toml``. Every mg is mg of
mitragynine, judged on the high end of a dose's estimate, as the safety engine judges doses.

Invariants (checked when a ``Plan`` is built, so no code path can produce a plan that breaks
them; a breach is a programming error and raises ``ValueError``):

* every ceiling of every step is within the hard ``Limits`` the caller gave; ceilings are
  clamped to the limits in exactly one place, ``clamp_ceilings``, when a step is made;
* steps are numbered 0..n-1, each covers start..end (inclusive) and the next starts the day
  after the previous ends;
* in a taper, a ceiling never rises from one step to the next, except at a recorded step-back,
  whose ceilings must be those of an earlier step (one step back, never above the start);
* ``current`` is the step in force: only the gating moves it on (dates alone never advance a
  plan); steps after it are the planned schedule, re-dated whenever a decision changes it.

Pure: dates and times are injected; no framework or database.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any, Literal

from mitra.domain import catalogue_data
from mitra.domain.errors import InputError

PlanKind = Literal["titration", "taper"]
StepKind = Literal["titrate", "hold", "step-down", "step-back", "maintain"]
Strategy = Literal["linear", "percent", "custom", "start-low-go-slow"]
SettingValue = str | float | int | bool | None

# Larger hard limits than these are typing errors, not limits (20 g of a 45% extract a dose).
MAX_LIMIT_MG = 10_000.0
MAX_DOSES_PER_DAY = 24
MAX_INTERVAL_H = 24.0
# More than this is a typing error: 5 g of mitragynine a day is over 300 g of leaf.
MAX_CURRENT_DAILY_MG = 5000.0


# ---------------------------------------------------------------------------------------------
# Checking settings (shared by the planners and the records)


def check_number(
    value: object, name: str, low: float, high: float, *, low_open: bool = False
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{name} must be a number; got {value!r}", field=name)
    below = value <= low if low_open else value < low
    if below or value > high:
        bound = f"above {low:g}" if low_open else f"at least {low:g}"
        raise InputError(f"{name} must be {bound} and at most {high:g}; got {value:g}", field=name)
    return float(value)


def check_whole(value: object, name: str, low: int, high: int, why: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{name} must be a whole number; got {value!r}", field=name)
    if not low <= value <= high:
        raise InputError(f"{name} must be from {low} to {high}{why}; got {value}", field=name)
    return value


def check_dates(created_at: datetime, start: date) -> None:
    if not isinstance(created_at, datetime) or created_at.tzinfo is None:
        raise InputError("created_at must be a date and time with a time zone", field="created_at")
    if not isinstance(start, date) or isinstance(start, datetime):
        raise InputError("start must be a calendar date", field="start")


@dataclass(frozen=True, slots=True)
class Limits:
    """Hard limits from the caller (the safety engine): nothing in a plan may exceed them.
    A limit of 0 means none at all (a plan then has zero ceilings)."""

    dose_max_mg: float
    daily_max_mg: float
    doses_per_day_max: int
    min_interval_h: float

    def __post_init__(self) -> None:
        check_number(self.dose_max_mg, "dose_max_mg", 0, MAX_LIMIT_MG)
        check_number(self.daily_max_mg, "daily_max_mg", 0, MAX_LIMIT_MG)
        check_number(self.min_interval_h, "min_interval_h", 0, MAX_INTERVAL_H)
        check_whole(self.doses_per_day_max, "doses_per_day_max", 0, MAX_DOSES_PER_DAY)


@dataclass(frozen=True, slots=True)
class Ceilings:
    dose_max_mg: float
    daily_max_mg: float
    doses_per_day_max: int
    min_interval_h: float


def round_down(mg: float) -> float:
    """Round down to 0.1 mg: rounding never lifts a ceiling. The tiny allowance keeps 2.9999999
    from becoming 2.9; ``clamp_ceilings`` still caps the result at the limits."""
    return math.floor(mg * 10 + 1e-9) / 10


def clamp_ceilings(
    limits: Limits, *, dose_mg: float, daily_mg: float, doses_per_day: int, min_interval_h: float
) -> Ceilings:
    """THE point where planned ceilings meet the hard limits. Planners compute their schedule
    unclamped and call this once per step: clamping while computing would bend the schedule
    (a cut computed from a clamped value is a different cut). A dose never exceeds the day."""
    daily = min(max(daily_mg, 0.0), limits.daily_max_mg)
    return Ceilings(
        dose_max_mg=min(max(dose_mg, 0.0), limits.dose_max_mg, daily),
        daily_max_mg=daily,
        doses_per_day_max=min(max(doses_per_day, 0), limits.doses_per_day_max),
        min_interval_h=max(min_interval_h, limits.min_interval_h),
    )


@dataclass(frozen=True, slots=True)
class PlanStep:
    """One step of a plan: ceilings in force from ``start`` to ``end`` inclusive."""

    index: int
    start: date
    end: date
    dose_max_mg: float
    daily_max_mg: float
    doses_per_day_max: int
    min_interval_h: float
    reason: str
    kind: StepKind

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def ceilings(self) -> Ceilings:
        return Ceilings(
            self.dose_max_mg, self.daily_max_mg, self.doses_per_day_max, self.min_interval_h
        )

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


def make_step(
    index: int, start: date, days: int, ceilings: Ceilings, reason: str, kind: StepKind
) -> PlanStep:
    return PlanStep(
        index=index,
        start=start,
        end=start + timedelta(days=days - 1),
        dose_max_mg=ceilings.dose_max_mg,
        daily_max_mg=ceilings.daily_max_mg,
        doses_per_day_max=ceilings.doses_per_day_max,
        min_interval_h=ceilings.min_interval_h,
        reason=reason,
        kind=kind,
    )


def within(ceilings: Ceilings, limits: Limits) -> bool:
    return (
        ceilings.dose_max_mg <= limits.dose_max_mg
        and ceilings.daily_max_mg <= limits.daily_max_mg
        and ceilings.dose_max_mg <= ceilings.daily_max_mg
        and ceilings.doses_per_day_max <= limits.doses_per_day_max
        and ceilings.min_interval_h >= limits.min_interval_h
    )


def rises(before: Ceilings, after: Ceilings) -> bool:
    """True when ``after`` allows more than ``before`` in any way."""
    return (
        after.dose_max_mg > before.dose_max_mg
        or after.daily_max_mg > before.daily_max_mg
        or after.doses_per_day_max > before.doses_per_day_max
        or after.min_interval_h < before.min_interval_h
    )


@dataclass(frozen=True, slots=True)
class Plan:
    """A titration or taper plan; ``steps`` hold the whole record, past steps included."""

    kind: PlanKind
    strategy: Strategy
    steps: tuple[PlanStep, ...]
    created_at: datetime
    settings: Mapping[str, SettingValue]
    alternatives: str
    limits: Limits
    settle_days: int
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = field(default=())
    current: int = 0

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None:
            raise ValueError("a plan's created_at must be timezone-aware")
        if not self.steps:
            raise ValueError("a plan needs at least one step")
        if not self.alternatives:
            raise ValueError("a plan must always offer the alternatives")
        object.__setattr__(self, "settings", MappingProxyType(dict(self.settings)))
        if not 0 <= self.current < len(self.steps):
            raise ValueError("a plan's current step must be one of its steps")
        for position, step in enumerate(self.steps):
            if step.index != position or step.end < step.start:
                raise ValueError(f"step {position}: bad index or dates")
            if position and step.start != self.steps[position - 1].end + timedelta(days=1):
                raise ValueError(f"step {position}: steps must follow one another day by day")
            if not within(step.ceilings, self.limits):
                raise ValueError(f"step {position}: a ceiling is outside the hard limits")
            if self.kind == "taper" and position:
                self._check_taper_step(position)

    def _check_taper_step(self, position: int) -> None:
        step = self.steps[position]
        if not rises(self.steps[position - 1].ceilings, step.ceilings):
            return
        earlier = {s.ceilings for s in self.steps[: position - 1]}
        if step.kind != "step-back" or step.ceilings not in earlier:
            raise ValueError(f"step {position}: a taper ceiling rose without a recorded step-back")

    @property
    def current_step(self) -> PlanStep:
        return self.steps[self.current]

    def step_on(self, day: date) -> PlanStep | None:
        """The step in force on ``day``: None before the plan starts; the current step from its
        start on (even past its planned end: only a gating decision moves a plan on); for an
        earlier day, the past step that covered it."""
        if day < self.steps[0].start:
            return None
        if day >= self.current_step.start:
            return self.current_step
        return next(s for s in self.steps[: self.current] if s.covers(day))


# ---------------------------------------------------------------------------------------------
# Settings from data/tapering.toml


def data() -> dict[str, Any]:
    return catalogue_data.load("tapering")


@dataclass(frozen=True, slots=True)
class Speed:
    name: str
    percent_per_step: float
    step_days: int
    short_term_use_only: bool
    why: str
    sources: tuple[str, ...]


@functools.cache
def speeds() -> dict[str, Speed]:
    return {
        name: Speed(
            name=name,
            percent_per_step=float(row["percent_per_step"]),
            step_days=int(row["step_days"]),
            short_term_use_only=bool(row.get("short_term_use_only", False)),
            why=row["why"],
            sources=tuple(row["sources"]),
        )
        for name, row in data()["speeds"].items()
    }


@dataclass(frozen=True, slots=True)
class InstrumentGate:
    """Thresholds of one instrument for gating; any may be None (not used)."""

    instrument_id: str
    high_at: int | None
    rise: int | None
    step_back_at: int | None
    step_back_rise: int | None
    sources: tuple[str, ...]


@functools.cache
def instrument_gates() -> dict[str, InstrumentGate]:
    rows: dict[str, dict[str, Any]] = data()["gating"]["instruments"]
    return {
        key: InstrumentGate(
            instrument_id=key,
            high_at=row.get("high_at"),
            rise=row.get("rise"),
            step_back_at=row.get("step_back_at"),
            step_back_rise=row.get("step_back_rise"),
            sources=tuple(row["sources"]),
        )
        for key, row in rows.items()
    }


def citation(source_id: str) -> str:
    """Citation of a source id used by the plans (tapering.toml's table, then sources.toml)."""
    local: dict[str, dict[str, str]] = data().get("sources", {})
    if source_id in local:
        return local[source_id]["citation"]
    return catalogue_data.source_citation(source_id)


def alternatives() -> tuple[str, tuple[str, ...]]:
    row = data()["alternatives"]
    return row["text"], tuple(row["sources"])


# ---------------------------------------------------------------------------------------------
# Clinician schedules


@dataclass(frozen=True, slots=True)
class CustomStep:
    """One step of a clinician's schedule: a daily ceiling held for ``days`` days, optionally with
    its own per-dose ceiling."""

    daily_mg: float
    days: int
    dose_max_mg: float | None = None


def step_days_min() -> int:
    """The exposure model's settle time in whole days (12 with the data), the shortest step.

    Imported here, not at the top: the exposure model needs numpy (~60 ms to import), and
    plans, the gating and anything that shows a plan need only this one number."""
    from mitra.domain import exposure  # noqa: PLC0415

    return exposure.settle_days()


def settle_why(settle: int) -> str:
    half_lives = int(catalogue_data.load("pharmacology")["settle"]["half_lives"])
    return (
        f" (a change of dose takes about {settle} days to show fully: {half_lives} half-lives at "
        "the longest published half-life)"
    )


def check_custom(
    custom_steps: Sequence[CustomStep] | None, current: float, settle: int
) -> list[CustomStep]:
    """A clinician's schedule, refused with an ``InputError`` unless every step keeps to the
    accepted ranges: no rise, steps at least the settle time, cuts within the limits."""
    ranges = data()["ranges"]
    floor_mg = float(data()["shape"]["stop_floor_mg"])
    cut_max = float(ranges["custom_cut_max_percent"])
    if not custom_steps:
        raise InputError(
            "a custom taper needs its steps, each a daily amount and a number of days",
            field="custom_steps",
        )
    if len(custom_steps) > int(data()["shape"]["max_steps"]):
        raise InputError("a custom taper has too many steps", field="custom_steps")
    previous = current
    for position, step in enumerate(custom_steps, start=1):
        if not isinstance(step, CustomStep):
            raise InputError("each custom step must be a CustomStep", field="custom_steps")
        where = f"custom step {position}"
        amount = check_number(step.daily_mg, f"{where} daily_mg", 0, MAX_CURRENT_DAILY_MG)
        days = check_whole(
            step.days,
            f"{where} days",
            settle,
            int(ranges["custom_step_days_max"]),
            settle_why(settle),
        )
        if step.dose_max_mg is not None:
            check_number(step.dose_max_mg, f"{where} dose_max_mg", 0, MAX_CURRENT_DAILY_MG)
        if amount > previous:
            raise InputError(
                f"{where} raises the daily amount ({amount:g} mg after {previous:g} mg); a taper "
                "only goes down (a rise is recorded only as a step back after a check-in)",
                field="custom_steps",
            )
        stopping = amount == 0 and previous <= floor_mg
        cut = 0.0 if previous == 0 else (previous - amount) / previous * 100
        if not stopping and (cut > cut_max + 1e-9 or cut * 28 / days > cut_max + 1e-9):
            raise InputError(
                f"{where} cuts {cut:.0f}% in {days} days; at most {cut_max:g}% a step and "
                f"{cut_max:g}% every 4 weeks are accepted (a last step to zero is allowed from "
                f"{floor_mg:g} mg a day or less). {ranges['custom_cut_why']}",
                field="custom_steps",
            )
        previous = amount
    return list(custom_steps)
