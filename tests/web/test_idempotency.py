"""An API write or a form sent twice with the same Idempotency-Key is stored once and answered
the same; a key reused for another request is refused; a refused request keeps no key."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mitra.services.context import AppContext
from mitra.storage import idempotency
from mitra.web import csrf
from mitra.web.idempotency import fingerprint
from tests.web.conftest import entry_count
from tests.web.test_forms import form_token


def test_a_retried_api_write_is_stored_once_and_answered_again(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    headers = {"Idempotency-Key": "3f2b8c1e-retry-1"}
    first = client.post("/api/v1/entries/doses", json={"amount": "3g"}, headers=headers)
    again = client.post("/api/v1/entries/doses", json={"amount": "3g"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotency-replayed"] == "true"
    assert entry_count(sqlite_ctx) == 1


def test_without_a_key_two_requests_are_two_entries(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    for _ in range(2):
        assert client.post("/api/v1/entries/doses", json={"amount": "3g"}).status_code == 201
    assert entry_count(sqlite_ctx) == 2


def test_a_key_reused_for_another_request_is_refused(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    headers = {"Idempotency-Key": "same-key"}
    assert (
        client.post("/api/v1/entries/doses", json={"amount": "3g"}, headers=headers).status_code
        == 201
    )
    other = client.post("/api/v1/entries/doses", json={"amount": "2g"}, headers=headers)
    assert other.status_code == 422 and "different request" in other.json()["error"]["message"]
    assert entry_count(sqlite_ctx) == 1


def test_a_refused_request_keeps_no_key(client: TestClient, sqlite_ctx: AppContext) -> None:
    headers = {"Idempotency-Key": "fix-and-retry"}
    assert (
        client.post("/api/v1/entries/doses", json={"amount": "-3g"}, headers=headers).status_code
        == 422
    )
    # The corrected request may not reuse a key with another body, but a fresh attempt of the
    # refused one is refused again, not replayed: nothing was kept.
    again = client.post("/api/v1/entries/doses", json={"amount": "-3g"}, headers=headers)
    assert again.status_code == 422 and "idempotency-replayed" not in again.headers
    assert entry_count(sqlite_ctx) == 0


def test_a_write_whose_answer_was_lost_is_not_carried_out_again(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    # The server stopped after committing the entry with its claimed key, before answering.
    body = b'{"amount": "3g"}'
    print_ = fingerprint("POST", "/api/v1/entries/doses", b"", body)
    pending = idempotency.Pending("lost-answer", print_, sqlite_ctx.now())
    token = idempotency.PENDING.set(pending)
    try:
        with sqlite_ctx.database.transaction() as conn:
            idempotency.claim(conn)
    finally:
        idempotency.PENDING.reset(token)
    retry = client.post(
        "/api/v1/entries/doses",
        content=body,
        headers={"Idempotency-Key": "lost-answer", "content-type": "application/json"},
    )
    assert retry.status_code == 409 and "already carried out" in retry.json()["error"]["message"]
    assert entry_count(sqlite_ctx) == 0


@pytest.mark.parametrize("key", ["", "x" * 201, "has space", "tab\there"])
def test_a_malformed_key_is_refused(client: TestClient, sqlite_ctx: AppContext, key: str) -> None:
    response = client.post(
        "/api/v1/entries/doses",
        json={"amount": "3g"},
        headers={"Idempotency-Key": key.encode("utf-8").decode("latin-1")},
    )
    assert response.status_code == 400
    assert entry_count(sqlite_ctx) == 0


def test_a_double_submitted_form_logs_one_dose(client: TestClient, sqlite_ctx: AppContext) -> None:
    page = client.get("/log/dose").text
    assert 'name="idempotency_key"' in page
    form = {
        "amount": "3g",
        csrf.FIELD: form_token(client),
        "idempotency_key": "form-key-123456",
    }
    first = client.post("/log/dose", data=form, follow_redirects=False)
    second = client.post("/log/dose", data=form, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    assert entry_count(sqlite_ctx) == 1


def test_every_form_gets_its_own_key(client: TestClient) -> None:
    import re

    keys = re.findall(r'name="idempotency_key" value="([^"]+)"', client.get("/plan").text)
    assert len(keys) >= 2 and len(set(keys)) == len(keys)
