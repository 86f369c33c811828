"""Stored check-ins and how their scores move: change from the previous score and from the
person's baseline, and whether a change is big enough to treat as meaningful.

Invariants:

* trends are computed per instrument only (a SOWS total is never compared with a SOWS-Gossop
  or COWS total), over scores in time order (ties broken by id, i.e. by recording order);
* the baseline is the person's first score of that instrument; it has no change from previous;
* a change is ``meaningful`` when its size reaches the instrument's ``meaningful_change`` from
  the reviewed data file; whether that number is published or a judgement travels with it;
* higher totals mean more symptoms on every instrument mitra holds, so a negative change is an
  easing; nothing here calls a change good or bad.

Pure: no database, framework or clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from mitra.domain.instrument_defs import Assessment, ChangeBasis, Instrument
from mitra.domain.scoring import get_instrument


@dataclass(frozen=True, slots=True)
class StoredAssessment:
    """A scored check-in as kept in the journal: the assessment plus its id, when it was
    recorded, the person's note and, if it was deleted, when."""

    id: int
    assessment: Assessment
    recorded_at: datetime
    note: str | None = None
    deleted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One score with its movement. Changes are ``None`` where there is nothing to compare
    with (the baseline itself)."""

    record: StoredAssessment
    change_from_previous: int | None
    change_from_baseline: int | None
    meaningful: bool
    meaningful_from_baseline: bool
    threshold: int
    threshold_basis: ChangeBasis

    @property
    def assessment(self) -> Assessment:
        return self.record.assessment

    @property
    def is_baseline(self) -> bool:
        return self.change_from_baseline is None


def is_meaningful(instrument: Instrument, change: int | None) -> bool:
    """Whether a change in total reaches the instrument's meaningful change."""
    return change is not None and abs(change) >= instrument.meaningful_change


def score_rows(records: Iterable[StoredAssessment]) -> list[ScoreRow]:
    """Rows for ``records`` in time order, each compared with the same instrument's previous
    score and first score among ``records`` (give every score of an instrument, not a window,
    or the baseline will be wrong)."""
    ordered = sorted(records, key=lambda r: (r.assessment.at, r.id))
    first: dict[str, int] = {}
    previous: dict[str, int] = {}
    rows: list[ScoreRow] = []
    for record in ordered:
        assessment = record.assessment
        instrument = get_instrument(assessment.instrument_id)
        key = instrument.id
        from_previous = assessment.total - previous[key] if key in previous else None
        from_baseline = assessment.total - first[key] if key in first else None
        rows.append(
            ScoreRow(
                record=record,
                change_from_previous=from_previous,
                change_from_baseline=from_baseline,
                meaningful=is_meaningful(instrument, from_previous),
                meaningful_from_baseline=is_meaningful(instrument, from_baseline),
                threshold=instrument.meaningful_change,
                threshold_basis=instrument.meaningful_change_basis,
            )
        )
        first.setdefault(key, assessment.total)
        previous[key] = assessment.total
    return rows
