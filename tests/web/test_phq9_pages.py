"""PHQ-9 on the web: a positive PHQ-2 offers it, and any answer above "not at all" on item 9
shows 988 first, before the score."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.test_checkin_forms import post


def test_a_positive_phq2_offers_the_phq9(client: TestClient) -> None:
    response = post(client, "phq2", {"little-interest": "2", "feeling-down": "2"})
    text = client.get(response.headers["location"]).text if response.is_redirect else response.text
    assert 'id="follow-up"' in text and 'href="/checkin/phq9"' in text


def test_a_negative_phq2_does_not(client: TestClient) -> None:
    response = post(client, "phq2", {"little-interest": "0", "feeling-down": "1"})
    text = client.get(response.headers["location"]).text if response.is_redirect else response.text
    assert 'id="follow-up"' not in text


def _phq9(item9: str) -> dict[str, str]:
    ids = [
        "little-interest", "feeling-down", "sleep", "tired", "appetite",
        "feeling-bad-about-self", "concentration", "moving-slowly-or-restless",
    ]  # fmt: skip
    return {**dict.fromkeys(ids, "0"), "self-harm-thoughts": item9}


def test_any_item_9_answer_shows_988_before_the_score(client: TestClient) -> None:
    response = post(client, "phq9", _phq9("1"))
    text = client.get(response.headers["location"]).text if response.is_redirect else response.text
    assert 'id="crisis"' in text and 'href="tel:988"' in text
    assert text.index('id="crisis"') < text.index('id="score-heading"')


def test_item_9_at_zero_shows_no_crisis_block(client: TestClient) -> None:
    response = post(client, "phq9", _phq9("0"))
    text = client.get(response.headers["location"]).text if response.is_redirect else response.text
    assert 'id="crisis"' not in text


def test_the_phq9_is_due_only_after_a_positive_phq2_newer_than_it(
    client: TestClient,
) -> None:
    assert "/checkin/phq9" not in client.get("/today").text.split("Due this week")[-1][:400]
    post(client, "phq2", {"little-interest": "2", "feeling-down": "2"})
    due = client.get("/today").text
    assert 'href="/checkin/phq9"' in due.split("Due this week")[1][:400]
    post(client, "phq9", _phq9("0"))
    after = client.get("/today").text
    assert (
        "Due this week" not in after
        or 'href="/checkin/phq9"' not in after.split("Due this week")[1][:400]
    )
