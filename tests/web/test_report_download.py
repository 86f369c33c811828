"""Report downloads in-process: the PDF is the document ``mitra report pdf`` makes (it opens
with pypdf and has every section), notes only when asked, paper sizes, a refused period shown
at its field; the FHIR bundle is the validated one; the whole-journal export imports back."""

from __future__ import annotations

import io
import json
from pathlib import Path

from fastapi.testclient import TestClient
from pypdf import PdfReader

from mitra.reports.pdf_document import SECTION_TITLES
from mitra.services.catalogue import ProfileService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.services.transfer import TransferService
from mitra.storage.database import open_database

NOTE = "felt calmer after the walk"


def _journal(ctx: AppContext) -> None:
    ProfileService(ctx).set(timezone="America/New_York")
    journal = JournalService(ctx)
    for hours in (50, 30, 10):
        journal.log_dose("3g", at=f"{hours}h ago", note=NOTE)


def _text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())


def test_the_report_page_offers_the_period_paper_and_notes(client: TestClient) -> None:
    text = client.get("/report").text
    for name in ("since", "until", "paper", "include_notes"):
        assert f'name="{name}"' in text
    assert 'action="/report/pdf"' in text and 'formaction="/report/fhir"' in text


def test_the_downloaded_pdf_opens_and_has_every_section(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    _journal(sqlite_ctx)
    response = client.get("/report/pdf", params={"since": "30 days ago", "paper": "letter"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert response.headers["cache-control"] == "no-store"
    reader, text = _text(response.content)
    at = 0
    for title in SECTION_TITLES:
        at = text.find(title, at)
        assert at >= 0, title
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (612, 792)  # US Letter
    assert NOTE not in text  # notes only when asked


def test_notes_are_in_the_pdf_only_when_asked(client: TestClient, sqlite_ctx: AppContext) -> None:
    _journal(sqlite_ctx)
    response = client.get("/report/pdf", params={"include_notes": "1"})
    _, text = _text(response.content)
    assert NOTE in text


def test_a_period_mitra_cannot_read_is_shown_at_its_field(client: TestClient) -> None:
    response = client.get("/report/pdf", params={"since": "not a date at all"})
    assert response.status_code == 422
    assert 'id="error-since"' in response.text
    paper = client.get("/report/pdf", params={"paper": "a3"})
    assert paper.status_code == 422 and 'id="error-paper"' in paper.text


def test_the_fhir_bundle_downloads_validated(client: TestClient, sqlite_ctx: AppContext) -> None:
    _journal(sqlite_ctx)
    response = client.get("/report/fhir")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    bundle = json.loads(response.content)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert "MedicationStatement" in kinds


def test_the_whole_journal_export_downloads_and_imports_back_unchanged(
    client: TestClient, sqlite_ctx: AppContext, tmp_path: Path
) -> None:
    _journal(sqlite_ctx)
    response = client.get("/report/export")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "attachment" in response.headers["content-disposition"]
    document = json.loads(response.content)
    assert document["format"] == "mitra-export" and len(document["entries"]) == 3
    assert NOTE in response.text  # the whole journal: notes included
    fresh = AppContext(open_database(f"sqlite:///{tmp_path / 'copy.db'}"), clock=sqlite_ctx.clock)
    report = TransferService(fresh).import_document(document)
    assert report.added > 0 and report.conflicts == 0
    assert TransferService(fresh).import_document(document).added == 0  # lossless round trip
