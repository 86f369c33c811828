"""The check-in API: instruments, recording a check-in with every item, scores over time; a
refused check-in is 422 naming the field (the message names the item and what it allows) and
stores nothing, neither the assessment nor any of its items."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.storage import schema
from tests.web.test_api import error_of

COWS_WITHOUT_PULSE = [1, 3, 1, 2, 1, 2, 1, 1, 2, 3]  # items 2-11; with a pulse of 104: 19


def stored_rows(ctx: AppContext) -> tuple[int, int]:
    """Assessments and item rows in the database, deleted or not."""
    with ctx.database.transaction() as conn:
        assessments = conn.execute(select(func.count()).select_from(schema.assessments))
        items = conn.execute(select(func.count()).select_from(schema.assessment_items))
        return int(assessments.scalar_one()), int(items.scalar_one())


def test_instruments_are_listed_with_who_rates_them_and_how_often(client: TestClient) -> None:
    response = client.get("/api/v1/instruments")
    assert response.status_code == 200
    found = {i["id"]: i for i in response.json()["instruments"]}
    assert {"cows", "sows", "sows-gossop", "oows", "phq2", "gad2", "craving"} <= set(found)
    assert found["cows"]["rater"] == "clinician"
    assert (found["phq2"]["offer_every"], found["phq2"]["positive_at"]) == ("weekly", 3)
    assert found["craving"]["bands"] == []


def test_one_instrument_comes_with_its_items_answers_and_pulse_ranges(client: TestClient) -> None:
    cows = client.get("/api/v1/instruments/cows").json()["instrument"]
    items = cows["item_list"]
    assert len(items) == cows["items"] == 11
    pulse = items[0]
    assert [a["score"] for a in pulse["answers"]] == [0, 1, 2, 4]
    assert pulse["allowed"] == "0, 1, 2, 4"
    assert pulse["bpm_ranges"][-1] == {"score": 4, "min_bpm": 121, "max_bpm": None}
    craving = client.get("/api/v1/instruments/craving").json()["instrument"]["item_list"][0]
    assert (craving["step"], craving["allowed"]) == (1, "whole numbers from 0 to 100")


def test_an_unknown_instrument_is_404_naming_the_accepted_ones(client: TestClient) -> None:
    response = client.get("/api/v1/instruments/nope")
    assert response.status_code == 404
    assert "accepted: cows" in error_of(response)["message"]


def test_a_check_in_is_stored_with_every_item(client: TestClient, sqlite_ctx: AppContext) -> None:
    response = client.post(
        "/api/v1/checkins",
        json={
            "instrument": "cows",
            "answers": COWS_WITHOUT_PULSE,
            "pulse_bpm": 104,
            "rater": "clinician",
            "note": "before the first dose",
            "at": "2026-11-20T09:00:00-05:00",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"assessment", "alerts", "change"}
    assessment = body["assessment"]
    assert (assessment["total"], assessment["band"], assessment["rater"]) == (
        19,
        "moderate",
        "clinician",
    )
    assert assessment["items"][0]["bpm"] == 104
    assert assessment["items"][0]["score"] == 2
    assert "Wesson" in assessment["source"]
    assert body["change"]["baseline"] is True
    assert body["change"]["meaningful_change_basis"] == "judgement"
    rows = CheckinService(sqlite_ctx).scores("cows")
    assert len(rows) == 1
    assert [score for _, score in rows[0].assessment.items] == [2, *COWS_WITHOUT_PULSE]
    assert rows[0].record.note == "before the first dose"
    assert stored_rows(sqlite_ctx) == (1, 11)


def test_a_positive_mood_screen_answers_with_its_alert(client: TestClient) -> None:
    response = client.post("/api/v1/checkins", json={"instrument": "phq2", "answers": [2, 2]})
    assert response.status_code == 201
    body = response.json()
    assert body["assessment"]["positive_screen"] is True
    alert = next(a for a in body["alerts"] if a["rule_id"] == "screen-phq2-positive")
    assert "988" in alert["advice"]
    assert alert["evidence"]


COWS_11 = [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]
REFUSED: list[tuple[dict[str, Any], int, str, str]] = [
    # (body, status, field, words the message must hold)
    ({"instrument": "cows", "answers": [0, 1]}, 422, "answers", "item 3 (restlessness)"),
    ({"instrument": "cows", "answers": [*COWS_11, 0]}, 422, "answers", "12 answers"),
    ({"instrument": "cows", "answers": [3, *COWS_11[1:]]}, 422, "answers", "allowed: 0, 1, 2, 4"),
    ({"instrument": "cows", "answers": [0, 9, *COWS_11[2:]]}, 422, "answers", "item 2 (sweating)"),
    ({"instrument": "cows", "answers": [0, -1, *COWS_11[2:]]}, 422, "answers", "not allowed"),
    ({"instrument": "cows", "answers": [0, 1.5, *COWS_11[2:]]}, 422, "answers", "not a whole"),
    ({"instrument": "cows", "answers": ["1", *COWS_11[1:]]}, 422, "answers", "valid integer"),
    ({"instrument": "cows", "answers": [True, *COWS_11[1:]]}, 422, "answers", "valid integer"),
    ({"instrument": "craving", "answers": [101]}, 422, "answers", "from 0 to 100"),
    ({"instrument": "phq2", "answers": []}, 422, "answers", "item 1"),
    (
        {"instrument": "cows", "answers": COWS_11, "pulse_bpm": 96},
        422,
        "answers",
        "leaving out item 1",
    ),
    (
        {"instrument": "cows", "answers": COWS_WITHOUT_PULSE, "pulse_bpm": 0},
        422,
        "pulse_bpm",
        "above 0",
    ),
    (
        {"instrument": "cows", "answers": COWS_WITHOUT_PULSE, "pulse_bpm": 400},
        422,
        "pulse_bpm",
        "at most 250",
    ),
    ({"instrument": "phq2", "answers": [0, 0], "pulse_bpm": 80}, 422, "pulse_bpm", "only for COWS"),
    ({"instrument": "phq2", "answers": [0, 0], "rater": "mum"}, 422, "rater", "'self' or"),
    ({"instrument": "phq2", "answers": [0, 0], "at": "in two days"}, 422, "at", "future"),
    ({"instrument": "phq2", "answers": [0, 0], "note": "x" * 2001}, 422, "note", "2000"),
    ({"instrument": "phq2", "answers": [0, 0], "mood": "ok"}, 422, "mood", ""),
    ({"instrument": "phq2"}, 422, "answers", ""),
    ({"instrument": "phq27", "answers": [0, 0]}, 404, "instrument", "accepted:"),
]


@pytest.mark.parametrize(("body", "status", "field", "words"), REFUSED)
def test_a_refused_check_in_names_the_field_and_stores_nothing(
    client: TestClient,
    sqlite_ctx: AppContext,
    body: dict[str, Any],
    status: int,
    field: str,
    words: str,
) -> None:
    response = client.post("/api/v1/checkins", json=body)
    assert response.status_code == status, response.text
    error = error_of(response)
    assert error["field"] == field
    assert words in error["message"]
    assert stored_rows(sqlite_ctx) == (0, 0)
    assert client.get("/api/v1/alerts").json()["alerts"] == []


def test_scores_come_in_time_order_with_their_change(client: TestClient) -> None:
    for at, answers in (
        ("2026-11-18T09:00:00Z", [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]),
        ("2026-11-19T09:00:00Z", [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
        ("2026-11-20T09:00:00Z", [1, 1, 1, 1, 1, 1, 1, 1, 1, 0]),
    ):
        posted = client.post(
            "/api/v1/checkins", json={"instrument": "sows-gossop", "answers": answers, "at": at}
        )
        assert posted.status_code == 201, posted.text
    client.post("/api/v1/checkins", json={"instrument": "craving", "answers": [40]})
    every = client.get("/api/v1/scores").json()
    assert [s["instrument"] for s in every["scores"]] == [
        "sows-gossop",
        "sows-gossop",
        "sows-gossop",
        "craving",
    ]
    gossop = client.get("/api/v1/scores", params={"instrument": "sows-gossop"}).json()["scores"]
    assert [s["total"] for s in gossop] == [20, 10, 9]
    assert [s["change_from_previous"] for s in gossop] == [None, -10, -1]
    assert [s["change_from_baseline"] for s in gossop] == [None, -10, -11]
    assert [s["meaningful"] for s in gossop] == [False, True, False]
    later = client.get(
        "/api/v1/scores", params={"instrument": "sows-gossop", "since": "2026-11-19T12:00:00Z"}
    ).json()["scores"]
    # The window is applied after comparing, so the change is still from the true baseline.
    assert [(s["total"], s["change_from_baseline"]) for s in later] == [(9, -11)]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [({"since": "whenever"}, 422, "since"), ({"instrument": "phq27"}, 404, "instrument")],
)
def test_a_refused_score_query_names_its_parameter(
    client: TestClient, params: dict[str, str], status: int, field: str
) -> None:
    response = client.get("/api/v1/scores", params=params)
    assert response.status_code == status
    assert error_of(response)["field"] == field
