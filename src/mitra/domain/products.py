"""Kratom products and the estimate of what a dose of one holds.

A gram of leaf powder is not a gram of extract. A product carries its potency (mitragynine and
7-hydroxymitragynine, "7-OH") per gram, per millilitre, or per unit (capsule or tablet), either
as stated on a label or lab certificate (COA), or else its form's typical potency from the
reviewed data file with a range and sources. Every estimate is a range; the safety engine uses
its high end, so a product of unknown strength fails safe.

Invariants: ranges satisfy 0 <= low <= typical <= high; a dose whose unit cannot be converted
with what the product knows (units of a non-capsule product without a unit mass, ml of a
powder) is refused, never guessed. A capsule product whose fill is not stated is counted with
the generic capsule's fill RANGE (``fill_g`` in products.toml), so the estimate's high end
assumes the fuller capsule.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from mitra.domain import amount_limits, catalogue_data
from mitra.domain.errors import InputError, NotFoundError
from mitra.domain.quantities import Amount, to_magnitude


class Form(StrEnum):
    LEAF = "leaf"
    CAPSULE = "capsule"
    LIQUID = "liquid"
    EXTRACT = "extract"
    SEVEN_OH = "7-oh"
    OTHER = "other"


FORM_HELP = {
    Form.LEAF: "leaf powder or crushed leaf",
    Form.CAPSULE: "capsules filled with leaf powder",
    Form.LIQUID: "tea, shots and other drinks",
    Form.EXTRACT: "extracts, resins and 'enhanced' powders",
    Form.SEVEN_OH: "products sold for 7-hydroxymitragynine (7-OH)",
    Form.OTHER: "anything else",
}


class Basis(StrEnum):
    PER_G = "per_g"
    PER_ML = "per_ml"
    PER_UNIT = "per_unit"


BASIS_LABEL = {Basis.PER_G: "mg/g", Basis.PER_ML: "mg/ml", Basis.PER_UNIT: "mg/unit"}


class PotencySource(StrEnum):
    LABEL = "label"
    COA = "coa"
    TYPICAL = "typical"


@dataclass(frozen=True, slots=True)
class Range:
    """A figure with its plausible low and high; all in the same unit."""

    typical: float
    low: float
    high: float

    def __post_init__(self) -> None:
        values = (self.low, self.typical, self.high)
        if not all(math.isfinite(v) and v >= 0 for v in values):
            raise InputError("potency values must be finite and not negative", field="potency")
        if not self.low <= self.typical <= self.high:
            raise InputError("a potency range must have low <= typical <= high", field="potency")

    @classmethod
    def exact(cls, value: float) -> Range:
        return cls(value, value, value)

    @classmethod
    def widened(cls, value: float, margin: float) -> Range:
        return cls(value, value * (1 - margin), value * (1 + margin))

    def scaled(self, factor: float) -> Range:
        return Range(self.typical * factor, self.low * factor, self.high * factor)

    def as_list(self) -> list[float]:
        return [self.low, self.high]


@dataclass(frozen=True, slots=True)
class Potency:
    """Alkaloid content per ``basis`` (gram, millilitre or unit)."""

    basis: Basis
    mitragynine: Range
    seven_oh: Range
    source: PotencySource
    why: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Product:
    name: str
    form: Form
    potency: Potency
    unit_mass_g: float | None = None
    scoop_g: float | None = None
    builtin: bool = False
    id: int | None = None

    @property
    def potency_stated(self) -> bool:
        return self.potency.source is not PotencySource.TYPICAL


@dataclass(frozen=True, slots=True)
class DoseEstimate:
    """Estimated alkaloids in one dose, in mg, with the basis of the estimate in words."""

    mitragynine_mg: Range
    seven_oh_mg: Range
    product_mass_g: float | None
    explanation: str


def _range_from(data: dict[str, float]) -> Range:
    return Range(float(data["typical"]), float(data["low"]), float(data["high"]))


@functools.cache
def generic_products() -> tuple[Product, ...]:
    """The built-in generic product of every form, from ``data/products.toml``."""
    data = catalogue_data.load("products")
    products = []
    for row in data["products"]:
        potency = Potency(
            basis=Basis(row["basis"]),
            mitragynine=_range_from(row["mitragynine"]),
            seven_oh=_range_from(row["seven_oh"]),
            source=PotencySource.TYPICAL,
            why=row["why"],
            sources=tuple(row["sources"]),
        )
        products.append(
            Product(
                name=row["name"],
                form=Form(row["form"]),
                potency=potency,
                unit_mass_g=row.get("unit_mass_g"),
                builtin=True,
            )
        )
    return tuple(products)


@functools.cache
def unstated_capsule_fill() -> Range:
    """The fill range (g) of a capsule whose fill is not stated, from the generic capsule row."""
    for row in catalogue_data.load("products")["products"]:
        if row["form"] == Form.CAPSULE.value and "fill_g" in row:
            return _range_from(row["fill_g"])
    raise NotFoundError("products.toml: the generic capsule product has no fill_g range")


def _fill_range(product: Product) -> Range | None:
    """The capsule fill range to count by, when the product states no fill of its own."""
    if product.form is Form.CAPSULE and not product.unit_mass_g:
        return unstated_capsule_fill()
    return None


def generic_for(form: Form) -> Product:
    for product in generic_products():
        if product.form is form:
            return product
    raise NotFoundError(f"no generic product for form {form}")  # data file incomplete


def label_margin(source: PotencySource) -> float:
    margins: dict[str, Any] = catalogue_data.load("products")["margins"]
    return float(margins[source.value]) if source is not PotencySource.TYPICAL else 0.0


def parse_form(text: str) -> Form:
    wanted = text.strip().lower().replace("_", "-")
    aliases = {
        "7oh": "7-oh",
        "7-hydroxymitragynine": "7-oh",
        "capsules": "capsule",
        "tea": "liquid",
        "shot": "liquid",
        "powder": "leaf",
    }
    wanted = aliases.get(wanted, wanted)
    try:
        return Form(wanted)
    except ValueError:
        accepted = ", ".join(f.value for f in Form)
        raise InputError(f"unknown form '{text}'; accepted: {accepted}", field="form") from None


def _positive(value: float | None, label: str, *, upper: float) -> None:
    if value is None:
        return
    if not math.isfinite(value) or value <= 0 or value > upper:
        raise InputError(
            f"{label} must be a number above 0 and at most {upper:g} (got {value})", field=label
        )


def define_product(
    name: str,
    form: Form,
    *,
    mitragynine_pct: float | None = None,
    mitragynine_mg_per_g: float | None = None,
    mitragynine_mg_per_unit: float | None = None,
    seven_oh_mg_per_g: float | None = None,
    seven_oh_mg_per_unit: float | None = None,
    unit_mass_g: float | None = None,
    scoop_g: float | None = None,
    source: PotencySource = PotencySource.LABEL,
) -> Product:
    """Build a person's product from label values; missing values come from the form's generic.

    A per-unit value is per capsule or tablet, or per millilitre for a liquid. When only one
    alkaloid is stated the other follows the generic product's ratio (with its range).
    """
    clean = " ".join(name.split())
    if not clean:
        raise InputError(
            "the product name is empty; give a name such as 'Red Bali leaf'", field="name"
        )
    if len(clean) > 80:
        raise InputError("the product name is longer than 80 characters", field="name")
    _positive(mitragynine_pct, "--mitragynine-pct", upper=100)
    _positive(mitragynine_mg_per_g, "--mitragynine-mg-per-g", upper=1000)
    _positive(mitragynine_mg_per_unit, "--mitragynine-mg-per-unit", upper=1000)
    _positive(seven_oh_mg_per_g, "--seven-oh-mg-per-g", upper=1000)
    _positive(seven_oh_mg_per_unit, "--seven-oh-mg-per-unit", upper=1000)
    _positive(unit_mass_g, "--unit-mass-g", upper=50)
    _positive(scoop_g, "--scoop-g", upper=50)
    per_g_mit = [v for v in (mitragynine_pct and mitragynine_pct * 10, mitragynine_mg_per_g) if v]
    if len(per_g_mit) > 1:
        raise InputError(
            "give either --mitragynine-pct or --mitragynine-mg-per-g, not both", field="potency"
        )
    generic = generic_for(form)
    per_g = bool(per_g_mit or seven_oh_mg_per_g)
    per_unit = bool(mitragynine_mg_per_unit or seven_oh_mg_per_unit)
    if per_g and per_unit and not unit_mass_g:
        raise InputError(
            "per-gram and per-unit values can be mixed only with --unit-mass-g", field="potency"
        )
    if not (per_g or per_unit):
        potency = generic.potency
        if unit_mass_g is None:
            unit_mass_g = generic.unit_mass_g
        return Product(
            name=clean, form=form, potency=potency, unit_mass_g=unit_mass_g, scoop_g=scoop_g
        )
    if form is Form.LIQUID:
        basis = Basis.PER_ML
        if per_g:
            raise InputError(
                "for a liquid give values per ml with --mitragynine-mg-per-unit "
                "(a unit of a liquid is 1 ml)",
                field="potency",
            )
    else:
        basis = Basis.PER_G if per_g else Basis.PER_UNIT
    # Express everything on one basis: per gram when mixing (needs the unit mass).
    to_basis = 1.0 if basis is not Basis.PER_G else 1.0 / (unit_mass_g or 1.0)
    mit = (
        per_g_mit[0]
        if per_g_mit
        else (mitragynine_mg_per_unit * to_basis if mitragynine_mg_per_unit else None)
    )
    seven = (
        seven_oh_mg_per_g
        if seven_oh_mg_per_g
        else (seven_oh_mg_per_unit * to_basis if seven_oh_mg_per_unit else None)
    )
    margin = label_margin(source)
    g_mit, g_seven = generic.potency.mitragynine, generic.potency.seven_oh
    if mit is not None:
        mit_range = Range.widened(mit, margin)
    else:
        assert seven is not None
        mit_range = _by_ratio(seven, g_seven, g_mit)
    if seven is not None:
        seven_range = Range.widened(seven, margin)
    else:
        seven_range = _by_ratio(mit, g_mit, g_seven)
    stated = "certificate of analysis" if source is PotencySource.COA else "label"
    why = (
        f"Stated on the {stated}, widened by {margin:.0%} either way because stated contents "
        "are not always accurate."
    )
    if mit is None or seven is None:
        why += (
            " The alkaloid not stated is estimated from the ratio in the generic "
            f"{form.value} product."
        )
    potency = Potency(
        basis=basis,
        mitragynine=mit_range,
        seven_oh=seven_range,
        source=source,
        why=why,
        sources=tuple(dict.fromkeys(("assumption", *generic.potency.sources))),
    )
    return Product(name=clean, form=form, potency=potency, unit_mass_g=unit_mass_g, scoop_g=scoop_g)


def _by_ratio(value: float | None, known: Range, other: Range) -> Range:
    """Estimate an unstated alkaloid from a stated one, by the generic product's ratio range."""
    assert value is not None
    if known.typical <= 0:
        return other
    scale = value / known.typical
    return Range(other.typical * scale, other.low * scale, other.high * scale)


