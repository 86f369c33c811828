"""Checks that a refused command wrote nothing and said why in one line."""

from __future__ import annotations

import sqlite3

from tests.support.cli import Run


def snapshot(path: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of a SQLite journal (so any write at all is noticed)."""
    with sqlite3.connect(path) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}


def assert_refused(result: Run, fragment: str) -> None:
    """Exit code 2, one line on stderr starting 'mitra: ' that contains ``fragment``, no
    traceback and nothing on stdout."""
    assert result.code == 2, result
    assert fragment in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mitra: "), result.err
    assert "Traceback" not in result.err
    assert result.out == ""
