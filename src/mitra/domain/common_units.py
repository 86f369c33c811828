"""The units people log most, known without pint: how each is spelled, its kind, its scale.

Loading pint (and the numpy it pulls in) costs more than the rest of a ``mitra log dose``, so
``quantities`` answers the common units from this table and asks pint only about the rest.
pint stays the authority: every spelling here is one pint reads as the same unit, every kind,
display text and conversion the same as pint's (a property test holds the two paths equal),
and anything not here, however ordinary it looks ("g.", "kilos", "cc"), goes to pint exactly
as before.

Display reaches further than reading: ``display`` also shows every other unit pint can hand
mitra to store (``data/units.txt``: a prefixed unit such as "decigram" or "microliter", a
cubed length such as "centimeter ** 3", a mass per time such as "milligram / minute"), spelled
as pint spells it, so the reports (a FHIR bundle or PDF over years of entries) never load pint
to show an amount. A unit name outside that grammar is left to pint.

Invariants: pure (no pint, no I/O); the prefixes and units of the display grammar are those
of ``data/units.txt``, with pint's symbols for them; spellings are lower case, as the amount
parser lowers the text before reading the unit; a conversion is only between units of one
kind, by a power of ten, which is exactly the factor pint computes for these units (``cc`` is
left out because pint's factor for it is not an exact power of ten).
"""

from __future__ import annotations

from dataclasses import dataclass

# Kinds whose amounts read as a symbol ("3 g", "15 ml", "25 mcg/h"); the others as words.
_KINDS_SHOWN_AS_SYMBOLS = frozenset({"mass", "volume", "rate"})


@dataclass(frozen=True, slots=True)
class CommonUnit:
    """One unit as pint names it (``name``), its kind and how an amount of it reads."""

    name: str  # pint's name, as stored with every entry: 'gram', 'microgram / hour'
    kind: str  # one of quantities' kinds: 'mass', 'volume', 'count', 'scoop', 'drink', 'rate'
    decade: int  # the unit is 10 ** decade of its kind's reference unit (gram, liter, ...)
    word: str  # the display: a symbol for mass, volume and rate, else the singular noun

    def display(self, value: float) -> str:
        if self.kind in _KINDS_SHOWN_AS_SYMBOLS:
            return f"{value:g} {self.word}"
        return f"{value:g} {self.word}{'' if value == 1 else 's'}"


_UNITS = (
    CommonUnit("gram", "mass", 0, "g"),
    CommonUnit("milligram", "mass", -3, "mg"),
    CommonUnit("microgram", "mass", -6, "mcg"),
    CommonUnit("kilogram", "mass", 3, "kg"),
    CommonUnit("liter", "volume", 0, "l"),
    CommonUnit("deciliter", "volume", -1, "dl"),
    CommonUnit("centiliter", "volume", -2, "cl"),
    CommonUnit("milliliter", "volume", -3, "ml"),
    # pint defines a tablet as a capsule: one count, converted one to one.
    CommonUnit("capsule", "count", 0, "capsule"),
    CommonUnit("tablet", "count", 0, "tablet"),
    CommonUnit("scoop", "scoop", 0, "scoop"),
    CommonUnit("standard_drink", "drink", 0, "standard drink"),
    CommonUnit("microgram / hour", "rate", 0, "mcg/h"),
)
BY_NAME = {unit.name: unit for unit in _UNITS}

# What people type for each unit (already lower-cased), as pint reads it.
_SPELLINGS = {
    "gram": ("g", "gm", "gram", "grams", "gramme", "grammes"),
    "milligram": ("mg", "milligram", "milligrams", "milligramme", "milligrammes"),
    "microgram": ("mcg", "µg", "ug", "microgram", "micrograms"),
    "kilogram": ("kg", "kilogram", "kilograms"),
    "liter": ("l", "liter", "liters", "litre", "litres"),
    "deciliter": ("dl", "deciliter", "deciliters", "decilitre", "decilitres"),
    "centiliter": ("cl", "centiliter", "centiliters", "centilitre", "centilitres"),
    "milliliter": ("ml", "milliliter", "milliliters", "millilitre", "millilitres"),
    "capsule": ("cap", "caps", "capsule", "capsules"),
    "tablet": ("tab", "tabs", "tablet", "tablets", "pill", "pills"),
    "scoop": ("scoop", "scoops"),
    "standard_drink": ("drink", "drinks", "standard_drink", "standard_drinks"),
    "microgram / hour": ("mcg/h", "mcg/hr", "µg/h", "ug/h", "mcg / hour", "micrograms/hour"),
}
SPELLINGS = {text: BY_NAME[name] for name, texts in _SPELLINGS.items() for text in texts}


