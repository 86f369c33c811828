"""Titration and taper plans, symptom gating and dose judging: worked examples."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from mitra.domain import catalogue_data
from mitra.domain.errors import InputError
from mitra.domain.plan_model import data as tapering_data
from mitra.domain.plans import (
    CustomStep,
    Limits,
    Plan,
    TimedDose,
    gate,
    judge_dose,
    taper_plan,
    titration_plan,
)
from mitra.domain.scoring import get_instrument, score
from tests.support.assessments import check_in

CREATED = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
START = date(2026, 12, 1)
WIDE = Limits(dose_max_mg=60, daily_max_mg=200, doses_per_day_max=4, min_interval_h=3)


def moderate_taper(current: float = 100.0, limits: Limits = WIDE) -> Plan:
    return taper_plan(START, current, limits, created_at=CREATED, doses_per_day=2)


# ---------------------------------------------------------------------------------------------
# Taper shapes


def test_a_percent_taper_cuts_ten_percent_of_the_current_ceiling_every_four_weeks() -> None:
    plan = moderate_taper()
    daily = [s.daily_max_mg for s in plan.steps]
    assert daily[:4] == [90.0, 81.0, 72.9, 65.6]
    assert all(s.days == 28 for s in plan.steps)
    assert daily[-1] == 0.0 and daily[-2] >= 15.0
    cuts = [a - b for a, b in itertools.pairwise(daily[:-1])]
    assert all(later <= earlier for earlier, later in itertools.pairwise(cuts))
    assert plan.steps[0].dose_max_mg == 45.0  # 50 mg usual dose, 10% less
    assert plan.settle_days == 12


def test_a_linear_taper_follows_the_cdc_shape() -> None:
    plan = taper_plan(START, 100.0, WIDE, created_at=CREATED, strategy="linear")
    daily = [s.daily_max_mg for s in plan.steps]
    # 10 mg (10% of the start) a step until 30% remains, then 10% of what remains.
    assert daily[:7] == [90.0, 80.0, 70.0, 60.0, 50.0, 40.0, 30.0]
    assert daily[7:9] == [27.0, 24.3]
    assert daily[-1] == 0.0


def test_named_speeds_are_the_guidance_figures() -> None:
    slow = taper_plan(START, 100.0, WIDE, created_at=CREATED, speed="slow")
    fast = taper_plan(START, 100.0, WIDE, created_at=CREATED, speed="fast", used_over_a_year=False)
    assert (slow.steps[0].daily_max_mg, slow.steps[0].days) == (95.0, 28)
    assert (fast.steps[0].daily_max_mg, fast.steps[0].days) == (90.0, 14)


@pytest.mark.parametrize("used_over_a_year", [None, True])
def test_the_fast_speed_needs_use_known_to_be_shorter_than_a_year(
    used_over_a_year: bool | None,
) -> None:
    with pytest.raises(InputError, match="less than a year"):
        taper_plan(
            START, 100.0, WIDE, created_at=CREATED, speed="fast", used_over_a_year=used_over_a_year
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"speed": "turbo"}, "accepted: slow, moderate, fast"),
        ({"speed": 25}, "at least 2 and at most 10"),
        ({"speed": 1}, "at least 2 and at most 10"),
        ({"speed": 10, "step_days": 7}, "from 12 to 56"),
        ({"speed": 10, "step_days": 14}, "at most 10% is accepted"),
        ({"speed": "slow", "step_days": 28}, "sets its own step length"),
        ({"strategy": "cold-turkey"}, "accepted: linear, percent, custom"),
        ({"strategy": "custom"}, "needs its steps"),
        ({"custom_steps": [CustomStep(90, 28)]}, "custom strategy only"),
        ({"doses_per_day": 0}, "from 1 to 12"),
        ({"current_dose_mg": 500}, "current_dose_mg"),
    ],
)
def test_settings_outside_the_ranges_are_refused_saying_what_is_accepted(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        taper_plan(START, 100.0, WIDE, created_at=CREATED, **kwargs)  # type: ignore[arg-type]


def test_faster_explicit_pace_is_accepted_only_for_short_use() -> None:
    plan = taper_plan(
        START, 100.0, WIDE, created_at=CREATED, speed=10, step_days=14, used_over_a_year=False
    )
    assert plan.steps[0].days == 14


@pytest.mark.parametrize("current", [0, -5, float("nan"), 6000])
def test_the_current_amount_must_be_plausible(current: float) -> None:
    with pytest.raises(InputError):
        taper_plan(START, current, WIDE, created_at=CREATED)


def test_a_current_amount_above_the_hard_limit_starts_at_the_limit_then_keeps_the_pace() -> None:
    limits = Limits(dose_max_mg=40, daily_max_mg=80, doses_per_day_max=3, min_interval_h=4)
    plan = taper_plan(START, 120.0, limits, created_at=CREATED)
    assert all(s.daily_max_mg <= 80 and s.dose_max_mg <= 40 for s in plan.steps)
    assert all(s.doses_per_day_max <= 3 and s.min_interval_h >= 4 for s in plan.steps)
    # The limits force the first cut (120 -> 80); the rest follows 10% a step from 80, never a
    # flat hold at the limit for months while saying "10% less".
    assert [s.daily_max_mg for s in plan.steps[:5]] == [80, 72.0, 64.8, 58.3, 52.4]
    assert any("first step is a cut of 33% at once" in note for note in plan.notes)
    assert "the most the hard limits allow" in plan.steps[0].reason


def test_every_plan_offers_buprenorphine_or_methadone_with_the_asam_timing() -> None:
    for plan in (moderate_taper(), titration_plan(START, WIDE, created_at=CREATED)):
        assert "buprenorphine" in plan.alternatives and "methadone" in plan.alternatives
        assert "12-18 hours" in plan.alternatives and "24-48 hours" in plan.alternatives
        assert {"asam-2020", "sordo-2017"} <= set(plan.sources)


# ---------------------------------------------------------------------------------------------
# Custom schedules


def test_a_clinician_schedule_is_kept_as_given() -> None:
    steps = [CustomStep(95, 28), CustomStep(90, 21), CustomStep(90, 14), CustomStep(80, 28)]
    plan = taper_plan(START, 100.0, WIDE, created_at=CREATED, strategy="custom", custom_steps=steps)
    assert [(s.daily_max_mg, s.days, s.kind) for s in plan.steps] == [
        (95, 28, "step-down"),
        (90, 21, "step-down"),
        (90, 14, "hold"),
        (80, 28, "step-down"),
    ]


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([CustomStep(110, 28)], "raises the daily amount"),
        ([CustomStep(90, 28), CustomStep(95, 28)], "raises the daily amount"),
        ([CustomStep(70, 28)], "cuts 30%"),
        ([CustomStep(85, 14)], "cuts 15% in 14 days"),
        ([CustomStep(90, 10)], "from 12 to 180"),
        ([CustomStep(90, 28, dose_max_mg=40), CustomStep(85, 28, dose_max_mg=45)], "per-dose"),
    ],
)
def test_a_clinician_schedule_outside_the_ranges_is_refused(
    steps: list[CustomStep], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        taper_plan(START, 100.0, WIDE, created_at=CREATED, strategy="custom", custom_steps=steps)


def test_the_last_step_to_zero_is_allowed_from_the_stop_floor() -> None:
    plan = taper_plan(
        START,
        15.0,
        WIDE,
        created_at=CREATED,
        strategy="custom",
        custom_steps=[CustomStep(0, 14)],
    )
    assert plan.steps[0].daily_max_mg == 0


# ---------------------------------------------------------------------------------------------
# Titration


def test_titration_starts_low_and_goes_up_one_small_step_at_a_time() -> None:
    limits = Limits(dose_max_mg=25, daily_max_mg=60, doses_per_day_max=3, min_interval_h=4)
    plan = titration_plan(START, limits, created_at=CREATED)
    doses = [s.dose_max_mg for s in plan.steps]
    assert doses == [6.6, 13.3, 19.9, 25.0]
    assert [s.kind for s in plan.steps] == ["titrate", "titrate", "titrate", "maintain"]
    assert all(s.days >= 12 for s in plan.steps)
    assert all(s.daily_max_mg == min(2 * s.dose_max_mg, 60) for s in plan.steps)
    assert "does not recommend kratom" in plan.notes[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"first_dose_mg": 20}, "at most 13.3"),
        ({"first_dose_mg": 0}, "above 0"),
        ({"step_mg": 10}, "at most 6.65"),
        ({"settle_days": 5}, "from 12 to 56"),
        ({"doses_per_day": 20}, "from 1 to 12"),
        ({"target_dose_mg": 100}, "at most 60"),
    ],
)
def test_titration_settings_outside_the_ranges_are_refused(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        titration_plan(START, WIDE, created_at=CREATED, **kwargs)  # type: ignore[arg-type]


def test_titration_below_the_first_dose_limit_is_capped() -> None:
    limits = Limits(dose_max_mg=4, daily_max_mg=8, doses_per_day_max=2, min_interval_h=6)
    plan = titration_plan(START, limits, created_at=CREATED)
    assert [(s.dose_max_mg, s.kind) for s in plan.steps] == [(4, "maintain")]
    assert any("lowered to fit" in note for note in plan.notes)


def test_dates_must_be_injected_properly() -> None:
    with pytest.raises(InputError):
        taper_plan(START, 100.0, WIDE, created_at=datetime(2026, 11, 20))
    with pytest.raises(InputError):
        titration_plan(CREATED, WIDE, created_at=CREATED)


# ---------------------------------------------------------------------------------------------
# Plans refuse to be broken


def test_a_plan_with_a_step_above_the_hard_limits_cannot_exist() -> None:
    plan = moderate_taper()
    bad = dataclasses.replace(plan.steps[0], daily_max_mg=500)
    with pytest.raises(ValueError, match="hard limits"):
        dataclasses.replace(plan, steps=(bad, *plan.steps[1:]))


def test_a_taper_ceiling_cannot_rise_without_a_recorded_step_back() -> None:
    plan = moderate_taper()
    higher = dataclasses.replace(
        plan.steps[1], daily_max_mg=plan.steps[0].daily_max_mg + 1, kind="step-down"
    )
    with pytest.raises(ValueError, match="step-back"):
        dataclasses.replace(plan, steps=(plan.steps[0], higher, *plan.steps[2:]))


# ---------------------------------------------------------------------------------------------
# Gating


def test_before_the_start_the_plan_waits() -> None:
    decision = gate(moderate_taper(), START - timedelta(days=1), [])
    assert (decision.action, decision.cause) == ("hold", "not-started")


def test_no_check_in_means_hold() -> None:
    plan = moderate_taper()
    due = plan.steps[1].start
    decision = gate(plan, due, [])
    assert (decision.action, decision.cause) == ("hold", "missing-check-in")
    assert decision.step.daily_max_mg == plan.steps[0].daily_max_mg
    assert decision.step.kind == "hold"
    assert decision.plan.steps[decision.step.index + 1].start == due + timedelta(days=1)


def test_a_stale_check_in_means_hold() -> None:
    plan = moderate_taper()
    due = plan.steps[1].start
    decision = gate(plan, due, [check_in("cows", 2, due - timedelta(days=4))])
    assert decision.cause == "missing-check-in"
    fresh = gate(plan, due, [check_in("cows", 2, due - timedelta(days=3))])
    assert fresh.action == "advance"


def test_a_check_in_dated_after_today_is_ignored() -> None:
    plan = moderate_taper()
    due = plan.steps[1].start
    decision = gate(plan, due, [check_in("cows", 2, due + timedelta(days=1))])
    assert decision.cause == "missing-check-in"


def test_a_settled_step_with_calm_check_ins_advances() -> None:
    plan = moderate_taper()
    due = plan.steps[1].start
    decision = gate(
        plan, due, [check_in("cows", 3, START - timedelta(days=1)), check_in("cows", 4, due)]
    )
    assert decision.action == "advance"
    assert decision.step.daily_max_mg == plan.steps[1].daily_max_mg
    assert decision.step.start == due
    # Gating again the same day changes nothing.
    again = gate(decision.plan, due, [check_in("cows", 4, due)])
    assert again.action == "hold" and again.plan is decision.plan


def test_a_step_that_has_not_settled_holds_on_schedule() -> None:
    plan = moderate_taper()
    decision = gate(
        plan, START + timedelta(days=5), [check_in("cows", 1, START + timedelta(days=5))]
    )
    assert (decision.action, decision.cause) == ("hold", "schedule")
    assert decision.plan is plan


@pytest.mark.parametrize(
    ("before", "latest", "instrument"),
    [
        (2, 6, "cows"),  # rise of 4
        (2, 8, "cows"),  # withdrawal established
        (5, 7, "sows-gossop"),  # rise of 2
        (2, 11, "sows-gossop"),  # high
    ],
)
def test_rising_withdrawal_holds_the_taper_for_a_week(
    before: int, latest: int, instrument: str
) -> None:
    plan = moderate_taper()
    due = plan.steps[1].start
    history = [
        check_in(instrument, before, START - timedelta(days=1)),
        check_in(instrument, latest, due),
    ]
    if instrument == "sows-gossop" and latest - before >= 4:
        history[0] = check_in(instrument, latest, START - timedelta(days=1))
    decision = gate(plan, due, history)
    assert (decision.action, decision.cause) == ("hold", "symptoms")
    assert decision.step.end == due + timedelta(days=6)


@pytest.mark.parametrize(
    ("instrument", "before", "latest"), [("cows", 3, 13), ("sows-gossop", 3, 7)]
)
def test_a_large_rise_steps_the_taper_back_one_step(
    instrument: str, before: int, latest: int
) -> None:
    plan = moderate_taper()
    second = plan.steps[1].start
    advanced = gate(plan, second, [check_in(instrument, before, second)]).plan
    today = second + timedelta(days=3)
    decision = gate(
        advanced, today, [check_in(instrument, before, second), check_in(instrument, latest, today)]
    )
    assert decision.action == "step-back"
    assert decision.step.kind == "step-back"
    assert decision.step.ceilings == plan.steps[0].ceilings
    assert decision.step.days == 12
    # The step that was too much comes again afterwards, for its full length.
    retry = decision.plan.steps[decision.step.index + 1]
    assert retry.ceilings == plan.steps[1].ceilings and retry.days == 28
    # Not twice in a row: still severe the next day means hold, and see a clinician.
    later = gate(
        decision.plan,
        today + timedelta(days=1),
        [
            check_in(instrument, before, second),
            check_in(instrument, latest, today),
            check_in(instrument, latest + 2, today + timedelta(days=1)),
        ],
    )
    assert later.action == "hold" and "clinician" in later.reason


def test_the_first_step_cannot_step_back() -> None:
    plan = moderate_taper()
    decision = gate(
        plan, START + timedelta(days=2), [check_in("cows", 20, START + timedelta(days=2))]
    )
    assert (decision.action, decision.cause) == ("hold", "symptoms")


def test_the_last_step_is_complete() -> None:
    plan = taper_plan(
        START, 15.0, WIDE, created_at=CREATED, strategy="custom", custom_steps=[CustomStep(0, 14)]
    )
    day = START + timedelta(days=20)
    decision = gate(plan, day, [check_in("cows", 1, day)])
    assert (decision.action, decision.cause) == ("hold", "complete")


def test_a_titration_advances_only_while_withdrawal_stays_high() -> None:
    plan = titration_plan(START, WIDE, created_at=CREATED)
    due = plan.steps[1].start
    up = gate(plan, due, [check_in("cows", 9, due)])
    assert up.action == "advance" and up.step.dose_max_mg > plan.steps[0].dose_max_mg
    calm = gate(plan, due, [check_in("cows", 6, due)])
    assert (calm.action, calm.cause) == ("hold", "settled")
    mixed = gate(plan, due, [check_in("cows", 9, due), check_in("sows-gossop", 4, due)])
    assert mixed.action == "hold"
    assert gate(plan, due, []).cause == "missing-check-in"


def test_check_ins_count_on_the_persons_calendar_day() -> None:
    from zoneinfo import ZoneInfo

    plan = moderate_taper()
    due = plan.steps[1].start
    # 02:00 UTC on the due day is still the evening before in New York: 4 days old in New York.
    late = check_in("cows", 2, due - timedelta(days=3), hour=2)
    assert gate(plan, due, [late]).action == "advance"
    assert gate(plan, due, [late], zone=ZoneInfo("America/New_York")).cause == "missing-check-in"


# ---------------------------------------------------------------------------------------------
# Judging doses


def at(hour: float) -> datetime:
    return datetime(2026, 12, 2, 0, 0, tzinfo=UTC) + timedelta(hours=hour)


def test_a_dose_within_every_ceiling_is_within() -> None:
    plan = moderate_taper()
    step = plan.steps[0]  # 45 mg a dose, 90 a day, 2 a day, 3 h apart
    result = judge_dose(plan, step, [TimedDose(at(8), 40)], TimedDose(at(14), 45))
    assert result.verdict == "within"


@pytest.mark.parametrize(
    ("others", "new", "reason"),
    [
        ([], TimedDose(at(8), 46), "a dose"),
        ([TimedDose(at(8), 45)], TimedDose(at(14), 45.5), "a day"),
        ([TimedDose(at(1), 10), TimedDose(at(6), 10)], TimedDose(at(12), 10), "3 doses"),
        ([TimedDose(at(8), 10)], TimedDose(at(9), 10), "hours between doses"),
        # A back-filled dose counts in the later 24 hours it falls into.
        ([TimedDose(at(30), 45)], TimedDose(at(10), 45.5), "a day"),
    ],
)
def test_a_dose_over_a_ceiling_is_over_with_the_reason(
    others: list[TimedDose], new: TimedDose, reason: str
) -> None:
    plan = moderate_taper()
    result = judge_dose(plan, plan.steps[0], others, new)
    assert result.verdict == "over"
    assert reason in result.reason


def test_a_rolling_day_lets_yesterdays_doses_go() -> None:
    plan = moderate_taper()
    result = judge_dose(plan, plan.steps[0], [TimedDose(at(8), 45)], TimedDose(at(32.5), 45))
    assert result.verdict == "within"


def test_judging_needs_a_step_of_the_plan_and_sane_doses() -> None:
    plan = moderate_taper()
    other = titration_plan(START, WIDE, created_at=CREATED)
    with pytest.raises(InputError):
        judge_dose(plan, other.steps[0], [], TimedDose(at(1), 1))
    with pytest.raises(InputError):
        judge_dose(plan, plan.steps[0], [], TimedDose(datetime(2026, 12, 2), 1))
    with pytest.raises(InputError):
        judge_dose(plan, plan.steps[0], [], TimedDose(at(1), -1))


def test_a_stop_step_allows_no_dose() -> None:
    plan = moderate_taper()
    result = judge_dose(plan, plan.steps[-1], [], TimedDose(at(1), 0.5))
    assert result.verdict == "over"


# ---------------------------------------------------------------------------------------------
# Data


def test_every_tapering_source_resolves() -> None:
    data = tapering_data()
    local = set(data["sources"])
    known = catalogue_data.source_ids() | local
    assert not local & catalogue_data.source_ids(), "a source id is defined twice"

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key.endswith("sources") and isinstance(value, list):
                    assert set(value) <= known, (key, value)
                else:
                    walk(value)

    walk({k: v for k, v in data.items() if k != "sources"})


def test_every_gating_threshold_says_why() -> None:
    for name, row in tapering_data()["gating"]["instruments"].items():
        for key in ("high_at", "rise", "step_back_at", "step_back_rise"):
            if key in row:
                why = (
                    "high_why"
                    if key == "high_at"
                    else ("rise_why" if key == "rise" else "step_back_why")
                )
                assert row.get(why), (name, key)


def test_the_cows_thresholds_match_the_published_bands() -> None:
    cows = get_instrument("cows")
    gates = tapering_data()["gating"]["instruments"]["cows"]
    moderate = next(b for b in cows.bands if b.label.lower().startswith("moderate"))
    assert gates["step_back_at"] == moderate.min == 13
    assert score(cows, [0] * 11, rater="self", at=CREATED).total == 0


def test_dates_alone_never_advance_a_plan() -> None:
    plan = moderate_taper()
    far = START + timedelta(days=400)
    assert plan.step_on(far) == plan.steps[0]
    assert plan.step_on(START - timedelta(days=1)) is None
