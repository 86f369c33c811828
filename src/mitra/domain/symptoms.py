"""The catalogue of symptoms and side effects, with stable ids and the words people use.

Severity is 0 (none) to 3 (severe). Red-flag symptoms carry the level (``urgent`` or
``emergency``) and the lowest severity at which they are red flags; the safety engine turns
them into alerts at once.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from mitra.domain import catalogue_data
from mitra.domain.errors import InputError

SEVERITY_LABELS = ("none", "mild", "moderate", "severe")


@dataclass(frozen=True, slots=True)
class Symptom:
    id: str
    name: str
    kind: str
    names: tuple[str, ...] = ()
    red_flag_at: int | None = None
    red_flag_level: str | None = None
    in_source_article: bool = False
    note: str | None = None


@functools.cache
def catalogue() -> tuple[Symptom, ...]:
    rows = catalogue_data.load("symptoms")["symptoms"]
    return tuple(
        Symptom(
            id=row["id"],
            name=row["name"],
            kind=row["kind"],
            names=tuple(row.get("names", ())),
            red_flag_at=row.get("red_flag_at"),
            red_flag_level=row.get(
                "red_flag_level", "emergency" if row.get("red_flag_at") else None
            ),
            in_source_article=row.get("in_source_article", False),
            note=row.get("note"),
        )
        for row in rows
    )


@functools.cache
def _index() -> dict[str, Symptom]:
    index: dict[str, Symptom] = {}
    for symptom in catalogue():
        for word in (symptom.id, symptom.name, *symptom.names):
            index[" ".join(word.lower().replace("_", "-").split())] = symptom
    return index


def resolve(name: str) -> Symptom:
    """The catalogue symptom for an id, name or synonym; anything else is refused."""
    clean = " ".join(name.lower().replace("_", "-").split())
    if not clean:
        raise InputError("the symptom is empty", field="name")
    found = _index().get(clean) or _index().get(clean.replace(" ", "-"))
    if found is not None:
        return found
    # Only ids and catalogue words reach here (stored entries, imports): what a person types
    # goes through symptom_reports, which never refuses it. No terminal commands: the web
    # shows this message too.
    raise InputError(f"unknown symptom '{name}'", field="name")


def check_severity(severity: float) -> int:
    if (
        isinstance(severity, bool)
        or not isinstance(severity, int | float)
        or (isinstance(severity, float) and (math.isnan(severity) or not severity.is_integer()))
    ):
        raise InputError(
            "severity must be a whole number 0-3 (0 none, 1 mild, 2 moderate, 3 severe)",
            field="severity",
        )
    value = int(severity)
    if not 0 <= value <= 3:
        raise InputError(
            f"severity {value} is out of range; accepted: 0 none, 1 mild, 2 moderate, 3 severe",
            field="severity",
        )
    return value


def is_red_flag(symptom: Symptom, severity: int) -> bool:
    return symptom.red_flag_at is not None and severity >= symptom.red_flag_at
