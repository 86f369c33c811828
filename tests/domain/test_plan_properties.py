"""Properties of plans over random settings, limits and check-in histories (Hypothesis)."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mitra.domain.errors import InputError
from mitra.domain.instrument_defs import Assessment
from mitra.domain.plan_model import data as tapering_data
from mitra.domain.plans import (
    CustomStep,
    Decision,
    Limits,
    Plan,
    PlanStep,
    gate,
    taper_plan,
    titration_plan,
)
from tests.support.assessments import check_in

CREATED = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
START = date(2026, 12, 1)
SETTLE = 12
GATES = tapering_data()["gating"]["instruments"]
MAX_AGE = tapering_data()["gating"]["checkin_max_age_days"]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

limits_strategy = st.builds(
    Limits,
    dose_max_mg=st.floats(min_value=0, max_value=200, allow_nan=False),
    daily_max_mg=st.floats(min_value=0, max_value=600, allow_nan=False),
    doses_per_day_max=st.integers(min_value=0, max_value=8),
    min_interval_h=st.floats(min_value=0, max_value=12, allow_nan=False),
)
# Limits a safety engine could plausibly give, for the gating simulations: ceilings that leave
# room for a taper to move, so advances, holds and step-backs all happen.
room_strategy = st.builds(
    Limits,
    dose_max_mg=st.floats(min_value=10, max_value=200, allow_nan=False),
    daily_max_mg=st.floats(min_value=20, max_value=600, allow_nan=False),
    doses_per_day_max=st.integers(min_value=1, max_value=8),
    min_interval_h=st.floats(min_value=0, max_value=8, allow_nan=False),
)
speed_strategy = st.one_of(
    st.sampled_from(["slow", "moderate", "fast", "turbo"]),
    st.floats(min_value=0, max_value=30, allow_nan=False),
)


def assert_within(plan: Plan, limits: Limits) -> None:
    for step in plan.steps:
        assert step.dose_max_mg <= limits.dose_max_mg
        assert step.daily_max_mg <= limits.daily_max_mg
        assert step.dose_max_mg <= step.daily_max_mg
        assert step.doses_per_day_max <= limits.doses_per_day_max
        assert step.min_interval_h >= limits.min_interval_h


def assert_refusal_says_what_is_accepted(error: InputError) -> None:
    text = str(error)
    assert any(word in text for word in ("accepted", "must be", "at most", "only", "needs")), text


def runs(steps: tuple[PlanStep, ...]) -> list[tuple[PlanStep, int]]:
    """Consecutive steps with equal ceilings merged: (first step of the run, days in force)."""
    merged: list[tuple[PlanStep, int]] = []
    for step in steps:
        if merged and merged[-1][0].ceilings == step.ceilings:
            merged[-1] = (merged[-1][0], merged[-1][1] + step.days)
        else:
            merged.append((step, step.days))
    return merged


# ---------------------------------------------------------------------------------------------
# Planners


@FAST
@given(
    limits=limits_strategy,
    current=st.floats(min_value=0.1, max_value=5000, allow_nan=False),
    strategy=st.sampled_from(["linear", "percent"]),
    speed=speed_strategy,
    step_days=st.one_of(st.none(), st.integers(min_value=1, max_value=80)),
    used_over_a_year=st.sampled_from([None, True, False]),
    doses_per_day=st.one_of(st.none(), st.integers(min_value=1, max_value=12)),
)
def test_no_taper_step_exceeds_a_hard_limit_and_none_rises_or_is_short(
    limits: Limits,
    current: float,
    strategy: str,
    speed: str | float,
    step_days: int | None,
    used_over_a_year: bool | None,
    doses_per_day: int | None,
) -> None:
    try:
        plan = taper_plan(
            START,
            current,
            limits,
            created_at=CREATED,
            strategy=strategy,
            speed=speed,
            step_days=step_days,
            used_over_a_year=used_over_a_year,
            doses_per_day=doses_per_day,
        )
    except InputError as error:
        assert_refusal_says_what_is_accepted(error)
        return
    assert_within(plan, limits)
    for before, after in zip(plan.steps, plan.steps[1:], strict=False):
        assert after.daily_max_mg <= before.daily_max_mg
        assert after.dose_max_mg <= before.dose_max_mg
    assert all(step.days >= SETTLE for step in plan.steps)
    assert plan.steps[-1].daily_max_mg == 0
    # The pace never exceeds 20% of the ceiling per 4 weeks, 10% unless use is known short.
    cap = 20 if used_over_a_year is False else 10
    assert float(plan.settings["percent_per_step"]) * 28 / plan.steps[0].days <= cap + 1e-9  # type: ignore[arg-type]


@FAST
@given(
    limits=limits_strategy,
    current=st.floats(min_value=1, max_value=400, allow_nan=False),
    custom=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=400, allow_nan=False),
            st.integers(min_value=1, max_value=200),
            st.one_of(st.none(), st.floats(min_value=0, max_value=200, allow_nan=False)),
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_a_custom_schedule_is_refused_or_kept_within_the_rules(
    limits: Limits, current: float, custom: list[tuple[float, int, float | None]]
) -> None:
    steps = [CustomStep(daily, days, dose) for daily, days, dose in custom]
    try:
        plan = taper_plan(
            START, current, limits, created_at=CREATED, strategy="custom", custom_steps=steps
        )
    except InputError as error:
        assert_refusal_says_what_is_accepted(error)
        return
    assert_within(plan, limits)
    for before, after in zip(plan.steps, plan.steps[1:], strict=False):
        assert not after.daily_max_mg > before.daily_max_mg
        assert not after.dose_max_mg > before.dose_max_mg
    assert all(step.days >= SETTLE for step in plan.steps)


@FAST
@given(
    limits=limits_strategy,
    first=st.floats(min_value=0.01, max_value=20, allow_nan=False),
    step=st.floats(min_value=0.01, max_value=10, allow_nan=False),
    settle_days=st.integers(min_value=1, max_value=70),
    doses_per_day=st.integers(min_value=0, max_value=14),
)
def test_no_titration_step_exceeds_a_hard_limit_or_climbs_too_fast(
    limits: Limits, first: float, step: float, settle_days: int, doses_per_day: int
) -> None:
    try:
        plan = titration_plan(
            START,
            limits,
            created_at=CREATED,
            first_dose_mg=first,
            step_mg=step,
            settle_days=settle_days,
            doses_per_day=doses_per_day,
        )
    except InputError as error:
        assert_refusal_says_what_is_accepted(error)
        return
    assert_within(plan, limits)
    assert plan.steps[0].dose_max_mg <= tapering_data()["titration"]["first_dose_mg_max"]
    for before, after in zip(plan.steps, plan.steps[1:], strict=False):
        assert before.dose_max_mg <= after.dose_max_mg <= before.dose_max_mg + step + 0.1
    assert all(s.days >= max(SETTLE, settle_days) for s in plan.steps)
    assert plan.steps[-1].kind == "maintain"


# ---------------------------------------------------------------------------------------------
# Gating over random histories

event_strategy = st.tuples(
    st.integers(min_value=-5, max_value=140),  # day offset from the start
    st.sampled_from(["cows", "sows-gossop", "phq2"]),
    # Mostly scores around the thresholds (8, 10, 13; rises of 2-4), sometimes anything.
    st.one_of(st.integers(min_value=0, max_value=16), st.integers(min_value=0, max_value=30)),
)


def current_totals(history: list[Assessment], today: date) -> dict[str, list[Assessment]]:
    found: dict[str, list[Assessment]] = {}
    for a in history:
        if a.instrument_id in GATES and 0 <= (today - a.at.date()).days <= MAX_AGE:
            found.setdefault(a.instrument_id, []).append(a)
    return found


def simulate(plan: Plan, events: list[tuple[int, str, int]], days: int) -> list[Decision]:
    decisions = []
    for offset in range(days):
        today = START + timedelta(days=offset)
        history = [
            # Distinct minutes keep "the latest check-in" unambiguous.
            dataclasses.replace(
                check_in(name, min(total, 6) if name == "phq2" else total, START + timedelta(d)),
                at=datetime(2026, 1, 1, 9, tzinfo=UTC).replace(
                    year=(START + timedelta(d)).year,
                    month=(START + timedelta(d)).month,
                    day=(START + timedelta(d)).day,
                )
                + timedelta(minutes=position),
            )
            for position, (d, name, total) in enumerate(events)
            if d <= offset
        ]
        decision = gate(plan, today, history)
        current = current_totals(history, today)
        if not current:
            assert decision.action == "hold", "a plan moved with no current check-in"
        if decision.action == "advance":
            latest = {k: max(v, key=lambda a: a.at).total for k, v in current.items()}
            for name, total in latest.items():
                high = GATES[name]["high_at"]
                if plan.kind == "taper":
                    assert total < high, "a taper advanced on high withdrawal"
                else:
                    assert total >= high, "a titration increased without high withdrawal"
        plan = decision.plan
        decisions.append(decision)
    return decisions


def assert_record_keeps_the_rules(plan: Plan, limits: Limits) -> None:
    assert_within(plan, limits)
    merged = runs(plan.steps[: plan.current + 1])
    for (before, days_before), (after, _) in itertools.pairwise(merged):
        lower = after.daily_max_mg < before.daily_max_mg or after.dose_max_mg < before.dose_max_mg
        higher = after.daily_max_mg > before.daily_max_mg or after.dose_max_mg > before.dose_max_mg
        if plan.kind == "taper" and higher:
            assert after.kind == "step-back", "a taper ceiling rose without a step-back"
            assert before.kind != "step-back", "two step-backs in a row"
        if (plan.kind == "taper" and lower) or (plan.kind == "titration" and higher):
            assert days_before >= SETTLE, "a ceiling changed before the step settled"
        if plan.kind == "titration":
            assert not lower


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    limits=room_strategy,
    current=st.floats(min_value=20, max_value=300, allow_nan=False),
    events=st.lists(event_strategy, max_size=80),
)
def test_gating_a_taper_over_random_check_ins_keeps_every_rule(
    limits: Limits, current: float, events: list[tuple[int, str, int]]
) -> None:
    plan = taper_plan(
        START, current, limits, created_at=CREATED, speed=10, step_days=14, used_over_a_year=False
    )
    decisions = simulate(plan, events, 140)
    assert_record_keeps_the_rules(decisions[-1].plan, limits)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(limits=room_strategy, events=st.lists(event_strategy, max_size=80))
def test_gating_a_titration_over_random_check_ins_keeps_every_rule(
    limits: Limits, events: list[tuple[int, str, int]]
) -> None:
    plan = titration_plan(START, limits, created_at=CREATED)
    decisions = simulate(plan, events, 140)
    assert_record_keeps_the_rules(decisions[-1].plan, limits)


@FAST
@given(
    instrument=st.sampled_from(["cows", "sows-gossop"]),
    baseline=st.integers(min_value=0, max_value=20),
    rise=st.integers(min_value=0, max_value=10),
    gap=st.integers(min_value=0, max_value=10),
)
def test_gating_holds_when_scores_rise_or_check_ins_are_missing(
    instrument: str, baseline: int, rise: int, gap: int
) -> None:
    plan = taper_plan(START, 100.0, Limits(60, 200, 4, 3), created_at=CREATED)
    due = plan.steps[0].end + timedelta(days=1)
    latest_day = due - timedelta(days=gap)
    history = [
        check_in(instrument, baseline, START - timedelta(days=1)),
        check_in(instrument, baseline + rise, latest_day),
    ]
    decision = gate(plan, due, history)
    rules = GATES[instrument]
    latest = baseline + rise
    if gap > MAX_AGE:
        assert (decision.action, decision.cause) == ("hold", "missing-check-in")
    elif rise >= rules["rise"] or latest >= rules["high_at"]:
        assert decision.action == "hold"
    else:
        assert decision.action == "advance"
    assert decision.step.daily_max_mg <= plan.steps[0].daily_max_mg
