"""Substances other than kratom: the catalogue of names, classes and MME factors.

People write "xanax", "oxy 30mg" or "3 drinks". The catalogue (``data/substances.toml``) maps
common generic, brand and street names to one substance and its class, so the safety engine
can reason about classes (opioid, benzodiazepine, alcohol, ...). An unknown name is still
recorded, as class ``other``, rather than refused: a person's record must not lose what they
took because mitra did not know the word.

MME (morphine milligram equivalents) uses the CDC 2022 factors only, only for the routes they
were made for, and only as a measure of dose: never to convert one opioid into another.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from enum import StrEnum

from mitra.domain import amount_limits, catalogue_data
from mitra.domain.errors import InputError
from mitra.domain.quantities import Amount, to_magnitude


class SubstanceClass(StrEnum):
    OPIOID = "opioid"
    BENZODIAZEPINE = "benzodiazepine"
    ALCOHOL = "alcohol"
    GABAPENTINOID = "gabapentinoid"
    STIMULANT = "stimulant"
    SEDATIVE = "sedative"
    MEDICATION = "medication"
    OTHER = "other"


class Route(StrEnum):
    ORAL = "oral"
    SUBLINGUAL = "sublingual"
    INTRANASAL = "intranasal"
    SMOKED = "smoked"
    INJECTED = "injected"
    TRANSDERMAL = "transdermal"
    RECTAL = "rectal"
    OTHER = "other"


ROUTE_ALIASES = {
    "snorted": "intranasal",
    "nasal": "intranasal",
    "iv": "injected",
    "shot": "injected",
    "patch": "transdermal",
    "swallowed": "oral",
    "vaped": "smoked",
    "smoke": "smoked",
    "sl": "sublingual",
    "po": "oral",
}


@dataclass(frozen=True, slots=True)
class Substance:
    id: str
    name: str
    substance_class: SubstanceClass
    names: tuple[str, ...] = ()
    mme_factor: float | None = None
    mme_routes: tuple[str, ...] = ()
    mme_unit: str = "mg"
    release: str | None = None
    cyp: tuple[str, ...] = ()
    default_unit: str | None = None
    note: str | None = None


# Most anyone logs of one substance at once; beyond this it is a typing error.
def _key(text: str) -> str:
    return " ".join(text.lower().split())


@functools.cache
def catalogue() -> tuple[Substance, ...]:
    rows = catalogue_data.load("substances")["substances"]
    return tuple(
        Substance(
            id=row["id"],
            name=row["name"],
            substance_class=SubstanceClass(row["class"]),
            names=tuple(row.get("names", ())),
            mme_factor=row.get("mme_factor"),
            mme_routes=tuple(row.get("mme_routes", ())),
            mme_unit=row.get("mme_unit", "mg"),
            release=row.get("release"),
            cyp=tuple(row.get("cyp", ())),
            default_unit=row.get("default_unit"),
            note=row.get("note"),
        )
        for row in rows
    )


@functools.cache
def _index() -> dict[str, Substance]:
    index: dict[str, Substance] = {}
    for substance in catalogue():
        for word in (substance.id, substance.name, *substance.names):
            index[_key(word)] = substance
    return index


def lookup(name: str) -> Substance | None:
    """The catalogue substance for a generic, brand or street name, or None when unknown."""
    return _index().get(_key(name))


def resolve(name: str) -> Substance:
    """A catalogue substance, or an ad-hoc one of class ``other`` for a name mitra lacks."""
    clean = " ".join(name.split())
    if not clean:
        raise InputError(
            "the substance name is empty; e.g. 'mitra log substance xanax 1mg'", field="name"
        )
    if len(clean) > 80:
        raise InputError("the substance name is longer than 80 characters", field="name")
    found = lookup(clean)
    if found is not None:
        return found
    return Substance(id=f"other:{_key(clean)}", name=clean, substance_class=SubstanceClass.OTHER)


def parse_route(text: str | None) -> Route | None:
    if text is None or not text.strip():
        return None
    word = text.strip().lower()
    word = ROUTE_ALIASES.get(word, word)
    try:
        return Route(word)
    except ValueError:
        accepted = ", ".join(r.value for r in Route)
        raise InputError(f"unknown route '{text}'; accepted: {accepted}", field="route") from None


def check_amount(substance: Substance, amount: Amount) -> None:
    kind = amount.kind()
    if substance.substance_class is SubstanceClass.ALCOHOL and kind != "drink":
        raise InputError(
            "log alcohol in standard drinks, e.g. '3 drinks' (one drink is 14 g "
            "of pure alcohol: a 355 ml beer, a 150 ml glass of wine, a 45 ml shot)",
            field="amount",
        )
    if kind == "drink" and substance.substance_class is not SubstanceClass.ALCOHOL:
        raise InputError(
            "drinks are a unit for alcohol only; give mg, ml or tablets", field="amount"
        )
    bound = amount_limits.substance_bound(kind)
    if bound is None:
        raise InputError(
            f"'{amount.display()}' is not an amount of a substance; give mg, g, "
            "mcg, ml, tablets, mcg/h (patches) or drinks",
            field="amount",
        )
    amount_limits.check_within(amount, bound, what="one use")


def entry_mme(substance: Substance, amount: Amount, route: Route | None) -> float | None:
    """MME of one use, or None where CDC gives no factor or the route/unit does not fit.

    A use with no route given counts as the route the factor was made for: people rarely say
    "oral" for a pill.
    """
    if substance.mme_factor is None:
        return None
    effective = route.value if route is not None else substance.mme_routes[0]
    if effective not in substance.mme_routes:
        return None
    kind = amount.kind()
    if substance.mme_unit == "mcg/h":
        if kind != "rate":
            return None
        dose = to_magnitude(amount, "microgram / hour")
    else:
        if kind != "mass":
            return None
        dose = to_magnitude(amount, "milligram")
    value = dose * substance.mme_factor
    return value if math.isfinite(value) else None
