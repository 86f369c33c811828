"""The JSON API: thin over the journal services, the same checks as the CLI, and nothing
written when a request is refused."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from mitra.services.catalogue import ProductService, ProfileService
from mitra.services.context import AppContext
from tests.web.conftest import entry_count


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"message", "field"}, body
    return dict(body["error"])


def test_logging_a_dose_returns_the_entry_with_its_estimate_and_alerts(client: TestClient) -> None:
    response = client.post("/api/v1/entries/doses", json={"amount": "3g", "note": "morning"})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"entry", "alerts"}
    entry = body["entry"]
    assert entry["kind"] == "dose"
    assert entry["amount_text"] == "3 g"
    low, high = entry["mitragynine_mg_range"]
    assert low <= entry["mitragynine_mg"] <= high
    assert entry["note"] == "morning"
    assert isinstance(body["alerts"], list)


def test_a_large_extract_dose_comes_back_with_alerts_most_serious_first(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    ProductService(sqlite_ctx).add("Gold", "extract", source="coa", mitragynine_pct=45.0)
    response = client.post("/api/v1/entries/doses", json={"amount": "1g", "product": "Gold"})
    assert response.status_code == 201
    alerts = response.json()["alerts"]
    assert alerts, "a gram of 45% extract (~450 mg mitragynine) must raise an alert"
    for alert in alerts:
        assert alert["title"] and alert["message"] and alert["evidence"]


def test_a_substance_shows_its_mme_and_the_days_total(client: TestClient) -> None:
    response = client.post(
        "/api/v1/entries/substances", json={"name": "oxy", "amount": "10mg", "route": "oral"}
    )
    assert response.status_code == 201
    entry = response.json()["entry"]
    assert (entry["substance"], entry["class"], entry["mme"]) == ("oxycodone", "opioid", 15.0)
    assert entry["daily_mme"] == 15.0


def test_a_symptom_is_recorded_with_its_severity_label(client: TestClient) -> None:
    response = client.post("/api/v1/entries/symptoms", json={"name": "aches", "severity": 3})
    assert response.status_code == 201
    entry = response.json()["entry"]
    assert entry["severity"] == 3
    assert entry["severity_label"] == "severe"
    assert entry["red_flag"] is False


def test_entries_come_in_time_order_and_filter_by_kind(client: TestClient) -> None:
    client.post("/api/v1/entries/doses", json={"amount": "2g", "at": "2026-11-20T08:00:00Z"})
    client.post("/api/v1/entries/symptoms", json={"name": "nausea", "at": "2026-11-20T07:00:00Z"})
    client.post("/api/v1/entries/doses", json={"amount": "3g", "at": "2026-11-20T09:00:00Z"})
    every = client.get("/api/v1/entries").json()
    assert [e["kind"] for e in every["entries"]] == ["symptom", "dose", "dose"]
    doses = client.get("/api/v1/entries", params={"kind": "dose"}).json()["entries"]
    assert [e["amount_text"] for e in doses] == ["2 g", "3 g"]
    later = client.get("/api/v1/entries", params={"since": "2026-11-20T08:30:00Z"}).json()
    assert [e["amount_text"] for e in later["entries"]] == ["3 g"]


REFUSED = [
    ("/api/v1/entries/doses", {"amount": "3 bananas"}, "amount"),
    ("/api/v1/entries/doses", {"amount": "-3g"}, "amount"),
    ("/api/v1/entries/doses", {"amount": "0g"}, "amount"),
    ("/api/v1/entries/doses", {"amount": "3g", "at": "in three days"}, "at"),
    ("/api/v1/entries/doses", {"amount": "3g", "at": "2999-01-01T00:00:00Z"}, "at"),
    ("/api/v1/entries/doses", {"amount": "3g", "note": "x" * 2001}, "note"),
    ("/api/v1/entries/doses", {"amount": "3g", "colour": "red"}, "colour"),
    ("/api/v1/entries/doses", {}, "amount"),
    ("/api/v1/entries/substances", {"name": "oxycodone", "amount": ""}, "amount"),
    ("/api/v1/entries/symptoms", {"name": "nausea", "severity": 7}, "severity"),
    ("/api/v1/entries/symptoms", {"name": "nausea", "severity": 1.5}, "severity"),
    ("/api/v1/entries/symptoms", {"name": "nausea", "severity": "bad"}, "severity"),
    ("/api/v1/entries/symptoms", {"name": "   "}, "name"),
]


@pytest.mark.parametrize(("path", "body", "field"), REFUSED)
def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    client: TestClient, sqlite_ctx: AppContext, path: str, body: dict[str, Any], field: str
) -> None:
    before = entry_count(sqlite_ctx)
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    assert error_of(response)["field"] == field
    assert entry_count(sqlite_ctx) == before


def test_a_body_that_is_not_json_is_refused_and_writes_nothing(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    response = client.post(
        "/api/v1/entries/doses", content=b"amount=3g", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 422
    assert error_of(response)["message"]
    assert entry_count(sqlite_ctx) == 0


def test_an_unknown_product_is_404_and_writes_nothing(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    response = client.post("/api/v1/entries/doses", json={"amount": "3g", "product": "Nope"})
    assert response.status_code == 404
    assert error_of(response)["field"] == "product"
    assert entry_count(sqlite_ctx) == 0


def test_deleting_keeps_the_entry_on_record_and_undo_restores_it(client: TestClient) -> None:
    entry_id = client.post("/api/v1/entries/doses", json={"amount": "3g"}).json()["entry"]["id"]
    deleted = client.delete(f"/api/v1/entries/{entry_id}")
    assert deleted.status_code == 200
    assert deleted.json()["action"] == "deleted"
    assert client.get("/api/v1/entries").json()["entries"] == []
    kept = client.get("/api/v1/entries", params={"include_deleted": True}).json()["entries"]
    assert [(e["id"], e["deleted"]) for e in kept] == [(entry_id, True)]
    again = client.delete(f"/api/v1/entries/{entry_id}")
    assert again.status_code == 409
    assert error_of(again)["field"] == "id"
    undone = client.post("/api/v1/undo")
    assert undone.json() == {"action": "restored", "entry": undone.json()["entry"]}
    assert [e["id"] for e in client.get("/api/v1/entries").json()["entries"]] == [entry_id]


def test_undo_takes_back_the_last_logged_entry(client: TestClient) -> None:
    client.post("/api/v1/entries/doses", json={"amount": "3g"})
    undone = client.post("/api/v1/undo")
    assert undone.status_code == 200
    assert undone.json()["action"] == "deleted"
    assert client.get("/api/v1/entries").json()["entries"] == []


def test_undo_with_nothing_to_undo_and_deleting_an_unknown_id_are_404(client: TestClient) -> None:
    assert client.post("/api/v1/undo").status_code == 404
    missing = client.delete("/api/v1/entries/999")
    assert missing.status_code == 404
    assert error_of(missing)["field"] == "id"
    assert client.delete("/api/v1/entries/99999999999999999999").status_code == 422


def test_products_list_the_own_then_the_generic_ones(client: TestClient) -> None:
    added = client.post(
        "/api/v1/products",
        json={"name": "Red Bali", "form": "leaf", "mitragynine_pct": 1.6},
    )
    assert added.status_code == 201
    product = added.json()["product"]
    assert product["mitragynine"]["typical"] == 16.0  # mg per g
    names = [p["name"] for p in client.get("/api/v1/products").json()["products"]]
    assert names[0] == "Red Bali"
    assert len(names) > 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "Red Bali", "form": "leaf"}, 409, "name"),
        ({"name": "Other", "form": "gummy"}, 422, "form"),
        ({"name": "Other", "form": "leaf", "mitragynine_pct": -4}, 422, None),
        ({"name": "Other", "form": "leaf", "source": "typical"}, 422, "source"),
    ],
)
def test_a_refused_product_writes_nothing(
    client: TestClient,
    sqlite_ctx: AppContext,
    body: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    ProductService(sqlite_ctx).add("Red Bali", "leaf", mitragynine_pct=1.6)
    response = client.post("/api/v1/products", json=body)
    assert response.status_code == status, response.text
    if field is not None:
        assert error_of(response)["field"] == field
    own, _ = ProductService(sqlite_ctx).list()
    assert [p.name for p in own] == ["Red Bali"]


def test_putting_the_profile_changes_only_the_fields_given(client: TestClient) -> None:
    first = client.put(
        "/api/v1/profile",
        json={"timezone": "Europe/London", "medications": ["sertraline"], "pregnant": False},
    )
    assert first.status_code == 200
    second = client.put("/api/v1/profile", json={"goals": ["taper-kratom"]})
    assert second.json()["profile"] == {
        "timezone": "Europe/London",
        "pregnant": False,
        "breastfeeding": None,
        "medications": ["sertraline"],
        "goals": ["taper-kratom"],
        "naloxone": None,
        "naloxone_expires": None,
    }
    kit = client.put("/api/v1/profile", json={"naloxone": True, "naloxone_expires": "2027-06-30"})
    assert kit.json()["profile"]["naloxone"] is True
    assert kit.json()["profile"]["naloxone_expires"] == "2027-06-30"
    cleared = client.put("/api/v1/profile", json={"pregnant": None, "medications": None})
    assert cleared.json()["profile"]["pregnant"] is None
    assert cleared.json()["profile"]["medications"] == []
    assert client.get("/api/v1/profile").json() == cleared.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"goals": ["get-high"]}, "goals"),
        ({"medications": ["a, b"]}, "medications"),
    ],
)
def test_a_refused_profile_change_changes_nothing(
    client: TestClient, sqlite_ctx: AppContext, body: dict[str, Any], field: str
) -> None:
    before = ProfileService(sqlite_ctx).show()
    response = client.put("/api/v1/profile", json={"pregnant": True, **body})
    assert response.status_code == 422
    assert error_of(response)["field"] == field
    assert ProfileService(sqlite_ctx).show() == before


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("symptoms", "symptoms"),
        ("substances", "substances"),
        ("forms", "forms"),
        ("goals", "goals"),
    ],
)
def test_catalogues_list_what_mitra_knows(client: TestClient, name: str, key: str) -> None:
    response = client.get(f"/api/v1/catalogues/{name}")
    assert response.status_code == 200
    assert len(response.json()[key]) >= 4


def test_an_unknown_api_path_answers_in_the_api_error_shape(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert error_of(response)["message"]


@pytest.mark.parametrize(
    "headers",
    [{"origin": "http://evil.example"}, {"sec-fetch-site": "cross-site"}, {"origin": "null"}],
)
def test_state_changes_from_another_web_site_are_refused(
    client: TestClient, sqlite_ctx: AppContext, headers: dict[str, str]
) -> None:
    client.post("/api/v1/entries/doses", json={"amount": "3g"})
    assert client.post("/api/v1/undo", headers=headers).status_code == 403
    refused = client.post("/api/v1/entries/doses", json={"amount": "3g"}, headers=headers)
    assert refused.status_code == 403
    assert entry_count(sqlite_ctx) == 1
    assert len(client.get("/api/v1/entries").json()["entries"]) == 1


def test_the_same_origin_may_change_state(client: TestClient) -> None:
    response = client.post(
        "/api/v1/entries/doses", json={"amount": "3g"}, headers={"origin": "http://127.0.0.1"}
    )
    assert response.status_code == 201


def test_a_host_name_other_than_loopback_is_refused(client: TestClient) -> None:
    # A DNS-rebinding page reaches 127.0.0.1 under its own host name.
    assert client.get("/api/v1/entries", headers={"host": "evil.example"}).status_code == 400


def test_alerts_are_listed_and_acknowledged_once(client: TestClient) -> None:
    client.post("/api/v1/entries/symptoms", json={"name": "seizure", "severity": 1})
    listed = client.get("/api/v1/alerts").json()["alerts"]
    serious = [a for a in listed if a["severity"] in ("urgent", "emergency")]
    assert serious, listed
    alert_id = serious[0]["id"]
    acknowledged = client.post(
        f"/api/v1/alerts/{alert_id}/acknowledge", json={"note": "called 911, all right now"}
    )
    assert acknowledged.status_code == 200
    assert acknowledged.json()["alert"]["acknowledged_at"]
    again = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={})
    assert again.status_code == 409
    assert client.post("/api/v1/alerts/99999/acknowledge", json={}).status_code == 404
    still_open = [a["id"] for a in client.get("/api/v1/alerts").json()["alerts"]]
    assert alert_id not in still_open
    everything = client.get("/api/v1/alerts", params={"include_acknowledged": True}).json()
    assert alert_id in [a["id"] for a in everything["alerts"]]
