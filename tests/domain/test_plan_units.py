"""A plan's ceilings in the person's own product: rounded down to what can be measured, so a
dose of the amount shown is never over the step it was shown for."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from mitra.domain.entries import DoseEntry
from mitra.domain.plan_units import ProductMeasure, in_product, measure_from
from mitra.domain.plans import PlanStep
from mitra.domain.products import DoseEstimate, Form, Range


def step(dose_mg: float, daily_mg: float, doses: int = 3) -> PlanStep:
    return PlanStep(
        index=0,
        start=date(2026, 12, 1),
        end=date(2026, 12, 28),
        dose_max_mg=dose_mg,
        daily_max_mg=daily_mg,
        doses_per_day_max=doses,
        min_interval_h=2,
        kind="step-down",
        reason="test",
    )


def dose(amount: float, unit: str, high_mg: float) -> DoseEntry:
    return DoseEntry(
        at=datetime(2026, 11, 30, 9, tzinfo=UTC),
        product_name="Red Bali",
        form=Form.LEAF,
        amount=amount,
        unit=unit,
        estimate=DoseEstimate(
            Range(high_mg * 0.8, high_mg * 0.6, high_mg), Range(0, 0, 0), amount, ""
        ),
    )


def test_leaf_steps_read_in_grams_of_the_persons_product() -> None:
    measure = measure_from(dose(2, "gram", 39.0))
    assert measure == ProductMeasure("Red Bali", "gram", 19.5)
    shown = in_product(step(70.2, 210.6), measure)
    assert (shown.dose_amount, shown.daily_amount) == (3.6, 10.8)
    assert shown.text() == "at most 3 doses of 3.6 g of Red Bali a day, 10.8 g in all"


def test_capsules_are_whole_and_rounded_down() -> None:
    measure = measure_from(dose(4, "capsule", 40.0))  # 10 mg a capsule on the high end
    assert measure is not None
    shown = in_product(step(35, 100), measure)
    assert (shown.dose_amount, shown.daily_amount) == (3, 10)
    assert "3 capsules" in shown.text()


def test_a_step_below_one_unit_says_so_instead_of_zero() -> None:
    measure = measure_from(dose(1, "capsule", 40.0))
    assert measure is not None
    text = in_product(step(20, 60), measure).text()
    assert "less than one capsule" in text


def test_a_dose_unit_that_cannot_carry_a_ceiling_gives_no_measure() -> None:
    assert measure_from(dose(1, "standard_drink", 10.0)) is None


@given(
    per_unit=st.floats(min_value=0.5, max_value=500),
    dose_mg=st.floats(min_value=1, max_value=250),
    unit=st.sampled_from(["gram", "capsule", "milliliter", "tablet"]),
)
def test_a_dose_of_the_amount_shown_is_never_over_the_step(
    per_unit: float, dose_mg: float, unit: str
) -> None:
    shown = in_product(step(dose_mg, dose_mg * 3), ProductMeasure("X", unit, per_unit))
    assert shown.dose_amount * per_unit <= dose_mg + 1e-6
    assert shown.daily_amount * per_unit <= dose_mg * 3 + 1e-6
