"""A plan's ceilings in the person's own product: "at most 3 doses of 3.6 g of Red Bali a day".

Nobody can weigh milligrams of mitragynine. A step's per-dose and daily ceilings (mg of
mitragynine, on the HIGH end of each dose's estimate, the figure doses are judged by) are
turned into amounts of the product the person actually uses, measured by the same figure: the
high-end mitragynine per unit of a dose they logged. So a dose of the amount shown is judged
within the step, never over it.

Invariants: amounts are rounded DOWN to what a person can measure (0.1 g, 1 ml, whole
capsules, tablets or scoops), so rounding never lifts a ceiling; a step that allows less than
one measurable unit says so instead of showing 0; pure (no database, no pint).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mitra.domain.entries import DoseEntry
from mitra.domain.plans import PlanStep

# How finely a person can measure each unit a dose is logged in, and its words.
STEPS = {"gram": 0.1, "milliliter": 1.0, "capsule": 1.0, "tablet": 1.0, "scoop": 1.0}
WORDS = {
    "gram": ("g", "g"),
    "milliliter": ("ml", "ml"),
    "capsule": ("capsule", "capsules"),
    "tablet": ("tablet", "tablets"),
    "scoop": ("scoop", "scoops"),
}


@dataclass(frozen=True, slots=True)
class ProductMeasure:
    """How much mitragynine (high end) one unit of the person's product holds."""

    product_name: str
    unit: str
    high_mg_per_unit: float


@dataclass(frozen=True, slots=True)
class StepInProduct:
    product_name: str
    unit: str
    dose_amount: float  # 0 when less than one measurable unit fits
    daily_amount: float
    doses_per_day: int

    def text(self) -> str:
        if self.daily_amount <= 0:
            return f"no {self.product_name}"
        if self.dose_amount <= 0:
            return (
                f"less than one {self.unit_word(1)} of {self.product_name} a dose: choose a "
                "product you can measure more finely, or weigh in grams"
            )
        doses = f"{self.doses_per_day} dose{'s' if self.doses_per_day != 1 else ''}"
        dose = f"{_number(self.dose_amount)} {self.unit_word(self.dose_amount)}"
        daily = f"{_number(self.daily_amount)} {self.unit_word(self.daily_amount)}"
        return f"at most {doses} of {dose} of {self.product_name} a day, {daily} in all"

    def unit_word(self, amount: float) -> str:
        one, many = WORDS.get(self.unit, (self.unit, self.unit))
        return one if amount == 1 else many


def measure_from(dose: DoseEntry) -> ProductMeasure | None:
    """The measure of a logged dose's product, or None when its unit cannot carry a ceiling."""
    if dose.unit not in STEPS or dose.amount <= 0:
        return None
    per_unit = dose.estimate.mitragynine_mg.high / dose.amount
    if per_unit <= 0:
        return None
    return ProductMeasure(dose.product_name, dose.unit, per_unit)


def in_product(step: PlanStep, measure: ProductMeasure) -> StepInProduct:
    grain = STEPS[measure.unit]
    return StepInProduct(
        product_name=measure.product_name,
        unit=measure.unit,
        dose_amount=_floor(step.dose_max_mg / measure.high_mg_per_unit, grain),
        daily_amount=_floor(step.daily_max_mg / measure.high_mg_per_unit, grain),
        doses_per_day=step.doses_per_day_max,
    )


def _floor(value: float, grain: float) -> float:
    # The tiny allowance keeps 3.5999999 from becoming 3.5; it never lifts a ceiling by a grain.
    return math.floor(value / grain + 1e-9) * grain


def _number(value: float) -> str:
    return f"{round(value, 1):g}"