def check_dose_amount(amount: Amount, form: Form | None = None) -> None:
    """Refuse amounts that cannot be one dose of kratom (typing errors such as 5 kg), by
    mitra's plausibility bound for ``form`` (any form when None; see amount_limits)."""
    kind = amount.kind()
    bound = amount_limits.kratom_bound(None if form is None else form.value, kind)
    if bound is None:
        raise InputError(
            f"a kratom dose is given in g, mg, ml, capsules, tablets or scoops, not "
            f"'{amount.display()}'",
            field="amount",
        )
    amount_limits.check_within(amount, bound, what="one dose")


def estimate_dose(product: Product, amount: Amount) -> DoseEstimate:
    """Estimated mitragynine and 7-OH in ``amount`` of ``product``, as ranges in mg."""
    check_dose_amount(amount, product.form)
    kind = amount.kind()
    basis = product.potency.basis
    mass_g: float | None = None
    # Capsules of unstated fill counted by weight: the mass is a range, not one figure.
    mass_range: Range | None = None
    fill = _fill_range(product)
    if kind == "mass":
        mass_g = to_magnitude(amount, "gram")
    elif kind == "count" and product.unit_mass_g:
        mass_g = to_magnitude(amount, "capsule") * product.unit_mass_g
    elif kind == "count" and fill is not None and basis is Basis.PER_G:
        mass_range = fill.scaled(to_magnitude(amount, "capsule"))
        mass_g = mass_range.typical
    elif kind == "scoop":
        if not product.scoop_g:
            raise InputError(
                f"'{product.name}' has no scoop size; set one with "
                "'mitra product add ... --scoop-g 2.5' or give grams",
                field="amount",
            )
        mass_g = to_magnitude(amount, "scoop") * product.scoop_g

    if basis is Basis.PER_G:
        if mass_g is None:
            what = "ml" if kind == "volume" else "units"
            raise InputError(
                f"'{product.name}' is measured by weight, so {what} cannot be converted; "
                "give grams (e.g. 3g)"
                + (" or set --unit-mass-g on the product" if kind == "count" else ""),
                field="amount",
            )
        factor, how = mass_g, f"{mass_g:g} g x {{}} mg/g"
        if mass_range is not None and fill is not None:
            count = to_magnitude(amount, "capsule")
            how = (
                f"{count:g} capsules of {fill.low:g}-{fill.high:g} g each (fill not stated) "
                f"= {mass_range.low:g}-{mass_range.high:g} g x {{}} mg/g"
            )
    elif basis is Basis.PER_ML:
        if kind != "volume":
            raise InputError(
                f"'{product.name}' is a liquid measured per ml; give ml (e.g. 15ml)", field="amount"
            )
        ml = to_magnitude(amount, "milliliter")
        factor, how = ml, f"{ml:g} ml x {{}} mg/ml"
    else:
        if kind == "count":
            units = to_magnitude(amount, "capsule")
        elif mass_g is not None and product.unit_mass_g:
            units = mass_g / product.unit_mass_g
        else:
            raise InputError(
                f"'{product.name}' is measured per unit; give units (e.g. "
                "2 caps) or set --unit-mass-g on the product",
                field="amount",
            )
        factor, how = units, f"{units:g} units x {{}} mg/unit"
    if mass_range is not None:
        mit = _times(product.potency.mitragynine, mass_range)
        seven = _times(product.potency.seven_oh, mass_range)
    else:
        mit = product.potency.mitragynine.scaled(factor)
        seven = product.potency.seven_oh.scaled(factor)
    source = {
        PotencySource.TYPICAL: "the typical potency of its form",
        PotencySource.LABEL: "its label",
        PotencySource.COA: "its lab certificate",
    }
    explanation = (
        how.format(f"{product.potency.mitragynine.typical:g}")
        + f" mitragynine, from {source[product.potency.source]}"
    )
    return DoseEstimate(mit, seven, mass_g, explanation)


def _times(potency: Range, mass_g: Range) -> Range:
    """Alkaloid (mg) from a potency range (mg/g) and a mass range (g), end by end."""
    return Range(
        potency.typical * mass_g.typical, potency.low * mass_g.low, potency.high * mass_g.high
    )


def with_id(product: Product, product_id: int) -> Product:
    return replace(product, id=product_id)
