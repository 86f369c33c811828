"""Check-ins are stored at item level and read back unchanged, on SQLite and PostgreSQL; the
0002 migration adds them without touching an existing journal, and agrees with schema.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, insert, text
from sqlalchemy.exc import IntegrityError

from mitra.domain.checkins import StoredAssessment
from mitra.domain.entries import SymptomEntry
from mitra.domain.instruments import Assessment, Instrument, get_instrument, load_instruments, score
from mitra.storage import schema as t
from mitra.storage.assessment_store import AssessmentStore
from mitra.storage.database import (
    HEAD_REVISION,
    Database,
    current_revision,
    migrate,
    open_database,
)
from mitra.storage.journal_store import JournalStore
from tests.support.migrations import add_symptom_as_before, downgrade

RECORDED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
zones = st.sampled_from([UTC, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")])
moments = st.builds(
    lambda offset, zone: (datetime(2020, 1, 1, tzinfo=UTC) + offset).astimezone(zone),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2500)),
    zones,
)
notes = st.none() | st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=100
)


@st.composite
def assessments(draw: st.DrawFn) -> Assessment:
    """Any complete, valid answer vector of any instrument, scored."""
    instrument: Instrument = draw(st.sampled_from(list(load_instruments().values())))
    answers = [draw(st.sampled_from(item.allowed)) for item in instrument.items]
    rater = draw(st.sampled_from(["self", "clinician"]))
    return score(instrument, answers, rater=rater, at=draw(moments))


def cows(answers: list[int], at: datetime = RECORDED) -> Assessment:
    return score(get_instrument("cows"), answers, rater="clinician", at=at)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(assessment=assessments(), note=notes)
def test_any_valid_answer_vector_stored_and_read_back_is_equal(
    database: Database, assessment: Assessment, note: str | None
) -> None:
    with database.transaction() as conn:
        stored = AssessmentStore(conn).add(assessment, recorded_at=RECORDED, note=note)
    with database.transaction() as conn:
        read = AssessmentStore(conn).get(stored.id)
    assert read == stored
    assert read.assessment == assessment
    assert read.assessment.at.tzinfo is not None


def test_item_scores_are_kept_in_item_order_with_their_positions(database: Database) -> None:
    answers = [4, 3, 5, 2, 1, 0, 5, 2, 1, 4, 3]
    with database.transaction() as conn:
        stored = AssessmentStore(conn).add(cows(answers), recorded_at=RECORDED)
    with database.transaction() as conn:
        rows = conn.execute(
            text(
                "SELECT item_id, position, score FROM assessment_items "
                "WHERE assessment_id = :id ORDER BY position"
            ),
            {"id": stored.id},
        ).all()
    ids = [item.id for item in get_instrument("cows").items]
    assert [tuple(r) for r in rows] == [
        (item_id, n, s) for n, (item_id, s) in enumerate(zip(ids, answers, strict=True), start=1)
    ]


def test_listing_is_in_time_order_per_instrument_and_hides_deleted(database: Database) -> None:
    later = cows([0] * 11, at=RECORDED)
    earlier = cows([1] * 10 + [0], at=RECORDED - timedelta(hours=3))
    craving = score(get_instrument("craving"), [40], rater="self", at=RECORDED)
    with database.transaction() as conn:
        store = AssessmentStore(conn)
        first = store.add(later, recorded_at=RECORDED)
        second = store.add(earlier, recorded_at=RECORDED)
        store.add(craving, recorded_at=RECORDED)
    with database.transaction() as conn:
        store = AssessmentStore(conn)
        assert [r.id for r in store.list_assessments(instrument_id="cows")] == [
            second.id,
            first.id,
        ]
        assert len(store.list_assessments()) == 3
        assert [r.id for r in store.list_assessments(since=RECORDED)] == [first.id, first.id + 2]
        store.set_deleted(second.id, RECORDED)
    with database.transaction() as conn:
        store = AssessmentStore(conn)
        assert [r.id for r in store.list_assessments(instrument_id="cows")] == [first.id]
        every = store.list_assessments(instrument_id="cows", include_deleted=True)
        assert [r.deleted_at for r in every] == [RECORDED, None]
        assert store.count() == 3


def test_an_assessment_and_its_items_are_written_together_or_not_at_all(
    database: Database,
) -> None:
    with pytest.raises(RuntimeError), database.transaction() as conn:
        AssessmentStore(conn).add(cows([0] * 11), recorded_at=RECORDED)
        raise RuntimeError("boom")
    with database.transaction() as conn:
        assert AssessmentStore(conn).count() == 0
        assert conn.execute(text("SELECT COUNT(*) FROM assessment_items")).scalar_one() == 0


def test_the_database_refuses_a_rater_other_than_self_or_clinician(database: Database) -> None:
    with pytest.raises(IntegrityError), database.engine.begin() as conn:
        conn.execute(
            insert(t.assessments).values(
                instrument_id="cows",
                instrument_version="1",
                total=0,
                rater="nurse",
                at=RECORDED,
                recorded_at=RECORDED,
            )
        )


def test_schema_module_and_migrations_describe_the_same_tables(database: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with database.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), t.metadata)
    assert differences == []


@pytest.fixture(params=["sqlite", "postgresql"])
def url_at_0001(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database migrated only to 0001, as a journal made before check-ins existed is."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_url").replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(url)
    migrate(Database(url=url, engine=engine), "0001")
    engine.dispose()
    yield url


def test_a_journal_made_before_checkins_keeps_its_entries_when_upgraded(
    url_at_0001: str,
) -> None:
    engine = create_engine(url_at_0001)
    old = Database(url=url_at_0001, engine=engine)
    assert current_revision(old) == "0001"
    entry_id = add_symptom_as_before(old, at=RECORDED, note="before 0002")
    engine.dispose()

    upgraded = open_database(url_at_0001)
    try:
        assert current_revision(upgraded) == HEAD_REVISION
        with upgraded.transaction() as conn:
            found = JournalStore(conn).get_entry(entry_id)
            assert found is not None and found[0].uuid is not None  # 0011 gave it one
            stored_entry = SymptomEntry(
                at=RECORDED,
                symptom_id="nausea",
                severity=2,
                note="before 0002",
                id=entry_id,
                recorded_at=RECORDED,
                uuid=found[0].uuid,
            )
            assert found[0] == stored_entry
            added = AssessmentStore(conn).add(cows([0] * 11), recorded_at=RECORDED)
        assert isinstance(added, StoredAssessment)
    finally:
        upgraded.dispose()


def test_the_checkin_migration_can_be_reversed_and_applied_again(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'j.sqlite3'}")
    downgrade(db, "0001")
    assert current_revision(db) == "0001"
    migrate(db)
    assert current_revision(db) == HEAD_REVISION
    db.dispose()
