"""Check-in pages in-process: the list, the form posted with its CSRF token, problems shown at
the item they concern (all unanswered items at once) with nothing stored, the result after
the redirect, and scores on the today and trends pages."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

from mitra.domain.instruments import get_instrument
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from tests.web.test_forms import form_token

COWS_TAPS = {
    "sweating": "1",
    "restlessness": "3",
    "pupil-size": "1",
    "bone-joint-aches": "2",
    "runny-nose-tearing": "1",
    "gi-upset": "2",
    "tremor": "1",
    "yawning": "1",
    "anxiety-irritability": "2",
    "gooseflesh": "3",
}  # 17, and a pulse of 104 scores 2: 19, moderate
ERROR = re.compile(r'<p class="error" id="error-([^"]+)">.*?</span>(.*?)</p>', re.DOTALL)


def errors_on(html: str) -> dict[str, str]:
    return {name: text.replace("&#39;", "'") for name, text in ERROR.findall(html)}


def post(client: TestClient, instrument: str, data: dict[str, str]) -> httpx.Response:
    token = form_token(client, f"/checkin/{instrument}")
    response: httpx.Response = client.post(
        f"/checkin/{instrument}", data={**data, "csrf_token": token}, follow_redirects=False
    )
    return response


def test_the_list_shows_who_rates_each_instrument_and_how_often(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    page = client.get("/checkin").text
    assert "COWS" in page and "Craving VAS" in page
    phq2 = page[page.index('id="instrument-phq2"') :].split("</li>")[0]
    assert "once a week: it asks about the past 2 weeks" in phq2
    assert "not yet" in phq2
    assert "Due this week" in phq2
    CheckinService(sqlite_ctx).record("phq2", [0, 1])
    phq2 = client.get("/checkin").text
    phq2 = phq2[phq2.index('id="instrument-phq2"') :].split("</li>")[0]
    assert "today" in phq2 and "1 of 6, below the screening threshold" in phq2
    assert "Next one from" in phq2
    cows = page[page.index('id="instrument-cows"') :].split("</li>")[0]
    assert "Rated by a clinician or trained helper (you may enter it yourself)" in cows


def test_the_form_shows_every_item_with_its_anchors(client: TestClient) -> None:
    page = client.get("/checkin/cows").text
    answers = sum(len(item.answers) for item in get_instrument("cows").items)
    assert page.count('class="answer"') == answers
    assert "beads of sweat on the brow or face" in page
    assert 'name="bpm" type="number"' in page
    assert 'data-bpm-ranges="0::80;1:81:100;2:101:120;4:121:"' in page
    craving = client.get("/checkin/craving").text
    assert 'type="range"' in craving and 'min="0" max="100" step="1"' in craving
    assert "988" in client.get("/checkin/phq2").text.split("<form")[0]


def test_a_cows_check_in_with_the_pulse_in_bpm_is_saved_and_shown(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    response = post(client, "cows", {**COWS_TAPS, "bpm": "104", "resting-pulse": "0"})
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/checkin/cows/result?saved=")
    result = client.get(location).text
    assert re.search(r'id="total"><span class="big">19</span> of 48', result)
    assert "<strong>moderate</strong> (13 to 24)" in result
    assert "from a pulse of 104 beats a minute" in result
    assert "Your first COWS" in result
    assert "Wesson DR, Ling W." in result
    assert "Moderate withdrawal: treatment can help" in result  # the alert it raised
    rows = CheckinService(sqlite_ctx).scores("cows")
    # The typed pulse replaced the tapped pulse answer.
    assert rows[0].assessment.items[0] == ("resting-pulse", 2)


def test_every_unanswered_item_is_named_at_once_and_nothing_is_stored(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    chosen = {k: v for k, v in COWS_TAPS.items() if k not in ("tremor", "gooseflesh")}
    response = post(client, "cows", {**chosen, "at": "in two days"})
    assert response.status_code == 422
    html = response.text
    errors = errors_on(html)
    assert set(errors) == {"resting-pulse", "tremor", "gooseflesh", "at"}
    assert errors["tremor"] == "COWS item 8 (tremor): not answered yet; choose one of 0, 1, 2, 4"
    assert "or type the pulse in beats a minute" in errors["resting-pulse"]
    assert "in the future" in errors["at"]
    # What was chosen is kept, so only the missing answers need a tap.
    assert 'name="sweating" value="1" checked' in html
    assert 'id="field-tremor" data-item aria-describedby="hint-tremor error-tremor"' in html
    assert CheckinService(sqlite_ctx).scores() == []


def test_a_value_the_item_does_not_allow_is_refused_by_the_service(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    response = post(client, "cows", {**COWS_TAPS, "resting-pulse": "3"})
    assert response.status_code == 422
    errors = errors_on(response.text)
    assert errors == {
        "resting-pulse": "COWS item 1 (resting pulse rate): 3 is not allowed; allowed: 0, 1, 2, 4"
    }
    assert CheckinService(sqlite_ctx).scores() == []


def test_a_pulse_out_of_range_is_shown_at_the_pulse_field(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    response = post(client, "cows", {**COWS_TAPS, "bpm": "400"})
    assert response.status_code == 422
    errors = errors_on(response.text)
    assert list(errors) == ["bpm"]
    assert "at most 250 beats a minute" in errors["bpm"]
    assert CheckinService(sqlite_ctx).scores() == []


def test_the_craving_line_and_a_clinician_rating_are_saved(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    response = post(client, "craving", {"craving-now": "65", "rater": "clinician", "note": "eve"})
    assert response.status_code == 303
    result = client.get(response.headers["location"]).text
    assert '<span class="big">65</span> of 100' in result
    assert "rated by a clinician" in result
    row = CheckinService(sqlite_ctx).scores("craving")[0]
    assert (row.assessment.rater, row.record.note) == ("clinician", "eve")


def test_a_positive_mood_screen_shows_its_alert_and_the_crisis_lines(client: TestClient) -> None:
    response = post(client, "phq2", {"little-interest": "2", "feeling-down": "2"})
    result = client.get(response.headers["location"]).text
    alerts = result[result.index('class="alerts"') : result.index('id="score-heading"')]
    assert "Your mood screen was positive" in alerts
    assert "call or text 988" in alerts
    assert "Evidence" in alerts
    assert "A positive screen" in result
    support = result[result.index('id="support-heading"') :]
    assert 'href="tel:988"' in support and "Buprenorphine or methadone" in support


def test_the_result_page_without_its_notice_shows_the_latest_stored_score(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    assert "No COWS is saved yet" in client.get("/checkin/cows/result").text
    CheckinService(sqlite_ctx).record("cows", [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0])
    shown = client.get("/checkin/cows/result?saved=gone").text
    assert "latest COWS as stored" in shown
    assert '<span class="big">9</span> of 48' in shown


def test_an_unknown_instrument_is_not_found(client: TestClient) -> None:
    response = client.get("/checkin/phq27")
    assert response.status_code == 404
    assert "accepted: cows" in response.text


def test_today_shows_the_latest_scores_and_trends_draws_them(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    service = CheckinService(sqlite_ctx)
    assert "No check-ins yet" in client.get("/today").text
    service.record("cows", [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0], at="2026-11-19T09:00:00Z")
    service.record("cows", [2, 2, 3, 2, 2, 2, 2, 2, 2, 2, 3], at="2026-11-20T09:00:00Z")
    service.record("phq2", [2, 2], at="2026-11-20T10:00:00Z")
    today = client.get("/today").text
    block = today[today.index('id="latest-scores"') :].split("</section>")[0]
    assert "COWS" in block and "24 of 48, moderate" in block
    assert "+14 since the previous (meaningful)" in block
    assert "4 of 6, positive screen" in block
    assert "GAD-2" in block  # the weekly screen never done is offered
    trends = client.get("/trends?days=7").text
    assert 'id="scores-cows"' in trends and 'id="scores-phq2"' in trends
    assert 'id="scores-craving"' not in trends  # no craving scores: no empty chart
    cows = trends[trends.index('id="scores-cows"') :].split("</figure>")[0]
    assert "13 moderate" in cows  # band edges labelled on the wide chart
    assert cows.count("<svg") == 2  # wide and narrow
    phq2 = trends[trends.index('id="scores-phq2"') :].split("</figure>")[0]
    assert "3 positive screen" in phq2
