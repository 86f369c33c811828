"""Symptom gating of plans, and judging a dose against the step in force.

Purpose: decide each day whether a plan advances to its next step, holds, or (a taper only)
steps back one step, from the person's withdrawal check-ins (COWS, SOWS-Gossop); and say
whether a dose is within the step's ceilings. Thresholds and their reasons are in
``data/tapering.toml`` [gating].

Invariants:

* no current check-in (none in the last ``checkin_max_age_days`` days) means HOLD: a plan never
  advances on no information;
* a plan advances only once its current step has run its full length (at least the settle
  time); a hold never shortens the time at a ceiling;
* withdrawal rising past a threshold holds a taper; a larger rise steps it back ONE step, to the
  ceilings of the step before, and never twice in a row (HHS 2019: slow or pause rather than
  reverse). A recorded step-back is the only way a taper ceiling rises (``Plan`` enforces it);
* a titration advances only while withdrawal stays high at a current check-in;
* the decision carries the plan as it should be recorded; gating the same day again with the
  same check-ins changes nothing;
* hard limits: every step of the new plan is re-checked by ``Plan`` when built.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

from mitra.domain.errors import InputError
from mitra.domain.instrument_defs import Assessment
from mitra.domain.plan_model import (
    InstrumentGate,
    Plan,
    PlanStep,
    data,
    instrument_gates,
    rises,
)

Action = Literal["advance", "hold", "step-back"]
Cause = Literal[
    "not-started",
    "schedule",
    "missing-check-in",
    "symptoms",
    "settled",
    "complete",
    "advance",
    "step-back",
]
Level = Literal["ok", "hold", "step-back"]
ONE_DAY = timedelta(days=1)


def _day(day: date) -> str:
    """A day as people write it in a reason that pages show: "10 Nov 2026", not ISO."""
    return f"{day.day} {day:%b %Y}"


ROLLING_DAY = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do today: ``step`` is the step in force from today and ``plan`` the plan to record
    (the same object when nothing changes)."""

    action: Action
    reason: str
    step: PlanStep
    plan: Plan
    cause: Cause


@dataclass(frozen=True, slots=True)
class Reading:
    """One instrument's current check-in against its baseline (the score before the current
    ceilings came into force, else the first since)."""

    gate: InstrumentGate
    latest: Assessment
    baseline: Assessment | None
    # The person's zone, so a check-in is dated by their calendar day (None: its own offset).
    zone: tzinfo | None = None

    @property
    def rise(self) -> int | None:
        return None if self.baseline is None else self.latest.total - self.baseline.total

    def level(self) -> Level:
        g, total, rise = self.gate, self.latest.total, self.rise
        if (g.step_back_at is not None and total >= g.step_back_at) or (
            g.step_back_rise is not None and rise is not None and rise >= g.step_back_rise
        ):
            return "step-back"
        if (g.high_at is not None and total >= g.high_at) or (
            g.rise is not None and rise is not None and rise >= g.rise
        ):
            return "hold"
        return "ok"

    def high(self) -> bool:
        return self.gate.high_at is not None and self.latest.total >= self.gate.high_at

    def describe(self) -> str:
        name = self.latest.instrument_id.upper().replace("SOWS-GOSSOP", "SOWS-Gossop")
        day = _local_day(self.latest.at, self.zone)
        # A day as people write it ("19 Nov 2026"), not an ISO stamp: the reason reaches pages.
        text = f"{name} {self.latest.total} on {day.day} {day:%b %Y}"
        if self.rise is not None and self.rise != 0:
            text += f" ({self.rise:+d} since before this step)"
        return text


# ---------------------------------------------------------------------------------------------
# Reading check-ins


def _local_day(moment: datetime, zone: tzinfo | None) -> date:
    return (moment.astimezone(zone) if zone is not None else moment).date()


def _readings(
    assessments: Sequence[Assessment], today: date, run_start: date, zone: tzinfo | None
) -> list[Reading]:
    max_age = int(data()["gating"]["checkin_max_age_days"])
    readings = []
    for instrument_id, gate in instrument_gates().items():
        # Two check-ins at the same moment: the higher score counts as the later (cautious).
        own = sorted(
            (a for a in assessments if a.instrument_id == instrument_id),
            key=lambda a: (a.at, a.total),
        )
        # Check-ins dated after today cannot inform today's decision.
        known = [a for a in own if _local_day(a.at, zone) <= today]
        current = [a for a in known if (today - _local_day(a.at, zone)).days <= max_age]
        if not current:
            continue
        latest = current[-1]
        before = [a for a in known if _local_day(a.at, zone) < run_start]
        since = [a for a in known if _local_day(a.at, zone) >= run_start and a.at < latest.at]
        baseline = before[-1] if before else (since[0] if since else None)
        readings.append(Reading(gate, latest, baseline, zone))
    return readings


