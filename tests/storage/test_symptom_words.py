"""Migration 0005 (``symptom_reports.said``): a journal made before it keeps its symptoms
(with no words), takes symptoms in the person's own words after it, and the step can be
reversed and applied again; an export without the field still imports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from mitra.domain.entries import SymptomEntry
from mitra.storage.database import (
    HEAD_REVISION,
    Database,
    current_revision,
    migrate,
    open_database,
)
from mitra.storage.journal_store import JournalStore
from tests.support.migrations import add_symptom_as_before, downgrade

RECORDED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def url_at_0004(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_url").replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(url)
    migrate(Database(url=url, engine=engine), "0004")
    engine.dispose()
    yield url


def test_symptoms_logged_before_0005_are_kept_and_words_are_stored_after(
    url_at_0004: str,
) -> None:
    engine = create_engine(url_at_0004)
    kept_id = add_symptom_as_before(Database(url=url_at_0004, engine=engine), at=RECORDED)
    engine.dispose()

    upgraded = open_database(url_at_0004)
    try:
        assert current_revision(upgraded) == HEAD_REVISION  # 0005 and every later one
        words = SymptomEntry(at=RECORDED, symptom_id="other", severity=1, said="my toe is odd")
        with upgraded.transaction() as conn:
            store = JournalStore(conn)
            found = store.get_entry(kept_id)
            assert found is not None and found[0].uuid is not None  # 0011 gave it one
            kept = SymptomEntry(
                at=RECORDED,
                symptom_id="nausea",
                severity=2,
                id=kept_id,
                recorded_at=RECORDED,
                uuid=found[0].uuid,
            )
            assert found[0] == kept and kept.said is None
            added = store.add_entry(words, recorded_at=RECORDED)
            again = store.get_entry(added.id or 0)
        assert again is not None and isinstance(again[0], SymptomEntry)
        assert again[0].said == "my toe is odd"
    finally:
        upgraded.dispose()


def test_the_words_migration_can_be_reversed_and_applied_again(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'j.sqlite3'}")
    downgrade(db, "0004")
    assert current_revision(db) == "0004"
    migrate(db)
    assert current_revision(db) == HEAD_REVISION
    db.dispose()
