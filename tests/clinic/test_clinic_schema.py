"""Migration 0012 adds the clinic tables on both backends and takes them away again, and
``schema.metadata`` knows them whichever storage module is imported first."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import inspect

from mitra.storage.clinic_tables import CLINIC_TABLES
from mitra.storage.database import HEAD_REVISION, Database, current_revision, migrate
from tests.support.migrations import downgrade

NAMES = {table.name for table in CLINIC_TABLES}


def test_the_clinic_tables_come_and_go_with_migration_0012(database: Database) -> None:
    assert current_revision(database) == HEAD_REVISION
    assert set(inspect(database.engine).get_table_names()) >= NAMES
    downgrade(database, "0011")
    assert not NAMES & set(inspect(database.engine).get_table_names())
    migrate(database)
    assert set(inspect(database.engine).get_table_names()) >= NAMES


def test_the_metadata_holds_the_clinic_tables_after_importing_the_schema_alone() -> None:
    code = (
        "import mitra.storage.schema as t, sys; "
        f"print(sorted(set({sorted(NAMES)!r}) - set(t.metadata.tables)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