# ---------------------------------------------------------------------------------------------
# Rewriting the plan


def _run_start(plan: Plan, index: int) -> int:
    """Index of the first step of the run of equal ceilings that ends at ``index``."""
    start = index
    while start > 0 and plan.steps[start - 1].ceilings == plan.steps[index].ceilings:
        start -= 1
    return start


def _relaid(kept: Sequence[PlanStep], following: Sequence[PlanStep]) -> tuple[PlanStep, ...]:
    """``kept`` then ``following``, renumbered, each of ``following`` keeping its length and
    starting the day after the one before."""
    steps = list(kept)
    for step in following:
        start = steps[-1].end + ONE_DAY
        steps.append(
            dataclasses.replace(
                step, index=len(steps), start=start, end=start + timedelta(days=step.days - 1)
            )
        )
    return tuple(steps)


def _up_to_yesterday(plan: Plan, index: int, today: date) -> list[PlanStep]:
    """Steps before ``index``, and the current one cut to end yesterday (dropped if it starts
    today)."""
    current = plan.steps[index]
    kept = list(plan.steps[:index])
    if current.start < today:
        kept.append(dataclasses.replace(current, end=today - ONE_DAY))
    return kept


def _with(plan: Plan, steps: tuple[PlanStep, ...], current: int) -> Plan:
    return dataclasses.replace(plan, steps=steps, current=current)


def _hold(plan: Plan, index: int, today: date, days: int, reason: str, cause: Cause) -> Decision:
    """Keep the current ceilings until at least ``today + days - 1`` (never earlier than the
    step was already planned to end), recorded as a hold step."""
    current = plan.steps[index]
    end = max(current.end, today + timedelta(days=days - 1))
    if end == current.end:
        return Decision("hold", reason, current, plan, cause)
    if current.kind == "hold":
        kept = list(plan.steps[:index])
        held = dataclasses.replace(current, end=end, reason=reason)
    else:
        kept = _up_to_yesterday(plan, index, today)
        held = dataclasses.replace(
            current, index=len(kept), start=today, end=end, reason=reason, kind="hold"
        )
    steps = _relaid([*kept, held], plan.steps[index + 1 :])
    new = _with(plan, steps, len(kept))
    return Decision("hold", reason, new.current_step, new, cause)


def _advance(plan: Plan, index: int, today: date, reason: str) -> Decision:
    kept = _up_to_yesterday(plan, index, today)
    following = plan.steps[index + 1 :]
    first = dataclasses.replace(
        following[0],
        index=len(kept),
        start=today,
        end=today + timedelta(days=following[0].days - 1),
    )
    steps = _relaid([*kept, first], following[1:])
    new = _with(plan, steps, len(kept))
    return Decision("advance", reason, new.current_step, new, "advance")


def _step_back(plan: Plan, index: int, run_start: int, today: date, reason: str) -> Decision:
    previous = plan.steps[run_start - 1]
    original = plan.steps[run_start]
    kept = _up_to_yesterday(plan, index, today)
    back = dataclasses.replace(
        previous,
        index=len(kept),
        start=today,
        end=today + timedelta(days=plan.settle_days - 1),
        reason=reason,
        kind="step-back",
    )
    # The step that was too much is tried again afterwards, for the plan's step length where
    # the plan has one (a hold may have cut the original short), never less than the settle time.
    planned = plan.settings.get("step_days")
    length = max(original.days, plan.settle_days, planned if isinstance(planned, int) else 0)
    again = dataclasses.replace(
        original,
        end=original.start + timedelta(days=length - 1),
        reason="Trying this step again after the step back. " + original.reason,
        kind="step-down",
    )
    steps = _relaid([*kept, back], [again, *plan.steps[index + 1 :]])
    new = _with(plan, steps, len(kept))
    return Decision("step-back", reason, new.current_step, new, "step-back")


# ---------------------------------------------------------------------------------------------
# The gate


