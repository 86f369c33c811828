"""A table of refusals from the hardening work: each one says what was wrong in one line,
exits 2, and leaves the journal exactly as it was (every row of every table compared).

Every row is (arguments, a fragment of the message). ``{db}`` stands for the journal file,
``{dir}`` for a scratch folder; ``{existing}`` is a file that is already there.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from mitra.storage.database import open_database
from tests.services.test_import_validation import FINDINGS
from tests.support.cli import run
from tests.support.refusal import assert_refused, snapshot

JOURNAL_FILES = ("{db}", "{db}-wal", "{db}-shm", "{db}-journal", "{db}.bak-20261101T000000Z")

OUTPUT_GUARD: list[tuple[tuple[str, ...], str]] = [
    *[(("report", "pdf", "--out", name), "is your journal") for name in JOURNAL_FILES],
    *[(("report", "fhir", "--out", name), "is your journal") for name in JOURNAL_FILES],
    *[(("export", "--out", name), "is your journal") for name in JOURNAL_FILES],
    *[(("backup", name), "is your journal") for name in JOURNAL_FILES],
    *[(("plan", "export", "--ics", name), "is your journal") for name in JOURNAL_FILES],
    (("export", "--out", "{link}"), "is your journal"),
    (("report", "pdf", "--out", "{link}"), "is your journal"),
    (("backup", "{link}"), "is your journal"),
    (("report", "pdf", "--out", "{dir}/missing/x.pdf"), "does not exist"),
    (("report", "fhir", "--out", "{dir}/missing/x.json"), "does not exist"),
    (("export", "--out", "{dir}/missing/x.json"), "does not exist"),
    (("export", "--format", "csv", "--out", "{dir}/missing/deeper"), "does not exist"),
    (("backup", "{dir}/missing/x.sqlite3"), "does not exist"),
    (("plan", "export", "--ics", "{dir}/missing/x.ics"), "does not exist"),
    (("report", "pdf", "--out", "/no-such-mitra-folder/x.pdf"), "does not exist"),
    (("report", "pdf", "--out", "{existing}"), "add --force"),
    (("report", "fhir", "--out", "{existing}"), "add --force"),
    (("export", "--out", "{existing}"), "add --force"),
    (("backup", "{existing}"), "add --force"),
    (("plan", "export", "--ics", "{existing}"), "add --force"),
    (("export", "--format", "csv", "--out", "{csvdir}"), "add --force"),
    (("export", "--format", "csv", "--out", "{existing}"), "is a file"),
    (("report", "pdf", "--out", "{dir}"), "is a folder"),
    (("export", "--out", "{dir}"), "is a folder"),
]


@pytest.fixture
def journal(tmp_path: Path) -> str:
    path = str(tmp_path / "journal.sqlite3")
    assert run("profile", "set", "--timezone", "UTC", db=path).code == 0
    assert run("log", "dose", "3g", "--at", "2h ago", db=path).code == 0
    assert run("plan", "new", "taper", "--current-mg", "60", db=path).code == 0
    return path


def _fill(args: tuple[str, ...], journal: str, scratch: Path) -> tuple[str, ...]:
    existing = scratch / "already-here.txt"
    existing.write_text("keep me")
    link = scratch / "innocent-name.json"
    if not link.is_symlink():
        link.symlink_to(journal)
    csvdir = scratch / "csv"
    csvdir.mkdir(exist_ok=True)
    (csvdir / "entries.csv").write_text("keep me")
    names = {
        "db": journal,
        "dir": str(scratch),
        "existing": str(existing),
        "link": str(link),
        "csvdir": str(csvdir),
    }
    return tuple(a.format(**names) for a in args)


@pytest.mark.parametrize(
    ("args", "fragment"), OUTPUT_GUARD, ids=lambda v: " ".join(v) if isinstance(v, tuple) else v
)
def test_no_command_writes_over_the_journal_an_existing_file_or_into_a_missing_folder(
    journal: str, tmp_path: Path, args: tuple[str, ...], fragment: str
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    filled = _fill(args, journal, scratch)
    before = snapshot(journal)
    result = run(*filled, db=journal)
    assert_refused(result, fragment)
    assert snapshot(journal) == before
    assert Path(journal).read_bytes().startswith(b"SQLite format 3")
    assert not (scratch / "missing").exists()
    assert (scratch / "already-here.txt").read_text() == "keep me"
    assert (scratch / "csv" / "entries.csv").read_text() == "keep me"


def test_force_replaces_an_existing_output_file(journal: str, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    out.write_text("old")
    result = run("export", "--out", str(out), "--force", db=journal)
    assert result.code == 0, result.err
    assert out.read_text().startswith("{")


def test_a_backup_beside_the_journal_with_another_name_is_allowed(
    journal: str, tmp_path: Path
) -> None:
    result = run("backup", str(tmp_path / "journal-copy.sqlite3"), db=journal)
    assert result.code == 0, result.err


def _newer(path: Path) -> None:
    open_database(f"sqlite:///{path}").dispose()
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")


def _foreign(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices (total) VALUES (12.5)")


def _foreign_alembic(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
        conn.execute("INSERT INTO alembic_version VALUES ('ab12cd34')")
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")


def _damaged(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 16)


def _not_sqlite(path: Path) -> None:
    path.write_bytes(b"%PDF-1.4 this is a report, not a journal\n" * 50)


UNUSABLE_FILES = [
    (_newer, "newer mitra"),
    (_foreign, "another application's SQLite database"),
    (_foreign_alembic, "another application's SQLite database"),
    (_damaged, "damaged"),
    (_not_sqlite, "damaged or is not a SQLite database"),
]
COMMANDS = [("history",), ("log", "dose", "3g"), ("export",)]


@pytest.mark.parametrize(
    ("make", "fragment"), UNUSABLE_FILES, ids=lambda v: getattr(v, "__name__", v)
)
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_file_mitra_must_not_open_is_refused_before_anything_changes(
    tmp_path: Path, make: Any, fragment: str, command: tuple[str, ...]
) -> None:
    path = tmp_path / "journal.sqlite3"
    make(path)
    before = path.read_bytes()
    result = run(*command, db=str(path))
    assert_refused(result, fragment)
    assert "nothing was changed" in result.err
    assert path.read_bytes() == before  # not even switched to WAL
    assert not path.with_name(path.name + "-wal").exists()


def test_a_huge_entry_id_is_simply_not_found(journal: str) -> None:
    before = snapshot(journal)
    result = run("delete", "10000000000000000000000000", db=journal)
    assert_refused(result, "no entry with id")
    assert snapshot(journal) == before


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (_foreign, "not a mitra journal"),
        (_damaged, "not a readable SQLite database"),
        (_not_sqlite, "not a readable SQLite database"),
        (_newer, "from a newer mitra"),
    ],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_restore_refuses_what_is_not_a_mitra_journal(
    journal: str, tmp_path: Path, make: Any, fragment: str
) -> None:
    source = tmp_path / "candidate.sqlite3"
    make(source)
    before = snapshot(journal)
    assert_refused(run("restore", str(source), db=journal), fragment)
    assert snapshot(journal) == before
    assert not list(tmp_path.glob("journal.sqlite3.bak-*"))


def _mitra_shaped(path: Path, journal: str) -> None:
    """The right alembic version and an entries table, but not mitra's tables otherwise."""
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
        head = sqlite3.connect(journal).execute("SELECT version_num FROM alembic_version")
        conn.execute("INSERT INTO alembic_version VALUES (?)", head.fetchone())
        conn.execute("CREATE TABLE entries (id INTEGER PRIMARY KEY, what TEXT)")


