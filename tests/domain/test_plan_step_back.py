"""An explicit step back: one step, taper only, never twice in a row, never above the plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mitra.domain.errors import InputError
from mitra.domain.plans import Limits, Plan, gate, step_back, taper_plan, titration_plan
from tests.domain.test_plans import check_in

CREATED = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
START = date(2026, 12, 1)
LIMITS = Limits(dose_max_mg=60, daily_max_mg=200, doses_per_day_max=4, min_interval_h=3)


def advanced() -> tuple[date, Plan]:
    plan = taper_plan(START, 100.0, LIMITS, created_at=CREATED)
    due = plan.steps[0].end + timedelta(days=1)
    decision = gate(plan, due, [check_in("sows-gossop", 3, due)])
    assert decision.action == "advance"
    return due, decision.plan


def test_a_step_back_returns_to_the_ceilings_of_the_step_before() -> None:
    due, plan = advanced()
    decision = step_back(plan, due + timedelta(days=3), "cannot sleep")
    new = decision.plan
    assert decision.action == "step-back" and "cannot sleep" in decision.reason
    assert new.current_step.kind == "step-back"
    assert new.current_step.ceilings == new.steps[0].ceilings
    assert new.current_step.days >= new.settle_days
    with pytest.raises(InputError, match="one step at a time"):
        step_back(new, due + timedelta(days=4), "again")


def test_a_step_back_needs_a_reason_and_a_taper() -> None:
    due, plan = advanced()
    with pytest.raises(InputError, match="say why"):
        step_back(plan, due, "  ")
    titration = titration_plan(START, LIMITS, created_at=CREATED)
    with pytest.raises(InputError, match="for tapers"):
        step_back(titration, START + timedelta(days=20), "too much")


def test_a_step_back_before_the_plan_starts_is_refused() -> None:
    plan = taper_plan(START, 100.0, LIMITS, created_at=CREATED)
    with pytest.raises(InputError, match="starts on"):
        step_back(plan, START - timedelta(days=1), "nerves")
