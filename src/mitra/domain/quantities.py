"""Amounts with units, read as meant, parsed and converted by pint.

People type "3g", "2 caps", "15ml", "1,000 mg", "1,5 g", "two caps", "half a gram", "1 1/2 g"
or "3 drinks". This module turns such text into a pint quantity and refuses what is not an
amount, or could be read two ways. Product units (capsule, tablet, scoop) and standard drinks
are defined as their own dimensions, so pint never silently converts a capsule into grams:
that needs the product's fill mass, which only a product knows.

The number grammar (one fixed set of rules, so "1,000mg" is never stored as 1 mg):

- Digits alone are a whole number: ``1000``.
- A comma followed by exactly three digits, after a first group of 1-3 digits that does not
  start with 0, groups thousands: ``1,000`` and ``12,500,000`` (English usage). Any other
  single comma is a decimal comma: ``1,5`` is 1.5, ``0,250`` is 0.25.
- A single point is a decimal point (``1.5``, ``0.500``), except where it could also group
  thousands, as in much of Europe: one point followed by exactly three digits after a first
  group of 1-3 digits not starting with 0 (``1.000``, ``2.500``). That is refused, naming
  both readings (1 or 1000), because either would be silently wrong half the time. Several
  points, each followed by three digits (``1.000.000``), can only group thousands.
- Both marks: the last one is the decimal mark and the others must group thousands
  (``1,000.5`` or ``1.000,5`` are 1000.5); anything else (``1,000.5,0``) is refused.
- Exponents (``1e-3``) are read, then bound like any number.
- Words and fractions: ``a``/``an``/``one`` to ``twenty``, tens to ``ninety`` (``twenty-five``),
  ``half``, ``quarter``, ``third``, ``one and a half``, ``a half``, ``half a``,
  ``a quarter of a``; ``1/2``, ``1 1/2`` and the fraction characters (½ ¼ ¾ ⅓ ⅔ ⅛).

Household measures (teaspoon, tablespoon, spoon) are refused with a hint: the mass of a
spoonful of powder depends on the powder, how packed and how heaped it is, and no published
figure exists for kratom powder, so any gram figure would be invented. The person weighs it,
or sets the product's scoop size once (``--scoop-g``) and logs scoops.

Invariant: every accepted amount is finite, between 1e-6 and 1e6 in the unit written, and
> 0. Bounds per product form and substance live in ``amount_limits``. The pint registry is
built once, lazily, from the package's small definitions file ``data/units.txt`` (pint's full
default registry costs about a third of a second to load on every command). The common units
("3g", "2 caps", "15 ml", "30 mg") are read, shown and converted from ``common_units`` without
loading pint at all, and every other unit pint can hand mitra to store is shown from there
too; pint is the authority for everything else, and the ``*_by_pint`` functions are its
answers for the common units too, which the tests hold equal.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from mitra.domain import common_units
from mitra.domain.errors import InputError
from mitra.domain.number_words import NUMBER_WORDS

ACCEPTED_UNITS_TEXT = "g, mg, mcg, kg, ml, l, caps/capsules, tablets/pills, scoops, drinks"


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
        common = common_units.BY_NAME.get(self.unit)
        return common.kind if common is not None else kind_by_pint(self)

    def display(self) -> str:
        """Short for weights and volumes ("3 g", "15 ml"), words for counts ("2 capsules").
        Every unit mitra stores is shown without pint (``common_units.display``)."""
        shown = common_units.display(self.value, self.unit)
        return shown if shown is not None else display_by_pint(self)


def kind_by_pint(amount: Amount) -> str:
    return dimension_kind(amount.quantity())


def display_by_pint(amount: Amount) -> str:
    q = amount.quantity()
    if kind_by_pint(amount) in {"mass", "volume", "rate"}:
        return f"{amount.value:g} {q.units:~P}".replace("µg", "mcg")
    word = f"{q.units:P}".replace("_", " ")
    return f"{amount.value:g} {word}{'' if amount.value == 1 else 's'}"


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
    """Parse "3g", "2 caps", "1,000 mg", "half a gram"; a bare number takes ``default_unit``
    when one is given.

    Raises InputError naming what was wrong and what is accepted.
    """
    return _parse_amount(text, default_unit, common_units.read)


def parse_amount_by_pint(text: str, *, default_unit: str | None = None) -> Amount:
    """``parse_amount`` with every unit read by pint, the authority the fast path matches."""
    return _parse_amount(text, default_unit, lambda _unit_text: None)


def _parse_amount(
    text: str,
    default_unit: str | None,
    read_common: Callable[[str], common_units.CommonUnit | None],
) -> Amount:
    raw = " ".join(text.split())
    if not raw:
        raise InputError(
            "the amount is empty; give a number and a unit, e.g. 3g or 2 caps", field="amount"
        )
    spoken = _spell_fractions(raw.lower())
    if re.match(r"^[+-]?(nan|inf|infinity)\b", spoken):
        raise InputError(f"'{raw}' is not a number; give an amount such as 3g", field="amount")
    leading = _leading_number(raw, spoken)
    if leading is None:
        raise InputError(
            f"'{raw}' is not an amount; give a number and a unit, e.g. 3g, 2 caps, 15ml, "
            "half a gram",
            field="amount",
        )
    value, shown, unit_text = leading
    if value <= 0:
        raise InputError(
            f"the amount must be more than zero (got {shown}); e.g. 3g", field="amount"
        )
    if not MIN_VALUE <= value <= MAX_VALUE:
        raise InputError(
            f"'{raw}' is not a plausible amount (the number must be between 0.000001 and "
            "1,000,000 in the unit given); e.g. 3g or 500 mg",
            field="amount",
        )
    unit_text = _UNIT_FILLER.sub("", unit_text).strip()
    if _SPOON.search(unit_text):
        raise InputError(
            f"'{raw}': spoons are not a measure mitra can convert (a spoonful of powder weighs "
            "more or less depending on the powder and how heaped it is, and there is no "
            "published figure for kratom). Weigh it (e.g. 3g), or set the product's scoop size "
            "once with 'mitra product add ... --scoop-g 2.5' and log scoops; for a liquid, "
            "give ml",
            field="amount",
        )
    if not unit_text:
        if default_unit is None:
            raise InputError(
                f"'{raw}' has no unit; accepted units: {ACCEPTED_UNITS_TEXT}", field="amount"
            )
        unit_text = default_unit
    common = read_common(unit_text)
    if common is not None:
        return Amount(value, common.name)
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


# -- numbers --------------------------------------------------------------------------------------
MIN_VALUE = 1e-6
MAX_VALUE = 1e6

_FRACTION_CHARS = {"½": "1/2", "¼": "1/4", "¾": "3/4", "⅓": "1/3", "⅔": "2/3", "⅛": "1/8"}
_ONES = NUMBER_WORDS
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_WORD_VALUES = (
    {word: float(i + 1) for i, word in enumerate(_ONES)}
    | {word: float(v) for word, v in _TENS.items()}
    | {"a": 1.0, "an": 1.0, "zero": 0.0}
)
_PARTS = {"half": 0.5, "quarter": 0.25, "third": 1 / 3}
_WORD = "|".join(sorted(_WORD_VALUES, key=len, reverse=True))
_PART = "|".join(_PARTS)
_WORD_NUMBER = re.compile(
    rf"^(?:(?P<tens>{'|'.join(_TENS)})[ -](?P<ones>{'|'.join(_ONES[:9])})|(?P<whole>{_WORD}))"
    rf"(?:\s+and\s+(?:an?\s+)?(?P<and_part>{_PART}))?(?=\s|$)"
)
_PART_NUMBER = re.compile(rf"^(?:(?:an?|one)\s+)?(?P<part>{_PART})(?:\s+(?:of\s+)?an?)?(?=\s|$)")
_FRACTION = re.compile(r"^(?:(?P<whole>\d+)\s+)?(?P<num>\d+)\s*/\s*(?P<den>\d+)")
_NUMERAL = re.compile(r"^[+-]?(?:\d[\d.,]*\d|\d|[.,]\d+)(?:e[+-]?\d+)?", re.IGNORECASE)
_UNIT_FILLER = re.compile(r"^(?:of\s+)?(?:an?\s+)?")
_SPOON = re.compile(r"\b(?:tea|table|dessert)?spoon|\btsp\b|\btbsp?\b|\btbs\b|\bspoonful")


def _spell_fractions(text: str) -> str:
    for char, spelled in _FRACTION_CHARS.items():
        text = text.replace(char, f" {spelled}")
    return " ".join(text.replace("\u2044", "/").split())


def _leading_number(raw: str, spoken: str) -> tuple[float, str, str] | None:
    """(value, the number as written, the rest) for the number ``spoken`` starts with."""
    match = _FRACTION.match(spoken)
    if match is not None:
        den = int(match.group("den"))
        if den == 0:
            raise InputError(f"'{raw}' divides by zero; e.g. 1/2 g", field="amount")
        value = int(match.group("num")) / den + int(match.group("whole") or 0)
        return value, match.group(0), spoken[match.end() :]
    match = _NUMERAL.match(spoken)
    if match is not None:
        return _read_numeral(raw, match.group(0)), match.group(0), spoken[match.end() :]
    match = _PART_NUMBER.match(spoken)
    if match is not None:
        return _PARTS[match.group("part")], match.group(0), spoken[match.end() :]
    match = _WORD_NUMBER.match(spoken)
    if match is not None:
        if match.group("tens"):
            value = _TENS[match.group("tens")] + _WORD_VALUES[match.group("ones")]
        else:
            value = _WORD_VALUES[match.group("whole")]
        value += _PARTS.get(match.group("and_part") or "", 0.0)
        return value, match.group(0), spoken[match.end() :]
    return None


def _read_numeral(raw: str, numeral: str) -> float:
    """A numeral by the module's grammar: thousands groups, decimal comma or point."""
    mantissa, _, exponent = numeral.lower().partition("e")
    sign = -1.0 if mantissa.startswith("-") else 1.0
    digits = mantissa.lstrip("+-")
    marks = [c for c in digits if c in ",."]
    if not marks:
        plain = digits
    elif len(set(marks)) == 1:
        plain = _one_mark(raw, digits, marks[0])
    else:
        decimal = digits[max(digits.rfind(","), digits.rfind("."))]
        whole, fraction = digits.rsplit(decimal, 1)
        grouping = "," if decimal == "." else "."
        if decimal in whole or not _groups_thousands(whole, grouping):
            raise InputError(
                f"'{raw}' mixes commas and points in a way that is not one number; write it "
                "with digits and one decimal mark, e.g. 1000.5 or 1000,5",
                field="amount",
            )
        plain = whole.replace(grouping, "") + "." + fraction
    try:
        value = sign * float(plain + (f"e{exponent}" if exponent else ""))
    except (ValueError, OverflowError):
        raise InputError(f"'{raw}' is not a number; e.g. 3g", field="amount") from None
    if not math.isfinite(value):
        raise InputError(f"'{raw}' is not a number; give an amount such as 3g", field="amount")
    return value


