"""Remove a SQLite database file and its WAL side files (used only for the demo database)."""

from __future__ import annotations

from pathlib import Path


def remove_sqlite_file(url: str) -> None:
    """Delete the file behind a ``sqlite:///`` URL; other URLs are left alone."""
    if not url.startswith("sqlite:///"):
        return
    path = Path(url.removeprefix("sqlite:///"))
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        candidate.unlink(missing_ok=True)
