"""Export and import: a round trip is lossless; duplicates are recognised, conflicts reported
and never overwritten; a bad file changes nothing."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mitra.domain.errors import InputError, MitraError
from mitra.domain.instruments import get_instrument
from mitra.services.catalogue import ProductService
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.safety import SafetyService
from mitra.services.transfer import TransferService
from mitra.storage.database import open_database
from tests.conftest import FIXED_NOW
from tests.support.journal import build_journal

Tables = dict[str, list[dict[str, Any]]]


@contextmanager
def fresh_ctx() -> Iterator[AppContext]:
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(f"sqlite:///{Path(folder) / 'journal.sqlite3'}")
        try:
            yield AppContext(db, clock=lambda: FIXED_NOW, default_timezone="UTC")
        finally:
            db.dispose()


def through_text(document: dict[str, Any]) -> dict[str, Any]:
    """As it would be after writing the file and reading it back."""
    return json.loads(json.dumps(document, indent=1, ensure_ascii=False))


def round_trip(source: AppContext, target: AppContext) -> None:
    report = TransferService(target).import_document(
        through_text(TransferService(source).export_document())
    )
    assert report.conflicts == 0 and report.skipped == 0 and report.kept_ids


def assert_same_tables(a: Tables, b: Tables) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], name


notes = st.one_of(
    st.none(),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
    ).filter(lambda s: s.strip() == s and bool(s)),
)
minutes = st.integers(min_value=1, max_value=60 * 24 * 60)
operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("dose"), st.sampled_from(["0.5g", "3g", "4.25g", "2 caps"]), minutes, notes
        ),
        st.tuples(
            st.just("substance"),
            st.sampled_from([("oxycodone", "30mg"), ("xanax", "1mg"), ("alcohol", "2")]),
            minutes,
            notes,
        ),
        st.tuples(
            st.just("symptom"),
            st.sampled_from(["nausea", "anxiety", "insomnia", "yellow eyes"]),
            st.integers(0, 3),
            minutes,
        ),
        st.tuples(
            st.just("checkin"),
            st.sampled_from(["cows", "sows-gossop", "phq2", "craving"]),
            st.randoms(use_true_random=False),
            minutes,
        ),
        st.tuples(st.just("delete"), st.integers(0, 50)),
        st.tuples(st.just("undo")),
        st.tuples(st.just("ack"), st.integers(0, 50)),
    ),
    max_size=14,
)


def apply(ctx: AppContext, ops: list[tuple[Any, ...]]) -> None:
    ProductService(ctx).add("Green caps", "capsule", mitragynine_mg_per_unit=8, unit_mass_g=0.5)
    journal, checkins, safety = JournalService(ctx), CheckinService(ctx), SafetyService(ctx)
    for op in ops:
        kind = op[0]
        try:
            if kind == "dose":
                product = "Green caps" if "caps" in op[1] else None
                journal.log_dose(
                    op[1], product=product, at=FIXED_NOW - timedelta(minutes=op[2]), note=op[3]
                )
            elif kind == "substance":
                name, amount = op[1]
                journal.log_substance(
                    name, amount, at=FIXED_NOW - timedelta(minutes=op[2]), note=op[3]
                )
            elif kind == "symptom":
                journal.log_symptom(op[1], severity=op[2], at=FIXED_NOW - timedelta(minutes=op[3]))
            elif kind == "checkin":
                instrument = get_instrument(op[1])
                answers = [op[2].choice(item.allowed) for item in instrument.items]
                checkins.record(op[1], answers, at=FIXED_NOW - timedelta(minutes=op[3]))
            elif kind == "delete":
                live, _, _ = journal.history()
                if live:
                    entry_id = live[op[1] % len(live)].id
                    assert entry_id is not None
                    journal.delete(entry_id)
            elif kind == "undo":
                journal.undo()
            else:
                open_alerts = safety.alerts()
                if open_alerts:
                    safety.acknowledge(open_alerts[op[1] % len(open_alerts)].id, "seen")
        except MitraError:
            pass  # e.g. nothing to undo: the journal stays as it is, like the CLI's


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(ops=operations)
def test_export_then_import_into_an_empty_journal_gives_an_identical_journal(
    ops: list[tuple[Any, ...]],
) -> None:
    with fresh_ctx() as source, fresh_ctx() as target:
        apply(source, ops)
        round_trip(source, target)
        assert_same_tables(TransferService(source).tables(), TransferService(target).tables())
        first = TransferService(source).export_document()
        second = TransferService(target).export_document()
        assert first == second  # same exported_at: the clock is fixed


def test_the_round_trip_holds_across_sqlite_and_postgresql(ctx: AppContext) -> None:
    with fresh_ctx() as source, fresh_ctx() as back:
        build_journal(source)
        round_trip(source, ctx)  # into this backend (SQLite, then PostgreSQL)
        assert_same_tables(TransferService(source).tables(), TransferService(ctx).tables())
        round_trip(ctx, back)
        assert_same_tables(TransferService(source).tables(), TransferService(back).tables())
        # The journal still works after an import that kept its ids (sequences moved on).
        JournalService(ctx).log_dose("1g")


def test_importing_the_same_export_twice_adds_nothing(sqlite_ctx: AppContext) -> None:
    build_journal(sqlite_ctx)
    document = through_text(TransferService(sqlite_ctx).export_document())
    before = TransferService(sqlite_ctx).tables()
    report = TransferService(sqlite_ctx).import_document(document)
    assert report.added == 0 and report.conflicts == 0
    assert report.skipped == TransferService.record_count(document)
    assert_same_tables(before, TransferService(sqlite_ctx).tables())


def test_an_import_into_an_existing_journal_adds_only_what_is_new(sqlite_ctx: AppContext) -> None:
    with fresh_ctx() as other:
        build_journal(other)
        document = through_text(TransferService(other).export_document())
    JournalService(sqlite_ctx).log_dose("2g", at=FIXED_NOW - timedelta(days=40))
    report = TransferService(sqlite_ctx).import_document(document)
    assert not report.kept_ids
    assert report.kind("entries").added == len(document["entries"])
    # The dose here raised the once-ever "pregnancy status unknown" alert, which the other
    # journal holds too, from another day: same key, different alert, so yours is kept.
    assert [c.split(" ")[1] for c in report.kind("alerts").conflicts] == [
        k for k in (a["key"] for a in document["alerts"]) if k.startswith("pregnancy")
    ]
    assert report.conflicts == len(report.kind("alerts").conflicts)
    tables = TransferService(sqlite_ctx).tables()
    assert len(tables["entries"]) == len(document["entries"]) + 1
    # References were remapped: every alert's entries and every action's entry exist.
    ids = {e["id"] for e in tables["entries"]}
    assert all(a["entry_id"] in ids for a in tables["actions"])
    assert all(set(json.loads(a["entry_ids"])) <= ids for a in tables["alerts"])
    deleted = [e for e in tables["entries"] if e["deleted_at"] is not None]
    assert len(deleted) == 2  # the deletion marks came along


def test_a_record_that_differs_is_a_conflict_and_yours_is_kept(sqlite_ctx: AppContext) -> None:
    build_journal(sqlite_ctx)
    document = through_text(TransferService(sqlite_ctx).export_document())
    document["entries"][0]["note"] = "changed elsewhere"
    acknowledged = next(a for a in document["alerts"] if a["acknowledged_at"] is not None)
    acknowledged["acknowledged_at"] = None
    document["products"][0]["potency_why"] = "a different label"
    before = TransferService(sqlite_ctx).tables()
    report = TransferService(sqlite_ctx).import_document(document)
    assert report.added == 0
    assert len(report.kind("entries").conflicts) == 1
    assert "note" in report.kind("entries").conflicts[0]
    assert "acknowledged_at" in " ".join(report.kind("alerts").conflicts)
    assert "potency_why" in report.kind("products").conflicts[0]
    assert_same_tables(before, TransferService(sqlite_ctx).tables())


def test_two_identical_doses_stay_two(sqlite_ctx: AppContext) -> None:
    at = FIXED_NOW - timedelta(hours=2)
    JournalService(sqlite_ctx).log_dose("3g", at=at)
    JournalService(sqlite_ctx).log_dose("3g", at=at)
    document = through_text(TransferService(sqlite_ctx).export_document())
    with fresh_ctx() as target:
        TransferService(target).import_document(document)
        assert len(TransferService(target).tables()["doses"]) == 2
        again = TransferService(target).import_document(document)
        assert again.kind("entries").skipped == 2 and again.added == 0


def test_a_dry_run_reports_and_changes_nothing(sqlite_ctx: AppContext) -> None:
    with fresh_ctx() as other:
        build_journal(other)
        document = through_text(TransferService(other).export_document())
    report = TransferService(sqlite_ctx).import_document(document, dry_run=True)
    assert report.dry_run and report.added == TransferService.record_count(document)
    assert all(not rows for rows in TransferService(sqlite_ctx).tables().values())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(version=2), "format version 2, from a newer mitra"),
        (lambda d: d.update(format="other"), "not a mitra export"),
        (lambda d: d["entries"][3].update(at="last tuesday"), r"entries\[3\]\.at"),
        (lambda d: d["entries"][0].update(kind="meal"), r"entries\[0\]\.kind"),
        (lambda d: d["actions"][0].update(entry_id=9999), "entry 9999 is not in the file"),
        (lambda d: d["assessments"][0]["items"][0].update(item_id="nope"), "not an item of"),
        (lambda d: d["products"][0].update(mitragynine_low=99.0), "low <= typical <= high"),
        (lambda d: d["alerts"][0].update(severity="dire"), r"alerts\[0\]\.severity"),
    ],
)
def test_a_bad_file_is_refused_whole_and_changes_nothing(
    sqlite_ctx: AppContext, change: Any, message: str
) -> None:
    with fresh_ctx() as other:
        build_journal(other)
        document = through_text(TransferService(other).export_document())
    change(document)
    with pytest.raises(InputError, match=message):
        TransferService(sqlite_ctx).import_document(document)
    assert all(not rows for rows in TransferService(sqlite_ctx).tables().values())


def test_the_csv_export_has_one_file_per_table_with_every_row(sqlite_ctx: AppContext) -> None:
    build_journal(sqlite_ctx)
    files = TransferService(sqlite_ctx).export_csv()
    tables = TransferService(sqlite_ctx).tables()
    for name, rows in tables.items():
        lines = files[f"{name}.csv"].splitlines()
        assert len(lines) == len(rows) + 1, name
    assert "deleted_at" in files["entries.csv"].splitlines()[0]