def test_restore_verifies_the_whole_schema_not_just_the_revision(
    journal: str, tmp_path: Path
) -> None:
    source = tmp_path / "shaped.sqlite3"
    _mitra_shaped(source, journal)
    before = snapshot(journal)
    assert_refused(run("restore", str(source), db=journal), "not a mitra journal")
    assert snapshot(journal) == before


@pytest.fixture
def export_file(tmp_path: Path) -> Path:
    source = str(tmp_path / "source.sqlite3")
    for args in (
        ("profile", "set", "--timezone", "UTC"),
        ("product", "add", "Red Bali", "--form", "leaf", "--mitragynine-pct", "1.5"),
        ("log", "dose", "3g", "--at", "2h ago"),
        ("log", "substance", "oxycodone", "30mg", "--route", "oral", "--at", "3h ago"),
        ("check", "cows", "--answers", "2,1,3,1,2,1,2,1,1,2,3"),
    ):
        assert run(*args, db=source).code == 0, args
    out = tmp_path / "export.json"
    assert run("export", "--out", str(out), db=source).code == 0
    return out


@pytest.mark.parametrize(
    ("name", "change", "where"), FINDINGS, ids=[finding[0] for finding in FINDINGS]
)
def test_import_refuses_an_implausible_record_in_one_line_and_writes_nothing(
    journal: str, export_file: Path, name: str, change: Any, where: str
) -> None:
    document = json.loads(export_file.read_text())
    change(document)
    export_file.write_text(json.dumps(document))
    before = snapshot(journal)
    result = run("import", str(export_file), db=journal)
    assert_refused(result, where)
    assert "nothing was written" in result.err
    assert snapshot(journal) == before
    dry = run("import", str(export_file), "--dry-run", "--json", db=journal)
    assert dry.code == 2
    assert any(where in line for line in dry.json()["refused"])
    assert snapshot(journal) == before
