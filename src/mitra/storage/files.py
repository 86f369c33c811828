"""Atomic file writes: a file is either its old self or completely the new one.

``write_atomic`` writes to a temporary file in the same folder, flushes it to disk, then
``os.replace``s it over the target (atomic on POSIX and Windows) and syncs the folder, so a
crash or a full disk never leaves a half-written export or backup under the chosen name.
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
        folder.mkdir(parents=True, exist_ok=True)
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
