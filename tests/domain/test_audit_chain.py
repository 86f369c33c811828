"""The audit hash chain: a sealed chain verifies; changing any field of any row, removing,
repeating or reordering rows, or cutting off the newest ones is reported at the first row
that breaks; the canonical bytes are stable and documented; verify streams."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mitra.domain.audit_chain import (
    GENESIS,
    AuditFields,
    AuditRow,
    canonical,
    chain_hash,
    seal,
    verify,
)
from tests.support.clock import FIXED_NOW


def fields(seq: int, **changes: Any) -> AuditFields:
    values: dict[str, Any] = {
        "seq": seq,
        "at": FIXED_NOW + timedelta(minutes=seq),
        "actor_id": 7,
        "actor_role": "clinician",
        "journal_id": 3,
        "action": "read",
        "object_type": "journal",
        "object_id": "3",
        "source_address": "192.0.2.10",
        "reason": None,
    }
    values.update(changes)
    return AuditFields(**values)


def chain(count: int) -> list[AuditRow]:
    rows: list[AuditRow] = []
    prev = GENESIS
    for seq in range(1, count + 1):
        row = seal(fields(seq, object_id=f"entry-{seq}"), prev)
        rows.append(row)
        prev = row.row_hash
    return rows


def test_a_sealed_chain_verifies() -> None:
    rows = chain(5)
    assert rows[0].prev_hash == GENESIS == "0" * 64
    assert all(b.prev_hash == a.row_hash for a, b in itertools.pairwise(rows))
    assert verify(rows) is None
    assert verify([]) is None


def test_the_canonical_form_is_sorted_compact_json_with_utc_microseconds() -> None:
    row = fields(1, at=datetime(2026, 11, 20, 10, 0, tzinfo=timezone(timedelta(hours=-5))))
    text = canonical(row).decode("ascii")
    assert " " not in text
    decoded = json.loads(text)
    assert list(decoded) == sorted(decoded)
    assert decoded["at"] == "2026-11-20T15:00:00.000000Z"
    assert decoded["v"] == 1
    assert decoded["reason"] is None
    assert "prev_hash" not in decoded and "row_hash" not in decoded
    assert set(decoded) == {f.name for f in dataclasses.fields(AuditFields)} | {"v"}


def test_the_row_hash_is_sha256_of_the_previous_hash_and_the_canonical_bytes() -> None:
    row = fields(1)
    expected = hashlib.sha256(GENESIS.encode("ascii") + canonical(row)).hexdigest()
    assert chain_hash(GENESIS, row) == expected
    assert seal(row).row_hash == expected


def test_non_ascii_content_is_escaped_so_the_bytes_are_ascii() -> None:
    data = canonical(fields(1, reason="Notfall: Atemnot, Bewusstlosigkeit — Zimmer 3"))
    assert data.isascii()
    assert json.loads(data)["reason"] == "Notfall: Atemnot, Bewusstlosigkeit — Zimmer 3"


def test_the_same_moment_in_another_zone_is_the_same_row() -> None:
    here = fields(1)
    there = fields(1, at=FIXED_NOW.astimezone(timezone(timedelta(hours=9))) + timedelta(minutes=1))
    assert canonical(here) == canonical(there)


def test_a_naive_time_or_an_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        fields(1, at=datetime(2026, 11, 20, 15, 0))
    with pytest.raises(ValueError, match="actor_role"):
        fields(1, actor_role="root")
    with pytest.raises(ValueError, match="seq"):
        fields(0)


def test_a_removed_row_is_a_seq_gap_at_the_row_after_it() -> None:
    rows = chain(6)
    del rows[2]
    broken = verify(rows)
    assert broken is not None
    assert (broken.seq, broken.after_seq, broken.kind) == (4, 2, "seq-gap")
    assert "missing" in broken.message


def test_swapped_rows_break_at_the_first_of_them() -> None:
    rows = chain(5)
    rows[1], rows[2] = rows[2], rows[1]
    broken = verify(rows)
    assert broken is not None and broken.after_seq == 1 and broken.kind == "seq-gap"


def test_a_resealed_tail_is_caught_by_the_prev_hash_of_its_first_row() -> None:
    rows = chain(4)
    forged = seal(fields(3, action="delete"), GENESIS)  # re-chained from the start
    rows[2] = forged
    broken = verify(rows)
    assert broken is not None and (broken.seq, broken.kind) == (3, "prev-hash-mismatch")


def test_rows_cut_off_at_the_end_are_caught_with_the_head_kept_elsewhere() -> None:
    rows = chain(5)
    head = rows[-1].row_hash
    assert verify(rows, expected_head=head) is None
    broken = verify(rows[:3], expected_head=head)
    assert broken is not None and (broken.seq, broken.kind) == (3, "head-mismatch")
    assert verify(rows[:3]) is None  # without the kept head the chain cannot tell


def test_the_newer_part_of_a_log_verifies_from_a_trusted_row() -> None:
    rows = chain(6)
    trusted = rows[2]
    assert verify(rows[3:], start_seq=trusted.seq, start_hash=trusted.row_hash) is None
    assert verify(rows[3:]) is not None


def test_verify_streams_and_stops_at_the_first_break() -> None:
    consumed: list[int] = []
    good = chain(3)
    bad = dataclasses.replace(good[1], action="delete")

    def rows() -> Iterator[AuditRow]:
        for row in (good[0], bad, good[2]):
            consumed.append(row.seq)
            yield row

    broken = verify(rows())
    assert broken is not None and broken.seq == 2 and broken.kind == "hash-mismatch"
    assert consumed == [1, 2]


# Tampering: any field of any row.

TAMPER_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "seq": st.integers(min_value=1, max_value=10_000),
    "at": st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    "actor_id": st.none() | st.integers(min_value=0, max_value=10**9),
    "actor_role": st.sampled_from(["person", "clinician", "admin", "system"]),
    "journal_id": st.none() | st.integers(min_value=0, max_value=10**9),
    "action": st.text(min_size=1, max_size=20),
    "object_type": st.text(min_size=1, max_size=20),
    "object_id": st.none() | st.text(max_size=20),
    "source_address": st.none() | st.text(max_size=40),
    "reason": st.none() | st.text(max_size=60),
    "prev_hash": st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    "row_hash": st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
}


@st.composite
def tampered(draw: st.DrawFn) -> tuple[list[AuditRow], int, str]:
    rows = chain(draw(st.integers(min_value=1, max_value=12)))
    index = draw(st.integers(min_value=0, max_value=len(rows) - 1))
    name = draw(st.sampled_from(sorted(TAMPER_VALUES)))
    original = getattr(rows[index], name)
    value = draw(TAMPER_VALUES[name].filter(lambda v: v != original))
    rows[index] = dataclasses.replace(rows[index], **{name: value})
    return rows, index, name


@settings(max_examples=400, deadline=None)
@given(tampered())
def test_changing_any_field_of_any_row_is_reported_at_that_row(
    case: tuple[list[AuditRow], int, str],
) -> None:
    rows, index, name = case
    broken = verify(rows)
    assert broken is not None
    assert broken.after_seq == index  # rows before it hold; seq counts from 1
    assert broken.seq == rows[index].seq
    expected = {"seq": "seq-gap", "prev_hash": "prev-hash-mismatch"}.get(name, "hash-mismatch")
    assert broken.kind == expected


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=30))
def test_every_untouched_chain_verifies_with_its_own_head(count: int) -> None:
    rows = chain(count)
    assert verify(iter(rows), expected_head=rows[-1].row_hash) is None
