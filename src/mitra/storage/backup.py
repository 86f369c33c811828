"""SQLite backups with the online backup API, and the checks a file passes before a restore.

The backup API copies the database page by page under SQLite's own locks, so a backup taken
while the CLI or the web app writes is a consistent snapshot, and a restore written through it
replaces the journal's contents in one step that running readers and writers respect.

Invariants: ``verify`` opens only a private copy (never the person's file) and passes a file
only when ``PRAGMA integrity_check`` says ok, its schema revision is one this mitra knows (not
newer), and every journal table in it can be read; ``verify_schema`` passes a copy brought to
the current revision only when every mitra table is there with exactly its columns (so a file
that merely carries an ``alembic_version`` row is refused); a backup file is a single self-contained
file (rollback journal, not WAL) so it can be copied anywhere.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mitra.domain.errors import InputError
from mitra.storage import schema as t
from mitra.storage.database import HEAD_REVISION, known_revisions


class BackupError(InputError):
    """A backup cannot be made or a file cannot be restored; the message says why."""


@dataclass(frozen=True, slots=True)
class JournalCheck:
    """What ``verify`` found in a good file: its revision and the rows in each table."""

    revision: str
    counts: dict[str, int]


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def backup_file(source: Path, target: Path) -> None:
    """Copy the live database ``source`` into the new file ``target`` (online backup API)."""
    if not source.exists():
        raise BackupError(f"there is no journal at {source} to back up")
    try:
        with _connect(source) as src, _connect(target) as dst:
            src.backup(dst)
            # A backup should be one self-contained file, whatever mode the journal runs in.
            dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupError(f"the backup of {source} failed: {exc}") from exc


def verify(path: Path, *, what: str) -> JournalCheck:
    """Check a private copy of a journal file; ``BackupError`` names the first problem."""
    try:
        with _connect(path) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchall()
            if [tuple(r) for r in result] != [("ok",)]:
                raise BackupError(f"{what} failed SQLite's integrity check: {result[0][0]}")
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if "alembic_version" not in tables or "entries" not in tables:
                raise BackupError(f"{what} is a SQLite database but not a mitra journal")
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = str(row[0]) if row else ""
            known = known_revisions()
            if revision not in known:
                newer = revision > HEAD_REVISION
                raise BackupError(
                    f"{what} has schema revision {revision or 'none'}"
                    + (
                        ", from a newer mitra: update mitra to restore it"
                        if newer
                        else ", which this mitra does not know"
                    )
                )
            counts = {
                table.name: int(conn.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0])
                for table in t.metadata.sorted_tables
                if table.name in tables
            }
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{what} is not a readable SQLite database ({exc})") from exc
    return JournalCheck(revision, counts)


def verify_schema(path: Path, *, what: str) -> None:
    """Check that the file at ``path`` (at the current revision) has the whole mitra schema."""
    try:
        with _connect(path) as conn:
            for table in t.metadata.sorted_tables:
                found = {str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table.name}")')}
                expected = {c.name for c in table.columns}
                if found != expected:
                    missing = sorted(expected - found)
                    detail = (
                        f"no table {table.name}"
                        if not found
                        else f"table {table.name} differs (missing {', '.join(missing) or '-'}"
                        f"; extra {', '.join(sorted(found - expected)) or '-'})"
                    )
                    raise BackupError(f"{what} is not a mitra journal: {detail}")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{what} is not a readable SQLite database ({exc})") from exc


def restore_into(source: Path, journal: Path) -> None:
    """Replace the journal's contents with the verified file ``source`` (backup API)."""
    try:
        with _connect(source) as src, _connect(journal) as dst:
            src.backup(dst)
    except sqlite3.Error as exc:
        raise BackupError(f"the restore into {journal} failed, nothing was changed: {exc}") from exc
