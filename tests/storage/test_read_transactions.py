"""A read is a read-only transaction on both backends: a write inside it is refused by the
database itself, and nothing of it is kept (``Database.read``)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Connection, func, insert, select

from mitra.storage import schema as t
from mitra.storage.database import Database, DatabaseError
from tests.support.clock import FIXED_NOW


def _entries(database: Database) -> int:
    with database.read() as conn:
        return int(conn.execute(select(func.count()).select_from(t.entries)).scalar_one())


def _insert_entry(conn: Connection, journal_id: int) -> None:
    conn.execute(
        insert(t.entries).values(
            journal_id=journal_id,
            uuid=str(uuid.uuid4()),
            kind="symptom",
            at=FIXED_NOW,
            recorded_at=FIXED_NOW,
        )
    )


def test_a_write_inside_a_read_is_refused_and_nothing_is_kept(database: Database) -> None:
    before = _entries(database)
    with pytest.raises(DatabaseError), database.read() as conn:
        _insert_entry(conn, database.journal_id)
    assert _entries(database) == before


def test_a_connection_used_for_a_read_writes_again_afterwards(database: Database) -> None:
    # The read-only setting ends with the read: the pool's next transaction may write.
    for _ in range(3):
        _entries(database)
    with database.transaction() as conn:
        _insert_entry(conn, database.journal_id)
    assert _entries(database) >= 1
