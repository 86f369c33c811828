"""Idempotency keys on both backends: claimed with the write in one transaction, a second
claim of the same key refused (and its transaction rolled back), the answer kept and found."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select

from mitra.domain.errors import ConflictError
from mitra.storage import idempotency
from mitra.storage import schema as t
from mitra.storage.database import Database
from mitra.storage.journal_scope import LOCAL_JOURNAL
from tests.conftest import FIXED_NOW


def _pending(key: str) -> idempotency.Pending:
    return idempotency.Pending(key, "f" * 64, FIXED_NOW)


def _products(database: Database) -> int:
    with database.read() as conn:
        return int(conn.execute(select(func.count()).select_from(t.products)).scalar_one())


def _write_one(database: Database) -> None:
    with database.transaction() as conn:
        conn.execute(
            insert(t.products).values(
                journal_id=LOCAL_JOURNAL,
                name="P",
                name_key=f"p{_products(database)}",
                form="leaf",
                basis="per-g",
                mitragynine_typical=15.0,
                mitragynine_low=10.0,
                mitragynine_high=20.0,
                seven_oh_typical=0.1,
                seven_oh_low=0.05,
                seven_oh_high=0.2,
                potency_source="typical",
                potency_why="",
                potency_sources="",
                unit_mass_g=None,
                scoop_g=None,
                created_at=FIXED_NOW,
            )
        )


def test_a_key_is_claimed_once_with_its_write(database: Database) -> None:
    token = idempotency.PENDING.set(_pending("k-1"))
    try:
        _write_one(database)
    finally:
        idempotency.PENDING.reset(token)
    token = idempotency.PENDING.set(_pending("k-1"))  # a concurrent retry of the same key
    try:
        with pytest.raises(ConflictError):
            _write_one(database)
    finally:
        idempotency.PENDING.reset(token)
    assert _products(database) == 1  # the retry's write rolled back with its claim


def test_the_answer_is_kept_and_found(database: Database) -> None:
    pending = _pending("k-2")
    with database.transaction() as conn:
        idempotency.remember(
            conn,
            pending,
            status=201,
            response='{"ok": 1}',
            content_type="application/json",
            location=None,
        )
    with database.read() as conn:
        stored = idempotency.lookup(conn, "k-2")
    assert stored is not None and stored.status == 201 and stored.response == '{"ok": 1}'
    with database.read() as conn:
        assert idempotency.lookup(conn, "unknown") is None
