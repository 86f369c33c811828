"""Entries' stable uuids: given when an entry is stored, read back with it, shown in its JSON,
carried by an export and kept by an import; an export made before entries had one still
imports (each entry then gets one), and a file's uuid must be a UUID, once per file."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mitra.services.context import AppContext
from mitra.services.export_format import ImportRefused
from mitra.services.journal import JournalService
from mitra.services.transfer import TransferService
from mitra.services.views import entry_view
from mitra.storage.database import open_database
from tests.support.clock import FIXED_NOW
from tests.support.journal import build_journal


@pytest.fixture
def other(tmp_path: Path) -> Iterator[AppContext]:
    """A second, empty journal file."""
    db = open_database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    yield AppContext(db, clock=lambda: FIXED_NOW)
    db.dispose()


@pytest.fixture
def document(sqlite_ctx: AppContext) -> dict[str, Any]:
    build_journal(sqlite_ctx)
    return TransferService(sqlite_ctx).export_document()


def _uuids(ctx: AppContext) -> list[str | None]:
    entries, _, _ = JournalService(ctx).history(include_deleted=True)
    return [e.uuid for e in entries]


def test_a_stored_entry_has_a_uuid_that_it_is_read_back_and_shown_with(
    sqlite_ctx: AppContext,
) -> None:
    logged = JournalService(sqlite_ctx).log_symptom("nausea", severity=1).entry
    assert logged.uuid is not None and str(uuid.UUID(logged.uuid)) == logged.uuid
    assert _uuids(sqlite_ctx) == [logged.uuid]
    assert entry_view(logged, ZoneInfo("UTC"))["uuid"] == logged.uuid
    again = JournalService(sqlite_ctx).log_symptom("nausea", severity=1).entry
    assert again.uuid != logged.uuid


def test_an_import_keeps_the_uuids_and_a_second_import_finds_them_there(
    document: dict[str, Any], other: AppContext
) -> None:
    report = TransferService(other).import_document(document)
    assert report.kind("entries").added == len(document["entries"])
    assert sorted(map(str, _uuids(other))) == sorted(e["uuid"] for e in document["entries"])
    changed = copy.deepcopy(document)
    for entry in changed["entries"]:
        entry["at"] = entry["at"].replace("2026", "2025")  # another identity, the same uuid
    again = TransferService(other).import_document(changed)
    assert again.kind("entries").added == 0
    assert again.kind("entries").skipped + len(again.kind("entries").conflicts) == len(
        document["entries"]
    )


def test_an_export_made_before_entries_had_uuids_still_imports(
    document: dict[str, Any], other: AppContext
) -> None:
    old = copy.deepcopy(document)
    for entry in old["entries"]:
        del entry["uuid"]
    report = TransferService(other).import_document(old)
    assert report.kind("entries").added == len(old["entries"])
    given = _uuids(other)
    assert None not in given and len(set(given)) == len(given)
    again = TransferService(other).import_document(old)  # matched by what they record
    assert again.added == 0 and again.conflicts == 0


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        (lambda entries: entries[0].update(uuid="not-a-uuid"), "entries[0].uuid"),
        (lambda entries: entries[1].update(uuid=entries[0]["uuid"]), "the same uuid"),
    ],
)
def test_a_bad_or_repeated_entry_uuid_is_refused_and_nothing_is_written(
    document: dict[str, Any], other: AppContext, change: Any, refusal: str
) -> None:
    bad = copy.deepcopy(document)
    change(bad["entries"])
    with pytest.raises(ImportRefused) as refused:
        TransferService(other).import_document(bad)
    assert refusal in str(refused.value)
    assert _uuids(other) == []