def _one_mark(raw: str, digits: str, mark: str) -> str:
    """Digits with one kind of mark (comma or point, once or more) as a plain decimal."""
    if digits.count(mark) > 1:
        if _groups_thousands(digits, mark):
            return digits.replace(mark, "")
        raise InputError(
            f"'{raw}' is not a number: a {'comma' if mark == ',' else 'point'} appears more "
            "than once but does not group thousands (1,000,000); e.g. 1000 or 1.5",
            field="amount",
        )
    whole, fraction = digits.split(mark)
    groups = _groups_thousands(digits, mark)
    if mark == "," and groups:
        return whole + fraction
    if mark == "." and groups:
        small = raw.replace(digits, f"{float(digits):g}", 1)
        large = raw.replace(digits, whole + fraction, 1)
        raise InputError(
            f"'{raw}' could be read two ways: {small} (a decimal point) or {large} (a point "
            f"grouping thousands); write '{small}' or '{large}'",
            field="amount",
        )
    return (whole or "0") + "." + fraction


def _groups_thousands(digits: str, mark: str) -> bool:
    groups = digits.split(mark)
    first = groups[0]
    return (
        1 <= len(first) <= 3
        and not first.startswith("0")
        and len(groups) > 1
        and all(len(g) == 3 and g.isdigit() for g in groups[1:])
    )


def to_magnitude(amount: Amount, unit: str) -> float:
    """The amount expressed in ``unit`` (same dimension), e.g. grams."""
    converted = common_units.convert(amount.value, amount.unit, unit)
    return converted if converted is not None else to_magnitude_by_pint(amount, unit)


def to_magnitude_by_pint(amount: Amount, unit: str) -> float:
    return float(amount.quantity().to(unit).magnitude)