def read(unit_text: str) -> CommonUnit | None:
    """The common unit ``unit_text`` names (lower case, trimmed), or None: ask pint."""
    return SPELLINGS.get(unit_text)


def convert(value: float, source: str, target: str) -> float | None:
    """``value`` of ``source`` in ``target`` (pint names), or None when either is not a
    common unit or they are not of one kind (pint then converts, or refuses)."""
    src, dst = BY_NAME.get(source), BY_NAME.get(target)
    if src is None or dst is None or src.kind != dst.kind:
        return None
    if src is dst:
        return value  # as pint: the same unit is no conversion at all
    return value * 10.0 ** (src.decade - dst.decade)


# -- display of every unit mitra can store -------------------------------------------------------
# The names pint gives units built from ``data/units.txt``: a prefix (or none) and a unit, and
# pint's symbol for each. A count, scoop or drink shows its name, so those need no symbol.
_PREFIXES = {"": "", "micro": "µ", "milli": "m", "centi": "c", "deci": "d", "kilo": "k"}
_BASES = {  # unit name: (dimension, pint's symbol)
    "gram": ("mass", "g"),
    "liter": ("volume", "l"),
    "cc": ("volume", "cc"),  # defined without a symbol: pint shows its name
    "meter": ("length", "m"),
    "second": ("time", "s"),
    "minute": ("time", "min"),
    "hour": ("time", "h"),
    "capsule": ("count", "cap"),
    "tablet": ("count", "tab"),
    "scoop": ("scoop", "scoop"),
    "standard_drink": ("drink", "drink"),
}


def _prefixed(name: str) -> tuple[str, str] | None:
    """(dimension, pint's symbol) of one unit name with an optional prefix: 'decigram'."""
    for prefix, symbol in _PREFIXES.items():
        if name.startswith(prefix) and name[len(prefix) :] in _BASES:
            dimension, base_symbol = _BASES[name[len(prefix) :]]
            return dimension, symbol + base_symbol
    return None


def _look(name: str) -> tuple[str, str] | None:
    """(kind, pint's short form) of a unit name pint makes from ``data/units.txt``, or None
    when the name is outside the grammar (one unit; a length cubed; a mass per time)."""
    if name.endswith(" ** 3"):
        found = _prefixed(name.removesuffix(" ** 3"))
        return ("volume", found[1] + "³") if found and found[0] == "length" else None
    above, slash, below = name.partition(" / ")
    if slash:
        top, bottom = _prefixed(above), _prefixed(below)
        if top and bottom and top[0] == "mass" and bottom[0] == "time":
            return "rate", f"{top[1]}/{bottom[1]}"
        return None
    return _prefixed(name)


def display(value: float, name: str) -> str | None:
    """``value`` of the unit pint names ``name`` as pint's path shows it ("3 dg", "2 cm³",
    "5 mcg/min", "2 kilocapsules"), or None for a name outside the grammar (ask pint)."""
    common = BY_NAME.get(name)
    if common is not None:
        return common.display(value)
    look = _look(name)
    if look is None or look[0] in {"length", "time"}:
        return None  # not an amount mitra stores: pint answers (and refuses) as before
    kind, short = look
    if kind in _KINDS_SHOWN_AS_SYMBOLS:
        return f"{value:g} {short}".replace("µg", "mcg")
    return f"{value:g} {name.replace('_', ' ')}{'' if value == 1 else 's'}"
