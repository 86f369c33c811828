"""``mitra alerts`` a page at a time (``--page``, ``--limit``), ``mitra alerts ack --cautions``
reading every caution and information alert at once and never an urgent or emergency one,
the shared severity words and symbols with colour only on a terminal without NO_COLOR, and
the "see 'mitra alerts --all'" hint added by the CLI, not the service."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest

from mitra.cli.main import main as _cli  # noqa: F401  (registers the commands first)
from mitra.cli.safety_cmds import severity_label, use_colour
from mitra.domain.alerts import Alert, Evidence, Severity, event_key
from mitra.domain.severity_looks import look
from mitra.storage.alert_store import AlertStore
from mitra.storage.database import open_database
from tests.support.cli import run
from tests.support.clock import FIXED_NOW

EVIDENCE = (Evidence("test-source", "A citation", "moderate", "a claim"),)


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A journal with one urgent, one emergency and five caution alerts (each per event)."""
    path = str(tmp_path / "journal.sqlite3")
    database = open_database(f"sqlite:///{path}")
    rows = [
        ("dose-mitragynine-hard-limit", Severity.URGENT, 50),
        ("symptom-emergency", Severity.EMERGENCY, 40),
    ]
    rows += [("dose-interval-short", Severity.CAUTION, hours) for hours in range(1, 6)]
    with database.transaction() as conn:
        store = AlertStore(conn)
        for rule, severity, hours in rows:
            at = FIXED_NOW - timedelta(hours=hours)
            alert = Alert(
                rule,
                severity,
                f"{rule} title",
                "msg",
                "advice",
                EVIDENCE,
                (1,),
                at,
                event_key(rule, at, "x"),
            )
            store.insert(alert, created_at=at)
    database.dispose()
    return path


def test_alerts_are_listed_a_page_at_a_time_with_the_next_page_named(db: str) -> None:
    first = run("alerts", "--limit", "3", db=db)
    assert first.code == 0, first.err
    assert "Page 1 of 3 (7 alerts); next: mitra alerts --page 2" in first.out
    assert first.out.index("Emergency") < first.out.index("Urgent") < first.out.index("Caution")
    pages = [
        run("alerts", "--limit", "3", "--page", str(n), "--json", db=db).json() for n in (1, 2, 3)
    ]
    ids = [a["id"] for page in pages for a in page["alerts"]]
    assert len(ids) == len(set(ids)) == 7 and all(p["total"] == 7 for p in pages)
    assert "There is no page 9" in run("alerts", "--page", "9", db=db).out
    assert run("alerts", "--page", "0", db=db).code == 2


def test_ack_cautions_reads_every_caution_and_no_urgent_or_emergency(db: str) -> None:
    done = run("alerts", "ack", "--cautions", db=db)
    assert done.code == 0, done.err
    assert "Acknowledged 5 caution and information alerts." in done.out
    assert "2 urgent or emergency alerts are open" in done.out
    left = run("alerts", "--json", db=db).json()["alerts"]
    assert sorted(a["severity"] for a in left) == ["emergency", "urgent"]
    again = run("alerts", "ack", "--cautions", "--json", db=db)
    assert again.json() == {"acknowledged": 0}


def test_ack_needs_an_id_or_cautions_but_not_both(db: str) -> None:
    assert run("alerts", "ack", db=db).code == 2
    assert run("alerts", "ack", "1", "--cautions", db=db).code == 2


def test_an_unknown_id_gets_the_cli_hint(db: str) -> None:
    missing = run("alerts", "ack", "999", db=db)
    assert missing.code != 0
    assert "there is no alert with id 999; see 'mitra alerts --all'" in missing.err + missing.out


def test_severities_are_printed_with_the_shared_symbol_and_word_without_colour_off_a_terminal(
    db: str,
) -> None:
    shown = run("alerts", db=db).out
    for severity in (Severity.EMERGENCY, Severity.URGENT, Severity.CAUTION):
        assert f"{look(severity).symbol} {look(severity).word}: " in shown
    assert "\x1b[" not in shown


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr("sys.stdout", Terminal())
    assert use_colour()
    assert "\x1b[" in severity_label("urgent")
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour()
    assert severity_label("urgent") == f"{look('urgent').symbol} {look('urgent').word}"
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert not use_colour()
