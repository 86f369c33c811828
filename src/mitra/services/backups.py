"""Backup and restore of a SQLite journal, optionally encrypted with a passphrase.

``backup`` takes a consistent snapshot with SQLite's online backup API (safe while mitra
runs), checks it, then writes it atomically (sealed first when a passphrase is given).
``restore`` checks a file BEFORE anything is replaced: it is decrypted if sealed, copied to a
private file, and must pass ``storage.backup.verify``. Only then is the current journal kept
as ``<journal>.bak-<UTC time>`` (itself a consistent snapshot) and replaced through the
backup API. An older schema is migrated on the private copy first, which must then have the
whole current mitra schema (``storage.backup.verify_schema``).

Invariants: a wrong passphrase, a damaged or foreign file, or a newer schema changes nothing;
PostgreSQL journals are refused with a plain pointer to ``pg_dump`` (their server owns their
files); services know nothing of prompts: the passphrase is handed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mitra.domain.errors import InputError
from mitra.storage import backup as sqlite_backup
from mitra.storage import sealed
from mitra.storage.database import open_database
from mitra.storage.files import check_output, replace_atomic, temporary_sibling, write_atomic


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    bytes: int
    encrypted: bool
    counts: dict[str, int]
    revision: str


@dataclass(frozen=True, slots=True)
class RestoreResult:
    journal: Path
    source: Path
    kept_as: Path | None
    counts: dict[str, int]
    revision: str
    encrypted: bool


def journal_path(url: str) -> Path:
    """The SQLite file behind ``url``; PostgreSQL is refused with what to use instead."""
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    raise InputError(
        "backup and restore work on SQLite journals; for a PostgreSQL journal use the "
        "server's own tools: pg_dump -Fc DBNAME > mitra.dump, and pg_restore to restore",
        field="db",
    )


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def default_backup_path(journal: Path, now: datetime, *, encrypted: bool) -> Path:
    folder = journal.parent / "backups"
    suffix = ".sqlite3.enc" if encrypted else ".sqlite3"
    return folder / f"{journal.stem}-{_stamp(now)}{suffix}"


def backup(
    url: str,
    target: Path | None,
    *,
    now: datetime,
    passphrase: str | None,
    force: bool = False,
) -> BackupResult:
    """Back the journal up into ``target`` (or the default file in ``backups``), after the
    output guard: never over the journal or its own files, never over a file without
    ``force``, never into a folder that does not exist (the default folder is made)."""
    journal = journal_path(url)
    if target is None:
        chosen = default_backup_path(journal, now, encrypted=passphrase is not None)
        try:
            chosen.parent.mkdir(exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"cannot create the backups folder {chosen.parent}: {exc.strerror}", field="file"
            ) from exc
    else:
        chosen = target
    chosen = check_output(
        chosen, journal=journal, force=force, option="the backup file", field="file"
    )
    with temporary_sibling(chosen, suffix=".sqlite3") as snapshot:
        snapshot.unlink()  # the backup API creates it
        sqlite_backup.backup_file(journal, snapshot)
        check = sqlite_backup.verify(snapshot, what="the new backup")
        if passphrase is None:
            replace_atomic(snapshot, chosen)
        else:
            write_atomic(chosen, sealed.seal(snapshot.read_bytes(), passphrase))
    return BackupResult(
        chosen, chosen.stat().st_size, passphrase is not None, check.counts, check.revision
    )


def needs_passphrase(source: Path) -> bool:
    """Whether ``source`` is sealed (so the caller knows to ask for a passphrase)."""
    try:
        with source.open("rb") as handle:
            return sealed.is_sealed(handle.read(len(sealed.MAGIC)))
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror}", field="file") from exc


def _bring_to_head(candidate: Path, *, what: str) -> None:
    """Migrate the private copy to the current schema (the journal is not touched yet)."""
    from mitra.storage.database import DatabaseError  # noqa: PLC0415

    try:
        open_database(f"sqlite:///{candidate}").dispose()
    except DatabaseError as exc:
        raise InputError(
            f"{what} cannot be brought to this mitra's schema, so it is not a mitra journal "
            f"it can restore; nothing was changed ({exc.message})",
            field="file",
        ) from exc
    finally:
        for companion in ("-wal", "-shm"):
            candidate.with_name(candidate.name + companion).unlink(missing_ok=True)


def restore(url: str, source: Path, *, now: datetime, passphrase: str | None) -> RestoreResult:
    journal = journal_path(url)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror}", field="file") from exc
    encrypted = sealed.is_sealed(data)
    if encrypted:
        if passphrase is None:
            raise InputError(f"{source} is encrypted: give its passphrase", field="passphrase")
        data = sealed.unseal(data, passphrase, what=str(source))
    try:
        journal.parent.mkdir(parents=True, exist_ok=True)  # as opening a new journal does
    except OSError as exc:
        raise InputError(f"cannot create the folder {journal.parent}: {exc.strerror}") from exc
    with temporary_sibling(journal, suffix=".restore") as candidate:
        candidate.write_bytes(data)
        check = sqlite_backup.verify(candidate, what=str(source))
        _bring_to_head(candidate, what=str(source))
        sqlite_backup.verify_schema(candidate, what=str(source))
        kept: Path | None = None
        if journal.exists():
            kept = journal.with_name(f"{journal.name}.bak-{_stamp(now)}")
            sqlite_backup.backup_file(journal, kept)
        sqlite_backup.restore_into(candidate, journal)
    # Opening checks the restored journal as it checks any (already at the current schema).
    open_database(f"sqlite:///{journal}").dispose()
    return RestoreResult(journal, source, kept, check.counts, check.revision, encrypted)
