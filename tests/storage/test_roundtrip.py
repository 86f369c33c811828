"""Storage keeps what it is given: any valid entry written and read back is equal, on SQLite
and on PostgreSQL; the schema is at the Alembic head; SQLite is set up for safe concurrency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mitra.domain.amount_limits import kratom_bound
from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry, SymptomEntry
from mitra.domain.products import Form, define_product, estimate_dose, generic_products
from mitra.domain.profile import Profile
from mitra.domain.quantities import Amount
from mitra.domain.substances import Route, SubstanceClass
from mitra.domain.symptoms import catalogue as symptom_catalogue
from mitra.storage.database import HEAD_REVISION, Database, current_revision
from mitra.storage.journal_store import JournalStore

RECORDED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
zones = st.sampled_from([UTC, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")])
moments = st.builds(
    lambda offset, zone: (datetime(2020, 1, 1, tzinfo=UTC) + offset).astimezone(zone),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2500)),
    zones,
)
notes = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200)
    .map(str.strip)
    .filter(bool),
)


@st.composite
def dose_entries(draw: st.DrawFn) -> DoseEntry:
    product = draw(st.sampled_from([p for p in generic_products() if p.form is not Form.LIQUID]))
    bound = kratom_bound(product.form.value, "mass")
    limit = bound.limit if bound is not None else 50.0
    grams = draw(st.floats(min_value=0.01, max_value=limit, allow_nan=False))
    amount = Amount(grams, "gram")
    return DoseEntry(
        at=draw(moments),
        product_name=product.name,
        form=product.form,
        amount=amount.value,
        unit=amount.unit,
        estimate=estimate_dose(product, amount),
        note=draw(notes),
    )


@st.composite
def substance_entries(draw: st.DrawFn) -> SubstanceEntry:
    return SubstanceEntry(
        at=draw(moments),
        substance_id=draw(st.sampled_from(["oxycodone", "alprazolam"])),
        name=draw(st.sampled_from(["oxycodone", "alprazolam"])),
        substance_class=draw(st.sampled_from(list(SubstanceClass))),
        amount=draw(st.floats(min_value=0.001, max_value=1000, allow_nan=False)),
        unit="milligram",
        route=draw(st.none() | st.sampled_from(list(Route))),
        mme=draw(st.none() | st.floats(min_value=0, max_value=10_000, allow_nan=False)),
        note=draw(notes),
    )


@st.composite
def symptom_entries(draw: st.DrawFn) -> SymptomEntry:
    symptom = draw(st.sampled_from(symptom_catalogue()))
    return SymptomEntry(
        at=draw(moments), symptom_id=symptom.id, severity=draw(st.integers(0, 3)), note=draw(notes)
    )


any_entry = st.one_of(dose_entries(), substance_entries(), symptom_entries())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entry=any_entry)
def test_any_valid_entry_written_and_read_back_is_equal(database: Database, entry: Entry) -> None:
    with database.transaction() as conn:
        stored = JournalStore(conn).add_entry(entry, recorded_at=RECORDED)
    assert stored.id is not None
    with database.transaction() as conn:
        found = JournalStore(conn).get_entry(stored.id)
    assert found is not None
    read, deleted_at = found
    assert deleted_at is None
    assert read == stored
    assert read.at.tzinfo is not None


def test_products_and_profile_round_trip(database: Database) -> None:
    product = define_product("Gold extract", Form.EXTRACT, mitragynine_pct=45, unit_mass_g=0.5)
    profile = Profile(
        timezone="Europe/London",
        pregnant=False,
        breastfeeding=None,
        medications=("sertraline", "quetiapine"),
        goals=("taper-kratom",),
    )
    with database.transaction() as conn:
        store = JournalStore(conn)
        stored = store.add_product(product, created_at=RECORDED)
        store.save_profile(profile, at=RECORDED)
    with database.transaction() as conn:
        store = JournalStore(conn)
        assert store.find_product("GOLD EXTRACT") == stored
        assert store.get_profile() == profile


def test_a_failed_transaction_writes_nothing(database: Database) -> None:
    entry = SymptomEntry(at=RECORDED, symptom_id="nausea", severity=2)
    try:
        with database.transaction() as conn:
            JournalStore(conn).add_entry(entry, recorded_at=RECORDED)
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with database.transaction() as conn:
        assert JournalStore(conn).count_entries() == 0


def test_the_schema_is_at_the_newest_migration(database: Database) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    import mitra.storage.database as db_module

    config = Config()
    config.set_main_option(
        "script_location", str(__import__("pathlib").Path(db_module.__file__).parent / "migrations")
    )
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION
    assert current_revision(database) == HEAD_REVISION


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: object) -> None:
    from pathlib import Path

    from mitra.storage.database import open_database

    db = open_database(f"sqlite:///{Path(str(tmp_path)) / 'x.sqlite3'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
    db.dispose()
