"""Amount parsing: what people type becomes a positive pint quantity read as meant (thousands
commas, decimal commas, words, fractions), or a clear refusal (ambiguous, implausible, spoons);
each product form and substance unit has a plausible maximum."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mitra.domain.amount_limits import check_within, substance_bound
from mitra.domain.errors import InputError
from mitra.domain.products import Form, check_dose_amount
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
        ("1,000mg", "mass", "milligram", 1000.0),
        ("1,000 mg", "mass", "milligram", 1000.0),
        ("125,000 mcg", "mass", "microgram", 125_000.0),
        ("1,000.5 mg", "mass", "milligram", 1000.5),
        ("1.000,5 mg", "mass", "milligram", 1000.5),
        ("0,250 g", "mass", "gram", 0.25),
        ("0.500 g", "mass", "gram", 0.5),
        ("2,25 g", "mass", "gram", 2.25),
        ("1.000.000 mcg", "mass", "microgram", 1_000_000.0),
        ("two caps", "count", "capsule", 2.0),
        ("three grams", "mass", "gram", 3.0),
        ("twenty-five mg", "mass", "milligram", 25.0),
        ("half a gram", "mass", "gram", 0.5),
        ("a gram", "mass", "gram", 1.0),
        ("a quarter of a gram", "mass", "gram", 0.25),
        ("one and a half grams", "mass", "gram", 1.5),
        ("½ g", "mass", "gram", 0.5),
        ("1½ g", "mass", "gram", 1.5),
        ("1/2 g", "mass", "gram", 0.5),
        ("1 1/2 g", "mass", "gram", 1.5),
        ("an ml", "volume", "milliliter", 1.0),
        ("1e-3 g", "mass", "gram", 0.001),
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
        ("grams", "not an amount"),
        ("3", "no unit"),
        ("3 m", "not a unit mitra records"),
        ("1.000 mg", "1 mg (a decimal point) or 1000 mg (a point grouping thousands)"),
        ("2.500g", "2.5g (a decimal point) or 2500g"),
        ("1,000.5,0 mg", "mixes commas and points"),
        ("1.5.3 g", "does not group thousands"),
        ("1,00,0 g", "does not group thousands"),
        ("1e-320 g", "not a plausible amount"),
        ("1e308", "not a plausible amount"),
        ("1e400 g", "not a number"),
        ("1/0 g", "divides by zero"),
        ("a teaspoon", "Weigh it"),
        ("2 tsp", "--scoop-g"),
        ("1 heaped tablespoon", "no published figure"),
        ("1 tbsp", "spoons are not a measure"),
    ],
)
def test_bad_amounts_are_refused_with_what_is_accepted(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        parse_amount(text)
    assert fragment in err.value.message


def test_a_bare_number_takes_the_default_unit_when_one_is_given() -> None:
    assert parse_amount("3", default_unit="drink").kind() == "drink"


@given(st.floats(min_value=0.001, max_value=1000, allow_nan=False, allow_infinity=False))
def test_any_gram_amount_with_four_or_more_decimals_parses_to_that_many_grams(
    value: float,
) -> None:
    written = f"{value:.6f}"
    amount = parse_amount(f"{written} g")
    assert math.isclose(to_magnitude(amount, "gram"), float(written), rel_tol=1e-12)
    # The same number with a decimal comma reads the same.
    comma = parse_amount(f"{written.replace('.', ',')} g")
    assert comma == amount


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=999))
def test_a_comma_before_three_digits_groups_thousands_and_a_point_there_is_refused(
    head: int, group: int
) -> None:
    assert parse_amount(f"{head},{group:03d} mg").value == head * 1000 + group
    with pytest.raises(InputError) as err:
        parse_amount(f"{head}.{group:03d} mg")
    assert "could be read two ways" in err.value.message


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=1, max_value=99))
def test_a_comma_before_one_or_two_digits_is_a_decimal_comma(whole: int, decimals: int) -> None:
    text = f"{whole},{decimals} g"
    assert parse_amount(text).value == float(f"{whole}.{decimals}")


@pytest.mark.parametrize(
    ("form", "text", "fragment"),
    [
        (Form.LEAF, "60g", "at most 50 g"),
        (Form.LEAF, "5kg", "did you mean 5 g?"),
        (Form.LEAF, "1e5 g", "at most 50 g"),
        (Form.EXTRACT, "1,000 g", "did you mean 1000 mg?"),
        (Form.EXTRACT, "12 g", "at most 10 g"),
        (Form.CAPSULE, "150 caps", "at most 100 capsules"),
        (Form.SEVEN_OH, "25 tablets", "at most 20 capsules or tablets"),
        (Form.LIQUID, "2 l", "did you mean 2 ml?"),
    ],
)
def test_each_form_has_a_plausible_maximum_per_dose(form: Form, text: str, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        check_dose_amount(parse_amount(text), form)
    assert fragment in err.value.message
    assert "plausibility bound, not a clinical limit" in err.value.message


@pytest.mark.parametrize(
    ("form", "text"),
    [
        (Form.LEAF, "50 g"),
        (Form.LEAF, "3g"),
        (Form.CAPSULE, "100 caps"),
        (Form.EXTRACT, "10 g"),
        (Form.SEVEN_OH, "20 tablets"),
        (Form.LIQUID, "1000 ml"),
    ],
)
def test_amounts_at_the_bound_are_accepted(form: Form, text: str) -> None:
    check_dose_amount(parse_amount(text), form)


def test_every_bound_cites_sources_that_exist() -> None:
    from mitra.domain import catalogue_data

    data = catalogue_data.load("amount_limits")
    sections = [*data["kratom"].values(), data["substance"]]
    assert {f.value for f in Form} <= set(data["kratom"])
    for section in sections:
        assert section["why"].strip()
        assert set(section["sources"]) <= catalogue_data.source_ids()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("30 g", "at most 20 g"), ("3 l", "did you mean 3 ml?"), ("41 drinks", "at most 40")],
)
def test_other_substances_have_a_sane_maximum_by_unit(text: str, fragment: str) -> None:
    bound = substance_bound(parse_amount(text).kind())
    assert bound is not None
    with pytest.raises(InputError) as err:
        check_within(parse_amount(text), bound, what="one use")
    assert fragment in err.value.message
