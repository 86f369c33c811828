"""Migration 0011 (journals as tenants): a journal at 0010 keeps every row, each one now in
journal 1, every entry with its own uuid, and the app reads it as before; the step can be
reversed (while the database holds one journal) and applied again."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, select

from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.plans import PlanService
from mitra.services.transfer import TransferService
from mitra.storage import idempotency
from mitra.storage.database import (
    HEAD_REVISION,
    Database,
    current_revision,
    inspect_sqlite_file,
    open_database,
)
from mitra.storage.journal_scope import create_journal
from tests.support.clock import FIXED_NOW
from tests.support.journal import build_journal
from tests.support.migrations import downgrade

ADDED = {"journal_id", "uuid"}  # the columns 0011 adds (uuid: to entries)


def _rows(database: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table as it is in the database (whatever its revision), sorted."""
    found = MetaData()
    with database.engine.connect() as conn:
        found.reflect(bind=conn)
        return {
            name: sorted((dict(r._mapping) for r in conn.execute(select(table))), key=repr)
            for name, table in found.tables.items()
            if name != "alembic_version"
        }


def _without_uuid(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(({k: v for k, v in r.items() if k != "uuid"} for r in rows), key=repr)


def _filled(ctx: AppContext) -> None:
    build_journal(ctx)
    PlanService(ctx).new_taper(speed="slow")
    token = idempotency.PENDING.set(idempotency.Pending("key-1", "f" * 64, ctx.now()))
    try:
        JournalService(ctx).log_dose("2g", at=ctx.now() - timedelta(hours=1))
    finally:
        idempotency.PENDING.reset(token)


@pytest.fixture
def at_0010(database: Database) -> tuple[Database, dict[str, list[dict[str, Any]]]]:
    """A journal with every kind of record, taken back to revision 0010, and its rows."""
    _filled(AppContext(database, clock=lambda: FIXED_NOW))
    downgrade(database, "0010")
    assert current_revision(database) == "0010"
    return database, _rows(database)


def test_a_0010_journal_keeps_every_row_in_journal_1_when_upgraded(
    at_0010: tuple[Database, dict[str, list[dict[str, Any]]]],
) -> None:
    old, before = at_0010
    assert "journals" not in before and all(before[name] for name in before)
    if old.is_sqlite:  # a real file, as a person's journal at 0010 is
        assert inspect_sqlite_file(Path(old.url.removeprefix("sqlite:///"))) == "0010"
    upgraded = open_database(old.url)
    try:
        assert current_revision(upgraded) == HEAD_REVISION
        after = _rows(upgraded)
        assert [row["id"] for row in after["journals"]] == [1]
        for name, rows in before.items():
            kept = sorted(
                ({k: v for k, v in r.items() if k not in ADDED} for r in after[name]), key=repr
            )
            assert kept == rows, name  # every row, every value
            assert {row["journal_id"] for row in after[name]} == {1}, name
        uuids = [row["uuid"] for row in after["entries"]]
        assert len(set(uuids)) == len(uuids) == len(before["entries"])
        assert all(str(uuid.UUID(u)) == u for u in uuids)
        ctx = AppContext(upgraded, clock=lambda: FIXED_NOW)
        entries, _, _ = JournalService(ctx).history(include_deleted=True)
        assert len(entries) == len(before["entries"]) and all(e.uuid for e in entries)
        assert PlanService(ctx).show() is not None
        document = TransferService(ctx).export_document()
        assert {e["uuid"] for e in document["entries"]} == set(uuids)
    finally:
        upgraded.dispose()


def test_the_journals_migration_can_be_reversed_and_applied_again(database: Database) -> None:
    _filled(AppContext(database, clock=lambda: FIXED_NOW))
    first = _rows(database)
    downgrade(database, "0010")
    upgraded = open_database(database.url)
    try:
        again = _rows(upgraded)
        for name, rows in first.items():
            if name in ("journals", "entries"):
                continue  # a new journal 1 (its uuid and time) and new entry uuids
            assert again[name] == rows, name
        assert _without_uuid(again["entries"]) == _without_uuid(first["entries"])
    finally:
        upgraded.dispose()


def test_reversing_it_is_refused_while_the_database_holds_two_journals(
    database: Database,
) -> None:
    with database.transaction() as conn:
        create_journal(conn, created_at=FIXED_NOW)
    with pytest.raises(RuntimeError, match="2 journals"):
        downgrade(database, "0010")
    assert current_revision(database) == HEAD_REVISION
