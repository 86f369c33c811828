"""Rows <-> clinicians' notes in a journal (``clinic_tables.care_notes``).

Invariants: a note is never edited or deleted (a correction is a new note); every query
names the journal; lists are newest first, one page at a time, with their total counted in
SQL; what a person is shown leaves the care team's private notes out in the query itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from mitra.storage import clinic_tables as c


@dataclass(frozen=True, slots=True)
class CareNote:
    id: int
    author_email: str
    at: datetime
    text: str
    private: bool


def insert_note(
    conn: Connection, journal_id: int, author_id: int, *, at: datetime, text: str, private: bool
) -> int:
    return int(
        conn.execute(
            insert(c.care_notes)
            .values(journal_id=journal_id, author_id=author_id, at=at, text=text, private=private)
            .returning(c.care_notes.c.id)
        ).scalar_one()
    )


def page(
    conn: Connection, journal_id: int, *, with_private: bool, offset: int, limit: int
) -> tuple[list[CareNote], int, int]:
    """One page of the journal's notes (without the private ones unless ``with_private``),
    how many such notes there are, and how many private ones were left out."""
    n = c.care_notes.c
    mine = n.journal_id == journal_id
    shown = mine if with_private else mine & n.private.is_(False)
    rows = conn.execute(
        select(c.care_notes, c.accounts.c.email)
        .join(c.accounts, c.accounts.c.id == n.author_id)
        .where(shown)
        .order_by(n.at.desc(), n.id.desc())
        .offset(offset)
        .limit(limit)
    )
    notes = [
        CareNote(
            int(r.id),
            str(r.email),
            r.at,
            str(r.text),
            bool(r.private),
        )
        for r in rows
    ]
    total = int(
        conn.execute(select(func.count()).select_from(c.care_notes).where(shown)).scalar_one()
    )
    hidden = 0
    if not with_private:
        hidden = int(
            conn.execute(
                select(func.count()).select_from(c.care_notes).where(mine, n.private.is_(True))
            ).scalar_one()
        )
    return notes, total, hidden
