"""A table of API refusals: each one answers a 4xx with the one error shape and a message
that names the problem, and leaves the journal exactly as it was (every row of every table).

Rows: (method, path, JSON body or raw bytes, extra headers, status, fragment of the message).
The journal already holds a dose (id 1) and a product, so refusals meet a lived-in journal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mitra.services.catalogue import ProductService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.web.app import create_app
from tests.support.refusal import snapshot
from tests.web.conftest import BASE_URL

Row = tuple[str, str, Any, dict[str, str], int, str]
DOSES = "/api/v1/entries/doses"
SUBSTANCES = "/api/v1/entries/substances"
SYMPTOMS = "/api/v1/entries/symptoms"
CHECKINS = "/api/v1/checkins"
PRODUCTS = "/api/v1/products"
PROFILE = "/api/v1/profile"
COWS = [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]
NUL = "a\x00b"

REFUSALS: list[Row] = [
    # -- doses: amounts, products, times, notes, types --------------------------------------
    ("POST", DOSES, {"amount": "-5g"}, {}, 422, "more than zero"),
    ("POST", DOSES, {"amount": "0g"}, {}, 422, "amount"),
    ("POST", DOSES, {"amount": "1e308g"}, {}, 422, "amount"),
    ("POST", DOSES, {"amount": "5kg"}, {}, 422, "more than one dose"),
    ("POST", DOSES, {"amount": "0g"}, {}, 422, "amount"),
    ("POST", DOSES, {"amount": "3 furlongs"}, {}, 422, "unknown unit"),
    ("POST", DOSES, {"amount": ""}, {}, 422, "amount"),
    ("POST", DOSES, {"amount": "x" * 201}, {}, 422, "amount"),
    ("POST", DOSES, {"amount": 3}, {}, 422, "must be a text"),
    ("POST", DOSES, {"amount": True}, {}, 422, "must be a text"),
    ("POST", DOSES, {"amount": None}, {}, 422, "must be a text"),
    ("POST", DOSES, {"amount": ["3g"]}, {}, 422, "must be a text"),
    ("POST", DOSES, {}, {}, 422, "amount"),
    ("POST", DOSES, {"amount": "3g", "colour": "red"}, {}, 422, "colour"),
    ("POST", DOSES, {"amount": NUL + "g"}, {}, 422, "control characters"),
    ("POST", DOSES, {"amount": "3g", "product": "no such product"}, {}, 404, "unknown product"),
    ("POST", DOSES, {"amount": "3g", "product": NUL}, {}, 422, "control characters"),
    ("POST", DOSES, {"amount": "3g", "at": "in two days"}, {}, 422, "future"),
    ("POST", DOSES, {"amount": "3g", "at": "9999-01-01T00:00:00+00:00"}, {}, 422, "at"),
    ("POST", DOSES, {"amount": "3g", "at": "last blue moon"}, {}, 422, "could not read the time"),
    ("POST", DOSES, {"amount": "3g", "at": "8:30\x00pm"}, {}, 422, "control characters"),
    ("POST", DOSES, {"amount": "3g", "note": "x" * 2001}, {}, 422, "2000"),
    ("POST", DOSES, {"amount": "3g", "note": "bell\x07"}, {}, 422, "control characters"),
    ("POST", DOSES, {"amount": "3g", "note": NUL}, {}, 422, "control characters"),
    ("POST", DOSES, {"amount": "3g", "note": "escape\x1b[31m"}, {}, 422, "control characters"),
    ("POST", DOSES, {"amount": "3g", "note": 5}, {}, 422, "must be a text"),
    ("POST", DOSES, b"{not json", {"content-type": "application/json"}, 400, "not valid JSON"),
    ("POST", DOSES, b"", {"content-type": "application/json"}, 422, ""),
    ("POST", DOSES, [1, 2], {}, 422, ""),
    # -- other substances ------------------------------------------------------------------
    ("POST", SUBSTANCES, {"name": "oxycodone", "amount": "-10mg"}, {}, 422, "more than zero"),
    ("POST", SUBSTANCES, {"name": "oxycodone", "amount": "lots"}, {}, 422, "amount"),
    ("POST", SUBSTANCES, {"name": "", "amount": "10mg"}, {}, 422, ""),
    ("POST", SUBSTANCES, {"name": "oxycodone", "amount": "10mg", "route": "ear"}, {}, 422, "route"),
    ("POST", SUBSTANCES, {"name": NUL, "amount": "10mg"}, {}, 422, "control characters"),
    ("POST", SUBSTANCES, {"name": "oxycodone", "amount": 10}, {}, 422, "must be a text"),
    ("POST", SUBSTANCES, {"name": "oxycodone"}, {}, 422, "amount"),
    (
        "POST",
        SUBSTANCES,
        {"name": "oxycodone", "amount": "10mg", "note": "x" * 2001},
        {},
        422,
        "2000",
    ),
    # -- symptoms (types only: the symptom model is another piece of work) -----------------
    ("POST", SYMPTOMS, {"name": "nausea", "severity": True}, {}, 422, "severity"),
    ("POST", SYMPTOMS, {"name": "nausea", "severity": "2"}, {}, 422, "severity"),
    ("POST", SYMPTOMS, {"name": NUL}, {}, 422, "control characters"),
    ("POST", SYMPTOMS, {"name": "nausea", "note": "x" * 2001}, {}, 422, "2000"),
    ("POST", SYMPTOMS, {"name": "nausea", "extra": 1}, {}, 422, "extra"),
    # -- check-ins ---------------------------------------------------------------------------
    (
        "POST",
        CHECKINS,
        {"instrument": "cows", "answers": [500, *COWS[1:]]},
        {},
        422,
        "500 is not allowed",
    ),
    ("POST", CHECKINS, {"instrument": "cows", "answers": [True, *COWS[1:]]}, {}, 422, "answers"),
    ("POST", CHECKINS, {"instrument": "cows", "answers": COWS[:3]}, {}, 422, "answers"),
    ("POST", CHECKINS, {"instrument": "phq27", "answers": [0, 0]}, {}, 404, "instrument"),
    ("POST", CHECKINS, {"instrument": "phq2", "answers": [0, 0], "note": NUL}, {}, 422, "control"),
    (
        "POST",
        CHECKINS,
        {"instrument": "phq2", "answers": [0, 0], "at": "in 3 days"},
        {},
        422,
        "future",
    ),
    # -- products ----------------------------------------------------------------------------
    (
        "POST",
        PRODUCTS,
        {"name": "Red Bali", "form": "leaf", "mitragynine_pct": 1.6},
        {},
        409,
        "already exists",
    ),
    ("POST", PRODUCTS, {"name": "X", "form": "gas", "mitragynine_pct": 1.6}, {}, 422, "form"),
    (
        "POST",
        PRODUCTS,
        {"name": "X", "form": "leaf", "mitragynine_pct": -1},
        {},
        422,
        "mitragynine",
    ),
    (
        "POST",
        PRODUCTS,
        {"name": "X", "form": "leaf", "mitragynine_pct": 1e308},
        {},
        422,
        "mitragynine",
    ),
    (
        "POST",
        PRODUCTS,
        {"name": "X", "form": "leaf", "mitragynine_pct": True},
        {},
        422,
        "mitragynine_pct",
    ),
    ("POST", PRODUCTS, {"name": NUL, "form": "leaf"}, {}, 422, "control characters"),
    ("POST", PRODUCTS, {"name": "X", "form": "leaf", "source": "rumour"}, {}, 422, "source"),
    # -- profile -----------------------------------------------------------------------------
    ("PUT", PROFILE, {"timezone": "Mars/Olympus"}, {}, 422, "unknown time zone"),
    ("PUT", PROFILE, {"pregnant": "yes"}, {}, 422, "pregnant"),
    ("PUT", PROFILE, {"pregnant": 1}, {}, 422, "pregnant"),
    ("PUT", PROFILE, {"goals": ["become a wizard"]}, {}, 422, "goal"),
    ("PUT", PROFILE, {"medications": [NUL]}, {}, 422, "control characters"),
    ("PUT", PROFILE, {"height": 180}, {}, 422, "height"),
    # -- deleting, undo, alerts ------------------------------------------------------------
    ("DELETE", "/api/v1/entries/999", None, {}, 404, "no entry"),
    ("DELETE", "/api/v1/entries/0", None, {}, 422, "entry_id"),
    ("DELETE", "/api/v1/entries/10000000000000000000000000", None, {}, 422, "entry_id"),
    ("DELETE", "/api/v1/entries/abc", None, {}, 422, "entry_id"),
    ("POST", "/api/v1/alerts/99999/acknowledge", {}, {}, 404, "alert"),
    ("POST", "/api/v1/alerts/1/acknowledge", {"note": NUL}, {}, 422, "control characters"),
    # -- the guards: other sites, other host names, keys --------------------------------------
    ("POST", DOSES, {"amount": "3g"}, {"origin": "http://evil.example"}, 403, "another web site"),
    ("POST", DOSES, {"amount": "3g"}, {"sec-fetch-site": "cross-site"}, 403, "another web site"),
    ("POST", DOSES, {"amount": "3g"}, {"host": "evil.example"}, 400, "own address"),
    ("DELETE", "/api/v1/entries/1", None, {"host": "rebind.example:8000"}, 400, "own address"),
    ("POST", DOSES, {"amount": "3g"}, {"idempotency-key": "x" * 201}, 400, "Idempotency-Key"),
    ("POST", DOSES, {"amount": "3g"}, {"idempotency-key": "two words"}, 400, "Idempotency-Key"),
    ("POST", DOSES, {"amount": "2g"}, {"idempotency-key": "used-before"}, 422, "different request"),
    ("POST", "/api/v1/no-such-thing", {}, {}, 404, ""),
]


@pytest.fixture
def lived_in(sqlite_ctx: AppContext) -> Iterator[tuple[TestClient, str]]:
    ProductService(sqlite_ctx).add("Red Bali", "leaf", mitragynine_pct=1.6)
    JournalService(sqlite_ctx).log_dose("3g", product="Red Bali", at="1h ago")
    with TestClient(create_app(sqlite_ctx), base_url=BASE_URL) as client:
        used = client.post(DOSES, json={"amount": "1g"}, headers={"idempotency-key": "used-before"})
        assert used.status_code == 201
        yield client, sqlite_ctx.database.url.removeprefix("sqlite:///")


def test_the_table_has_at_least_sixty_refusals() -> None:
    assert len(REFUSALS) >= 60


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "fragment"),
    REFUSALS,
    ids=[f"{r[0]} {r[1]} {str(r[2])[:40]} {r[4]}" for r in REFUSALS],
)
def test_a_refused_request_says_why_and_changes_nothing(
    lived_in: tuple[TestClient, str],
    method: str,
    path: str,
    body: Any,
    headers: dict[str, str],
    status: int,
    fragment: str,
) -> None:
    client, journal = lived_in
    before = snapshot(journal)
    if isinstance(body, bytes):
        response = client.request(method, path, content=body, headers=headers)
    elif body is None:
        response = client.request(method, path, headers=headers)
    else:
        response = client.request(method, path, json=body, headers=headers)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert fragment.lower() in error["message"].lower(), error
    assert "Traceback" not in response.text and "SELECT" not in response.text
    assert response.headers["cache-control"] == "no-store"
    assert snapshot(journal) == before