def gate(
    plan: Plan,
    today: date,
    assessments: Sequence[Assessment],
    *,
    zone: tzinfo | None = None,
) -> Decision:
    """Today's decision for ``plan`` from the check-ins in ``assessments`` (any instruments;
    only those with gating thresholds count). ``zone`` gives the person's calendar day of each
    check-in; without it each check-in's own offset is used."""
    if not isinstance(today, date) or isinstance(today, datetime):
        raise InputError("today must be a calendar date", field="today")
    gating = data()["gating"]
    if today < plan.steps[0].start:
        first = plan.steps[0]
        return Decision(
            "hold", f"The plan starts on {_day(first.start)}.", first, plan, "not-started"
        )
    current = plan.current_step
    if today < current.start:
        raise InputError(
            f"the plan's current step starts on {_day(current.start)}; a decision for an "
            "earlier day cannot be made now",
            field="today",
        )
    index = current.index
    run_start = _run_start(plan, index)
    readings = _readings(assessments, today, plan.steps[run_start].start, zone)
    due = today > current.end
    has_next = index + 1 < len(plan.steps)
    hold_days = int(gating["symptom_hold_days"])

    if not readings:
        max_age = int(gating["checkin_max_age_days"])
        reason = (
            f"No COWS or SOWS-Gossop check-in from the last {max_age} days, so the plan holds "
            "at this step: it moves only when a check-in shows how you are."
        )
        return _hold(plan, index, today, 1 if due else 0, reason, "missing-check-in")

    scores = "; ".join(r.describe() for r in readings)
    if plan.kind == "taper":
        level = max((r.level() for r in readings), key=("ok", "hold", "step-back").index)
        if level == "step-back":
            # One step back to a HIGHER earlier ceiling, and never from a run that is itself a
            # step back (a hold after a step back belongs to that run).
            if (
                run_start > 0
                and plan.steps[run_start].kind != "step-back"
                and rises(current.ceilings, plan.steps[run_start - 1].ceilings)
            ):
                reason = (
                    f"Withdrawal has risen a lot ({scores}): going back one step. "
                    f"{gating['step_back_why']}"
                )
                return _step_back(plan, index, run_start, today, reason)
            reason = (
                f"Withdrawal is high ({scores}); the plan holds. It steps back only one step at "
                "a time. Please talk to a clinician: buprenorphine or methadone may help."
            )
            return _hold(plan, index, today, hold_days, reason, "symptoms")
        if level == "hold":
            reason = (
                f"Withdrawal has risen ({scores}): the plan holds for at least {hold_days} days. "
                f"{gating['symptom_hold_why']}"
            )
            return _hold(plan, index, today, hold_days, reason, "symptoms")
    if not due:
        reason = (
            f"This step runs until {_day(current.end)}: each step lasts at least "
            f"{plan.settle_days} days so the change settles. Check-ins: {scores}."
        )
        return Decision("hold", reason, current, plan, "schedule")
    if not has_next:
        reason = f"This is the plan's last step. Check-ins: {scores}."
        return Decision("hold", reason, current, plan, "complete")
    if plan.kind == "titration" and not all(r.high() for r in readings):
        reason = (
            f"Withdrawal is not high ({scores}), so the dose stays where it is; an increase "
            "happens only while withdrawal stays high."
        )
        return _hold(plan, index, today, hold_days, reason, "settled")
    reason = f"The step has settled and check-ins allow the next one ({scores})."
    return _advance(plan, index, today, reason)


# ---------------------------------------------------------------------------------------------
# Judging a dose


@dataclass(frozen=True, slots=True)
class TimedDose:
    """A dose: when, and mg mitragynine (the high end of its estimate)."""

    at: datetime
    mg: float


@dataclass(frozen=True, slots=True)
class DoseJudgement:
    verdict: Literal["within", "over"]
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def _checked_dose(dose: TimedDose, name: str) -> None:
    if not isinstance(dose, TimedDose) or dose.at.tzinfo is None:
        raise InputError(f"{name} must be a dose with a timezone-aware time", field=name)
    if isinstance(dose.mg, bool) or not math.isfinite(dose.mg) or dose.mg < 0:
        raise InputError(f"{name}: mg must be a finite number, 0 or more", field=name)


