"""The alerts page and API: repeats of a pattern shown once with a count, twenty groups a page
with next and previous links, urgent and emergency first on page 1, "mark cautions and
information read" in one form (CSRF-protected like every form) that never reads an urgent or
emergency alert, a note box only when asked for, and a small page on a long journal."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from mitra.domain.alerts import Alert, Evidence, Severity, day_key, event_key
from mitra.services.context import AppContext
from mitra.services.safety import SafetyService
from mitra.storage.alert_store import AlertStore
from mitra.web import csrf
from tests.support.clock import FIXED_NOW

EVIDENCE = (Evidence("test-source", "A citation", "moderate", "a claim"),)
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
ARTICLE = re.compile(r'<article class="alert severity-(\w+)[^"]*" aria-labelledby="alert-(\d+)"')


def add(
    ctx: AppContext, rule: str, severity: Severity, hours_ago: float, *, per_event: bool
) -> None:
    at = FIXED_NOW - timedelta(hours=hours_ago)
    key = event_key(rule, at, "x") if per_event else day_key(rule, at.date())
    alert = Alert(rule, severity, f"{rule} title", "message", "advice", EVIDENCE, (1,), at, key)
    with ctx.database.transaction() as conn:
        AlertStore(conn).insert(alert, created_at=at)


def articles(html: str) -> list[tuple[str, int]]:
    return [(severity, int(alert_id)) for severity, alert_id in ARTICLE.findall(html)]


def test_repeats_of_one_pattern_are_one_alert_with_a_count(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    for day in range(30):
        add(sqlite_ctx, "doses-per-day-high", Severity.CAUTION, 24 * day + 1, per_event=False)
    html = client.get("/alerts").text
    assert len(articles(html)) == 1
    assert '<span class="repeat-count">30 times</span>' in html
    assert "Mark as read (30 times)" in html


def test_twenty_groups_a_page_urgent_first_and_every_group_on_one_page(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    add(sqlite_ctx, "dose-mitragynine-hard-limit", Severity.URGENT, 24 * 90, per_event=True)
    for hour in range(1, 46):
        add(sqlite_ctx, "dose-interval-short", Severity.CAUTION, hour, per_event=True)
    first = client.get("/alerts").text
    shown = articles(first)
    assert len(shown) == 20 and shown[0][0] == "urgent"
    assert 'href="/alerts?page=2" rel="next"' in first and 'rel="prev"' not in first
    assert "Page 1 of 3 (46 alerts)" in first
    last = client.get("/alerts?page=3").text
    assert len(articles(last)) == 6
    assert 'href="/alerts?page=2" rel="prev"' in last and 'rel="next"' not in last
    every = [
        alert_id
        for page in (1, 2, 3)
        for _, alert_id in articles(client.get(f"/alerts?page={page}").text)
    ]
    assert len(every) == len(set(every)) == 46
    expected = [s.id for s in SafetyService(sqlite_ctx).alerts()]
    assert every == expected  # newest first after the urgent one, as the grouped list says
    assert "There is no page 9" in client.get("/alerts?page=9").text
    assert client.get("/alerts?page=0").status_code == 422


def test_mark_cautions_read_is_one_form_that_never_reads_urgent_or_emergency(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    add(sqlite_ctx, "dose-mitragynine-hard-limit", Severity.URGENT, 5, per_event=True)
    add(sqlite_ctx, "symptom-emergency", Severity.EMERGENCY, 4, per_event=True)
    add(sqlite_ctx, "dose-mitragynine-high", Severity.WARNING, 3, per_event=True)
    for day in range(5):
        add(sqlite_ctx, "doses-per-day-high", Severity.CAUTION, 24 * day + 1, per_event=False)
    add(sqlite_ctx, "pregnancy-unknown", Severity.INFO, 2, per_event=True)
    page = client.get("/alerts").text
    assert page.count('action="/alerts/mark-read"') == 1
    assert client.post("/alerts/mark-read", data={}).status_code == 403  # no CSRF token
    token = TOKEN.search(page)
    assert token
    done = client.post(
        "/alerts/mark-read", data={csrf.FIELD: token.group(1)}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/alerts?read=6"
    after = client.get(done.headers["location"]).text
    assert "Marked 6 caution and information alerts read" in after
    assert sorted(severity for severity, _ in articles(after)) == ["emergency", "urgent", "warning"]
    assert 'action="/alerts/mark-read"' not in after  # nothing left for it to read
    assert "serious safety alert" in client.get("/today").text


def test_a_note_box_appears_only_when_asked_for(client: TestClient, sqlite_ctx: AppContext) -> None:
    for hour in range(1, 4):
        add(sqlite_ctx, "dose-interval-short", Severity.CAUTION, hour, per_event=True)
    html = client.get("/alerts").text
    forms = re.findall(
        r'<form method="post" action="/alerts/\d+/acknowledge">(.*?)</form>', html, re.S
    )
    assert len(forms) == 3
    for form in forms:
        assert re.search(
            r'<details class="add-note"><summary>Add a note</summary>.*name="note"', form, re.S
        )
        assert '<details class="add-note" open' not in form


def test_the_page_on_three_thousand_open_cautions_stays_small(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    at0 = FIXED_NOW - timedelta(days=5 * 365)
    with sqlite_ctx.database.transaction() as conn:
        store = AlertStore(conn)
        for n in range(3000):
            at = at0 + timedelta(hours=14 * n)
            rule = ("doses-per-day-high", "dose-interval-short", "escalation-weekly")[n % 3]
            key = event_key(rule, at, "x") if n % 10 == 0 else day_key(rule, at.date())
            store.insert(
                Alert(
                    rule,
                    Severity.CAUTION,
                    "title",
                    "message " * 20,
                    "advice",
                    EVIDENCE,
                    (1,),
                    at,
                    key,
                ),
                created_at=at,
            )
    response = client.get("/alerts")
    assert response.status_code == 200
    assert len(response.content) < 200_000
    assert len(articles(response.text)) == 20


def test_the_api_pages_with_limit_and_offset_and_marks_cautions_read(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    add(sqlite_ctx, "dose-mitragynine-hard-limit", Severity.URGENT, 5, per_event=True)
    for hour in range(1, 6):
        add(sqlite_ctx, "dose-interval-short", Severity.CAUTION, hour, per_event=True)
    first = client.get("/api/v1/alerts", params={"limit": 2}).json()
    assert first["total"] == 6 and first["limit"] == 2 and first["offset"] == 0
    assert [a["severity"] for a in first["alerts"]] == ["urgent", "caution"]
    ids = []
    for offset in range(0, 6, 2):
        ids += [
            a["id"]
            for a in client.get("/api/v1/alerts", params={"limit": 2, "offset": offset}).json()[
                "alerts"
            ]
        ]
    assert len(set(ids)) == 6
    marked = client.post("/api/v1/alerts/mark-read", json={"note": "seen"})
    assert marked.status_code == 200 and marked.json() == {"acknowledged": 5}
    left = client.get("/api/v1/alerts").json()
    assert left["total"] == 1 and left["alerts"][0]["severity"] == "urgent"
