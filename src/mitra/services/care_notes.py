"""Clinicians' notes in a person's journal: written by a clinician the journal is shared with
to plan, read by the care team, and shown to the person unless marked private to the team.

The rule the person is told (``PERSON_RULE``): every note their care team writes is shown to
them, except one a clinician marks private to the care team; they are told how many such
notes there are, and every note written is in their "Who looked". Writing is checked and
audited in the same transaction as the note (``access_for`` with the ``plan`` action, object
``note``); a clinician's read of the notes is audited as any read of the journal. Times are
passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from mitra.domain.errors import InputError
from mitra.services import clinic_sharing
from mitra.services.clinic_accounts import Caller
from mitra.storage import care_note_store
from mitra.storage.care_note_store import CareNote
from mitra.storage.database import Database

__all__ = [
    "MAX_NOTE",
    "PERSON_RULE",
    "CareNote",
    "NotesPage",
    "for_person",
    "for_team",
    "write",
]

MAX_NOTE = 2000
PERSON_RULE = (
    "Your care team's notes are shown here, except a note a clinician marks private to the "
    "care team. You are told how many of those there are, and each note written is in Who "
    "looked."
)


@dataclass(frozen=True, slots=True)
class NotesPage:
    notes: list[CareNote]
    total: int
    private_hidden: int  # private notes left out (only when the person is reading)


def check_text(text: str) -> str:
    clean = text.strip()
    if not clean:
        raise InputError(
            "the note is empty: write what the person or the team should know", field="text"
        )
    if len(clean) > MAX_NOTE:
        raise InputError(
            f"the note is {len(clean)} characters; at most {MAX_NOTE} are kept", field="text"
        )
    return clean


def write(
    database: Database,
    caller: Caller,
    journal_id: int,
    *,
    text: str,
    private: bool,
    at: datetime,
    source: str | None,
) -> int:
    """Store a clinician's note; ``NotAllowed`` for a journal not shared with them to plan
    (audited as refused), ``InputError`` for an empty or too long note (nothing stored)."""

    def store(conn: Connection) -> int:
        clean = check_text(text)  # raised here, the transaction stores nothing
        return care_note_store.insert_note(
            conn, journal_id, caller.account_id, at=at, text=clean, private=private
        )

    return clinic_sharing.act_for(
        database, caller, journal_id, store, at=at, source=source, object_type="note"
    )


def for_team(database: Database, journal_id: int, *, offset: int, limit: int) -> NotesPage:
    """Every note of the journal, private ones included (the caller was let in already)."""
    with database.on_replica().read() as conn:
        notes, total, _ = care_note_store.page(
            conn, journal_id, with_private=True, offset=offset, limit=limit
        )
    return NotesPage(notes, total, 0)


def for_person(database: Database, journal_id: int, *, offset: int, limit: int) -> NotesPage:
    """The notes the person sees: all but the care team's private ones, and their count."""
    with database.read() as conn:
        notes, total, hidden = care_note_store.page(
            conn, journal_id, with_private=False, offset=offset, limit=limit
        )
    return NotesPage(notes, total, hidden)
