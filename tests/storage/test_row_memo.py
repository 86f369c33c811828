"""Alerts decoded through the row memo (``storage.row_memo``) are always what decoding their
rows gives now, whatever happened to them since they were last read: updated with new figures
(their history grown), closed by mitra, reopened, acknowledged with or without a note. An alert
read again unchanged is the very object the last read gave (nothing decoded again). SQLite and
PostgreSQL; the database lives through every Hypothesis example, so the memo holds earlier
examples' alerts too. The memo itself is bounded and keys a row by its column names as well
as its values.
"""

from __future__ import annotations

from collections import namedtuple
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from mitra.domain.alerts import Alert, Evidence, Severity, day_key
from mitra.storage import alert_store
from mitra.storage import schema as t
from mitra.storage.alert_store import AlertStore, StoredAlert
from mitra.storage.database import Database
from mitra.storage.journal_scope import create_journal, journal_of
from mitra.storage.row_memo import RowMemo

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
EVIDENCE = (Evidence("test-source", "A citation", "moderate", "a claim"),)
SPAN = (START - timedelta(days=1), START + timedelta(days=30))


def _alert(day: int, *, figure: int = 1, severity: Severity = Severity.CAUTION) -> Alert:
    at = START + timedelta(days=day)
    return Alert(
        "doses-per-day-high",
        severity,
        f"{figure} doses",
        f"you logged {figure} doses",
        "advice",
        EVIDENCE,
        tuple(range(1, figure + 1)),
        at,
        day_key("doses-per-day-high", at.date()),
    )


def _fresh(conn: Any) -> dict[int, StoredAlert]:
    """Every alert of the journal, decoded without the memo."""
    rows = conn.execute(select(t.alerts).where(t.alerts.c.journal_id == journal_of(conn)))
    return {row._mapping["id"]: alert_store._decode(row) for row in rows}


# One change to one alert (by position): what, and the figure an update shows.
steps = st.lists(
    st.tuples(
        st.sampled_from(["update", "close", "reopen", "acknowledge", "acknowledge-note"]),
        st.integers(0, 5),
        st.integers(1, 9),
    ),
    max_size=12,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(days=st.lists(st.integers(0, 20), min_size=1, max_size=6, unique=True), changes=steps)
def test_an_alert_read_again_is_what_decoding_its_row_gives_after_any_change(
    database: Database, days: list[int], changes: list[tuple[str, int, int]]
) -> None:
    with database.transaction() as conn:
        db = database.for_journal(create_journal(conn, created_at=START))
    with db.transaction() as conn:
        for day in days:
            AlertStore(conn).insert(_alert(day), created_at=START)
    moment = START
    for kind, index, figure in changes:
        moment += timedelta(minutes=7)
        with db.transaction() as conn:
            store = AlertStore(conn)
            before = store.in_span(*SPAN)  # read (and kept) before the change
            stored = before[index % len(before)]
            day = (stored.alert.at - START).days
            if kind == "update":
                store.replace(stored, _alert(day, figure=figure), at=moment)
            elif kind == "close":
                store.close(stored, at=moment, note=alert_store.NO_LONGER_NOTE)
            elif kind == "reopen":
                store.reopen(stored, _alert(day, figure=figure), at=moment)
            else:
                note = "seen it" if kind == "acknowledge-note" else None
                store.acknowledge(stored.id, at=moment, note=note)
        with db.transaction() as conn:
            store = AlertStore(conn)
            fresh = _fresh(conn)
            assert {s.id: s for s in store.in_span(*SPAN)} == fresh
            assert store.get_many(list(fresh)) == fresh
            assert {s.id: s for s in store.with_keys([s.alert.key for s in fresh.values()])} == (
                fresh
            )


def test_an_alert_read_again_unchanged_is_not_decoded_again(database: Database) -> None:
    with database.transaction() as conn:
        db = database.for_journal(create_journal(conn, created_at=START))
    with db.transaction() as conn:
        AlertStore(conn).insert(_alert(2), created_at=START)
        AlertStore(conn).insert(_alert(3), created_at=START)
    with db.transaction() as conn:
        first = AlertStore(conn).in_span(*SPAN)
    with db.transaction() as conn:
        again = AlertStore(conn).in_span(*SPAN)
        AlertStore(conn).acknowledge(again[0].id, at=START + timedelta(days=4), note=None)
    with db.transaction() as conn:
        after = AlertStore(conn).in_span(*SPAN)
    assert all(a is b for a, b in zip(first, again, strict=True))
    assert after[0] is not first[0] and after[0].acknowledged_at is not None
    assert after[1] is first[1]


Row = namedtuple("Row", ["id", "title"])
Other = namedtuple("Other", ["title", "id"])


def test_the_memo_keeps_at_most_its_limit_dropping_the_oldest_first() -> None:
    decoded: list[int] = []

    def decode(row: Row) -> str:
        decoded.append(row.id)
        return f"alert {row.id}"

    memo: RowMemo[Row, str] = RowMemo(decode, limit=3)
    for n in range(5):
        assert memo(Row(n, "t")) == f"alert {n}"
    assert len(memo) == 3
    memo(Row(4, "t"))  # kept: not decoded again
    memo(Row(0, "t"))  # dropped first: decoded again
    assert decoded == [0, 1, 2, 3, 4, 0]


def test_rows_of_equal_values_under_other_column_names_are_decoded_apart() -> None:
    memo: RowMemo[Row | Other, tuple[str, ...]] = RowMemo(lambda row: row._fields, limit=10)
    assert memo(Row(1, "a")) == ("id", "title")
    assert memo(Other(1, "a")) == ("title", "id")  # same values in order, other columns


@pytest.mark.parametrize("limit", [1, 2])
def test_a_row_changed_in_any_column_is_decoded_afresh(limit: int) -> None:
    memo: RowMemo[Row, str] = RowMemo(lambda row: row.title, limit=limit)
    assert memo(Row(1, "before")) == "before"
    assert memo(Row(1, "after")) == "after"
