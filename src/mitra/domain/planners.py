"""Titration and taper planners: pure functions from settings and hard limits to a ``Plan``.

Purpose: turn a person's (or clinician's) choice into dated steps with ceilings, following the
guidance in ``data/tapering.toml`` (CDC 2022, VA/DoD, HHS 2019) and the exposure model's settle
time (``exposure.settle_days()``, read through ``plan_model.step_days_min()``: 12 days, 4
half-lives at the longest published half-life).

Invariants:

* settings outside the allowed ranges are refused with an ``InputError`` saying what is accepted;
  nothing is silently adjusted except the final clamp to the hard limits, which is reported in
  the plan's notes;
* schedules are computed unclamped and each step's ceilings are clamped to the limits once, in
  ``clamp_ceilings``; ``Plan`` re-checks every step against the limits when built;
* every step lasts at least the settle time; taper ceilings never rise; titration ceilings never
  fall and rise by at most one step at a time;
* every plan carries the alternatives (buprenorphine or methadone with a clinician, with the
  ASAM timing) and its sources.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, cast

from mitra.domain.errors import InputError
from mitra.domain.plan_model import (
    MAX_CURRENT_DAILY_MG,
    Ceilings,
    CustomStep,
    Limits,
    Plan,
    PlanStep,
    SettingValue,
    StepKind,
    Strategy,
    alternatives,
    check_custom,
    check_dates,
    check_number,
    check_whole,
    clamp_ceilings,
    data,
    make_step,
    round_down,
    settle_why,
    speeds,
    step_days_min,
)

MAX_PLAN_DOSES_PER_DAY = 12
STRATEGIES = ("linear", "percent", "custom")
ONE_DAY = timedelta(days=1)


def _sources(*groups: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(source for group in groups for source in group))


# ---------------------------------------------------------------------------------------------
# Titration


def titration_plan(
    start: date,
    limits: Limits,
    *,
    created_at: datetime,
    first_dose_mg: float | None = None,
    step_mg: float | None = None,
    settle_days: int | None = None,
    doses_per_day: int | None = None,
    target_dose_mg: float | None = None,
) -> Plan:
    """Start low, go slow: a small first dose, then increases of at most ``step_mg`` per dose,
    each held ``settle_days`` (at least the settle time). The gating lets a step advance only
    while withdrawal stays high; the plan only says how far and how fast it may go."""
    check_dates(created_at, start)
    cfg: dict[str, Any] = data()["titration"]
    settle = step_days_min()
    first = check_number(
        cfg["first_dose_mg_default"] if first_dose_mg is None else first_dose_mg,
        "first_dose_mg",
        0,
        cfg["first_dose_mg_max"],
        low_open=True,
    )
    step = check_number(
        cfg["step_mg_default"] if step_mg is None else step_mg,
        "step_mg",
        0,
        cfg["step_mg_max"],
        low_open=True,
    )
    hold = check_whole(
        settle if settle_days is None else settle_days,
        "settle_days",
        settle,
        int(data()["ranges"]["step_days_max"]),
        settle_why(settle),
    )
    per_day = check_whole(
        cfg["doses_per_day_default"] if doses_per_day is None else doses_per_day,
        "doses_per_day",
        1,
        MAX_PLAN_DOSES_PER_DAY,
    )
    target = limits.dose_max_mg
    if target_dose_mg is not None:
        target = check_number(
            target_dose_mg, "target_dose_mg", 0, limits.dose_max_mg, low_open=True
        )

    # Daily ceilings count only the doses the limits allow.
    allowed = min(per_day, limits.doses_per_day_max)
    steps: list[PlanStep] = []
    day = start
    max_steps = int(cfg["max_steps"])
    for k in range(max_steps):
        planned = round_down(first + k * step)
        last = planned >= target or k == max_steps - 1
        ceilings = clamp_ceilings(
            limits,
            dose_mg=min(planned, target),
            daily_mg=min(planned, target) * allowed,
            doses_per_day=per_day,
            min_interval_h=0.0,
        )
        if steps and ceilings == steps[-1].ceilings:
            break  # the limits stop the climb: the previous step is as far as the plan goes
        kind: StepKind = "maintain" if last else "titrate"
        steps.append(make_step(k, day, hold, ceilings, _titration_reason(k, ceilings, hold), kind))
        day = steps[-1].end + ONE_DAY
        if last:
            break
    if steps[-1].kind != "maintain":
        final = steps[-1]
        steps[-1] = make_step(
            final.index, final.start, final.days, final.ceilings, final.reason, "maintain"
        )

    notes = [str(cfg["warning"])]
    if first > limits.dose_max_mg or first * allowed > limits.daily_max_mg:
        notes.append("The first dose was lowered to fit the hard limits.")
    text, alt_sources = alternatives()
    settings: dict[str, SettingValue] = {
        "first_dose_mg": first,
        "step_mg": step,
        "settle_days": hold,
        "doses_per_day": per_day,
        "target_dose_mg": target,
    }
    return Plan(
        kind="titration",
        strategy="start-low-go-slow",
        steps=tuple(steps),
        created_at=created_at,
        settings=settings,
        alternatives=text,
        limits=limits,
        settle_days=settle,
        notes=tuple(notes),
        sources=_sources(cfg["sources"], alt_sources),
    )


def _titration_reason(k: int, ceilings: Ceilings, hold: int) -> str:
    head = "Start low" if k == 0 else f"Increase {k}"
    return (
        f"{head}: at most {ceilings.dose_max_mg:g} mg mitragynine a dose, "
        f"{ceilings.daily_max_mg:g} mg a day, {ceilings.doses_per_day_max} doses a day. "
        f"Held at least {hold} days so the dose settles before any increase; an increase "
        "happens only if withdrawal is still high at a check-in."
    )


# ---------------------------------------------------------------------------------------------
# Taper


def _rate_cap(used_over_a_year: bool | None) -> tuple[float, str]:
    ranges = data()["ranges"]
    if used_over_a_year is False:
        return float(ranges["rate_max"]), str(ranges["rate_max_why"])
    return float(ranges["rate_max_long_term"]), str(ranges["rate_max_long_term_why"])


def _pace(
    speed: str | float, step_days: int | None, used_over_a_year: bool | None, settle: int
) -> tuple[float, int, str, tuple[str, ...]]:
    """Percent per step, step length, why, sources; refuses anything outside the ranges."""
    ranges = data()["ranges"]
    named = speeds()
    if isinstance(speed, str):
        if speed not in named:
            raise InputError(
                f"unknown speed {speed!r}; accepted: {', '.join(named)}, or a percent per step "
                f"from {ranges['percent_per_step_min']} to {ranges['percent_per_step_max']}",
                field="speed",
            )
        if step_days is not None:
            raise InputError(
                f"the {speed} speed sets its own step length; give step_days only with a percent",
                field="step_days",
            )
        chosen = named[speed]
        if chosen.short_term_use_only and used_over_a_year is not False:
            raise InputError(
                f"the {speed} speed is offered only when kratom has been used for less than a "
                "year (CDC 2022: 10% a month or slower after a year or more, and mitra assumes "
                "that when it does not know); accepted: "
                + ", ".join(n for n, s in named.items() if not s.short_term_use_only)
                + ", or a percent per step",
                field="speed",
            )
        percent, days, why, sources = (
            chosen.percent_per_step,
            chosen.step_days,
            chosen.why,
            chosen.sources,
        )
    else:
        percent = check_number(
            speed, "percent", ranges["percent_per_step_min"], ranges["percent_per_step_max"]
        )
        days = check_whole(
            28 if step_days is None else step_days,
            "step_days",
            settle,
            int(ranges["step_days_max"]),
            settle_why(settle),
        )
        why = f"{percent:g}% a step every {days} days, chosen explicitly. {ranges['percent_why']}"
        sources = tuple(ranges["percent_sources"])
    if days < settle:
        raise ValueError(f"tapering.toml: a speed's step is shorter than {settle} days")
    cap, cap_why = _rate_cap(used_over_a_year)
    rate = percent * 28 / days
    if rate > cap + 1e-9:
        raise InputError(
            f"{percent:g}% every {days} days is {rate:.1f}% every 4 weeks; at most {cap:g}% is "
            f"accepted. {cap_why}",
            field="speed",
        )
    return percent, days, why, sources


def _schedule(current: float, strategy: str, percent: float) -> list[float]:
    """Daily amounts after each cut, unclamped, ending with 0 (stop)."""
    shape = data()["shape"]
    floor_mg = float(shape["stop_floor_mg"])
    switch = float(shape["linear_switch_fraction"]) * current
    cut = percent / 100
    amounts: list[float] = []
    amount = current
    for _ in range(int(shape["max_steps"])):
        if strategy == "linear" and amount - current * cut >= switch - 1e-9:
            following = amount - current * cut
        else:
            following = amount * (1 - cut)
        following = round_down(following)
        if following < floor_mg:
            amounts.append(0.0)
            return amounts
        amounts.append(following)
        amount = following
    raise InputError(
        "this taper would need more steps than mitra plans at once; choose a faster pace "
        "within the accepted range or ask a clinician for a custom schedule",
        field="speed",
    )


def taper_plan(
    start: date,
    current_daily_mg: float,
    limits: Limits,
    *,
    created_at: datetime,
    strategy: str = "percent",
    speed: str | float = "moderate",
    step_days: int | None = None,
    custom_steps: Sequence[CustomStep] | None = None,
    doses_per_day: int | None = None,
    current_dose_mg: float | None = None,
    used_over_a_year: bool | None = None,
) -> Plan:
    """A taper from ``current_daily_mg`` (mg mitragynine a day).

    ``strategy``: "percent" (each cut a percent of the current ceiling: smaller cuts as the
    dose falls), "linear" (a fixed cut of the starting dose until 30% remains, then a percent of
    what remains: the CDC 2022 shape) or "custom" (a clinician's ``custom_steps``). ``speed``:
    "slow", "moderate", "fast" (only when ``used_over_a_year`` is False) or a percent per step
    with ``step_days``. With ``doses_per_day`` (and optionally ``current_dose_mg``, the usual
    largest dose), the per-dose ceiling falls in proportion to the daily one.
    """
    check_dates(created_at, start)
    if strategy not in STRATEGIES:
        raise InputError(
            f"unknown strategy {strategy!r}; accepted: {', '.join(STRATEGIES)}", field="strategy"
        )
    current = check_number(
        current_daily_mg, "current_daily_mg", 0, MAX_CURRENT_DAILY_MG, low_open=True
    )
    if used_over_a_year is not None and not isinstance(used_over_a_year, bool):
        raise InputError("used_over_a_year must be yes, no or unknown", field="used_over_a_year")
    settle = step_days_min()
    per_day = limits.doses_per_day_max
    usual_dose = current
    if doses_per_day is not None:
        per_day = check_whole(doses_per_day, "doses_per_day", 1, MAX_PLAN_DOSES_PER_DAY)
        usual_dose = current / per_day
    if current_dose_mg is not None:
        usual_dose = check_number(current_dose_mg, "current_dose_mg", 0, current, low_open=True)

    settings: dict[str, SettingValue] = {
        "strategy": strategy,
        "current_daily_mg": current,
        "doses_per_day": doses_per_day,
        "current_dose_mg": current_dose_mg,
        "used_over_a_year": used_over_a_year,
    }
    shape = data()["shape"]
    if strategy == "custom":
        if speed != "moderate" or step_days is not None:
            raise InputError(
                "a custom taper takes its pace from its steps; leave speed and step_days unset",
                field="speed",
            )
        custom = check_custom(custom_steps, current, settle)
        plan_steps: list[tuple[float, int, float | None]] = [
            (s.daily_mg, s.days, s.dose_max_mg) for s in custom
        ]
        why = "A clinician's schedule, checked against the accepted ranges."
        pace_sources: tuple[str, ...] = tuple(data()["ranges"]["custom_sources"])
        settings["custom_steps"] = "; ".join(f"{s.daily_mg:g} mg x {s.days} d" for s in custom)
    else:
        if custom_steps is not None:
            raise InputError("custom_steps are for the custom strategy only", field="custom_steps")
        percent, days, why, pace_sources = _pace(speed, step_days, used_over_a_year, settle)
        plan_steps = [(amount, days, None) for amount in _schedule(current, strategy, percent)]
        settings.update({"speed": speed, "percent_per_step": percent, "step_days": days})
        if strategy == "linear":
            pace_sources = (*pace_sources, *shape["linear_sources"])

    allowed = min(per_day, limits.doses_per_day_max)
    capacity = min(limits.daily_max_mg, limits.dose_max_mg * allowed)
    forced = strategy != "custom" and plan_steps[0][0] > capacity + 1e-9
    if forced:
        # The hard limits allow less than the first paced step: the first step is what they
        # allow, and the rest follows at the stated pace from there (never a flat hold).
        hold = plan_steps[0][1]
        paced: list[tuple[float, int, float | None]] = (
            [(amount, hold, None) for amount in _schedule(capacity, strategy, percent)]
            if capacity > 0
            else []
        )
        plan_steps = [(capacity, hold, None), *paced]

    steps: list[PlanStep] = []
    day = start
    previous = current
    previous_dose = usual_dose
    for index, (amount, days, dose_override) in enumerate(plan_steps):
        if dose_override is not None:
            dose = min(dose_override, amount)
            if dose > previous_dose + 1e-9:
                raise InputError(
                    f"custom step {index + 1} raises the per-dose ceiling ({dose:g} mg after "
                    f"{previous_dose:g} mg); in a taper ceilings only go down",
                    field="custom_steps",
                )
            previous_dose = dose
            dose_mg = round_down(dose)
        else:
            # The per-dose ceiling follows the day's, and is never so low that the doses the
            # limits allow cannot reach the day's ceiling: a lower one would be a hidden cut
            # (six 2 g doses a day under a three-dose cap would lose half the day at once).
            spread = math.ceil(amount / allowed * 10 - 1e-9) / 10 if allowed else 0.0
            dose_mg = min(max(round_down(usual_dose * amount / current), spread), amount)
        ceilings = clamp_ceilings(
            limits,
            dose_mg=dose_mg,
            daily_mg=amount,
            doses_per_day=per_day,
            min_interval_h=0.0,
        )
        kind: StepKind = "step-down" if amount < previous else "hold"
        reason = _taper_reason(index, len(plan_steps), amount, previous, ceilings, days, settle)
        if index == 0 and forced:
            reason = _forced_reason(current, ceilings, days, settle)
        steps.append(make_step(index, day, days, ceilings, reason, kind))
        day = steps[-1].end + ONE_DAY
        previous = amount

    notes = [why]
    if forced:
        cut = 1 - capacity / current
        notes.append(
            f"Your current amount (about {current:g} mg a day) is more than the hard limits "
            f"allow ({capacity:g} mg a day: at most {allowed} doses of "
            f"{min(limits.dose_max_mg, capacity):g} mg, and {limits.daily_max_mg:g} mg in 24 "
            f"hours), so the first step is a cut of {cut:.0%} at once, more than the stated "
            "pace. That can bring on strong withdrawal: please plan it with a clinician; "
            "buprenorphine or methadone may be the safer path. After it, the steps follow the "
            "stated pace."
        )
    if per_day > limits.doses_per_day_max:
        notes.append(
            f"You usually take {per_day} doses a day; the safety rules allow at most "
            f"{limits.doses_per_day_max} in 24 hours, so each step's most per dose lets "
            f"{allowed} doses reach the day's amount."
        )
    if strategy != "custom" and float(plan_steps[-1][0]) == 0.0:
        notes.append(str(shape["stop_floor_why"]))
    text, alt_sources = alternatives()
    return Plan(
        kind="taper",
        strategy=cast(Strategy, strategy),  # checked against STRATEGIES above
        steps=tuple(steps),
        created_at=created_at,
        settings=settings,
        alternatives=text,
        limits=limits,
        settle_days=settle,
        notes=tuple(notes),
        sources=_sources(pace_sources, shape["stop_floor_sources"], alt_sources),
    )


def _taper_reason(
    index: int,
    count: int,
    amount: float,
    previous: float,
    ceilings: Ceilings,
    days: int,
    settle: int,
) -> str:
    head = f"Step {index + 1} of {count}"
    if amount == 0:
        what = "stop"
    elif amount < previous:
        what = f"{(previous - amount) / previous:.0%} less than before"
    else:
        what = "the same as before"
    capped = " (capped at the hard limit)" if ceilings.daily_max_mg < amount else ""
    return (
        f"{head}: at most {ceilings.daily_max_mg:g} mg mitragynine a day{capped}, {what}; at most "
        f"{ceilings.dose_max_mg:g} mg a dose. Held at least {days} days so the change settles "
        f"(about {settle} days); the next step comes only after a check-in shows withdrawal is "
        "not rising."
    )


def _forced_reason(current: float, ceilings: Ceilings, days: int, settle: int) -> str:
    cut = 1 - ceilings.daily_max_mg / current
    return (
        f"Step 1: at most {ceilings.daily_max_mg:g} mg mitragynine a day, the most the hard "
        f"limits allow: {cut:.0%} less than your current amount, a bigger cut than the plan's "
        f"pace (see the note); at most {ceilings.dose_max_mg:g} mg a dose. Held at least {days} "
        f"days so the change settles (about {settle} days); the next step comes only after a "
        "check-in shows withdrawal is not rising."
    )


def effective_daily_mg(step: PlanStep) -> float:
    """What a step really allows in a day: its daily ceiling, or less when its per-dose ceiling
    times its doses a day cannot reach it."""
    return min(step.daily_max_mg, step.dose_max_mg * step.doses_per_day_max)


def effective_cuts(plan: Plan, current_daily_mg: float) -> list[float]:
    """The cut of each step against the one before (the first against the current amount),
    as a fraction, on what each really allows."""
    cuts: list[float] = []
    before = current_daily_mg
    for step in plan.steps:
        allowed = effective_daily_mg(step)
        cuts.append(1 - allowed / before if before > 0 else 0.0)
        before = allowed
    return cuts
