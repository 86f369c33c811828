"""Dose estimates: a gram of leaf is not a gram of extract, and every estimate is a range."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mitra.domain.amount_limits import kratom_bound
from mitra.domain.errors import InputError
from mitra.domain.products import (
    Basis,
    Form,
    PotencySource,
    define_product,
    estimate_dose,
    generic_for,
    generic_products,
)
from mitra.domain.quantities import Amount, parse_amount


def test_every_form_has_a_builtin_generic_product_with_sources() -> None:
    forms = {p.form for p in generic_products()}
    assert forms == set(Form)
    for product in generic_products():
        assert product.potency.sources
        assert product.potency.why
        assert product.potency.mitragynine.high >= product.potency.mitragynine.typical


def test_three_grams_of_generic_leaf_hold_about_45_mg_mitragynine() -> None:
    est = estimate_dose(generic_for(Form.LEAF), parse_amount("3g"))
    assert est.mitragynine_mg.typical == pytest.approx(45.0)
    assert est.mitragynine_mg.low == pytest.approx(39.9)
    assert est.mitragynine_mg.high == pytest.approx(58.5)


def test_one_gram_of_a_45_percent_extract_holds_about_450_mg() -> None:
    extract = define_product("Gold", Form.EXTRACT, mitragynine_pct=45)
    est = estimate_dose(extract, parse_amount("1 g"))
    assert est.mitragynine_mg.typical == pytest.approx(450.0)
    # A label value is widened by the margin in products.toml (25%): fail safe.
    assert est.mitragynine_mg.high == pytest.approx(562.5)
    leaf = estimate_dose(generic_for(Form.LEAF), parse_amount("1 g"))
    assert est.mitragynine_mg.typical / leaf.mitragynine_mg.typical == pytest.approx(30)


def test_a_certificate_of_analysis_gets_a_narrower_range_than_a_label() -> None:
    coa = define_product("A", Form.EXTRACT, mitragynine_pct=45, source=PotencySource.COA)
    label = define_product("B", Form.EXTRACT, mitragynine_pct=45)
    assert coa.potency.mitragynine.high < label.potency.mitragynine.high


def test_a_product_without_stated_potency_carries_its_forms_wide_range() -> None:
    product = define_product("Mystery extract", Form.EXTRACT)
    assert product.potency == generic_for(Form.EXTRACT).potency
    assert not product.potency_stated


def test_two_generic_capsules_are_one_gram_of_leaf() -> None:
    est = estimate_dose(generic_for(Form.CAPSULE), parse_amount("2 caps"))
    assert est.product_mass_g == pytest.approx(1.0)
    assert est.mitragynine_mg.typical == pytest.approx(15.0)


def test_per_unit_potency_counts_units() -> None:
    caps = define_product("Green caps", Form.CAPSULE, mitragynine_mg_per_unit=8, unit_mass_g=0.5)
    assert caps.potency.basis is Basis.PER_UNIT
    est = estimate_dose(caps, parse_amount("4 caps"))
    assert est.mitragynine_mg.typical == pytest.approx(32.0)
    tabs = define_product("7-OH tabs", Form.SEVEN_OH, seven_oh_mg_per_unit=15)
    assert tabs.potency.basis is Basis.PER_UNIT
    est = estimate_dose(tabs, parse_amount("2 tablets"))
    assert est.seven_oh_mg.typical == pytest.approx(30.0)
    assert est.mitragynine_mg.high > 0  # the unstated alkaloid follows the generic ratio


def test_liquid_potency_is_per_ml() -> None:
    shot = define_product("Shot", Form.LIQUID, mitragynine_mg_per_unit=2)
    est = estimate_dose(shot, parse_amount("15ml"))
    assert est.mitragynine_mg.typical == pytest.approx(30.0)


def test_scoops_need_a_scoop_size() -> None:
    with pytest.raises(InputError, match="no scoop size"):
        estimate_dose(generic_for(Form.LEAF), parse_amount("2 scoops"))
    bulk = define_product("Bulk", Form.LEAF, scoop_g=2.5)
    est = estimate_dose(bulk, parse_amount("2 scoops"))
    assert est.product_mass_g == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("form", "amount", "fragment"),
    [
        (Form.LEAF, "15ml", "measured by weight"),
        (Form.EXTRACT, "2 caps", "unit-mass-g"),
        (Form.LIQUID, "3g", "give ml"),
        (Form.LEAF, "5 kg", "more than one dose"),
        (Form.LEAF, "60 caps", "more than one dose"),
        (Form.LEAF, "3 drinks", "not '3"),
    ],
)
def test_doses_that_cannot_be_converted_are_refused(form: Form, amount: str, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        estimate_dose(generic_for(form), parse_amount(amount))
    assert fragment in err.value.message


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"mitragynine_pct": 0}, "above 0"),
        ({"mitragynine_pct": 150}, "at most 100"),
        ({"mitragynine_pct": 2, "mitragynine_mg_per_g": 20}, "not both"),
        ({"mitragynine_mg_per_g": 20, "seven_oh_mg_per_unit": 1}, "--unit-mass-g"),
        ({"unit_mass_g": -1}, "above 0"),
    ],
)
def test_bad_product_definitions_are_refused(kwargs: dict[str, float], fragment: str) -> None:
    with pytest.raises(InputError) as err:
        define_product("X", Form.LEAF, **kwargs)
    assert fragment in err.value.message


@given(
    form=st.sampled_from([Form.LEAF, Form.EXTRACT, Form.SEVEN_OH, Form.OTHER]),
    grams=st.floats(min_value=0.01, max_value=50),
)
def test_estimates_are_ordered_ranges_that_scale_with_the_amount(form: Form, grams: float) -> None:
    bound = kratom_bound(form.value, "mass")
    assume(bound is not None and grams <= bound.limit)  # past it is a typing slip, refused
    product = generic_for(form)
    one = estimate_dose(product, parse_amount("1 g"))
    est = estimate_dose(product, Amount(grams, "gram"))
    for r in (est.mitragynine_mg, est.seven_oh_mg):
        assert 0 <= r.low <= r.typical <= r.high
    assert est.mitragynine_mg.high == pytest.approx(one.mitragynine_mg.high * grams)
