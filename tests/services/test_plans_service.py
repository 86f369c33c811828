"""Plans through the services, on SQLite and PostgreSQL: hard limits from the effective rules,
one active plan, gating over stored check-ins, dose judgement with its alert, step-backs and
an auditable history."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mitra.domain.errors import InputError, NotFoundError
from mitra.domain.plans import Limits, taper_plan
from mitra.domain.ruleset import apply_settings, load_ruleset
from mitra.services.catalogue import ProfileService
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.plan_inputs import limits_from
from mitra.services.plans import PlanService
from mitra.storage.alert_store import AlertStore
from mitra.storage.plan_store import PlanStore
from tests.conftest import FIXED_NOW

GOSSOP_ITEMS = 10


def at(ctx: AppContext, moment: datetime) -> AppContext:
    """The same journal with the clock at ``moment``."""
    return dataclasses.replace(ctx, clock=lambda: moment)


def in_utc(ctx: AppContext) -> AppContext:
    ProfileService(ctx).set(timezone="UTC")
    return ctx


def gossop(ctx: AppContext, total: int, moment: datetime) -> None:
    """A SOWS-Gossop check-in with ``total`` spread over the first items (0-3 each)."""
    answers = [min(3, max(0, total - 3 * i)) for i in range(GOSSOP_ITEMS)]
    assert sum(answers) == total
    CheckinService(at(ctx, moment)).record("sows-gossop", answers, at=moment)


def log_days(ctx: AppContext, days: int, amounts: tuple[str, ...] = ("3g", "3g", "3g")) -> None:
    """Generic leaf doses on each of the ``days`` days before today, 6 hours apart."""
    for back in range(1, days + 1):
        for n, amount in enumerate(amounts):
            moment = FIXED_NOW - timedelta(days=back) - timedelta(hours=6 * n)
            JournalService(ctx).log_dose(amount, product="leaf", at=moment)


def within(step_values: tuple[float, float, int, float], limits: Limits) -> bool:
    dose, daily, count, interval = step_values
    return (
        dose <= limits.dose_max_mg
        and daily <= limits.daily_max_mg
        and count <= limits.doses_per_day_max
        and interval >= limits.min_interval_h
    )


# ---------------------------------------------------------------------------------------------
# Hard limits


def test_a_plan_never_exceeds_the_effective_hard_limits_even_with_a_clinician_settings_file(
    ctx: AppContext, tmp_path: Path
) -> None:
    settings = tmp_path / "safety.toml"
    settings.write_text(
        "[dose-mitragynine-hard-limit]\nmax_mg = 40\n"
        "[daily-mitragynine-high]\nmax_mg_24h = 100\n"
        "[doses-per-day-high]\nmax_doses = 2\n"
        "[dose-interval-short]\nmin_interval_hours = 4\n",
        encoding="utf-8",
    )
    strict = dataclasses.replace(in_utc(ctx), safety_settings=settings)
    limits = PlanService(strict).limits()
    assert limits == Limits(40, 100, 2, 4)
    log_days(strict, 5)  # about 176 mg a day on the high end: above the tightened limit
    taper = PlanService(strict).new_taper(speed="slow")
    assert taper.intake is not None and taper.intake.daily_mg > limits.daily_max_mg
    titration = PlanService(strict).new_titration(target_dose_mg="40", doses_per_day="4")
    for created in (taper, titration):
        for step in created.stored.plan.steps:
            values = (
                step.dose_max_mg,
                step.daily_max_mg,
                step.doses_per_day_max,
                step.min_interval_h,
            )
            assert within(values, limits), step
    # Read back from the database, the plan keeps its limits and steps.
    with strict.database.transaction() as conn:
        stored = PlanStore(conn).active()
    assert stored is not None and stored.plan == titration.stored.plan


def test_a_settings_file_cannot_loosen_the_limits_a_plan_is_built_from(
    ctx: AppContext, tmp_path: Path
) -> None:
    settings = tmp_path / "safety.toml"
    settings.write_text(
        "[dose-mitragynine-hard-limit]\nmax_mg = 900\n[daily-mitragynine-high]\nmax_mg_24h = 900\n",
        encoding="utf-8",
    )
    loose = dataclasses.replace(ctx, safety_settings=settings)
    assert PlanService(loose).limits() == limits_from(dataclasses.replace(ctx).rules().ruleset)
    assert PlanService(loose).limits().daily_max_mg == 300
    assert len(loose.rules().refused) == 2


def test_the_current_amount_is_read_from_the_high_end_of_the_last_seven_days(
    ctx: AppContext,
) -> None:
    log_days(in_utc(ctx), 4)
    created = PlanService(ctx).new_taper()
    intake = created.intake
    assert intake is not None
    assert intake.days == 4 and intake.doses_per_day == 3
    assert intake.daily_mg == pytest.approx(3 * 3 * 19.5)
    assert intake.typical_daily_mg == pytest.approx(3 * 3 * 15.0)
    assert created.stored.plan.steps[0].daily_max_mg == pytest.approx(157.9, abs=0.1)


def test_too_few_logged_days_are_refused_and_nothing_is_written(ctx: AppContext) -> None:
    log_days(in_utc(ctx), 2)
    with pytest.raises(InputError, match="at least 3 days"):
        PlanService(ctx).new_taper()
    assert PlanService(ctx).show() is None


# ---------------------------------------------------------------------------------------------
# One active plan, history


def test_a_new_plan_ends_the_previous_one_and_says_so(ctx: AppContext) -> None:
    service = PlanService(in_utc(ctx))
    first = service.new_taper(current_mg="100")
    second = service.new_titration()
    assert second.replaced is not None and second.replaced.id == first.stored.id
    with ctx.database.transaction() as conn:
        store = PlanStore(conn)
        plans = store.list_plans()
        assert [p.status for p in plans] == ["ended", "active"]
        ended = store.events(first.stored.id)
    assert [e.event for e in ended] == ["created", "ended"]
    assert "Replaced by a new titration plan" in ended[-1].reason


def test_asking_for_status_twice_a_day_records_one_decision(ctx: AppContext) -> None:
    service = PlanService(in_utc(ctx))
    created = service.new_taper(current_mg="100")
    first = service.status()
    second = service.status()
    assert first is not None and second is not None
    assert first.recorded and not second.recorded
    with ctx.database.transaction() as conn:
        events = PlanStore(conn).events(created.stored.id)
    assert [e.event for e in events] == ["created", "hold"]
    assert events[-1].cause == "missing-check-in"


# ---------------------------------------------------------------------------------------------
# Gating


def test_gating_holds_when_check_ins_are_missing(ctx: AppContext) -> None:
    created = PlanService(in_utc(ctx)).new_taper(current_mg="100")
    later = at(ctx, FIXED_NOW + timedelta(days=30))
    status = PlanService(later).status()
    assert status is not None
    assert status.decision.action == "hold" and status.decision.cause == "missing-check-in"
    assert status.stored.plan.current_step.daily_max_mg == created.stored.plan.steps[0].daily_max_mg
    assert status.stored.revision == 1  # the hold is written as a new schedule revision


def test_gating_compares_with_the_last_check_in_before_the_step_began(ctx: AppContext) -> None:
    gossop(in_utc(ctx), 3, FIXED_NOW - timedelta(days=2))  # the baseline, before the plan
    PlanService(ctx).new_taper(current_mg="100")
    due = FIXED_NOW + timedelta(days=28)
    gossop(ctx, 6, due - timedelta(hours=2))  # +3 since before the step: withdrawal rising
    status = PlanService(at(ctx, due)).status()
    assert status is not None
    assert (status.decision.action, status.decision.cause) == ("hold", "symptoms")
    assert "+3 since before this step" in status.decision.reason


def test_gating_advances_once_the_step_has_settled_and_a_check_in_allows_it(
    ctx: AppContext,
) -> None:
    gossop(in_utc(ctx), 4, FIXED_NOW - timedelta(days=1))
    created = PlanService(ctx).new_taper(current_mg="100")
    due = FIXED_NOW + timedelta(days=28)
    gossop(ctx, 3, due - timedelta(hours=1))
    status = PlanService(at(ctx, due)).status()
    assert status is not None and status.decision.action == "advance"
    assert status.step is not None
    assert status.step.daily_max_mg == created.stored.plan.steps[1].daily_max_mg
    with ctx.database.transaction() as conn:
        store = PlanStore(conn)
        # The schedule before the advance is still on record, untouched.
        assert store.steps(created.stored.id, 0) == created.stored.plan.steps
        assert store.active() == status.stored


# ---------------------------------------------------------------------------------------------
# Doses against the plan


def test_a_dose_over_todays_ceiling_is_judged_over_and_raises_the_plan_alert(
    ctx: AppContext,
) -> None:
    PlanService(in_utc(ctx)).new_taper(current_mg="100", doses_per_day="2")  # 45 mg a dose
    journal = JournalService(ctx)
    fine = journal.log_dose("2g", product="leaf", at=FIXED_NOW - timedelta(hours=6))  # 39 mg
    assert fine.plan_judgement is not None and fine.plan_judgement.verdict == "within"
    assert not [a for a in fine.alerts if a.alert.rule_id == "plan-ceiling-exceeded"]
    over = journal.log_dose("3g", product="leaf")  # up to 58.5 mg
    judgement = over.plan_judgement
    assert judgement is not None and judgement.verdict == "over"
    assert any("45 mg a dose" in reason for reason in judgement.reasons)
    raised = [a for a in over.alerts if a.alert.rule_id == "plan-ceiling-exceeded"]
    assert len(raised) == 1 and over.entry.id in raised[0].alert.entry_ids
    assert raised[0].alert.evidence[0].source_id == "hhs-2019-tapering"
    with ctx.database.transaction() as conn:
        stored = [a for a in AlertStore(conn).list() if a.alert.rule_id == "plan-ceiling-exceeded"]
    assert len(stored) == 1


def test_no_plan_means_no_plan_judgement(ctx: AppContext) -> None:
    result = JournalService(in_utc(ctx)).log_dose("3g", product="leaf")
    assert result.plan_judgement is None


def test_status_judges_todays_doses_against_todays_step(ctx: AppContext) -> None:
    PlanService(in_utc(ctx)).new_taper(current_mg="100", doses_per_day="2")
    JournalService(ctx).log_dose("3g", product="leaf", at=FIXED_NOW - timedelta(hours=1))
    status = PlanService(ctx).status()
    assert status is not None and status.verdict == "over"
    assert status.total_mg == pytest.approx(58.5)


# ---------------------------------------------------------------------------------------------
# Step-back


def _advanced_taper(ctx: AppContext) -> AppContext:
    gossop(in_utc(ctx), 4, FIXED_NOW - timedelta(days=1))
    PlanService(ctx).new_taper(current_mg="100")
    due = FIXED_NOW + timedelta(days=28)
    gossop(ctx, 3, due - timedelta(hours=1))
    later = at(ctx, due)
    status = PlanService(later).status()
    assert status is not None and status.decision.action == "advance"
    return at(ctx, due + timedelta(days=2))


def test_a_step_back_is_recorded_with_its_reason(ctx: AppContext) -> None:
    later = _advanced_taper(ctx)
    result = PlanService(later).step_back("three nights without sleep")
    plan = result.stored.plan
    assert plan.current_step.kind == "step-back"
    assert plan.current_step.daily_max_mg == plan.steps[0].daily_max_mg == 90.0
    with ctx.database.transaction() as conn:
        events = PlanStore(conn).events(result.stored.id)
    last = events[-1]
    assert (last.event, last.cause) == ("step-back", "request")
    assert "three nights without sleep" in last.reason
    # Never twice in a row, and the refusal writes nothing.
    with pytest.raises(InputError, match="one step at a time"):
        PlanService(later).step_back("again")
    with ctx.database.transaction() as conn:
        assert len(PlanStore(conn).events(result.stored.id)) == len(events)


def test_a_step_back_from_the_first_step_is_refused(ctx: AppContext) -> None:
    PlanService(in_utc(ctx)).new_taper(current_mg="100")
    with pytest.raises(InputError, match="no higher earlier step"):
        PlanService(ctx).step_back("too hard")


def test_a_step_back_without_a_plan_is_refused(ctx: AppContext) -> None:
    with pytest.raises(NotFoundError, match="no active plan"):
        PlanService(ctx).step_back("too hard")


# ---------------------------------------------------------------------------------------------
# Property: whatever a settings file says, the limits a plan is built from never loosen


@settings(max_examples=60, deadline=None)
@given(
    dose=st.floats(1, 2000),
    daily=st.floats(1, 2000),
    current=st.floats(1, 3000),
    strategy=st.sampled_from(["percent", "linear"]),
)
def test_limits_from_any_settings_file_never_exceed_the_reviewed_hard_limits(
    dose: float, daily: float, current: float, strategy: str
) -> None:
    reviewed = limits_from(load_ruleset())
    ruleset, _ = apply_settings(
        load_ruleset(),
        {
            "dose-mitragynine-hard-limit": {"max_mg": dose},
            "daily-mitragynine-high": {"max_mg_24h": daily},
        },
    )
    limits = limits_from(ruleset)
    assert limits.dose_max_mg <= reviewed.dose_max_mg
    assert limits.daily_max_mg <= reviewed.daily_max_mg
    plan = taper_plan(FIXED_NOW.date(), current, limits, created_at=FIXED_NOW, strategy=strategy)
    for step in plan.steps:
        assert step.dose_max_mg <= limits.dose_max_mg
        assert step.daily_max_mg <= limits.daily_max_mg
