"""The fast path for common units answers exactly as pint does: the same amount (value and
unit) or the same refusal, the same kind, display and conversions; pint stays the authority
for everything the table does not name."""

from __future__ import annotations

from typing import Protocol

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mitra.domain import common_units
from mitra.domain.errors import InputError
from mitra.domain.quantities import (
    Amount,
    display_by_pint,
    kind_by_pint,
    parse_amount,
    parse_amount_by_pint,
    registry,
    to_magnitude,
    to_magnitude_by_pint,
)


class Parser(Protocol):
    def __call__(self, text: str, *, default_unit: str | None = None) -> Amount: ...


FRACTION_CHARS = "½¼¾⅓⅔⅛"
NUMBER_WORDS = ("a", "an", "one", "two", "three", "ten", "twenty", "twenty-five", "half", "a half")


def outcome(parse: Parser, text: str, default_unit: str | None = None) -> object:
    """What a parser makes of ``text``: the amount, or the refusal's message and field."""
    try:
        return parse(text, default_unit=default_unit)
    except InputError as exc:
        return ("refused", exc.message, exc.field)


def assert_same(text: str, default_unit: str | None = None) -> None:
    fast = outcome(parse_amount, text, default_unit)
    assert fast == outcome(parse_amount_by_pint, text, default_unit), text
    if isinstance(fast, Amount):
        assert fast.kind() == kind_by_pint(fast)
        assert fast.display() == display_by_pint(fast)


def cased(text: str, upper: list[bool]) -> str:
    flags = (upper + [False] * len(text))[: len(text)]
    return "".join(c.upper() if u else c for c, u in zip(text, flags, strict=True))


numerals = st.one_of(
    st.integers(0, 2_000_000).map(str),
    st.decimals(0, 100_000, places=3, allow_nan=False).map(str),
    st.decimals(0, 1000, places=2, allow_nan=False).map(lambda d: str(d).replace(".", ",")),
    st.integers(1, 999_999_999).map(lambda n: f"{n:,}"),
    st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(0, 9)).map(
        lambda t: f"{t[0]} {t[1]}/{t[2]}"
    ),
    st.tuples(st.sampled_from(["", "1", "2 "]), st.sampled_from(FRACTION_CHARS)).map("".join),
    st.sampled_from(NUMBER_WORDS),
    st.sampled_from(["1e-3", "2E2", "1.000", "1.000.000", "1,000.5", "1,0,0", ".5", ",5"]),
)
units = st.one_of(
    st.sampled_from(sorted(common_units.SPELLINGS)),
    # Near misses and spellings only pint knows: the fast path must hand them over unchanged.
    st.sampled_from(["", "g.", "kilos", "cc", "gr", "mgs", "tsp", "teaspoon", "of a gram"]),
)


# No deadline: the first example loads pint's registry (a third of a second under load).
@settings(max_examples=400, deadline=None)
@given(
    number=numerals,
    space=st.sampled_from(["", " ", "  ", "\t"]),
    unit=units,
    upper=st.lists(st.booleans(), max_size=12),
    default_unit=st.sampled_from([None, "gram", "standard_drink", "milligram"]),
)
def test_the_fast_path_gives_pints_amount_or_pints_refusal(
    number: str, space: str, unit: str, upper: list[bool], default_unit: str | None
) -> None:
    assert_same(number + space + cased(unit, upper), default_unit)


@pytest.mark.parametrize(
    "text",
    [
        "4 g", "4g", "4G", " 4  g ", "2.5 grams", "2,5 grams", "1,000 mg", "1.000 mg", "15 ml",
        "15 mL", "1 L", "30 mg", "2 capsules", "2 Caps", "1 tab", "3 pills", "two caps",
        "half a gram", "one and a half grams", "½ g", "1½ g", "1 ½g", "1 1/2 g", "1⁄2 g",
        "25 mcg/h", "25 µg/h", "250 µg", "250 ug", "2 drinks", "1 scoop", "1 tsp", "2 tbsp",
        "0 g", "0.0000001 g", "2000000 g", "1/0 g", "nan g", "3", "3 kilos", "3 cc", "3 g.",
        "3 grams of powder", "a gram", "g", "", "-3 g",
    ],
)  # fmt: skip
def test_the_fast_path_matches_pint_on_the_edge_cases(text: str) -> None:
    assert_same(text)
    assert_same(text, "gram")


def test_every_spelling_is_the_unit_pint_reads() -> None:
    for text, unit in common_units.SPELLINGS.items():
        assert str(registry().parse_units(text)) == unit.name, text


