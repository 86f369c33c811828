"""Every severity looks different on the web: its own class (colour, border), symbol and word,
on the alerts page and in the notice after a write."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from mitra.services.catalogue import ProductService
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService

WORDS = {
    "emergency": "Emergency",
    "urgent": "Urgent",
    "warning": "Warning",
    "caution": "Caution",
    "info": "Information",
}


def test_the_five_severities_have_five_badges(client: TestClient, sqlite_ctx: AppContext) -> None:
    journal = JournalService(sqlite_ctx)
    ProductService(sqlite_ctx).add("Gold", form="extract", mitragynine_pct=45)
    journal.log_dose("1g", product="Gold")  # urgent: past the per-dose hard limit
    journal.log_substance("alprazolam", "1mg")  # warning: with kratom
    journal.log_symptom("can\u2019t breathe")  # emergency
    checkins = CheckinService(sqlite_ctx)
    checkins.record("phq2", [2, 2])  # caution
    checkins.record("gad2", [2, 2])  # info
    text = client.get("/alerts").text
    badges = re.findall(
        r'<span class="badge severity-(\w+)"><span aria-hidden="true">([^<]+)</span> (\w+)</span>',
        text,
    )
    seen = {severity: (symbol, word) for severity, symbol, word in badges}
    assert set(seen) == set(WORDS)
    assert {word for _, word in seen.values()} == set(WORDS.values())
    assert len({symbol for symbol, _ in seen.values()}) == 5
    css = client.get("/static/app.css").text
    for severity in WORDS:
        assert f".severity-{severity} {{ --sev-border:" in css
