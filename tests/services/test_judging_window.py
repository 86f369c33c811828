"""The judging window (``storage.judging_window``) never changes what is stored or shown: a
dose, substance or symptom logged with the reads the last such write kept leaves the journal's
alerts, every column of every row, exactly as logging it with everything read afresh,
whatever came between the two writes: other doses (in time order or back-dated, weeks or years
back), substances and symptoms (several from one text, judged in one transaction), check-ins,
deletions, acknowledgements, a dose written through another connection to the same file
(another process, as far as SQLite can tell), and a dose whose transaction rolled back. Then
the window is seen at work: a dose after a dose reuses what was kept and reads none of the
window's rows again, and each of the things that must drop what was kept drops it.
PostgreSQL never keeps anything."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from mitra.services.catalogue import ProductService
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.safety import SafetyService
from mitra.storage import idempotency, judging_window
from mitra.storage import schema as t
from mitra.storage.alert_store import AlertStore
from mitra.storage.database import open_database
from mitra.storage.window_slots import KEPT
from tests.conftest import FIXED_NOW

DOSES = [("3g", "leaf"), ("2g", "leaf"), ("1g", "Strong"), ("6 caps", "capsule")]
SUBSTANCES = [("xanax", "1mg"), ("alcohol", "3 drinks"), ("oxycodone", "10mg")]
SYMPTOMS = ["trouble sleeping", "nausea", "yellow eyes", "nausea and sweating, can't sleep"]

# One step: (what, minutes before FIXED_NOW, a pick among its choices).
step = st.tuples(
    st.sampled_from(
        ["dose"] * 6
        + ["dose-years-back", "substance", "symptom", "checkin", "delete", "acknowledge"]
        + ["dose-elsewhere", "dose-rolled-back"]
    ),
    st.integers(min_value=0, max_value=5 * 7 * 24 * 60),
    st.integers(min_value=0, max_value=100),
)


@contextmanager
def _journal() -> Iterator[tuple[AppContext, AppContext]]:
    """A new SQLite journal, and a second context on the same file (its own engine and
    connections: what another process writing to the journal looks like to SQLite)."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'journal.sqlite3'}"
        db, other = open_database(url), open_database(url)
        try:
            ctx = AppContext(db, clock=lambda: FIXED_NOW)
            ProductService(ctx).add("Strong", "extract", mitragynine_pct=16)
            yield ctx, AppContext(other, clock=lambda: FIXED_NOW)
        finally:
            db.dispose()
            other.dispose()


class RolledBack(Exception):
    pass


def _refuse_claim(_conn: Any) -> None:
    raise RolledBack


