"""The write path's reads are built once per process and run with bound values (entries and
check-ins in a window, alerts in a span or by id): whatever the bounds, kinds and flags, each
returns exactly what filtering every stored row by hand returns, in time then id order, and
never a row of another journal stored beside it. SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mitra.domain.alerts import Alert, Evidence, Severity
from mitra.domain.entries import Entry, Kind
from mitra.domain.instruments import Assessment, load_instruments, score
from mitra.storage.alert_store import AlertStore
from mitra.storage.assessment_store import AssessmentStore
from mitra.storage.database import Database
from mitra.storage.journal_scope import create_journal
from mitra.storage.journal_store import JournalStore
from tests.storage.test_roundtrip import any_entry

RECORDED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
# Bounds over the same years the entries fall in, sometimes absent.
bounds = st.none() | st.builds(
    lambda days: EPOCH + timedelta(days=days), st.floats(min_value=-10, max_value=2510)
)
INSTRUMENTS = sorted(load_instruments())
EVIDENCE = Evidence("a-source", "A citation.", "moderate", "What it shows.")


@st.composite
def checkins(draw: st.DrawFn) -> Assessment:
    instrument = load_instruments()[draw(st.sampled_from(INSTRUMENTS))]
    answers = [draw(st.sampled_from(item.allowed)) for item in instrument.items]
    days = draw(st.floats(min_value=0, max_value=2500))
    return score(instrument, answers, rater="self", at=EPOCH + timedelta(days=days))


def _new_journals(database: Database) -> tuple[Database, Database]:
    """Two new journals: the one an example reads, and one beside it fed the same rows (the
    fixture's database lives through every example, so earlier examples' rows are there too,
    each in journals of their own)."""
    with database.transaction() as conn:
        mine, beside = (create_journal(conn, created_at=RECORDED) for _ in range(2))
    return database.for_journal(mine), database.for_journal(beside)


def _inside(at: datetime, since: datetime | None, until: datetime | None) -> bool:
    return (since is None or at >= since) and (until is None or at <= until)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    entries=st.lists(any_entry, max_size=12),
    deleted=st.sets(st.integers(0, 11)),
    since=bounds,
    until=bounds,
    kinds=st.none() | st.sets(st.sampled_from(list(Kind))),
    include_deleted=st.booleans(),
)
def test_a_window_of_entries_is_every_stored_entry_inside_it_and_nothing_else(
    database: Database,
    entries: list[Entry],
    deleted: set[int],
    since: datetime | None,
    until: datetime | None,
    kinds: set[Kind] | None,
    include_deleted: bool,
) -> None:
    mine, other = _new_journals(database)
    with other.transaction() as conn:
        for entry in entries:  # the same entries, in the journal beside
            JournalStore(conn).add_entry(entry, recorded_at=RECORDED)
    with mine.transaction() as conn:
        store = JournalStore(conn)
        stored = []
        for n, entry in enumerate(entries):
            kept = store.add_entry(entry, recorded_at=RECORDED)
            assert kept.id is not None
            if n in deleted:
                store.set_deleted(kept.id, RECORDED)
            stored.append((kept, n in deleted))
        found = store.list_entries(
            since=since, until=until, kinds=kinds, include_deleted=include_deleted
        )
    expected = sorted(
        (
            entry
            for entry, gone in stored
            if _inside(entry.at, since, until)
            and (kinds is None or entry.kind in kinds)
            and (include_deleted or not gone)
        ),
        key=lambda e: (e.at, e.id),
    )
    assert found == expected


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    items=st.lists(checkins(), max_size=8),
    deleted=st.sets(st.integers(0, 7)),
    instrument=st.none() | st.sampled_from(INSTRUMENTS),
    since=bounds,
    until=bounds,
    include_deleted=st.booleans(),
)
def test_a_window_of_check_ins_is_every_stored_check_in_inside_it_and_nothing_else(
    database: Database,
    items: list[Assessment],
    deleted: set[int],
    instrument: str | None,
    since: datetime | None,
    until: datetime | None,
    include_deleted: bool,
) -> None:
    mine, other = _new_journals(database)
    with other.transaction() as conn:
        for item in items:
            AssessmentStore(conn).add(item, recorded_at=RECORDED)
    with mine.transaction() as conn:
        store = AssessmentStore(conn)
        stored = []
        for n, item in enumerate(items):
            kept = store.add(item, recorded_at=RECORDED)
            if n in deleted:
                store.set_deleted(kept.id, RECORDED)
            stored.append((kept, n in deleted))
        found = store.list_assessments(
            instrument_id=instrument, since=since, until=until, include_deleted=include_deleted
        )
    expected = [
        kept.id
        for kept, gone in sorted(stored, key=lambda s: (s[0].assessment.at, s[0].id))
        if _inside(kept.assessment.at, since, until)
        and (instrument is None or kept.assessment.instrument_id == instrument)
        and (include_deleted or not gone)
    ]
    assert [f.id for f in found] == expected
    assert all(f.assessment.items for f in found)  # read with their answers


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    days=st.lists(st.floats(min_value=0, max_value=60), max_size=10),
    start=st.floats(min_value=-1, max_value=61),
    length=st.floats(min_value=0, max_value=30),
    wanted=st.sets(st.integers(0, 9)),
)
def test_alerts_in_a_span_and_by_id_are_this_journals_and_nothing_else(
    database: Database, days: list[float], start: float, length: float, wanted: set[int]
) -> None:
    mine, other = _new_journals(database)
    begin = EPOCH + timedelta(days=start)
    end = begin + timedelta(days=length)
    alerts = [
        Alert(
            rule_id="daily-mitragynine-high",
            severity=Severity.CAUTION,
            title="A title",
            message="A message",
            advice="Advice",
            evidence=(EVIDENCE,),
            entry_ids=(),
            at=EPOCH + timedelta(days=day),
            key=f"daily-mitragynine-high/at:{n}",
        )
        for n, day in enumerate(days)
    ]
    with other.transaction() as conn:
        theirs = [AlertStore(conn).insert(a, created_at=RECORDED).id for a in alerts]
    with mine.transaction() as conn:
        store = AlertStore(conn)
        stored = [store.insert(alert, created_at=RECORDED) for alert in alerts]
        in_span = store.in_span(begin, end)
        ids = [stored[n].id for n in sorted(wanted) if n < len(stored)]
        by_id = store.get_many([*ids, *theirs])  # another journal's ids find nothing
    expected = sorted(
        (s for s in stored if begin <= s.alert.at < end), key=lambda s: (s.alert.at, s.id)
    )
    assert [s.id for s in in_span] == [s.id for s in expected]
    assert sorted(by_id) == sorted(ids)
    assert all(by_id[i].alert == next(s.alert for s in stored if s.id == i) for i in ids)
