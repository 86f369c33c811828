"""The alerts commands: every severity looks different, repeats show a count, and
``alerts rejudge`` shows (``--dry-run``) or applies what judging from scratch changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from mitra.cli.main import main as _cli  # noqa: F401  (registers the commands first)
from mitra.cli.safety_cmds import severity_label
from mitra.domain.alerts import Severity
from mitra.domain.severity_looks import look
from mitra.storage.alert_store import AlertStore
from mitra.storage.database import open_database
from tests.support.cli import run


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "journal.sqlite3")


def test_every_severity_is_printed_with_the_shared_word_and_symbol() -> None:
    labels = {severity_label(s.value) for s in Severity}
    assert labels == {f"{look(s).symbol} {look(s).word}" for s in Severity}
    assert len(labels) == len(Severity)


def test_an_urgent_alert_is_printed_with_its_marker_and_word(db: str) -> None:
    run("product", "add", "Gold", "--form", "extract", "--mitragynine-pct", "45", db=db)
    shown = run("log", "dose", "1g", "--product", "Gold", "--at", "1h ago", db=db)
    assert shown.code == 0, shown.err
    urgent = look(Severity.URGENT)
    assert f"{urgent.symbol} {urgent.word}: This dose is far above" in shown.out


def test_rejudge_dry_run_lists_what_would_change_and_applies_nothing(db: str) -> None:
    for when in ("9h ago", "6h ago", "3h ago"):
        assert run("log", "dose", "9g", "--at", when, db=db).code == 0
    assert run("alerts", "rejudge", "--dry-run", "--json", db=db).json()["changes"] == []
    database = open_database(f"sqlite:///{db}")
    with database.transaction() as conn:  # as an older mitra may have left it
        store = AlertStore(conn)
        total = next(s for s in store.list() if s.alert.rule_id == "daily-mitragynine-high")
        store.close(total, at=total.alert.at, note="closed by an older version")
    database.dispose()
    dry = run("alerts", "rejudge", "--dry-run", db=db)
    assert dry.code == 0 and "would reopen" in dry.out and "1 to open" in dry.out
    assert "daily-mitragynine-high" not in run("alerts", "--json", db=db).out
    applied = run("alerts", "rejudge", "--json", db=db).json()
    assert applied["applied"] and applied["opened"] == 1
    assert "daily-mitragynine-high" in run("alerts", "--json", db=db).out
