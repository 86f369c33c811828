"""Page forms in-process: the CSRF token guards every POST, refused input is shown at its
field and writes nothing, redirects stay inside the app."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from mitra.services.catalogue import ProfileService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.web import csrf
from mitra.web.pages import router as pages_router
from tests.web.conftest import entry_count

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(client: TestClient, path: str = "/log/dose") -> str:
    page = client.get(path)
    found = TOKEN.search(page.text)
    assert found, "the page has no CSRF field"
    return found.group(1)


def page_post_routes() -> list[str]:
    """Every POST route of every page area (each area's own router, as the app includes it)."""
    return sorted(
        route.path
        for area in pages_router.AREAS
        for route in area.router.routes
        if isinstance(route, APIRoute) and "POST" in (route.methods or ())
    )


def concrete(path: str) -> str:
    return (
        path.replace("{entry_id}", "1")
        .replace("{instrument_id}", "cows")
        .replace("{product_id}", "1")
    )


def test_every_page_post_is_refused_without_the_token(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    JournalService(sqlite_ctx).log_dose("3g")
    posts = page_post_routes()
    assert {
        "/log/dose",
        "/entries/{entry_id}/delete",
        "/undo",
        "/products",
        "/checkin/{instrument_id}",
    } <= set(posts)
    token = form_token(client)
    for path in posts:
        missing = client.post(concrete(path), data={"amount": "3g"})
        assert missing.status_code == 403, path
        wrong = client.post(concrete(path), data={"amount": "3g", csrf.FIELD: "x" * len(token)})
        assert wrong.status_code == 403, path
    assert entry_count(sqlite_ctx) == 1
    assert len(JournalService(sqlite_ctx).history()[0]) == 1


def test_a_token_without_its_cookie_is_refused(client: TestClient) -> None:
    token = form_token(client)
    client.cookies.clear()
    response = client.post("/log/dose", data={"amount": "3g", csrf.FIELD: token})
    assert response.status_code == 403
    assert "reload the page" in response.text


def test_the_token_cookie_is_http_only_and_same_site_strict(client: TestClient) -> None:
    response = client.get("/log/dose")
    cookie = response.headers["set-cookie"].lower()
    assert f"{csrf.COOKIE}=" in cookie
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    # Once set, later pages reuse it rather than setting a new one.
    assert "set-cookie" not in client.get("/history").headers


def test_a_form_with_its_token_logs_and_redirects_to_today(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    token = form_token(client)
    response = client.post(
        "/log/dose", data={"amount": "3g", csrf.FIELD: token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/today?logged=")
    today = client.get(response.headers["location"])
    assert "Logged" in today.text
    assert entry_count(sqlite_ctx) == 1


@pytest.mark.parametrize(
    ("path", "data", "field", "words"),
    [
        ("/log/dose", {"amount": "3 bananas"}, "amount", "unknown unit"),
        ("/log/dose", {"amount": "3g", "product": "Nope"}, "product", "unknown product"),
        ("/log/dose", {"amount": "3g", "at": "next week"}, "at", ""),
        ("/log/substance", {"name": "oxycodone", "amount": ""}, "amount", "empty"),
        ("/log/symptom", {"name": "nausea", "severity": "9"}, "severity", "out of range"),
        ("/log/symptom", {"name": "", "severity": "1"}, "name", "say how you feel"),
    ],
)
def test_a_refused_form_shows_the_message_at_its_field_and_writes_nothing(
    client: TestClient,
    sqlite_ctx: AppContext,
    path: str,
    data: dict[str, str],
    field: str,
    words: str,
) -> None:
    response = client.post(path, data={**data, csrf.FIELD: form_token(client, path)})
    assert response.status_code == 422
    assert f'id="error-{field}"' in response.text
    assert f'id="field-{field}"' in response.text
    assert words in response.text
    assert entry_count(sqlite_ctx) == 0


def test_a_refused_product_and_profile_change_nothing(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    before = ProfileService(sqlite_ctx).show()
    token = form_token(client, "/profile")
    refused = client.post(
        "/profile",
        data={"timezone": "Nowhere/Town", "pregnant": "yes", csrf.FIELD: token},
    )
    assert refused.status_code == 422
    assert 'id="error-timezone"' in refused.text
    assert ProfileService(sqlite_ctx).show() == before
    product = client.post(
        "/products",
        data={"name": "X", "form": "leaf", "mitragynine_pct": "lots", csrf.FIELD: token},
    )
    assert product.status_code == 422
    assert 'id="error-mitragynine_pct"' in product.text


def test_delete_returns_to_the_same_history_view_and_never_elsewhere(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    entry = JournalService(sqlite_ctx).log_dose("3g").entry
    response = client.post(
        f"/entries/{entry.id}/delete",
        data={
            "back": "since=3+days+ago&kind=dose&next=//evil.example",
            csrf.FIELD: form_token(client),
        },
        follow_redirects=False,
    )
    location = response.headers["location"]
    assert location.startswith("/history?since=3+days+ago&kind=dose&done=")
    assert "evil" not in location


def test_undo_with_nothing_to_undo_says_so_on_history(client: TestClient) -> None:
    response = client.post("/undo", data={csrf.FIELD: form_token(client)})
    assert response.status_code == 200
    assert "Nothing to undo" in response.text


def test_first_visit_goes_to_welcome_and_a_saved_profile_to_today(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/welcome"
    ProfileService(sqlite_ctx).set(goals="track")
    assert client.get("/", follow_redirects=False).headers["location"] == "/today"


def test_unknown_pages_answer_with_a_page_and_the_help_lines(client: TestClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "1-800-662-4357" in response.text


def test_pages_send_a_policy_that_allows_only_this_server(client: TestClient) -> None:
    policy = client.get("/today").headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy


def test_an_open_serious_alert_is_announced_on_every_page_until_read(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    JournalService(sqlite_ctx).log_symptom("seizure", severity=1)
    for path in ("/today", "/history", "/learn", "/products"):
        assert "serious safety alert" in client.get(path).text, path
    page = client.get("/alerts").text
    forms = re.findall(r'action="(/alerts/\d+/acknowledge)"', page)
    assert forms
    for action in forms:
        response = client.post(action, data={"note": "", csrf.FIELD: form_token(client)})
        assert response.status_code == 200  # back on the alerts page
    assert "serious safety alert" not in client.get("/today").text
    assert "Read " in client.get("/alerts?all=1").text


def test_trends_refuse_a_period_they_do_not_offer(client: TestClient) -> None:
    response = client.get("/trends?days=13")
    assert response.status_code == 422
    assert "7, 30, 90, 365" in response.text


def test_a_saved_profile_equal_to_the_default_counts_as_set_up(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    service = ProfileService(sqlite_ctx)
    assert not service.is_saved()
    service.set(timezone=sqlite_ctx.default_timezone)  # chosen, though it is the default
    assert service.is_saved()
    assert client.get("/", follow_redirects=False).headers["location"] == "/today"
    assert "Set up mitra" not in client.get("/today").text
