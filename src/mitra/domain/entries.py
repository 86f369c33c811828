"""Journal entries: what was taken (kratom doses, other substances) and how it felt.

Entries are immutable records. Derived figures (the dose estimate, MME) are computed when the
entry is made and stored with it, so a later change to a product's label does not rewrite
history. ``id`` is None until storage assigns one, and so is ``uuid``: the entry's stable id
(the same in every copy of the journal: exports, sync), given when it is first stored.

Invariants: ``at`` and ``recorded_at`` are timezone-aware; notes are at most
``MAX_NOTE_LENGTH`` characters with no control characters other than newline and tab.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from mitra.domain.errors import InputError
from mitra.domain.products import DoseEstimate, Form
from mitra.domain.substances import Route, SubstanceClass

MAX_NOTE_LENGTH = 2000


class Kind(StrEnum):
    DOSE = "dose"
    SUBSTANCE = "substance"
    SYMPTOM = "symptom"


@dataclass(frozen=True, slots=True)
class DoseEntry:
    at: datetime
    product_name: str
    form: Form
    amount: float
    unit: str
    estimate: DoseEstimate
    note: str | None = None
    product_id: int | None = None
    id: int | None = None
    recorded_at: datetime | None = None
    kind: Kind = Kind.DOSE
    uuid: str | None = None


@dataclass(frozen=True, slots=True)
class SubstanceEntry:
    at: datetime
    substance_id: str
    name: str
    substance_class: SubstanceClass
    amount: float
    unit: str
    route: Route | None = None
    mme: float | None = None
    note: str | None = None
    id: int | None = None
    recorded_at: datetime | None = None
    kind: Kind = Kind.SUBSTANCE
    uuid: str | None = None


@dataclass(frozen=True, slots=True)
class SymptomEntry:
    at: datetime
    symptom_id: str
    severity: int
    note: str | None = None
    id: int | None = None
    recorded_at: datetime | None = None
    kind: Kind = Kind.SYMPTOM
    # The person's own words when mitra read them as this symptom (free text), else None.
    said: str | None = None
    uuid: str | None = None


Entry = DoseEntry | SubstanceEntry | SymptomEntry


def check_note(note: str | None) -> str | None:
    """A note as stored: stripped, None when empty; refused when too long or not text."""
    if note is None:
        return None
    clean = note.strip()
    if not clean:
        return None
    if len(clean) > MAX_NOTE_LENGTH:
        raise InputError(
            f"the note is {len(clean)} characters; at most {MAX_NOTE_LENGTH} are kept", field="note"
        )
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in clean):
        raise InputError("the note contains control characters; use plain text", field="note")
    return clean


def daily_mme(entries: list[SubstanceEntry]) -> float | None:
    """Sum of MME over the given uses (one day's), None when none of them has an MME."""
    values = [e.mme for e in entries if e.mme is not None]
    return sum(values) if values else None
