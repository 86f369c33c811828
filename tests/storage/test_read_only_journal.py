"""A journal file that cannot be written is still read, and a change to it fails in one line
that says why (not a traceback, not raw SQL)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

from tests.support.cli import run


@contextlib.contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """Make ``path`` unwritable: permissions, or for root (whom permissions do not stop) the
    immutable attribute."""
    path.chmod(0o444)
    immutable = os.access(path, os.W_OK)  # still writable: we are root
    if immutable:
        subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o644)


def test_a_read_only_journal_can_be_read_and_a_change_says_why(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    assert run("log", "dose", "3g", "--note", "kept", db=str(journal)).code == 0
    with unwritable(journal):
        history = run("history", "--json", db=str(journal))
        assert history.code == 0, history.err
        assert [e["note"] for e in history.json()["entries"]] == ["kept"]
        change = run("log", "dose", "2g", db=str(journal))
        assert change.code == 1
        assert "read-only" in change.err and "Traceback" not in change.err
        assert "INSERT" not in change.err and len(change.err.strip().splitlines()) == 1
