"""A window read through the entry cache (``JournalStore.window_entries``) is always what
decoding the rows gives now (``list_entries``), however the journal changed since the entries
were kept: entries added, deleted and restored, a product deleted under its doses, an insert
rolled back and its row id given to another entry. Entries unchanged since the last read
are the very objects that read gave (nothing decoded again). SQLite and PostgreSQL; the
database lives through every Hypothesis example, so its cache holds earlier examples'
journals too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mitra.domain.entries import DoseEntry, Entry
from mitra.domain.products import Form, define_product, estimate_dose, generic_products
from mitra.domain.quantities import Amount
from mitra.storage import entry_cache
from mitra.storage.database import Database
from mitra.storage.journal_scope import create_journal
from mitra.storage.journal_store import JournalStore
from tests.storage.test_roundtrip import any_entry

RECORDED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
EVERYTHING = (datetime(1900, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC))


def _journal(database: Database) -> Database:
    with database.transaction() as conn:
        return database.for_journal(create_journal(conn, created_at=RECORDED))


def _window(db: Database, since: datetime, until: datetime) -> tuple[list[Entry], list[Entry]]:
    """The cached read and the plain one, in one transaction."""
    with db.transaction() as conn:
        store = JournalStore(conn)
        return store.window_entries(since=since, until=until), store.list_entries(
            since=since, until=until
        )


def _with_product(entry: Entry, product_id: int) -> Entry:
    return replace(entry, product_id=product_id) if isinstance(entry, DoseEntry) else entry


# One change between two reads: (what, which entry by position, a new entry when adding).
changes = st.lists(
    st.tuples(
        st.sampled_from(["add", "delete", "restore", "delete-product", "rolled-back-add"]),
        st.integers(0, 11),
        any_entry,
    ),
    max_size=8,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=st.lists(any_entry, max_size=10),
    steps=changes,
    since_days=st.floats(min_value=-10, max_value=2510),
    length_days=st.floats(min_value=0, max_value=2600),
)
def test_a_cached_window_read_is_what_decoding_the_rows_gives_after_any_change(
    database: Database,
    first: list[Entry],
    steps: list[tuple[str, int, Entry]],
    since_days: float,
    length_days: float,
) -> None:
    db = _journal(database)
    epoch = datetime(2020, 1, 1, tzinfo=UTC)
    since = epoch + timedelta(days=since_days)
    until = since + timedelta(days=length_days)
    with db.transaction() as conn:
        store = JournalStore(conn)
        product = store.add_product(
            define_product("Cached", Form.EXTRACT, mitragynine_pct=20), created_at=RECORDED
        )
        assert product.id is not None
        ids = [
            store.add_entry(_with_product(e, product.id), recorded_at=RECORDED).id for e in first
        ]
    for window in (EVERYTHING, (since, until)):
        cached, plain = _window(db, *window)
        assert cached == plain
    for what, position, entry in steps:
        with db.transaction() as conn:
            store = JournalStore(conn)
            target = ids[position % len(ids)] if ids else None
            if what == "add":
                ids.append(store.add_entry(entry, recorded_at=RECORDED).id)
            elif what == "delete" and target is not None:
                store.set_deleted(target, RECORDED)
            elif what == "restore" and target is not None:
                store.set_deleted(target, None)
            elif what == "delete-product" and product.id is not None:
                store.delete_product(product.id)
        if what == "rolled-back-add":
            with pytest.raises(RuntimeError), db.transaction() as conn:
                store = JournalStore(conn)
                added = store.add_entry(entry, recorded_at=RECORDED)
                # Read (and so kept) before the roll-back: its row id is free again after it.
                assert added in store.window_entries(since=EVERYTHING[0], until=EVERYTHING[1])
                raise RuntimeError("roll back")
        for window in (EVERYTHING, (since, until)):
            cached, plain = _window(db, *window)
            assert cached == plain


def test_a_second_read_of_an_unchanged_window_hands_out_the_same_entries(
    database: Database,
) -> None:
    db = _journal(database)
    with db.transaction() as conn:
        store = JournalStore(conn)
        for n in range(5):
            store.add_entry(_dose(n), recorded_at=RECORDED)
    first, _ = _window(db, *EVERYTHING)
    again, plain = _window(db, *EVERYTHING)
    assert len(again) == 5
    assert all(a is b for a, b in zip(first, again, strict=True))
    assert again == plain
    assert not any(a is b for a, b in zip(again, plain, strict=True))


def test_a_dose_whose_product_was_deleted_is_read_without_its_product(database: Database) -> None:
    db = _journal(database)
    with db.transaction() as conn:
        store = JournalStore(conn)
        product = store.add_product(
            define_product("Gone soon", Form.LEAF, mitragynine_pct=1.5), created_at=RECORDED
        )
        assert product.id is not None
        store.add_entry(_with_product(_dose(0), product.id), recorded_at=RECORDED)
    (kept,), _ = _window(db, *EVERYTHING)
    assert isinstance(kept, DoseEntry) and kept.product_id == product.id
    with db.transaction() as conn:
        JournalStore(conn).delete_product(product.id)
    (read,), (plain,) = _window(db, *EVERYTHING)
    assert isinstance(read, DoseEntry) and read.product_id is None
    assert read == plain


def test_the_cache_keeps_at_most_its_limit_dropping_the_oldest_first() -> None:
    cache = entry_cache.EntryCache(limit=3)
    entries = [_dose(n) for n in range(5)]
    cache.put_many(7, [((n, f"uuid-{n}", None), e) for n, e in enumerate(entries)])
    assert len(cache) == 3
    keys = [(n, f"uuid-{n}", None) for n in range(5)]
    assert cache.get_many(7, keys) == [None, None, *entries[2:]]
    # Another journal's row with the same id, or the same row with another uuid, misses.
    assert cache.get_many(8, keys[2:3]) == [None]
    assert cache.get_many(7, [(2, "uuid-other", None)]) == [None]
    assert cache.get_many(7, [(2, "uuid-2", 99)]) == [None]


def _dose(n: int) -> DoseEntry:
    product = next(p for p in generic_products() if p.form is Form.LEAF)
    amount = Amount(3.0, "gram")
    return DoseEntry(
        at=datetime(2026, 11, 1, 8, tzinfo=UTC) + timedelta(hours=n),
        product_name=product.name,
        form=product.form,
        amount=amount.value,
        unit=amount.unit,
        estimate=estimate_dose(product, amount),
    )
