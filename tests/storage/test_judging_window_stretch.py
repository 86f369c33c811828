"""A kept stretch serves exactly the rows a query of its spans would: those with a moment in
any span (``[a, b]`` closed, ``[a, b)`` half-open), each once, in (moment, id) order, after
any rows were put (new ones, or again with a new moment), dropped or forgotten before a
moment. Checked against filtering every row by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mitra.storage.judging_window import Stretch

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Row:
    id: int
    at: datetime


def _at(hours: int) -> datetime:
    return EPOCH + timedelta(hours=hours)


moments = st.integers(0, 40)  # few moments, so rows share them and spans end on them
changes = st.lists(
    st.tuples(st.sampled_from(["put", "put", "drop", "forget"]), st.integers(1, 25), moments),
    max_size=30,
)
spans = st.lists(st.tuples(moments, st.integers(0, 15)), min_size=1, max_size=3)


@given(changes=changes, asked=spans, closed=st.booleans(), serve_between=st.booleans())
def test_a_stretch_serves_what_filtering_its_rows_gives(
    changes: list[tuple[str, int, int]],
    asked: list[tuple[int, int]],
    closed: bool,
    serve_between: bool,
) -> None:
    stretch = Stretch(_at(0), _at(60), lambda row: row.at)
    rows: dict[int, Row] = {}
    for kind, row_id, hour in changes:
        if kind == "put":
            rows[row_id] = Row(row_id, _at(hour))
            stretch.put([rows[row_id]])
        elif kind == "drop":
            rows.pop(row_id, None)
            stretch.drop(row_id)
        else:
            stretch.forget_before(_at(hour))
            rows = {k: r for k, r in rows.items() if r.at >= _at(hour)}
        if serve_between:  # serving builds the order that later puts keep up to date
            stretch.served([(_at(0), _at(60))], closed=True)
    wanted = [(_at(a), _at(a + length)) for a, length in asked]

    def inside(row: Row) -> bool:
        return any(a <= row.at <= b if closed else a <= row.at < b for a, b in wanted)

    expected = sorted((r for r in rows.values() if inside(r)), key=lambda r: (r.at, r.id))
    assert stretch.served(wanted, closed=closed) == expected
