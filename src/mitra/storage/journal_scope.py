"""Journals as tenants: which journal a connection works on, and creating a journal.

Every personal row (an entry, a dose, a check-in, an alert, a plan, the profile, a product, an
idempotency key...) carries the ``journal_id`` of the journal it belongs to. A connection is
SCOPED to one journal by ``Database.transaction``, ``read`` and ``batches`` (an execution
option on that connection only, gone when it is closed, never left on a pooled connection);
every store asks ``journal_of(conn)`` in its constructor and puts that id in every statement
it sends. A connection nobody scoped has no journal: a store on it raises ``UnscopedAccess``
instead of reading or writing rows of every journal.

Invariants: there is no default scope (an unscoped connection is refused, never treated as
journal 1); journal 1 is the local single-user journal (migration 0011 creates it).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from mitra.domain.errors import MitraError
from mitra.storage import schema as t

# The execution option a scoped connection carries (see the module docstring).
SCOPE_OPTION = "mitra_journal_id"
# The local app's one journal.
LOCAL_JOURNAL = 1


class UnscopedAccess(MitraError):
    """Journal rows were asked for on a connection that belongs to no journal: a programming
    error (every path to the tables goes through a scoped ``Database`` transaction)."""


def scope(conn: Connection, journal_id: int) -> Connection:
    """Scope ``conn`` to ``journal_id`` (for as long as this Connection object lives)."""
    return conn.execution_options(**{SCOPE_OPTION: journal_id})


def journal_of(conn: Connection) -> int:
    """The journal ``conn`` is scoped to; ``UnscopedAccess`` when it is scoped to none."""
    found = conn.get_execution_options().get(SCOPE_OPTION)
    if not isinstance(found, int) or isinstance(found, bool):
        raise UnscopedAccess(
            "this database connection belongs to no journal; open it with "
            "Database.transaction(), read() or batches() (or Database.for_journal(id))"
        )
    return found


def local_journal_row() -> dict[str, Any]:
    """The local journal's row as a new file gets it (migration 0011, or ``create_at_head``
    for a brand-new database): a fresh uuid and the moment the file was made. That moment is
    a fact of the file's making, not app logic, and no AppContext (with its clock) exists
    while a database is being opened."""
    return {"uuid": str(uuid.uuid4()), "created_at": datetime.now(UTC)}  # wall clock ok


def create_journal(conn: Connection, *, created_at: datetime) -> int:
    """Add a new, empty journal and return its id (a fresh uuid4 names it everywhere)."""
    return int(
        conn.execute(
            insert(t.journals)
            .values(uuid=str(uuid.uuid4()), created_at=created_at)
            .returning(t.journals.c.id)
        ).scalar_one()
    )


def journal_count(conn: Connection) -> int:
    """How many journals the database holds (1 for the local app)."""
    return int(conn.execute(select(func.count()).select_from(t.journals)).scalar_one())
