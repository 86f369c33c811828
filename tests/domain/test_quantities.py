"""Amount parsing: what people type becomes a positive pint quantity, or a clear refusal."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mitra.domain.errors import InputError
from mitra.domain.quantities import parse_amount, to_magnitude


@pytest.mark.parametrize(
    ("text", "kind", "unit", "value"),
    [
        ("3g", "mass", "gram", 3.0),
        ("3 g", "mass", "gram", 3.0),
        ("0.5 g", "mass", "gram", 0.5),
        ("500mg", "mass", "gram", 0.5),
        ("2 caps", "count", "capsule", 2.0),
        ("1 capsule", "count", "capsule", 1.0),
        ("15ml", "volume", "milliliter", 15.0),
        ("2 tablets", "count", "capsule", 2.0),
        ("3 drinks", "drink", "standard_drink", 3.0),
        ("25 mcg/h", "rate", "microgram / hour", 25.0),
        ("2 scoops", "scoop", "scoop", 2.0),
        ("1,5 g", "mass", "gram", 1.5),
    ],
)
def test_common_amount_spellings_are_understood(
    text: str, kind: str, unit: str, value: float
) -> None:
    amount = parse_amount(text)
    assert amount.kind() == kind
    assert to_magnitude(amount, unit) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("-3g", "more than zero"),
        ("0g", "more than zero"),
        ("nan g", "not a number"),
        ("inf g", "not a number"),
        ("3 bananas", "unknown unit"),
        ("three grams", "not an amount"),
        ("3", "no unit"),
        ("3 m", "not a unit mitra records"),
    ],
)
def test_bad_amounts_are_refused_with_what_is_accepted(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        parse_amount(text)
    assert fragment in err.value.message


def test_a_bare_number_takes_the_default_unit_when_one_is_given() -> None:
    assert parse_amount("3", default_unit="drink").kind() == "drink"


@given(st.floats(min_value=0.001, max_value=1000, allow_nan=False, allow_infinity=False))
def test_any_positive_gram_amount_parses_to_that_many_grams(value: float) -> None:
    amount = parse_amount(f"{value!r} g")
    assert math.isclose(to_magnitude(amount, "gram"), value, rel_tol=1e-12)
