"""The hot alert queries never scan the alerts table: the urgent banner on every page and
every CLI write, the grouped and paged alerts list, its counts, acknowledging, and marking
cautions read all read open alerts through the partial index ``ix_alerts_open`` (or a row by
its primary key), so their cost follows what is open, not the years of history.

The statements checked are the ones the services really send (captured from the engine on a
real SQLite journal with open and acknowledged alerts); each is run again under EXPLAIN QUERY
PLAN. An index SCAN or SEARCH is fine; a bare ``SCAN alerts`` fails."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from mitra.domain.alerts import Alert, Evidence, Severity, day_key, event_key
from mitra.services.context import AppContext
from mitra.services.safety import SafetyService
from mitra.storage.alert_store import AlertStore
from mitra.storage.database import Database, open_database
from tests.support.clock import FIXED_NOW

INDEX = "ix_alerts_open"
EVIDENCE = (Evidence("test-source", "A citation", "moderate", "a claim"),)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[tuple[Database, Path]]:
    """Three hundred days of two caution patterns (a third acknowledged), weekly event-key
    warnings, and two open urgent alerts: one per event, one a repeating day pattern."""
    path = tmp_path / "journal.sqlite3"
    db = open_database(f"sqlite:///{path}")
    with db.transaction() as conn:
        store = AlertStore(conn)
        for day in range(300):
            at = FIXED_NOW - timedelta(days=day, hours=2)
            for rule in ("doses-per-day-high", "dose-interval-short"):
                alert = Alert(
                    rule,
                    Severity.CAUTION,
                    "t",
                    "m",
                    "a",
                    EVIDENCE,
                    (1,),
                    at,
                    day_key(rule, at.date()),
                )
                stored = store.insert(alert, created_at=at)
                if day % 3 == 0:
                    store.acknowledge(stored.id, at=at, note=None)
            if day % 7 == 0:
                key = event_key("dose-mitragynine-high", at, "leaf")
                alert = Alert(
                    "dose-mitragynine-high",
                    Severity.WARNING,
                    "t",
                    "m",
                    "a",
                    EVIDENCE,
                    (1,),
                    at,
                    key,
                )
                store.insert(alert, created_at=at)
        for days, key in (
            (3, event_key("dose-mitragynine-hard-limit", FIXED_NOW, "dose")),
            (4, day_key("symptom-urgent", FIXED_NOW.date())),
        ):
            at = FIXED_NOW - timedelta(days=days)
            alert = Alert(
                key.split("/")[0], Severity.URGENT, "t", "m", "a", EVIDENCE, (1,), at, key
            )
            store.insert(alert, created_at=at)
    yield db, path
    db.dispose()


def statements(db: Database, work: Callable[[], object]) -> list[tuple[str, Any]]:
    """The statements on the alerts table that ``work`` sends, with their parameters."""
    sent: list[tuple[str, Any]] = []

    def grab(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if re.search(r"\balerts\b", statement):
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
    assert sent, "the work sent no statement on the alerts table"
    return sent


def plan(path: Path, statement: str, parameters: Any) -> list[str]:
    raw = sqlite3.connect(path)
    try:
        return [row[3] for row in raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    finally:
        raw.close()


def assert_no_table_scan(path: Path, sent: list[tuple[str, Any]]) -> None:
    for statement, parameters in sent:
        lines = plan(path, statement, parameters)
        scans = [line for line in lines if re.fullmatch(r"SCAN alerts", line.strip())]
        assert not scans, f"full scan of alerts in:\n{statement}\n{lines}"
        on_alerts = [line for line in lines if re.match(r"(SCAN|SEARCH) alerts\b", line)]
        assert on_alerts, f"no read of alerts in the plan of:\n{statement}\n{lines}"
        for line in on_alerts:
            assert INDEX in line or "INTEGER PRIMARY KEY" in line, (statement, lines)


def test_the_urgent_banner_searches_the_open_alerts_index(journal: tuple[Database, Path]) -> None:
    db, path = journal
    safety = SafetyService(AppContext(db, clock=lambda: FIXED_NOW))
    sent = statements(db, safety.open_serious)
    assert len(safety.open_serious()) == 2
    assert_no_table_scan(path, sent)
    first = plan(path, *sent[0])
    assert any(line.startswith("SEARCH alerts") and INDEX in line for line in first), first


def test_the_grouped_alerts_page_and_its_counts_read_only_the_open_alerts_index(
    journal: tuple[Database, Path],
) -> None:
    db, path = journal
    safety = SafetyService(AppContext(db, clock=lambda: FIXED_NOW))
    for page in (1, 2):
        sent = statements(db, lambda page=page: safety.alert_page(page=page, per_page=2))
        assert_no_table_scan(path, sent)
        assert any(INDEX in line for s in sent for line in plan(path, *s))


def test_acknowledging_and_marking_cautions_read_use_the_index_or_the_primary_key(
    journal: tuple[Database, Path],
) -> None:
    db, path = journal
    safety = SafetyService(AppContext(db, clock=lambda: FIXED_NOW))
    caution = next(
        s for s in safety.alert_page(per_page=200).alerts if s.alert.severity is Severity.CAUTION
    )
    sent = statements(db, lambda: safety.acknowledge(caution.id))
    assert_no_table_scan(path, sent)
    sent = statements(db, safety.mark_minor_read)
    assert_no_table_scan(path, sent)
    assert any(INDEX in line for s in sent for line in plan(path, *s))


def test_migration_0009_adds_the_open_alerts_index_and_takes_it_away_again(
    database: Database,
) -> None:
    from sqlalchemy import inspect

    from mitra.storage.database import HEAD_REVISION, current_revision
    from tests.support.migrations import downgrade

    def index_names() -> set[str]:
        with database.engine.connect() as conn:
            return {str(i["name"]) for i in inspect(conn).get_indexes("alerts")}

    assert INDEX in index_names()
    downgrade(database, "0008")
    assert INDEX not in index_names() and current_revision(database) == "0008"
    again = open_database(database.url)  # opening migrates to the head again
    try:
        assert current_revision(again) == HEAD_REVISION  # 0009 or a later head
        with again.engine.connect() as conn:
            assert INDEX in {str(i["name"]) for i in inspect(conn).get_indexes("alerts")}
    finally:
        again.dispose()
