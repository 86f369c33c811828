"""A taper's real cuts keep its stated pace: what each step truly allows in a day (its daily
ceiling, or its per-dose ceiling times its doses when that is less) falls by the stated
percent, within 1 percentage point, or the plan says why not (the hard limits force a bigger
first cut; the last step is to stop)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mitra.domain.planners import effective_cuts, effective_daily_mg, taper_plan
from mitra.domain.plans import Limits, Plan

CREATED = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
START = date(2026, 12, 1)
REVIEWED = Limits(dose_max_mg=250, daily_max_mg=300, doses_per_day_max=3, min_interval_h=2)
FORCED_NOTE = "the first step is a cut of"
STOP_NOTE = "the last step is to stop"

limits_strategy = st.builds(
    Limits,
    dose_max_mg=st.floats(min_value=5, max_value=250, allow_nan=False),
    daily_max_mg=st.floats(min_value=15, max_value=300, allow_nan=False),
    doses_per_day_max=st.integers(min_value=1, max_value=8),
    min_interval_h=st.floats(min_value=0, max_value=8, allow_nan=False),
)


def forced(plan: Plan) -> bool:
    return any(FORCED_NOTE in note for note in plan.notes)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    limits=st.one_of(st.just(REVIEWED), limits_strategy),
    current=st.floats(min_value=16, max_value=2000, allow_nan=False),
    doses_per_day=st.one_of(st.none(), st.integers(min_value=1, max_value=12)),
    speed=st.one_of(st.sampled_from(["slow", "moderate"]), st.floats(min_value=2, max_value=10)),
)
def test_every_step_cuts_at_the_stated_pace_or_the_plan_says_why(
    limits: Limits, current: float, doses_per_day: int | None, speed: str | float
) -> None:
    plan = taper_plan(
        START,
        current,
        limits,
        created_at=CREATED,
        speed=speed,
        doses_per_day=doses_per_day,
        step_days=None if isinstance(speed, str) else 28,
    )
    pace = float(plan.settings["percent_per_step"]) / 100  # type: ignore[arg-type]
    cuts = effective_cuts(plan, current)
    for index, (step, cut) in enumerate(zip(plan.steps, cuts, strict=True)):
        if effective_daily_mg(step) == 0:
            assert any(STOP_NOTE in note.lower() for note in plan.notes) or index == 0
            continue
        if index == 0 and forced(plan):
            assert cut > pace  # the note says the limits force it
            continue
        assert abs(cut - pace) <= 0.01, (index, step, cut)


def test_six_2g_doses_a_day_under_a_three_dose_cap_lose_10_percent_not_55() -> None:
    # 2 g leaf on the high end is 39 mg: six a day is 234 mg.
    plan = taper_plan(START, 234.0, REVIEWED, created_at=CREATED, doses_per_day=6)
    first = plan.steps[0]
    assert effective_daily_mg(first) == first.daily_max_mg == 210.6
    assert first.doses_per_day_max == 3 and first.dose_max_mg >= 70.2
    assert abs(effective_cuts(plan, 234.0)[0] - 0.10) <= 0.01
    assert any("allow at most 3 in 24 hours" in note for note in plan.notes)


def test_1000_mg_a_day_starts_at_the_limit_says_so_and_then_keeps_the_pace() -> None:
    plan = taper_plan(START, 1000.0, REVIEWED, created_at=CREATED)
    daily = [step.daily_max_mg for step in plan.steps[:4]]
    assert daily == [300, 270, 243, 218.7]
    assert forced(plan)
    note = next(note for note in plan.notes if FORCED_NOTE in note)
    assert "70%" in note and "clinician" in note
    assert "10% less" not in plan.steps[0].reason
