"""Amounts with units, parsed and converted by pint.

People type "3g", "2 caps", "15ml", "0.5 g" or "3 drinks". This module turns such text into a
pint quantity and refuses what is not an amount. Product units (capsule, tablet, scoop) and
standard drinks are defined as their own dimensions, so pint never silently converts a capsule
into grams: that needs the product's fill mass, which only a product knows.

Invariant: every accepted amount is finite and > 0. The pint registry is built once, lazily, from
the package's small definitions file ``data/units.txt`` (pint's full default registry costs
about a third of a second to load on every command).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from mitra.domain.errors import InputError

ACCEPTED_UNITS_TEXT = "g, mg, mcg, kg, ml, l, caps/capsules, tablets/pills, scoops, drinks"

_AMOUNT = re.compile(r"^\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:e[+-]?\d+)?|nan|inf)\s*(.*)$", re.I)


@functools.cache
def registry() -> Any:
    """The one pint UnitRegistry of the process (pint is imported only when amounts are used)."""
    import pint  # noqa: PLC0415  (heavy import kept off the CLI start-up path)

    definitions = resources.files("mitra.data").joinpath("units.txt")
    with resources.as_file(definitions) as path:
        reg: Any = pint.UnitRegistry(str(path))
    return reg


@dataclass(frozen=True, slots=True)
class Amount:
    """A positive amount and its unit, as pint names it (e.g. 3.0 'gram')."""

    value: float
    unit: str

    def quantity(self) -> Any:
        return registry().Quantity(self.value, self.unit)

    def kind(self) -> str:
        """One of 'mass', 'volume', 'count', 'scoop', 'drink', 'rate' or 'other'."""
        return dimension_kind(self.quantity())

    def display(self) -> str:
        """Short for weights and volumes ("3 g", "15 ml"), words for counts ("2 capsules")."""
        q = self.quantity()
        if self.kind() in {"mass", "volume", "rate"}:
            return f"{self.value:g} {q.units:~P}".replace("µg", "mcg")
        word = f"{q.units:P}".replace("_", " ")
        return f"{self.value:g} {word}{'' if self.value == 1 else 's'}"


def dimension_kind(quantity: Any) -> str:
    reg = registry()
    dims = quantity.dimensionality
    checks = (
        ("mass", reg.gram),
        ("volume", reg.milliliter),
        ("count", reg.capsule),
        ("scoop", reg.scoop),
        ("drink", reg.standard_drink),
        ("rate", reg.microgram / reg.hour),
    )
    for name, unit in checks:
        if dims == unit.dimensionality:
            return name
    return "other"


def parse_amount(text: str, *, default_unit: str | None = None) -> Amount:
    """Parse "3g", "2 caps", "15 ml"; a bare number takes ``default_unit`` when one is given.

    Raises InputError naming what was wrong and what is accepted.
    """
    raw = text.strip()
    if not raw:
        raise InputError(
            "the amount is empty; give a number and a unit, e.g. 3g or 2 caps", field="amount"
        )
    match = _AMOUNT.match(raw)
    if match is None:
        raise InputError(
            f"'{raw}' is not an amount; give a number and a unit, e.g. 3g, 2 caps, 15ml",
            field="amount",
        )
    number_text, unit_text = match.group(1).replace(",", "."), match.group(2).strip()
    value = float(number_text)
    if math.isnan(value) or math.isinf(value):
        raise InputError(f"'{raw}' is not a number; give an amount such as 3g", field="amount")
    if value <= 0:
        raise InputError(
            f"the amount must be more than zero (got {number_text}); e.g. 3g", field="amount"
        )
    if not unit_text:
        if default_unit is None:
            raise InputError(
                f"'{raw}' has no unit; accepted units: {ACCEPTED_UNITS_TEXT}", field="amount"
            )
        unit_text = default_unit
    reg = registry()
    try:
        unit = reg.parse_units(unit_text)
    except Exception as exc:  # pint raises several error types for unknown words
        raise InputError(
            f"unknown unit '{unit_text}'; accepted units: {ACCEPTED_UNITS_TEXT}", field="amount"
        ) from exc
    amount = Amount(value, str(unit))
    if amount.kind() == "other":
        raise InputError(
            f"'{unit_text}' is not a unit mitra records; accepted units: {ACCEPTED_UNITS_TEXT}",
            field="amount",
        )
    return amount


def to_magnitude(amount: Amount, unit: str) -> float:
    """The amount expressed in ``unit`` (same dimension), e.g. grams."""
    return float(amount.quantity().to(unit).magnitude)
