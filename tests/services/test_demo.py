"""The demo journey is believable and shows every journal feature."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mitra.domain.entries import DoseEntry, SubstanceEntry, SymptomEntry
from mitra.services.context import AppContext
from mitra.services.demo import DAYS, build_demo
from mitra.services.journal import JournalService
from mitra.storage.database import open_database
from tests.support.cli import run

NOW = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)


def test_the_demo_journey_spans_four_weeks_of_believable_entries(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    ctx = AppContext(db, clock=lambda: NOW)
    summary = build_demo(ctx)
    entries, deleted, profile = JournalService(ctx).history(include_deleted=True)
    db.dispose()
    assert summary.entries == len(entries) > 100
    assert profile.timezone == "America/New_York"
    assert entries[-1].at - entries[0].at > timedelta(days=DAYS - 3)
    kinds = Counter(type(e) for e in entries)
    assert kinds[DoseEntry] > 50 and kinds[SymptomEntry] > 20 and kinds[SubstanceEntry] >= 6
    names = {e.name for e in entries if isinstance(e, SubstanceEntry)}
    assert {"oxycodone", "alprazolam", "alcohol", "gabapentin"} <= names
    extract = [e for e in entries if isinstance(e, DoseEntry) and e.form.value == "extract"]
    assert len(extract) == 1 and extract[0].estimate.mitragynine_mg.typical > 400
    # The typo deleted, and the dose saved twice in two tabs taken back by its id.
    assert len(deleted) == 2
    gone = [e for e in entries if e.id in deleted]
    assert {e.note for e in gone} == {"typo, meant 3g", "saved twice"}
    twice = [e for e in entries if e.note == "saved twice"]
    assert len(twice) == 2 and sum(e.id in deleted for e in twice) == 1
    symptoms = [e for e in entries if isinstance(e, SymptomEntry)]
    assert any(e.symptom_id == "yawning" and e.id not in deleted for e in symptoms)

    # The taper lowers the daily estimate: last week below the stabilisation week.
    def daily(start: int, end: int) -> float:
        first = entries[0].at
        return sum(
            e.estimate.mitragynine_mg.typical
            for e in entries
            if isinstance(e, DoseEntry)
            and e.id not in deleted
            and start <= (e.at - first).days < end
        ) / (end - start)

    assert daily(DAYS - 6, DAYS - 1) < daily(11, 16)


def test_mitra_demo_then_history_shows_the_journey() -> None:
    shown = run("demo")
    assert shown.code == 0, shown.err
    assert "The demo journey" in shown.out and "1-800-662-4357" in shown.out
    history = run("--demo", "history")
    assert history.code == 0
    assert "oxycodone" in history.out and "Gold extract 45%" in history.out
    # Rebuilding replaces the earlier demo rather than doubling it.
    first = len(run("--demo", "history", "--json").json()["entries"])
    run("demo")
    assert len(run("--demo", "history", "--json").json()["entries"]) == first


def test_the_demo_runs_a_plan_from_stabilisation_through_a_taper_with_a_hold(
    tmp_path: Path,
) -> None:
    from mitra.storage.plan_store import PlanStore

    db = open_database(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    ctx = AppContext(db, clock=lambda: NOW)
    summary = build_demo(ctx)
    with db.transaction() as conn:
        store = PlanStore(conn)
        stored = store.active()
        assert stored is not None
        events = store.events(stored.id)
    db.dispose()
    assert summary.plan_looks == 4
    plan = stored.plan
    assert plan.kind == "taper" and plan.strategy == "custom"
    assert plan.steps[0].kind == "hold"  # stabilise on the current amount first
    assert [e.event for e in events if e.event != "hold"] == ["created", "advance"]
    holds = [e for e in events if e.event == "hold" and e.cause == "symptoms"]
    assert holds and "SOWS-Gossop" in holds[0].reason
    assert plan.current_step.kind == "hold" and plan.current_step.daily_max_mg < 180
    assert stored.revision >= 2  # the advance and the hold each rewrote the schedule


def test_the_demo_ends_with_few_open_alerts_one_per_pattern_and_every_serious_one_open(
    tmp_path: Path,
) -> None:
    from mitra.domain.alerts import Severity, key_parts
    from mitra.services.safety import SafetyService
    from mitra.storage.alert_store import AlertStore

    db = open_database(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    ctx = AppContext(db, clock=lambda: NOW)
    build_demo(ctx)
    shown = SafetyService(ctx).alerts()
    with ctx.database.transaction() as conn:
        rows = AlertStore(conn).list(include_acknowledged=True)
    db.dispose()
    assert 0 < len(shown) <= 12
    patterns = [key_parts(s.alert.key).pattern for s in shown]
    assert len(patterns) == len(set(patterns))
    serious = [r for r in rows if r.alert.severity >= Severity.URGENT and r.closed_by is None]
    assert serious and all(r.acknowledged_at is None for r in serious)
