"""Backups: a backup restored gives the identical journal; a wrong passphrase, a damaged or
foreign file, or a newer schema changes nothing; PostgreSQL is pointed to pg_dump."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from mitra.domain.errors import InputError
from mitra.services import backups
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.transfer import TransferService
from mitra.storage import sealed
from mitra.storage.backup import BackupError
from mitra.storage.database import open_database
from tests.conftest import FIXED_NOW
from tests.services.test_transfer import apply, assert_same_tables, fresh_ctx, operations
from tests.support.journal import build_journal


def url_of(ctx: AppContext) -> str:
    return ctx.database.url


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=operations)
def test_backup_then_restore_gives_the_identical_journal(ops: list[tuple[Any, ...]]) -> None:
    with fresh_ctx() as ctx, tempfile.TemporaryDirectory() as folder:
        apply(ctx, ops)
        before = TransferService(ctx).tables()
        target = Path(folder) / "copy.sqlite3"
        backups.backup(url_of(ctx), target, now=FIXED_NOW, passphrase=None)
        JournalService(ctx).log_dose("5g")  # a change after the backup...
        backups.restore(url_of(ctx), target, now=FIXED_NOW, passphrase=None)
        assert_same_tables(before, TransferService(ctx).tables())  # ...is gone again


def test_an_encrypted_backup_restores_with_its_passphrase(
    sqlite_ctx: AppContext, tmp_path: Path
) -> None:
    build_journal(sqlite_ctx)
    before = TransferService(sqlite_ctx).tables()
    result = backups.backup(url_of(sqlite_ctx), tmp_path / "b.enc", now=FIXED_NOW, passphrase="pw")
    raw = result.path.read_bytes()
    assert raw.startswith(sealed.MAGIC) and b"SQLite format" not in raw
    JournalService(sqlite_ctx).log_dose("5g")
    restored = backups.restore(url_of(sqlite_ctx), result.path, now=FIXED_NOW, passphrase="pw")
    assert restored.encrypted and restored.kept_as is not None
    assert restored.kept_as.name == "journal.sqlite3.bak-20261120T150000Z"
    assert_same_tables(before, TransferService(sqlite_ctx).tables())
    # The previous journal, with the 5 g dose, is kept beside it.
    kept = open_database(f"sqlite:///{restored.kept_as}")
    assert len(TransferService(AppContext(kept)).tables()["doses"]) == len(before["doses"]) + 1
    kept.dispose()


def _unchanged_after(ctx: AppContext, source: Path, passphrase: str | None, match: str) -> None:
    before = TransferService(ctx).tables()
    with pytest.raises(InputError, match=match):
        backups.restore(url_of(ctx), source, now=FIXED_NOW + timedelta(hours=1),
                        passphrase=passphrase)  # fmt: skip
    assert_same_tables(before, TransferService(ctx).tables())
    journal = Path(url_of(ctx).removeprefix("sqlite:///"))
    assert not list(journal.parent.glob("*.bak-*")), "no .bak is made for a refused file"


def test_a_wrong_passphrase_changes_nothing(sqlite_ctx: AppContext, tmp_path: Path) -> None:
    build_journal(sqlite_ctx)
    result = backups.backup(url_of(sqlite_ctx), tmp_path / "b.enc", now=FIXED_NOW, passphrase="pw")
    _unchanged_after(sqlite_ctx, result.path, "not it", "wrong passphrase")


def test_a_damaged_encrypted_file_changes_nothing(sqlite_ctx: AppContext, tmp_path: Path) -> None:
    build_journal(sqlite_ctx)
    result = backups.backup(url_of(sqlite_ctx), tmp_path / "b.enc", now=FIXED_NOW, passphrase="pw")
    data = bytearray(result.path.read_bytes())
    data[len(data) // 2] ^= 0x01
    result.path.write_bytes(bytes(data))
    _unchanged_after(sqlite_ctx, result.path, "pw", "damaged")


def test_a_damaged_plain_backup_changes_nothing(sqlite_ctx: AppContext, tmp_path: Path) -> None:
    build_journal(sqlite_ctx)
    result = backups.backup(
        url_of(sqlite_ctx), tmp_path / "b.sqlite3", now=FIXED_NOW, passphrase=None
    )
    data = bytearray(result.path.read_bytes())
    for page in range(1, len(data) // 4096):  # scribble over every b-tree page header
        data[page * 4096 : page * 4096 + 12] = b"\xff" * 12
    result.path.write_bytes(bytes(data))
    _unchanged_after(sqlite_ctx, result.path, None, "integrity check|not a readable SQLite")


def test_a_file_that_is_not_a_journal_changes_nothing(
    sqlite_ctx: AppContext, tmp_path: Path
) -> None:
    build_journal(sqlite_ctx)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    _unchanged_after(sqlite_ctx, text, None, "not a readable SQLite database")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE things (id INTEGER)")
    _unchanged_after(sqlite_ctx, other, None, "not a mitra journal")


def test_a_backup_from_a_newer_mitra_changes_nothing(
    sqlite_ctx: AppContext, tmp_path: Path
) -> None:
    build_journal(sqlite_ctx)
    result = backups.backup(
        url_of(sqlite_ctx), tmp_path / "b.sqlite3", now=FIXED_NOW, passphrase=None
    )
    with sqlite3.connect(result.path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    _unchanged_after(sqlite_ctx, result.path, None, "from a newer mitra")


def test_backups_are_taken_while_the_journal_is_open_and_written(
    sqlite_ctx: AppContext, tmp_path: Path
) -> None:
    build_journal(sqlite_ctx)
    with sqlite_ctx.database.engine.connect() as reader:  # another connection holds the file
        reader.exec_driver_sql("SELECT count(*) FROM entries").scalar_one()
        result = backups.backup(url_of(sqlite_ctx), None, now=FIXED_NOW, passphrase=None)
    assert result.path.parent.name == "backups"
    assert result.path.name == "journal-20261120T150000Z.sqlite3"
    assert result.counts["entries"] == len(TransferService(sqlite_ctx).tables()["entries"])


def test_postgresql_journals_are_pointed_to_pg_dump(pg_url: str) -> None:
    with pytest.raises(InputError, match="pg_dump"):
        backups.backup(pg_url, None, now=FIXED_NOW, passphrase=None)


def test_sealing_round_trips_and_refuses_a_wrong_passphrase() -> None:
    sealed_data = sealed.seal(b"journal bytes", "correct horse")
    assert sealed.unseal(sealed_data, "correct horse") == b"journal bytes"
    assert sealed.seal(b"journal bytes", "correct horse") != sealed_data  # fresh salt and nonce
    with pytest.raises(sealed.SealedError, match="wrong passphrase"):
        sealed.unseal(sealed_data, "battery staple")
    with pytest.raises(sealed.SealedError, match="too short"):
        sealed.unseal(sealed.MAGIC + b"\x01", "correct horse")
    with pytest.raises(BackupError.__mro__[1]):  # InputError: shown as one line, exit 2
        sealed.unseal(sealed_data[:-1] + bytes([sealed_data[-1] ^ 1]), "correct horse")
