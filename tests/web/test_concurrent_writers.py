"""Concurrent API writers through one app (the single-writer design, issue 14): every dose
posted by several clients at once is stored exactly once, each answered 201, and none sees
"database is locked"."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient

from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from tests.conftest import FIXED_NOW
from tests.web.conftest import BASE_URL

WRITERS = 6
EACH = 8


def _write(app: FastAPI, writer: int) -> list[tuple[int, str]]:
    client = TestClient(app, base_url=BASE_URL)
    answers = []
    for n in range(EACH):
        at = FIXED_NOW - timedelta(hours=writer * EACH + n + 1)
        response = client.post(
            "/api/v1/entries/doses",
            json={"amount": "2g", "at": at.isoformat(), "note": f"w{writer}-{n}"},
        )
        answers.append((response.status_code, response.text))
    return answers


def test_concurrent_writers_each_land_exactly_once(app: FastAPI, sqlite_ctx: AppContext) -> None:
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        results = [a for part in pool.map(lambda w: _write(app, w), range(WRITERS)) for a in part]
    refused = [text for status, text in results if status != 201]
    assert refused == []
    assert not any("locked" in text for _, text in results)
    found, _, _ = JournalService(sqlite_ctx).history(include_deleted=True)
    notes = sorted(e.note or "" for e in found)
    assert notes == sorted(f"w{w}-{n}" for w in range(WRITERS) for n in range(EACH))