def judge_dose(
    plan: Plan,
    step: PlanStep,
    day_doses: Sequence[TimedDose],
    new_dose: TimedDose,
    *,
    count_window: timedelta = ROLLING_DAY,
) -> DoseJudgement:
    """Whether ``new_dose`` keeps within ``step``'s ceilings, given the other doses around it
    (``day_doses``: at least the 24 hours either side). A "day" is a rolling 24 hours for the
    mg total, as the safety engine counts it; doses are counted over ``count_window`` (the
    engine's doses-per-day rule counts over a slightly shorter window, so a steady three-a-day
    pattern whose times wobble is not four; the caller passes that window). A back-filled dose
    is also checked against the later windows it falls into. ``step`` must belong to ``plan``
    (its ceilings are then within the hard limits, which ``Plan`` guarantees)."""
    if not timedelta(0) < count_window <= ROLLING_DAY:
        raise InputError("count_window must be more than 0 and at most 24 hours", field="window")
    if step not in plan.steps:
        raise InputError("the step is not part of this plan", field="step")
    _checked_dose(new_dose, "new_dose")
    for dose in day_doses:
        _checked_dose(dose, "day_doses")
    reasons: list[str] = []
    if new_dose.mg > step.dose_max_mg:
        reasons.append(
            f"{new_dose.mg:g} mg is over this step's ceiling of {step.dose_max_mg:g} mg a dose"
        )
    doses = [*day_doses, new_dose]
    window_ends = [new_dose.at] + [
        d.at for d in day_doses if new_dose.at < d.at < new_dose.at + ROLLING_DAY
    ]
    for end in window_ends:
        inside = [d for d in doses if end - ROLLING_DAY < d.at <= end]
        total = sum(d.mg for d in inside)
        if total > step.daily_max_mg + 1e-9:
            reasons.append(
                f"{total:g} mg in 24 hours is over this step's ceiling of "
                f"{step.daily_max_mg:g} mg a day"
            )
            break
    count_ends = [new_dose.at] + [
        d.at for d in day_doses if new_dose.at < d.at < new_dose.at + count_window
    ]
    hours = count_window.total_seconds() / 3600
    for end in count_ends:
        count = sum(1 for d in doses if end - count_window < d.at <= end)
        if count > step.doses_per_day_max:
            reasons.append(
                f"{count} doses in {hours:g} hours is over this step's "
                f"{step.doses_per_day_max} a day"
            )
            break
    gap = timedelta(hours=step.min_interval_h)
    close = [d for d in day_doses if abs(d.at - new_dose.at) < gap]
    if close:
        hours = min(abs(d.at - new_dose.at) for d in close).total_seconds() / 3600
        reasons.append(
            f"{hours:.1f} hours from another dose; this step needs at least "
            f"{step.min_interval_h:g} hours between doses"
        )
    if reasons:
        return DoseJudgement("over", tuple(reasons))
    return DoseJudgement(
        "within", (f"within every ceiling of step {step.index + 1} ({step.kind})",)
    )


# ---------------------------------------------------------------------------------------------
# An explicit step back


def step_back(plan: Plan, today: date, reason: str) -> Decision:
    """A step back asked for by the person or their clinician, not by the check-ins.

    The same one step as the gating's step-back, under the same rules: a taper only; to the
    ceilings of the step before the current run (a hold after a step-down belongs to that run);
    never from a run that is itself a step back (HHS 2019: slow or pause rather than reverse).
    Anything else is refused with an ``InputError`` saying why and what else helps. The
    previous step's ceilings are already within the hard limits, so a step back never exceeds
    them; ``Plan`` re-checks it when built.
    """
    if not isinstance(today, date) or isinstance(today, datetime):
        raise InputError("today must be a calendar date", field="today")
    text = " ".join(str(reason).split())
    if not text:
        raise InputError("say why you are stepping back (a few words)", field="reason")
    if plan.kind != "taper":
        raise InputError(
            "a step back is for tapers; a titration rises only when check-ins allow it",
            field="plan",
        )
    if today < plan.steps[0].start:
        raise InputError(
            f"the plan starts on {_day(plan.steps[0].start)}; there is nothing to step "
            "back from yet",
            field="today",
        )
    current = plan.current_step
    if today < current.start:
        raise InputError(
            f"the current step starts on {_day(current.start)}; a step back can be made "
            "from then on",
            field="today",
        )
    run_start = _run_start(plan, current.index)
    help_text = (
        "If this step is too hard, the plan can hold (a check-in showing withdrawal rising "
        "holds it), and a clinician can help: buprenorphine or methadone may be the better path."
    )
    if plan.steps[run_start].kind == "step-back":
        raise InputError(
            "the plan has just stepped back; it steps back only one step at a time (HHS 2019: "
            f"slow or pause rather than reverse). {help_text}",
            field="step_back",
        )
    if run_start == 0 or not rises(current.ceilings, plan.steps[run_start - 1].ceilings):
        raise InputError(
            f"there is no higher earlier step to go back to. {help_text}", field="step_back"
        )
    why = f"Stepped back one step on request: {text}. {data()['gating']['step_back_why']}"
    return _step_back(plan, current.index, run_start, today, why)
