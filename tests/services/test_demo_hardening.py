"""The demo's tampered-import showcase refuses the two tampered records and writes nothing."""

from __future__ import annotations

from mitra.services.context import AppContext
from mitra.services.demo_hardening import tampered_import_refusals
from mitra.services.transfer import TransferService
from tests.support.journal import build_journal


def test_the_tampered_copy_is_refused_record_by_record_and_nothing_changes(
    sqlite_ctx: AppContext,
) -> None:
    build_journal(sqlite_ctx)
    before = TransferService(sqlite_ctx).tables()
    refusals = tampered_import_refusals(sqlite_ctx)
    assert any(".dose.amount" in r and "-5.0" in r for r in refusals)
    assert any(".note" in r and "control characters" in r for r in refusals)
    assert TransferService(sqlite_ctx).tables() == before
