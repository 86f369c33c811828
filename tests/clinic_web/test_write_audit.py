"""A write on the clinic server and its audit row are stored together or not at all: the row
is appended by the write's own transaction (``storage.write_audit``), never after the answer.

So a write whose audit row cannot be stored is not stored either, a refused write leaves no
row, and each row names what the write created (the entry, check-in or product id) or what
its path names (the entry deleted)."""

from __future__ import annotations

import io
import json

import pytest
from fastapi.testclient import TestClient

from mitra.services import audit_log
from mitra.services.journal import JournalService
from mitra.storage import audit_store
from mitra.web import csrf
from tests.clinic_web.conftest import BASE_URL, Clinic, page_token


def _writes(clinic: Clinic) -> list[dict[str, object]]:
    out = io.StringIO()
    audit_log.export(clinic.base.database, out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    return [r for r in rows if r["action"] == "write"]


def _entry_count(clinic: Clinic) -> int:
    entries, _, _ = JournalService(clinic.journal("owner")).history(since="30 days ago")
    return len(entries)


def test_a_write_whose_audit_row_cannot_be_stored_is_not_stored_either(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = {"authorization": f"Bearer {clinic.token('owner')}"}
    before = _entry_count(clinic)

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(audit_store, "append", broken)
    client = TestClient(clinic.app, base_url=BASE_URL, raise_server_exceptions=False)
    answer = client.post("/api/v1/entries/doses", json={"amount": "2g"}, headers=headers)
    assert answer.status_code == 500
    assert _entry_count(clinic) == before
    monkeypatch.undo()
    answer = clinic.client().post("/api/v1/entries/doses", json={"amount": "2g"}, headers=headers)
    assert answer.status_code == 201
    assert _entry_count(clinic) == before + 1
    assert _writes(clinic)[-1]["object_id"] == str(answer.json()["entry"]["id"])


def test_a_refused_write_leaves_no_audit_row(clinic: Clinic) -> None:
    headers = {"authorization": f"Bearer {clinic.token('owner')}"}
    before = _writes(clinic)
    answer = clinic.client().post("/api/v1/entries/doses", json={"amount": "lots"}, headers=headers)
    assert answer.status_code == 422
    assert _writes(clinic) == before


def test_each_row_names_what_the_write_created_or_the_path_names(clinic: Clinic) -> None:
    owner = clinic.accounts["owner"]
    page = clinic.sign_in("owner")
    token = page_token(page, "/log/dose")
    logged = page.post("/log/dose", data={"amount": "3g", "at": "", csrf.FIELD: token})
    assert logged.status_code == 303, logged.text
    entries, _, _ = JournalService(clinic.journal("owner")).history(since="30 days ago")
    made = entries[-1]
    row = _writes(clinic)[-1]
    assert (row["object_type"], row["object_id"]) == ("entry", str(made.id))
    assert (row["actor_role"], row["journal_id"]) == ("person", owner.journal_id)

    headers = {"authorization": f"Bearer {clinic.token('owner')}"}
    api = clinic.client()
    gone = api.delete(f"/api/v1/entries/{made.id}", headers=headers)
    assert gone.status_code in (200, 204), gone.text
    row = _writes(clinic)[-1]
    assert (row["object_type"], row["object_id"]) == ("entry", str(made.id))

    product = api.post(
        "/api/v1/products",
        json={"name": "Test leaf", "form": "leaf", "mitragynine_pct": 1.6},
        headers=headers,
    )
    assert product.status_code == 201, product.text
    row = _writes(clinic)[-1]
    assert (row["object_type"], row["object_id"]) == (
        "product",
        str(product.json()["product"]["id"]),
    )
    assert audit_log.verify(clinic.base.database).broken is None
