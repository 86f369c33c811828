"""Two journals on one clinic server hold the same entries (and one marked note each); each
person's pages, API, PDF report, FHIR bundle and whole-journal export, and a clinician's view
of the shared one, show that journal's entries only: the same content, ids and uuids, never
the other's.

Each person's context is ``Database.for_journal`` of their own journal (the tenant scoping):
this is the test that the web side asks for the caller's journal on every request.
"""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from pypdf import PdfReader

from mitra.services.journal import JournalService
from tests.clinic_web.conftest import Clinic

SAME = (("3g", "2 days ago"), ("2g", "yesterday 08:00"), ("4g", "today 09:00"))


def _fill(clinic: Clinic, who: str) -> None:
    journal = JournalService(clinic.journal(who))
    for amount, at in SAME:
        journal.log_dose(amount, at=at, note="the same note in both journals")
    journal.log_symptom("nausea", severity=2, at="today 10:00", note=f"marker-{who}")


def _api_entries(client: TestClient, headers: dict[str, str], path: str) -> list[dict[str, object]]:
    answer = client.get(path, headers=headers, params={"since": "30 days ago"})
    assert answer.status_code == 200, answer.text
    found: list[dict[str, object]] = answer.json()["entries"]
    return found


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(page.extract_text() or "" for page in reader.pages)


def test_two_journals_with_the_same_entries_never_show_each_other(clinic: Clinic) -> None:
    _fill(clinic, "owner")
    _fill(clinic, "other")
    seen: dict[str, dict[str, set[object]]] = {}
    for who in ("owner", "other"):
        other = "other" if who == "owner" else "owner"
        headers = {"authorization": f"Bearer {clinic.token(who)}"}
        api = clinic.client()
        entries = _api_entries(api, headers, "/api/v1/entries")
        assert len(entries) == len(SAME) + 1
        assert [e["note"] for e in entries].count(f"marker-{who}") == 1
        assert f"marker-{other}" not in str(entries)
        seen[who] = {
            "ids": {e["id"] for e in entries},
            "uuids": {e.get("uuid") for e in entries} - {None},
        }
        page = clinic.sign_in(who)
        history = page.get("/history", params={"since": "30 days ago"}).text
        assert f"marker-{who}" in history and f"marker-{other}" not in history
        ids_on_page = {int(i) for i in re.findall(r"/entries/(\d+)/delete", history)}
        assert ids_on_page == seen[who]["ids"]
        today = page.get("/today").text
        assert f"marker-{other}" not in today
        pdf = page.get("/report/pdf", params={"since": "30 days ago", "include_notes": "1"})
        assert pdf.status_code == 200
        text = _pdf_text(pdf.content)
        assert f"marker-{who}" in text and f"marker-{other}" not in text
        fhir = page.get("/report/fhir", params={"since": "30 days ago", "include_notes": "1"})
        assert fhir.status_code == 200
        assert f"marker-{who}" in fhir.text and f"marker-{other}" not in fhir.text
        exported = page.get("/report/export")
        assert exported.status_code == 200
        document = exported.json()
        assert f"marker-{who}" in exported.text and f"marker-{other}" not in exported.text
        assert {e["id"] for e in document["entries"]} == seen[who]["ids"]
        assert {e["uuid"] for e in document["entries"]} == seen[who]["uuids"]
    assert not seen["owner"]["ids"] & seen["other"]["ids"]
    assert not seen["owner"]["uuids"] & seen["other"]["uuids"]
    # The clinician the owner shares with sees the owner's journal, exactly.
    reader = {"authorization": f"Bearer {clinic.token('clin_read')}"}
    owner_id = clinic.accounts["owner"].journal_id
    shared = _api_entries(clinic.client(), reader, f"/api/v1/people/{owner_id}/entries")
    assert {e["id"] for e in shared} == seen["owner"]["ids"]
    assert "marker-other" not in str(shared)
