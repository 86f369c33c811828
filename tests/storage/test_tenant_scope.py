"""Journals as tenants: no path to a journal's rows without its journal_id.

* Every statement a realistic workload sends (logging doses, substances and symptoms,
  check-ins, a plan, alerts, history, trends, the report's data, export and import, delete
  and undo, a product edit, an idempotency key) is captured from the engine; each one that
  reads or changes a personal table must name that table's ``journal_id`` (an INSERT must
  write it). The statements are not listed here: a new query anywhere is checked as it is.
* Two journals in one database, fed the same records: each sees only its own entries,
  alerts, scores, plans, products, profile and idempotency keys, the same product name and
  alert key exist in both, and deleting or undoing in one leaves the other as it was.
* A store on a connection that belongs to no journal refuses (``UnscopedAccess``).

Each runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from mitra.domain.errors import ConflictError, InputError
from mitra.services.bup_readiness import ReadinessService
from mitra.services.catalogue import ProductService, ProfileService
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.services.exposure import ExposureService
from mitra.services.journal import JournalService
from mitra.services.plans import PlanService
from mitra.services.report_data import ReportDataService
from mitra.services.safety import SafetyService
from mitra.services.timeline import TimelineService
from mitra.services.transfer import TransferService
from mitra.services.usual_dose import usual_dose
from mitra.storage import clinic_tables, idempotency, journal_dump, push_store
from mitra.storage import schema as t
from mitra.storage.alert_store import AlertStore
from mitra.storage.assessment_store import AssessmentStore
from mitra.storage.database import Database
from mitra.storage.journal_scope import UnscopedAccess, create_journal, journal_of
from mitra.storage.journal_store import JournalStore
from mitra.storage.plan_store import PlanStore
from tests.support.clock import FIXED_NOW
from tests.support.journal import build_journal

# The journal's own tables. The clinic's tables (shares, break-glass, the audit log) name a
# journal too, but belong to the server: its services scope them by the caller's access.
PERSONAL = frozenset(
    table.name
    for table in t.metadata.sorted_tables
    if "journal_id" in table.c and table not in clinic_tables.CLINIC_TABLES
)
# The tables a statement reads or writes: after FROM, JOIN, UPDATE or INTO (quoted or not).
TABLE_REF = re.compile(r'\b(?:FROM|JOIN|UPDATE|INTO)\s+"?(\w+)"?', re.IGNORECASE)


def _unscoped(sql: str) -> list[str]:
    """The personal tables ``sql`` touches without naming their journal_id."""
    touched = {name for name in TABLE_REF.findall(sql) if name in PERSONAL}
    if sql.lstrip().upper().startswith("INSERT"):
        return sorted(touched) if "journal_id" not in sql else []
    return sorted(name for name in touched if f"{name}.journal_id" not in sql)


@pytest.fixture
def captured(database: Database) -> Iterator[list[str]]:
    """Every statement sent to the database while the test runs (after it was opened, so
    the migrations' own statements are not among them)."""
    seen: list[str] = []

    def capture(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        seen.append(sql)

    event.listen(database.engine, "before_cursor_execute", capture)
    yield seen
    event.remove(database.engine, "before_cursor_execute", capture)


def _context(database: Database, journal_id: int = 1) -> AppContext:
    return AppContext(database.for_journal(journal_id), clock=lambda: FIXED_NOW)


def _second_journal(database: Database) -> int:
    with database.transaction() as conn:
        return create_journal(conn, created_at=FIXED_NOW)


def _claim(ctx: AppContext, key: str, fingerprint: str) -> None:
    """A web request's write with an Idempotency-Key: the key claimed with a profile save."""
    token = idempotency.PENDING.set(idempotency.Pending(key, fingerprint, ctx.now()))
    try:
        ProfileService(ctx).set(goals="track, taper-kratom")
    finally:
        idempotency.PENDING.reset(token)


def _workload(ctx: AppContext) -> None:
    """Most of what the app does, through its services."""
    build_journal(ctx)
    journal = JournalService(ctx)
    journal.log_dose("2g")  # the last dose's product
    journal.log_substance("oxycodone", "5mg", route="oral")
    journal.log_symptom("I feel a bit anxious")
    CheckinService(ctx).record("cows", [1] * 10 + [0])
    plans = PlanService(ctx)
    plans.new_taper(speed="slow")
    plans.status()
    plans.show()
    journal.history(since=(ctx.now() - timedelta(days=7)).isoformat())
    CheckinService(ctx).scores(since=(ctx.now() - timedelta(days=4)).isoformat(), until=ctx.now())
    CheckinService(ctx).latest_scores()
    TimelineService(ctx).timeline()
    ReadinessService(ctx).readiness()
    usual_dose(ctx)
    safety = SafetyService(ctx)
    safety.alert_page(per_page=5)
    safety.open_serious()
    safety.mark_minor_read()
    safety.rejudge(dry_run=False)
    ReportDataService(ctx).gather(all_time=True)
    product = ProductService(ctx).list()[0][0]
    assert product.id is not None
    ProductService(ctx).update(product.id, "Red Bali leaf", "leaf", mitragynine_pct=1.5)
    entry = journal.log_symptom("nausea", severity=1).entry
    assert entry.id is not None
    journal.delete(entry.id)
    journal.undo()
    taken = journal.log_symptom("nausea", severity=2).entry
    assert taken.id is not None
    journal.take_back(taken.id)
    spare = ProductService(ctx).add("Spare", "leaf", mitragynine_pct=1.0)
    assert spare.id is not None
    ProductService(ctx).dose_counts()
    ProductService(ctx).delete(spare.id)
    with contextlib.suppress(InputError):  # at its first step a taper cannot step back
        plans.step_back("too fast for me")
    plans.new_titration(target_dose_mg="40", doses_per_day="4")  # ends the taper, recorded
    journal.log_dose("10g", product="Red Bali leaf")  # over the titration's ceiling
    ExposureService(ctx).exposure()  # the today page's body-load chart
    # What `mitra share push` reads and marks, and what the server matches by uuid.
    with ctx.database.transaction() as conn:
        waiting = push_store.pending(conn, push_store.mark(conn, "https://clinic.test"))
        push_store.entry_tables(conn, waiting.entry_ids[:3])
        push_store.states_by_uuid(conn, ["no-such-uuid"])
        push_store.set_mark(conn, "https://clinic.test", last_entry_id=waiting.top_entry_id,
                            last_action_id=waiting.top_action_id, at=ctx.now())  # fmt: skip
        push_store.marks(conn)
    _claim(ctx, "request-1", "a" * 64)
    with ctx.database.transaction() as conn:
        pending = idempotency.Pending("request-2", "b" * 64, ctx.now())
        idempotency.remember(
            conn, pending, status=201, response="{}", content_type=None, location=None
        )
        # The store methods no service calls (yet), or only some backends: checked all the same.
        JournalStore(conn).count_entries()
        JournalStore(conn).entries_by_id([1, 2])  # a judging window's read-back (SQLite only)
        checkins = AssessmentStore(conn)
        checkins.count()
        first = checkins.list_assessments()[0].id
        checkins.set_deleted(first, ctx.now())
        checkins.set_deleted(first, None)
        plan_store = PlanStore(conn)
        plan_store.get(plan_store.list_plans()[0].id)
    transfer = TransferService(ctx)
    document = transfer.export_document()
    transfer.export_csv()
    transfer.import_document(document, dry_run=True)
    transfer.import_document(document)


STORES = (JournalStore, AlertStore, AssessmentStore, PlanStore)


@pytest.fixture
def store_calls(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The store methods called while the test runs (each one wrapped, then called on)."""
    called: set[str] = set()
    for store in STORES:
        for name, method in list(vars(store).items()):
            if name.startswith("_") or not callable(method):
                continue

            def spy(
                *args: Any, _name: str = f"{store.__name__}.{name}", _m: Any = method, **kwargs: Any
            ) -> Any:
                called.add(_name)
                return _m(*args, **kwargs)

            monkeypatch.setattr(store, name, spy)
    return called


def _public_methods() -> set[str]:
    return {
        f"{store.__name__}.{name}"
        for store in STORES
        for name, method in vars(store).items()
        if not name.startswith("_") and callable(method)
    }


def test_every_statement_on_a_journal_table_names_its_journal(
    database: Database, captured: list[str], store_calls: set[str]
) -> None:
    _workload(_context(database))
    # Every query a store can send was sent (so every one of them is checked below).
    assert store_calls == _public_methods()
    # And into a second, empty journal: an import that writes every kind of record.
    document = TransferService(_context(database)).export_document()
    TransferService(_context(database, _second_journal(database))).import_document(document)
    touching = [sql for sql in captured if TABLE_REF.search(sql)]
    assert len(touching) > 200, "the capture is broken: too few statements seen"
    for table in PERSONAL:  # the workload reaches every personal table
        assert any(re.search(rf'\b{table}\b"?', sql) for sql in touching), table
    unscoped = [f"{names}: {sql}" for sql in captured if (names := _unscoped(sql))]
    assert not unscoped, "statements without their journal:\n" + "\n\n".join(unscoped)


def test_the_check_catches_a_statement_without_its_journal() -> None:
    assert _unscoped("SELECT entries.id FROM entries WHERE entries.kind = ?") == ["entries"]
    joined = (
        "SELECT doses.amount FROM entries JOIN doses ON doses.entry_id = entries.id "
        "WHERE entries.journal_id = ?"
    )
    assert _unscoped(joined) == ["doses"]  # a join must match journals on both sides
    assert _unscoped("INSERT INTO alerts (key, at) VALUES (?, ?)") == ["alerts"]
    assert _unscoped('UPDATE "alerts" SET at=? WHERE alerts.id = ?') == ["alerts"]
    assert _unscoped("SELECT journals.id FROM journals") == []


def _state(ctx: AppContext) -> dict[str, Any]:
    """What a journal shows: its entries, alerts, scores, plans, products and profile."""
    entries, deleted, _ = JournalService(ctx).history(include_deleted=True)
    with ctx.database.read() as conn:
        assessments = AssessmentStore(conn).list_assessments(include_deleted=True)
        plans = PlanStore(conn).list_plans()
        products = JournalStore(conn).list_products()
        profile = JournalStore(conn).get_profile()
        alerts = AlertStore(conn).list(include_acknowledged=True)
    return {
        "entries": {(e.id, e.uuid, e.id in deleted) for e in entries},
        "alerts": {(a.id, a.alert.key, a.acknowledged_at) for a in alerts},
        "assessments": {(a.id, a.assessment.total) for a in assessments},
        "plans": {(p.id, p.status) for p in plans},
        "products": {(p.id, p.name) for p in products},
        "profile": profile,
    }


def test_two_journals_in_one_database_see_only_their_own_records(database: Database) -> None:
    one = _context(database)
    two = _context(database, _second_journal(database))
    for ctx in (one, two):
        build_journal(ctx)
        PlanService(ctx).new_taper(speed="slow")  # one active plan in EACH journal
    _claim(one, "same-key", "1" * 64)
    _claim(two, "same-key", "2" * 64)  # the same key in another journal is another key
    ProfileService(two).set(timezone="Europe/Paris")
    JournalService(two).log_symptom("headache", severity=1)
    first, second = _state(one), _state(two)

    def ids(state: dict[str, Any], kind: str) -> set[Any]:
        return {row[0] for row in state[kind]}

    for kind in ("entries", "alerts", "assessments", "plans", "products"):
        assert ids(first, kind) and not ids(first, kind) & ids(second, kind), kind
    assert len(second["entries"]) == len(first["entries"]) + 1
    assert not {e[1] for e in first["entries"]} & {e[1] for e in second["entries"]}
    assert {p[1] for p in first["products"]} == {p[1] for p in second["products"]}
    assert {a[1] for a in first["alerts"]} <= {a[1] for a in second["alerts"]}
    assert {a[1] for a in second["plans"]} == {"active"} == {a[1] for a in first["plans"]}
    assert first["profile"].timezone == "America/New_York"
    assert second["profile"].timezone == "Europe/Paris"
    for ctx, fingerprint in ((one, "1" * 64), (two, "2" * 64)):
        with ctx.database.read() as conn:
            found = idempotency.lookup(conn, "same-key")
        assert found is not None and found.fingerprint == fingerprint
    with pytest.raises(ConflictError):  # but within a journal a key is still claimed once
        _claim(two, "same-key", "2" * 64)

    # Deleting and undoing in one journal leaves the other exactly as it was.
    newest = max(ids(second, "entries"))
    JournalService(two).delete(newest)
    assert _state(one) == first
    undone = JournalService(one).undo()
    assert _state(two)["entries"] == {(i, u, d or i == newest) for i, u, d in second["entries"]}
    assert undone.entry.id in ids(first, "entries")
    assert {row[0] for row in _state(two)["alerts"]} == ids(second, "alerts")


def test_an_export_imports_into_another_journal_and_its_entries_keep_their_uuids(
    database: Database,
) -> None:
    one = _context(database)
    build_journal(one)
    document = TransferService(one).export_document()
    two = _context(database, _second_journal(database))
    report = TransferService(two).import_document(document)
    assert report.kind("entries").added == len(document["entries"]) and not report.kept_ids
    uuids = {e["uuid"] for e in document["entries"]}
    assert {e[1] for e in _state(two)["entries"]} == uuids == {e[1] for e in _state(one)["entries"]}
    again = TransferService(two).import_document(document)  # by uuid: already there
    assert again.added == 0 and again.conflicts == 0
    assert TransferService(one).export_document()["entries"] == document["entries"]


UNSCOPED_USES: dict[str, Callable[[Any], object]] = {
    "JournalStore": JournalStore,
    "AlertStore": AlertStore,
    "AssessmentStore": AssessmentStore,
    "PlanStore": PlanStore,
    "idempotency.lookup": lambda conn: idempotency.lookup(conn, "k"),
    "journal_dump.read_all": journal_dump.read_all,
    "journal_dump.is_empty": journal_dump.is_empty,
}


@pytest.mark.parametrize("use", list(UNSCOPED_USES))
def test_a_store_on_a_connection_of_no_journal_refuses(database: Database, use: str) -> None:
    with database.engine.connect() as conn, pytest.raises(UnscopedAccess):
        UNSCOPED_USES[use](conn)


def test_a_scope_stays_with_its_connection_and_journals_share_the_engine(
    database: Database,
) -> None:
    second = _second_journal(database)
    scoped = database.for_journal(second)
    assert scoped.engine is database.engine and database.journal_id == 1
    with scoped.transaction() as conn:
        assert journal_of(conn) == second
    with scoped.read() as conn:
        assert journal_of(conn) == second
    with scoped.batches() as batches:
        assert journal_of(batches.conn) == second
    with database.engine.connect() as conn, pytest.raises(UnscopedAccess):
        journal_of(conn)  # the pooled connection kept no scope