PAIRS = [(a, b) for a in sorted(common_units.BY_NAME) for b in sorted(common_units.BY_NAME)]


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_conversions_between_common_units_are_pints(source: str, target: str) -> None:
    for value in (1e-6, 0.1, 1.0, 2.5, 3.0, 7 / 3, 123.456, 1e6):
        amount = Amount(value, source)
        try:
            expected = to_magnitude_by_pint(amount, target)
        except Exception as exc:  # pint refuses across kinds; the fast path hands those over
            assert common_units.convert(value, source, target) is None
            with pytest.raises(type(exc)):
                to_magnitude(amount, target)
            continue
        assert common_units.convert(value, source, target) == expected
        assert to_magnitude(amount, target) == expected


@settings(deadline=None)
@given(
    value=st.floats(1e-6, 1e6, allow_nan=False),
    pair=st.sampled_from([(a, b) for a, b in PAIRS if common_units.convert(1.0, a, b)]),
)
def test_any_value_converts_as_pint_converts_it(value: float, pair: tuple[str, str]) -> None:
    amount = Amount(value, pair[0])
    assert to_magnitude(amount, pair[1]) == to_magnitude_by_pint(amount, pair[1])


def test_units_outside_the_table_still_go_through_pint() -> None:
    assert common_units.read("cc") is None
    assert parse_amount("3 cc") == Amount(3.0, "cc")
    assert to_magnitude(Amount(3.0, "cc"), "milliliter") == to_magnitude_by_pint(
        Amount(3.0, "cc"), "milliliter"
    )
    assert Amount(3.0, "cc").display() == "3 cc"


# -- display: every unit pint can hand mitra to store, shown without pint ------------------------
# Spellings built from data/units.txt's prefixes and units (as symbols): one unit, a cubed one,
# one over another. pint decides which of them name an amount mitra stores.
PREFIX_TEXTS = ("", "u", "m", "c", "d", "k")
UNIT_TEXTS = ("g", "l", "cc", "m", "s", "min", "h", "caps", "tab", "scoop", "drink")
SINGLE = [p + u for p in PREFIX_TEXTS for u in UNIT_TEXTS]


def pint_name(text: str) -> str | None:
    """pint's name for the unit ``text`` spells, or None when pint reads no unit there."""
    try:
        return str(registry().parse_units(text))
    except Exception:  # pint has several errors for a text that is not its unit
        return None


def stored(name: str | None) -> bool:
    """Whether mitra would store an amount in the unit pint names ``name`` (not a length, a
    time, a mass per volume...)."""
    return name is not None and kind_by_pint(Amount(1.0, name)) != "other"


def assert_shown_as_pint_shows(name: str, value: float) -> None:
    amount = Amount(value, name)
    if stored(name):
        assert common_units.display(value, name) == display_by_pint(amount), name
        assert amount.display() == display_by_pint(amount), name
    else:
        assert common_units.display(value, name) is None, name  # pint answers, as before


def test_every_prefixed_and_cubed_unit_is_shown_as_pint_shows_it() -> None:
    names = {pint_name(text) for unit in SINGLE for text in (unit, f"{unit}**3")}
    assert {"decigram", "microliter", "cc", "centimeter ** 3", "kilocapsule"} <= names
    for name in sorted(n for n in names if n is not None):
        for value in (1.0, 2.0, 0.5, 1e-6, 123.456):  # singular, plural, fractions
            assert_shown_as_pint_shows(name, value)


@settings(deadline=None, max_examples=300)
@given(
    above=st.sampled_from(SINGLE),
    below=st.sampled_from(SINGLE),
    value=st.floats(1e-6, 1e6, allow_nan=False),
)
def test_every_unit_over_another_is_shown_as_pint_shows_it(
    above: str, below: str, value: float
) -> None:
    name = pint_name(f"{above}/{below}")
    if name is not None:
        assert_shown_as_pint_shows(name, value)


@pytest.mark.parametrize("text", ["mg/min", "ug/h", "g/s", "kg/h", "cg/min", "mg/ms"])
def test_a_mass_per_time_is_a_rate_shown_without_pint(text: str) -> None:
    name = pint_name(text)
    assert name is not None and stored(name)
    assert_shown_as_pint_shows(name, 2.5)


@pytest.mark.parametrize(
    "name",
    [
        "hour", "meter", "centimeter", "millisecond", "gram / liter", "liter / hour",
        "milligram / hour / kilogram", "meter ** 2", "gram ** 3", "second ** 3", "furlong",
        "gram * hour", "kilo", "milli", "",
    ],
)  # fmt: skip
def test_a_name_that_is_not_a_stored_amount_is_left_to_pint(name: str) -> None:
    assert common_units.display(2.0, name) is None


def test_uncommon_units_are_shown_without_asking_pint(monkeypatch: pytest.MonkeyPatch) -> None:
    from mitra.domain import quantities

    def no_pint() -> None:
        raise AssertionError("pint was asked")

    monkeypatch.setattr(quantities, "registry", no_pint)
    shown = [Amount(3.0, name).display() for name in ("decigram", "cc", "milligram / minute")]
    assert shown == ["3 dg", "3 cc", "3 mg/min"]
