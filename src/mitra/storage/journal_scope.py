"""STAND-IN for the tenant work: creating a journal (the real module also scopes connections).

Invariants: a journal is named everywhere by a fresh uuid4; its id is the database's.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Connection, insert

from mitra.storage import schema as t


def create_journal(conn: Connection, *, created_at: datetime) -> int:
    """Add a new, empty journal and return its id."""
    return int(
        conn.execute(
            insert(t.journals)
            .values(uuid=str(uuid.uuid4()), created_at=created_at)
            .returning(t.journals.c.id)
        ).scalar_one()
    )
