"""Atomic file writes, and the one guard every command passes before it writes a file.

``write_atomic`` writes to a temporary file in the same folder, flushes it to disk, then
``os.replace``s it over the target (atomic on POSIX and Windows) and syncs the folder, so a
crash or a full disk never leaves a half-written export or backup under the chosen name.

``check_output`` is the output-path guard (report pdf and fhir, export json and csv, plan
export --ics, backup). Invariants: a file is never written over the journal or its SQLite
companions (``-wal``, ``-shm``, ``-journal``) or its ``.bak-*`` copies, with symlinks
followed; an existing file is replaced only when the person said ``--force``; a folder that
does not exist is never created on the way (a typo would otherwise scatter folders, even at
the filesystem root).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from mitra.domain.errors import InputError


def _sync_folder(folder: Path) -> None:
    # Make the rename itself durable; not every platform can open a folder (Windows).
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def temporary_sibling(target: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """A fresh temporary path in ``target``'s folder, removed afterwards unless moved."""
    folder = target.parent
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=folder)
    except OSError as exc:
        raise InputError(f"cannot write in {folder}: {exc.strerror}", field="out") from exc
    os.close(fd)
    path = Path(name)
    try:
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def replace_atomic(source: Path, target: Path) -> None:
    """Move a finished temporary file over ``target`` in one step."""
    with open(source, "rb") as handle:  # noqa: PTH123  (fsync needs the descriptor)
        os.fsync(handle.fileno())
    source.replace(target)
    _sync_folder(target.parent)


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically (see the module docstring)."""
    if target.is_dir():
        raise InputError(f"{target} is a folder; give a file name", field="out")
    with temporary_sibling(target) as temp:
        try:
            temp.write_bytes(data)
            replace_atomic(temp, target)
        except OSError as exc:
            raise InputError(f"cannot write {target}: {exc.strerror}", field="out") from exc


# The files SQLite keeps beside a journal; writing over any of them destroys the journal.
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")
BACKUP_MARK = ".bak-"


def protected(target: Path, journal: Path) -> bool:
    """Whether ``target`` (symlinks followed) is the journal, a companion or a ``.bak-`` copy."""
    resolved = target.expanduser().resolve()
    home = journal.expanduser().resolve()
    if resolved.parent != home.parent:
        return False
    name = resolved.name
    return (
        name == home.name
        or name in {home.name + suffix for suffix in COMPANION_SUFFIXES}
        or name.startswith(home.name + BACKUP_MARK)
    )


def check_output(
    target: Path, *, journal: Path | None, force: bool, option: str = "--out", field: str = "out"
) -> Path:
    """The path to write, after the guard in the module docstring; ``InputError`` says why not.

    ``journal`` is the SQLite journal file (None for a PostgreSQL journal, whose files the
    server owns). The returned path is the one given (expanded), so messages show the
    person's own words.
    """
    path = target.expanduser()
    if journal is not None and protected(path, journal):
        raise InputError(
            f"{option} {target} is your journal or one of its own files; writing there would "
            "destroy it. Choose another file name",
            field=field,
        )
    if path.is_dir():
        raise InputError(f"{option} {target} is a folder; give a file name inside it", field=field)
    folder = path.parent
    if not folder.is_dir():
        raise InputError(
            f"{option} {target}: the folder {folder} does not exist; create it first or "
            "choose another place",
            field=field,
        )
    if path.exists() and not force:
        raise InputError(
            f"{option} {target} already exists; add --force to replace it, or choose another "
            "file name",
            field=field,
        )
    return path
