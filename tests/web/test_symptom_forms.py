"""The log-symptom page and the symptom API take free text and tapped chips; red flags typed
with a curly apostrophe raise the emergency alert; no terminal commands reach the page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from mitra.services.context import AppContext
from mitra.web import csrf
from tests.web.conftest import entry_count
from tests.web.test_forms import form_token

TERMINAL = re.compile(r"'mitra |mitra (log|symptoms|alerts)\b")


def test_the_page_offers_chips_for_common_symptoms_and_warning_signs(client: TestClient) -> None:
    page = client.get("/log/symptom").text
    for symptom_id in ("sweating", "restlessness", "overdose-signs", "suicidal-thoughts"):
        assert f'name="chips" value="{symptom_id}"' in page
    assert 'class="chip warning"' in page
    assert 'name="name"' in page  # the free-text box
    assert not TERMINAL.search(page)


def test_chips_and_free_text_are_logged_together_and_confirmed(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    data = {
        "chips": ["sweating", "yawning"],
        "name": "my knees feel weird",
        "severity": "",
        csrf.FIELD: form_token(client, "/log/symptom"),
    }
    page = client.post("/log/symptom", data=data).text
    assert entry_count(sqlite_ctx) == 3
    assert 'Understood: sweating, yawning, your own words "my knees feel weird"' in page.replace(
        "&#34;", '"'
    )
    assert "no severity given" in page
    history = client.get("/history").text
    assert "In your words: “my knees feel weird”" in history


def test_a_curly_apostrophe_red_flag_on_the_form_shows_the_emergency_alert(
    client: TestClient,
) -> None:
    data = {"name": "he won’t wake up", csrf.FIELD: form_token(client, "/log/symptom")}
    page = client.post("/log/symptom", data=data).text
    assert "Call 911 now" in page
    assert "signs of overdose" in page


def test_an_empty_form_is_refused_in_plain_words(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    data = {"name": "  ", csrf.FIELD: form_token(client, "/log/symptom")}
    response = client.post("/log/symptom", data=data)
    assert response.status_code == 422
    assert "say how you feel" in response.text
    assert not TERMINAL.search(response.text)
    assert entry_count(sqlite_ctx) == 0


def test_the_api_takes_free_text_with_a_curly_apostrophe(client: TestClient) -> None:
    response = client.post("/api/v1/entries/symptoms", json={"name": "I can’t breathe"})
    assert response.status_code == 201
    body = response.json()
    assert body["understood"] == "Understood: trouble breathing"
    assert body["alerts"][0]["rule_id"] == "symptom-emergency"
    assert body["entry"]["said"] == "I can’t breathe"


def test_the_api_keeps_unknown_words_and_lists_every_entry(client: TestClient) -> None:
    body = client.post(
        "/api/v1/entries/symptoms", json={"name": "nausea and my toe feels odd", "severity": 1}
    ).json()
    assert [(e["symptom"], e["severity"]) for e in body["entries"]] == [
        ("nausea", 1),
        ("other", 1),
    ]
    assert body["severity_note"] is None


def test_an_api_error_for_a_symptom_names_no_terminal_command(client: TestClient) -> None:
    response = client.post("/api/v1/entries/symptoms", json={"name": "nausea", "severity": 9})
    assert response.status_code in {400, 422}
    assert not TERMINAL.search(response.text)
