"""The reports show every unit mitra stores without loading pint: the FHIR bundle and the PDF
of a journal holding prefixed, cubed and per-minute units are made with pint out of reach, and
show each amount as pint would."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mitra.domain import quantities
from mitra.domain.entries import DoseEntry, SubstanceEntry
from mitra.domain.quantities import Amount, display_by_pint
from mitra.reports.fhir_bundle import bundle_json
from mitra.reports.pdf_document import render_pdf
from mitra.services.catalogue import ProductService, ProfileService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.report_data import ReportDataService

# What a person may type; pint reads each (when it is logged) as a unit outside the fast table.
DOSES = ("30 dg", "250 cg")
SUBSTANCES = (("fentanyl", "0.4 mcg/min"), ("methadone", "5 cc"), ("methadone", "4 cm**3"))


def test_reports_of_uncommon_units_never_ask_pint(
    sqlite_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    ProfileService(sqlite_ctx).set(timezone="America/New_York")
    ProductService(sqlite_ctx).add("Red Bali", "leaf", mitragynine_pct=1.6)
    journal = JournalService(sqlite_ctx)
    now = sqlite_ctx.now()
    logged = [
        journal.log_dose(text, product="Red Bali", at=now - timedelta(hours=10 - i)).entry
        for i, text in enumerate(DOSES)
    ] + [
        journal.log_substance(substance, text, at=now - timedelta(hours=5 - i)).entry
        for i, (substance, text) in enumerate(SUBSTANCES)
    ]
    amounts = [e for e in logged if isinstance(e, (DoseEntry, SubstanceEntry))]
    assert len(amounts) == len(logged)
    expected = [display_by_pint(Amount(e.amount, e.unit)) for e in amounts]
    assert len({e.unit for e in amounts}) == len(amounts)  # five different units

    def no_pint() -> None:
        raise AssertionError("a report asked pint")

    monkeypatch.setattr(quantities, "registry", no_pint)
    data = ReportDataService(sqlite_ctx).gather(all_time=True)
    text = bundle_json(data)
    assert render_pdf(data).startswith(b"%PDF")
    for shown in expected:
        assert f'"text":"{shown}' in text, shown
