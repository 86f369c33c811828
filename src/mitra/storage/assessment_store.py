"""Rows <-> check-in records: ``assessments`` and their ``assessment_items``.

Every method works inside the caller's transaction (a ``Connection`` from
``Database.transaction``); nothing here commits. An assessment and all its item rows are
written by one call, so within the caller's transaction they exist together or not at all.

What is stored: the instrument id and version, total, band label, rater, times, note and each
item's score with its position. What is not: the plain-words texts (band meaning,
interpretation, citation); they are read back from the instrument's reviewed data file, so
they are the current wording for that total. Deleted assessments stay with ``deleted_at`` set
and are hidden unless asked for.

Scope: the store works on the journal its connection is scoped to (``journal_of``); every
statement names that ``journal_id`` (the first column of the assessments indexes) and every
row written (the assessment and each item) carries it.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    and_,
    bindparam,
    func,
    insert,
    select,
    union_all,
    update,
)

from mitra.domain.checkins import StoredAssessment
from mitra.domain.instruments import Assessment, Rater, get_instrument, interpretation_for
from mitra.storage import schema as t
from mitra.storage import write_audit
from mitra.storage.journal_scope import journal_of


class AssessmentStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.journal_id = journal_of(conn)
        # "This journal's check-ins": part of every statement below.
        self.mine = t.assessments.c.journal_id == self.journal_id

    def add(
        self, assessment: Assessment, *, recorded_at: datetime, note: str | None = None
    ) -> StoredAssessment:
        assessment_id = self.conn.execute(
            insert(t.assessments)
            .values(
                journal_id=self.journal_id,
                instrument_id=assessment.instrument_id,
                instrument_version=assessment.instrument_version,
                total=assessment.total,
                band=assessment.band,
                rater=assessment.rater,
                at=assessment.at,
                recorded_at=recorded_at,
                note=note,
                pulse_bpm=assessment.pulse_bpm,
            )
            .returning(t.assessments.c.id)
        ).scalar_one()
        write_audit.created("checkin", assessment_id)
        self.conn.execute(
            insert(t.assessment_items),
            [
                {
                    "assessment_id": assessment_id,
                    "journal_id": self.journal_id,
                    "item_id": item_id,
                    "position": n,
                    "score": s,
                }
                for n, (item_id, s) in enumerate(assessment.items, start=1)
            ],
        )
        return StoredAssessment(
            id=assessment_id, assessment=assessment, recorded_at=recorded_at, note=note
        )

    def get(self, assessment_id: int) -> StoredAssessment | None:
        """The assessment with this id, deleted or not; None if there is no such id."""
        found = self._read(t.assessments.c.id == assessment_id)
        return found[0] if found else None

    def list_assessments(
        self,
        *,
        instrument_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        include_deleted: bool = False,
    ) -> list[StoredAssessment]:
        """Assessments in time order (then id order), optionally one instrument's, from
        ``since`` up to ``until`` (both included)."""
        query = _assessments_between(
            instrument_id is not None, since is not None, until is not None, include_deleted
        )
        values = {
            "journal": self.journal_id,
            "instrument": instrument_id,
            "since": since,
            "until": until,
        }
        return self._with_items(self.conn.execute(query, values).all())

    def latest_before(self, instrument_id: str, before: datetime) -> StoredAssessment | None:
        """The last assessment of an instrument strictly before ``before`` (not deleted)."""
        found = self.conn.execute(
            select(t.assessments.c.id)
            .where(
                self.mine,
                t.assessments.c.instrument_id == instrument_id,
                t.assessments.c.at < before,
                t.assessments.c.deleted_at.is_(None),
            )
            .order_by(t.assessments.c.at.desc(), t.assessments.c.id.desc())
            .limit(1)
        ).scalar()
        return None if found is None else self.get(found)

    def baseline_and_previous(
        self, instrument_id: str, at: datetime, *, inclusive: bool, excluding: int | None = None
    ) -> list[StoredAssessment]:
        """The instrument's first score (its baseline) and its last score before ``at`` (at or
        before it when ``inclusive``; never ``excluding``), not deleted, in time order: what a
        score at ``at``, or a window starting there, is compared with. Two rows by index,
        however many years of scores came before."""
        c = t.assessments.c
        mine = and_(self.mine, c.instrument_id == instrument_id, c.deleted_at.is_(None))
        if excluding is not None:
            mine = and_(mine, c.id != excluding)
        first = select(c.id).where(mine).order_by(c.at, c.id).limit(1)
        earlier = c.at <= at if inclusive else c.at < at
        previous = select(c.id).where(mine, earlier).order_by(c.at.desc(), c.id.desc()).limit(1)
        wanted = {*self.conn.execute(first).scalars(), *self.conn.execute(previous).scalars()}
        return self._read(c.id.in_(sorted(wanted))) if wanted else []

    def latest_with_baseline(self, instrument_ids: Sequence[str]) -> list[StoredAssessment]:
        """For each instrument, its first score (the baseline) and its last two (the latest
        and the one before it), not deleted, in time order: exactly what the latest score's
        changes need, read by id instead of reading every score."""
        c = t.assessments.c
        probes = []
        for instrument_id in instrument_ids:
            mine = and_(self.mine, c.instrument_id == instrument_id, c.deleted_at.is_(None))
            first = select(c.id).where(mine).order_by(c.at, c.id).limit(1)
            last_two = select(c.id).where(mine).order_by(c.at.desc(), c.id.desc()).limit(2)
            # Each probe as a subquery: SQLite takes no LIMIT on a compound's own members.
            probes += [select(q.c.id) for q in (first.subquery(), last_two.subquery())]
        if not probes:
            return []
        # One round trip for every instrument, each probe still one index walk.
        wanted = set(self.conn.execute(union_all(*probes)).scalars())
        return self._read(c.id.in_(sorted(wanted))) if wanted else []

    def set_deleted(self, assessment_id: int, deleted_at: datetime | None) -> None:
        self.conn.execute(
            update(t.assessments)
            .where(self.mine, t.assessments.c.id == assessment_id)
            .values(deleted_at=deleted_at)
        )

    def count(self) -> int:
        return int(
            self.conn.execute(
                select(func.count()).select_from(t.assessments).where(self.mine)
            ).scalar_one()
        )

    def _read(self, condition: Any) -> list[StoredAssessment]:
        rows = self.conn.execute(
            select(t.assessments)
            .where(self.mine, condition)
            .order_by(t.assessments.c.at, t.assessments.c.id)
        ).all()
        return self._with_items(rows)

    def _with_items(self, rows: Sequence[Row[Any]]) -> list[StoredAssessment]:
        """The assessments of these rows of ``assessments``, each with its items."""
        if not rows:
            return []
        items: dict[int, list[tuple[str, int]]] = defaultdict(list)
        # One query for every item of the selected assessments, already in item order.
        item_rows = self.conn.execute(
            select(t.assessment_items)
            .where(
                t.assessment_items.c.journal_id == self.journal_id,
                t.assessment_items.c.assessment_id.in_([r.id for r in rows]),
            )
            .order_by(t.assessment_items.c.assessment_id, t.assessment_items.c.position)
        )
        for item in item_rows:
            items[item.assessment_id].append((item.item_id, item.score))
        return [_record_of(row, tuple(items[row.id])) for row in rows]

    # -- reports (added by the reports branch; kept apart from the queries above) -----------

    def first_of(self, instrument_id: str) -> StoredAssessment | None:
        """The first assessment of an instrument ever (not deleted): the baseline a report's
        score changes compare with, read as one row however long the journal."""
        c = t.assessments.c
        found = self.conn.execute(
            select(c.id)
            .where(self.mine, c.instrument_id == instrument_id, c.deleted_at.is_(None))
            .order_by(c.at, c.id)
            .limit(1)
        ).scalar()
        return None if found is None else self.get(found)


@functools.cache
def _assessments_between(instrument: bool, since: bool, until: bool, include_deleted: bool) -> Any:
    """One journal's assessments in time then id order, within the bounds asked for: built
    once per process (every write of a check-in, and every dose, reads some)."""
    c = t.assessments.c
    query = select(t.assessments).where(c.journal_id == bindparam("journal"))
    if instrument:
        query = query.where(c.instrument_id == bindparam("instrument"))
    if since:
        query = query.where(c.at >= bindparam("since"))
    if until:
        query = query.where(c.at <= bindparam("until"))
    if not include_deleted:
        query = query.where(c.deleted_at.is_(None))
    return query.order_by(c.at, c.id)


def _record_of(row: Row[Any], items: tuple[tuple[str, int], ...]) -> StoredAssessment:
    m = row._mapping
    instrument = get_instrument(m["instrument_id"])
    total: int = m["total"]
    band_label: str | None = m["band"]
    band = next((b for b in instrument.bands if b.label == band_label), None)
    rater: Rater = "clinician" if m["rater"] == "clinician" else "self"
    assessment = Assessment(
        instrument_id=instrument.id,
        instrument_version=m["instrument_version"],
        total=total,
        band=band_label,
        band_meaning=band.meaning if band else None,
        items=items,
        rater=rater,
        at=m["at"],
        interpretation=interpretation_for(instrument, total),
        source=instrument.citation,
        positive_screen=None if instrument.positive_at is None else total >= instrument.positive_at,
        pulse_bpm=m["pulse_bpm"],
    )
    return StoredAssessment(
        id=m["id"],
        assessment=assessment,
        recorded_at=m["recorded_at"],
        note=m["note"],
        deleted_at=m["deleted_at"],
    )