def _do(ctx: AppContext, elsewhere: AppContext, item: tuple[str, int, int]) -> object:
    """One step; what it showed (the alerts a log returned), for comparing."""
    kind, minutes, pick = item
    at = FIXED_NOW - timedelta(minutes=minutes)
    journal = JournalService(ctx)
    if kind in ("dose", "dose-years-back", "dose-elsewhere"):
        amount, product = DOSES[pick % len(DOSES)]
        if kind == "dose-years-back":
            at -= timedelta(days=400 + pick)
        where = JournalService(elsewhere) if kind == "dose-elsewhere" else journal
        result = where.log_dose(amount, product=product, at=at)
        return [(s.id, s.alert.key) for s in result.alerts]
    if kind == "dose-rolled-back":
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(idempotency, "claim", _refuse_claim)
            with pytest.raises(RolledBack):
                journal.log_dose("3g", product="leaf", at=at)
        return None
    if kind == "substance":
        name, amount = SUBSTANCES[pick % len(SUBSTANCES)]
        return [s.alert.key for s in journal.log_substance(name, amount, at=at).alerts]
    if kind == "symptom":
        said = SYMPTOMS[pick % len(SYMPTOMS)]
        return [s.alert.key for s in journal.log_symptom(said, severity=2, at=at).alerts]
    if kind == "checkin":
        answers = [min(3, max(0, pick // 5 - 3 * i)) for i in range(10)]
        CheckinService(ctx).record("sows-gossop", answers, at=at)
        return None
    entries, _, _ = journal.history()
    if kind == "delete" and entries:
        return journal.delete(entries[pick % len(entries)].id or 0).id
    if kind == "acknowledge":
        with ctx.database.read() as conn:
            open_ones = AlertStore(conn).list()
        if open_ones:
            return SafetyService(ctx).acknowledge(open_ones[pick % len(open_ones)].id).id
    return None


def _alert_rows(ctx: AppContext) -> list[tuple[Any, ...]]:
    with ctx.database.read() as conn:
        return [tuple(row) for row in conn.execute(select(t.alerts).order_by(t.alerts.c.id))]


def _run(steps: list[tuple[str, int, int]]) -> list[tuple[object, list[tuple[Any, ...]]]]:
    seen = []
    with _journal() as (ctx, elsewhere):
        for item in steps:
            seen.append((_do(ctx, elsewhere, item), _alert_rows(ctx)))
    return seen


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=14), in_time_order=st.booleans())
def test_logging_with_the_kept_window_stores_and_shows_what_reading_afresh_does(
    steps: list[tuple[str, int, int]], in_time_order: bool
) -> None:
    if in_time_order:  # as a person logs: each step later than the one before
        minutes = sorted((m for _, m, _ in steps), reverse=True)
        steps = [(k, m, p) for (k, _, p), m in zip(steps, minutes, strict=True)]
    with_window = _run(steps)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(judging_window.Window, "keep", lambda self: None)
        afresh = _run(steps)
    assert with_window == afresh


def test_a_heavy_fortnight_logged_in_time_order_stores_what_reading_afresh_does() -> None:
    # Every dose updates the day's totals and the week's escalation, so each write's window
    # serves alerts the write before it changed, and entries it added.
    steps = [("dose", minutes, minutes // 7) for minutes in range(14 * 24 * 60, 0, -150)]
    steps[40:40] = [("substance", 14 * 24 * 60 - 40 * 150 - 5, 2), ("checkin", 9_000, 60)]
    # Symptoms each day, some texts naming several (judged one after another in one write).
    for day in range(13, 0, -1):
        at = day * 24 * 60 - 30
        steps.append(("symptom", at, day))
        steps.append(("substance", at - 5, day))
    steps.sort(key=lambda s: -s[1])
    with_window = _run(steps)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(judging_window.Window, "keep", lambda self: None)
        afresh = _run(steps)
    assert with_window == afresh
    assert any(rows != afresh[i - 1][1] for i, (_, rows) in enumerate(afresh) if i)


# -- the window at work ----------------------------------------------------------------------


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> list[judging_window.Window]:
    """Every judging window made while the test runs."""
    made: list[judging_window.Window] = []
    original = judging_window.Window.__init__

    def spy(self: judging_window.Window, conn: Any) -> None:
        original(self, conn)
        made.append(self)

    monkeypatch.setattr(judging_window.Window, "__init__", spy)
    return made


def _sent_by(ctx: AppContext, action: Callable[[], None]) -> list[str]:
    """The statements ``action`` sends, whitespace folded."""
    sent: list[str] = []

    def listener(*args: Any) -> None:
        sent.append(" ".join(str(args[2]).split()))

    event.listen(ctx.database.engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        event.remove(ctx.database.engine, "before_cursor_execute", listener)
    return sent


def _dose(ctx: AppContext, hours_back: float) -> None:
    JournalService(ctx).log_dose("3g", product="leaf", at=FIXED_NOW - timedelta(hours=hours_back))


def test_a_dose_after_a_dose_reuses_the_window_and_reads_none_of_its_rows_again(
    windows: list[judging_window.Window],
) -> None:
    with _journal() as (ctx, _):
        CheckinService(ctx).record("sows-gossop", [1] * 10, at=FIXED_NOW - timedelta(days=20))
        for hours in range(24 * 20, 30, -6):
            _dose(ctx, hours)
        sent = _sent_by(ctx, lambda: _dose(ctx, 27))
    assert windows[-1].reused and all(w.reused for w in windows[-10:])
    reads = [s for s in sent if s.startswith("SELECT")]
    window_reads = [
        s
        for s in reads
        if ("FROM alerts" in s and "alerts.at >=" in s)  # a span's alerts
        or "FROM assessments" in s  # check-ins
        or ("entries.at >=" in s and "entries.at <=" in s)  # a span's entries
        or ("FROM alerts" in s and '"key" IN' in s)  # once-only alerts by key
    ]
    assert window_reads == []


@pytest.mark.parametrize(
    "between",
    ["another connection", "another write on it", "a rolled-back dose"],
)
def test_what_may_have_changed_the_journal_drops_what_was_kept(
    between: str, windows: list[judging_window.Window]
) -> None:
    with _journal() as (ctx, elsewhere):
        _dose(ctx, 30)
        _dose(ctx, 24)
        assert windows[-1].reused
        if between == "another connection":
            _dose(elsewhere, 20)
        elif between == "another write on it":
            with ctx.database.read() as conn:
                first = AlertStore(conn).list()[0].id
            SafetyService(ctx).acknowledge(first)
        else:
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(idempotency, "claim", _refuse_claim)
                with pytest.raises(RolledBack):
                    _dose(ctx, 20)
        _dose(ctx, 18)
    assert not windows[-1].reused


def test_a_dose_far_from_what_was_kept_reads_its_own_weeks() -> None:
    with _journal() as (ctx, _):
        _dose(ctx, 30)
        _dose(ctx, 24 * 500)  # moves the journal's start: spans years apart, none kept
        sent = _sent_by(ctx, lambda: _dose(ctx, 18))
    assert any("entries.at >=" in s and "entries.at <=" in s for s in sent)


def test_postgresql_never_keeps_a_window(pg_url: str) -> None:
    database = open_database(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        ctx = AppContext(database, clock=lambda: FIXED_NOW)
        _dose(ctx, 30)
        with database.engine.connect() as conn:
            assert KEPT not in conn.info
        _dose(ctx, 24)
        with database.transaction() as conn:
            assert judging_window.Window(conn).reused is False
    finally:
        database.dispose()
