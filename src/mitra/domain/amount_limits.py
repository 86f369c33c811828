"""mitra's plausibility bounds: the most one entry can plausibly be, per form and unit kind.

The numbers and their reasons live in ``data/amount_limits.toml``. They are mitra's judgement,
set far above usual or safe doses, and only catch typing slips ("5 kg", "1,000 g" of an
extract); they are not clinical limits, which the safety engine applies separately.

Invariant: an amount past its bound is refused with the bound, and, when the same number in
a smaller unit of the same kind would fit, a "did you mean" suggestion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mitra.domain import catalogue_data
from mitra.domain.errors import InputError
from mitra.domain.quantities import Amount, to_magnitude

# The unit each kind's bound is written in, and how the bound reads.
_BOUND_UNITS = {
    "mass": ("gram", "g"),
    "volume": ("milliliter", "ml"),
    "count": ("capsule", "capsules or tablets"),
    "scoop": ("scoop", "scoops"),
    "drink": ("standard_drink", "standard drinks"),
    "rate": ("microgram / hour", "mcg/h"),
}
# Smaller units of the same kind, tried in order for "did you mean".
_SMALLER = {
    "kilogram": ("gram", "milligram"),
    "gram": ("milligram",),
    "milligram": ("microgram",),
    "liter": ("milliliter",),
    "deciliter": ("milliliter",),
    "centiliter": ("milliliter",),
}


@dataclass(frozen=True, slots=True)
class Bound:
    kind: str
    limit: float
    unit: str
    label: str  # e.g. "50 g"
    why: str
    sources: tuple[str, ...]


def _bound(section: dict[str, Any], kind: str) -> Bound | None:
    if kind not in section or kind not in _BOUND_UNITS:
        return None
    unit, words = _BOUND_UNITS[kind]
    limit = float(section[kind])
    return Bound(kind, limit, unit, f"{limit:g} {words}", section["why"], tuple(section["sources"]))


def kratom_bound(form: str | None, kind: str) -> Bound | None:
    """The bound for one kratom dose of ``form`` (any form when None) in units of ``kind``;
    None when kratom is not measured in that kind at all."""
    table = catalogue_data.load("amount_limits")["kratom"]
    section = table.get(form or "default", table["default"])
    return _bound(section, kind) or _bound(table["default"], kind)


def substance_bound(kind: str) -> Bound | None:
    """The bound for one use of another substance in units of ``kind``."""
    return _bound(catalogue_data.load("amount_limits")["substance"], kind)


def check_within(amount: Amount, bound: Bound, *, what: str) -> None:
    """Refuse ``amount`` past ``bound``: "{amount} is more than {what} can be ..."."""
    if to_magnitude(amount, bound.unit) <= bound.limit:
        return
    hint = "check the amount"
    for smaller in _SMALLER.get(amount.unit, ()):
        candidate = Amount(amount.value, smaller)
        if to_magnitude(candidate, bound.unit) <= bound.limit:
            hint = f"did you mean {candidate.display()}?"
            break
    raise InputError(
        f"{amount.display()} is more than {what} can be (at most {bound.label}, mitra's "
        f"plausibility bound, not a clinical limit); {hint}",
        field="amount",
    )
