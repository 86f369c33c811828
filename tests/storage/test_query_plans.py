"""No hot query reads a whole table: every statement the window-bounded jobs run is looked up
through an index (issue 14), so their cost follows the window, not the years of history.

The statements are not copied here: each hot job in ``HOT_JOBS`` runs through the real
services on a real SQLite journal while every statement sent to SQLite is captured, then
``EXPLAIN QUERY PLAN`` is asked for each with its own parameters. A plan step ``SCAN <table>``
without an index fails the test, naming the job, the table and the SQL. So a new query, or a
changed one, in any of these jobs is checked without this file changing.

The ``alerts`` table is left out: its queries (counts, open alerts, repeats) are another piece
of issue 14 with its own tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from mitra.services.bup_readiness import ReadinessService
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.services.exposure import ExposureService
from mitra.services.journal import JournalService
from mitra.services.timeline import TimelineService
from mitra.services.usual_dose import usual_dose
from tests.support.journal import build_journal

# Tables whose queries are checked elsewhere (see the module docstring).
NOT_CHECKED = frozenset({"alerts"})
# Walks back from the newest row in primary-key order that stop at the first match (SQLite
# shows them as "SCAN <table>"): allowed only with that ORDER BY and a LIMIT, and named here.
NEWEST_FIRST = {
    # `undo`: the newest action not yet undone; only undone ones are passed over.
    "actions": "ORDER BY actions.id DESC",
}
# SQLAlchemy's name for a subquery: scanning its result reads no table.
SUBQUERY = "anon_"
# A plan step reading a whole table: "SCAN entries", not "SCAN entries USING INDEX ...".
FULL_SCAN = re.compile(r"^SCAN (?P<table>\w+)(?: AS \w+)?$")


def _log_dose(ctx: AppContext) -> object:
    return JournalService(ctx).log_dose("2g")  # no product: the last dose's product


def _log_backfilled_dose(ctx: AppContext) -> object:
    return JournalService(ctx).log_dose("2g", at=ctx.now() - timedelta(days=3))


def _log_opioid(ctx: AppContext) -> object:
    return JournalService(ctx).log_substance("oxycodone", "5mg", route="oral")


def _delete_and_undo(ctx: AppContext) -> object:
    journal = JournalService(ctx)
    entry = journal.log_symptom("nausea", severity=1).entry
    assert entry.id is not None
    journal.delete(entry.id)
    return journal.undo()


def _checkin(ctx: AppContext) -> object:
    return CheckinService(ctx).record("cows", [1] * 10 + [0])


def _scores_since(ctx: AppContext) -> object:
    since = (ctx.now() - timedelta(days=4)).isoformat()
    return CheckinService(ctx).scores(since=since, until=ctx.now())


def _history_week(ctx: AppContext) -> object:
    return JournalService(ctx).history(since=(ctx.now() - timedelta(days=7)).isoformat())


# Every hot job, in one place: what a write, a check-in, the today page, /trends and
# `history` run. Their names appear in a failure.
HOT_JOBS: dict[str, Callable[[AppContext], object]] = {
    "log dose (last product, judged)": _log_dose,
    "log dose back-filled 3 days": _log_backfilled_dose,
    "log opioid (day's MME, judged)": _log_opioid,
    "delete and undo (re-judged)": _delete_and_undo,
    "check-in record (trend, judged)": _checkin,
    "scores of a window (/trends)": _scores_since,
    "latest scores (today page)": lambda ctx: CheckinService(ctx).latest_scores(),
    "history 7 days": _history_week,
    "usual dose (today page)": usual_dose,
    "timeline (last opioid, last dose)": lambda ctx: TimelineService(ctx).timeline(),
    "buprenorphine readiness": lambda ctx: ReadinessService(ctx).readiness(),
    "exposure model (today page)": lambda ctx: ExposureService(ctx).exposure(),
}


@dataclass(frozen=True)
class Statement:
    sql: str
    parameters: Any


@pytest.fixture
def journal(sqlite_ctx: AppContext) -> AppContext:
    build_journal(sqlite_ctx)
    return sqlite_ctx


def _captured(ctx: AppContext, job: Callable[[AppContext], object]) -> list[Statement]:
    seen: list[Statement] = []

    def capture(_conn: Any, _cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        if sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH")):
            seen.append(Statement(sql, parameters))

    engine = ctx.database.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        job(ctx)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return seen


def _full_scans(ctx: AppContext, statement: Statement) -> Iterator[str]:
    with ctx.database.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        plan = raw.execute("EXPLAIN QUERY PLAN " + statement.sql, statement.parameters)
        for row in plan.fetchall():
            found = FULL_SCAN.match(row[3])
            if found is None or found["table"] in NOT_CHECKED:
                continue
            if found["table"].startswith(SUBQUERY):
                continue  # a subquery's own few rows; its steps inside are rows of this plan
            walk = NEWEST_FIRST.get(found["table"])
            if walk is not None and walk in statement.sql and "LIMIT" in statement.sql:
                continue
            yield found["table"]


@pytest.mark.parametrize("name", list(HOT_JOBS))
def test_no_hot_query_scans_a_whole_table(journal: AppContext, name: str) -> None:
    statements = _captured(journal, HOT_JOBS[name])
    assert statements, f"{name} ran no query: the capture is broken"
    scans = [f"SCAN {table} in: {s.sql}" for s in statements for table in _full_scans(journal, s)]
    assert not scans, f"{name} reads whole tables:\n" + "\n".join(scans)


def test_a_statement_without_an_index_is_caught(journal: AppContext) -> None:
    # The check itself: a query on a column with no index is reported as a full scan.
    statement = Statement("SELECT id FROM entries WHERE note = ?", ("x",))
    assert list(_full_scans(journal, statement)) == ["entries"]
