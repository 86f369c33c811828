"""Take a test database back to an earlier schema revision (Alembic downgrade), so a
migration's upgrade can be tested from the revision before it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Boolean, Integer, String, column, insert, table

import mitra.storage.database as db_module
from mitra.storage.database import Database, migration_connection
from mitra.storage.schema import UTCDateTime


def downgrade(database: Database, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(db_module.__file__).parent / "migrations"))
    with migration_connection(database) as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def add_symptom_as_before(database: Database, *, at: datetime, note: str | None = None) -> int:
    """Log a moderate nausea the way a journal before revision 0011 held it (plain rows, no
    journal, no uuid; the stores of this mitra write today's schema): its entry id."""
    entries = table(
        "entries",
        column("id", Integer),
        column("kind", String),
        column("at", UTCDateTime),
        column("recorded_at", UTCDateTime),
        column("note", String),
    )
    symptoms = table(
        "symptom_reports",
        column("entry_id", Integer),
        column("symptom_id", String),
        column("severity", Integer),
    )
    actions = table(
        "actions",
        column("at", UTCDateTime),
        column("action", String),
        column("entry_id", Integer),
        column("undone", Boolean),
    )
    with database.engine.begin() as conn:
        entry_id = int(
            conn.execute(
                insert(entries)
                .values(kind="symptom", at=at, recorded_at=at, note=note)
                .returning(entries.c.id)
            ).scalar_one()
        )
        conn.execute(insert(symptoms).values(entry_id=entry_id, symptom_id="nausea", severity=2))
        conn.execute(insert(actions).values(at=at, action="log", entry_id=entry_id, undone=False))
    return entry_id
