"""No page speaks terminal: every page a person can reach (by the menu and every link from
there), on the demo journal and on a new one, and the error pages, show no ``mitra <command>``
and no ``--flag``; error pages say what to do next; the menu holds exposure and timeline.

The crawl is in-process (the test client) and follows only GET links inside the app, so it
reads and never writes (downloads are left out: they are files, not pages).
"""

from __future__ import annotations

import html
import re
from collections import deque

import pytest
from fastapi.testclient import TestClient

from mitra.cli.command_table import ENTRIES
from mitra.services.catalogue import ProfileService
from mitra.services.context import AppContext
from mitra.services.demo import build_demo
from mitra.services.journal import JournalService
from mitra.web import csrf, words
from mitra.web.app import create_app
from mitra.web.nav import NAV
from tests.web.conftest import BASE_URL
from tests.web.test_forms import form_token

COMMANDS = sorted(entry.name for entry in ENTRIES)  # the CLI's commands, from its table
assert COMMANDS, "no CLI commands found: the check below would match nothing"
# "mitra" alone is the product's name ("mitra shows ..."); "mitra" then a command is a command.
COMMAND = re.compile(rf"\bmitra ({'|'.join(re.escape(c) for c in COMMANDS)})\b", re.IGNORECASE)
FLAG = re.compile(r"(?:^|\s)--[a-z]")
LINK = re.compile(r'href="([^"#]*)')
DOWNLOADS = ("/report/pdf", "/report/fhir", "/plan/calendar", "/static/", "/api/")


def visible_text(page: str) -> str:
    """The text a person reads: no scripts, styles or tags, entities decoded."""
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return " ".join(html.unescape(page).split())


def terminal_words(text: str) -> list[str]:
    found = [m.group(0) for m in COMMAND.finditer(text)]
    found += [text[max(0, m.start() - 30) : m.end() + 20] for m in FLAG.finditer(text)]
    return found


def crawl(client: TestClient, start: str = "/today", limit: int = 150) -> dict[str, str]:
    """Every page reachable from ``start`` by GET links inside the app: path -> visible text."""
    seen: dict[str, str] = {}
    todo = deque([start, *(item.path for item in NAV), "/exposure", "/timeline", "/welcome"])
    while todo and len(seen) < limit:
        path = todo.popleft()
        if path in seen or not path.startswith("/") or path.startswith(DOWNLOADS):
            continue
        response = client.get(path)
        assert response.status_code in (200, 404, 422), (path, response.status_code)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        seen[path] = visible_text(response.text)
        for link in LINK.findall(response.text):
            target = html.unescape(link)
            if target.startswith(BASE_URL):
                target = target.removeprefix(BASE_URL)
            if target.startswith(("/demo", "//")):
                continue
            todo.append(target)
    return seen


def assert_plain(pages: dict[str, str]) -> None:
    spoken = {path: terminal_words(text) for path, text in pages.items()}
    assert not {path: found for path, found in spoken.items() if found}


def test_the_menu_leads_to_exposure_and_timeline() -> None:
    paths = {item.path for item in NAV}
    assert {"/exposure", "/timeline", "/trends", "/products", "/profile"} <= paths


def test_exposure_and_timeline_links_are_on_every_page(client: TestClient) -> None:
    for path in ("/today", "/history", "/products"):
        page = client.get(path).text
        assert 'href="/exposure"' in page and 'href="/timeline"' in page, path


def test_no_page_of_a_new_journal_shows_a_terminal_command(client: TestClient) -> None:
    pages = crawl(client)
    assert {"/today", "/history", "/plan", "/products", "/profile", "/timeline"} <= set(pages)
    assert len(pages) >= 15
    assert_plain(pages)


@pytest.fixture(scope="module")
def demo_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    from mitra.storage.database import open_database
    from tests.support.clock import fixed_now

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    ctx = AppContext(open_database(f"sqlite:///{path}"), clock=fixed_now)
    build_demo(ctx)
    return TestClient(create_app(ctx), base_url=BASE_URL)


def test_no_page_of_the_demo_journal_shows_a_terminal_command(demo_client: TestClient) -> None:
    pages = crawl(demo_client, limit=250)
    assert len(pages) >= 20
    assert_plain(pages)


def test_no_page_shows_hundreds_of_hours_ago(demo_client: TestClient) -> None:
    pages = crawl(demo_client, limit=250)
    hours = re.compile(r"\b(\d{3,}) hours ago\b")
    assert not {path: hours.findall(text) for path, text in pages.items() if hours.search(text)}


def test_the_plan_history_is_in_words_not_record_codes(demo_client: TestClient) -> None:
    text = visible_text(demo_client.get("/plan").text)
    assert "(schedule)" not in text and "hold (" not in text
    assert re.search(r"Stayed on the same step|Moved on to the next step|Plan started", text)


def test_error_pages_say_what_happened_and_what_to_do(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    entry = JournalService(sqlite_ctx).log_dose("3g").entry
    token = form_token(client)
    JournalService(sqlite_ctx).delete(entry.id or 0)
    answers = {
        404: client.get("/products/999/edit"),
        409: client.post(f"/entries/{entry.id}/delete", data={csrf.FIELD: token}),
        403: client.post("/undo", data={}),
        422: client.get("/history", params={"since": "not a time"}),
    }
    for status, response in answers.items():
        assert response.status_code == status
        text = visible_text(response.text)
        assert not terminal_words(text), (status, text)
        if status != 422:  # a refused filter shows the history form, not an error page
            assert "What to do:" in text and words.NEXT_STEPS[status] in text, status
    assert "clashes" not in visible_text(answers[409].text)


def test_service_messages_reach_pages_without_commands_or_flags() -> None:
    for message in (
        "a product named 'Gold' already exists; see 'mitra product list'",
        "no entry with id 9; see 'mitra history'",
        "entry 3 is already deleted; 'mitra undo' restores the last deletion",
        "unknown product 'x'; known: a. Add it with 'mitra product add \"x\" --form leaf "
        "--mitragynine-pct 1.5'",
        "--scoop-g must be a number above 0 and at most 50 (got 0)",
        "no alert with id 4; see 'mitra alerts --all'",
    ):
        assert not terminal_words(words.plain(message)), message


def test_the_timeline_shows_days_not_hundreds_of_hours(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    ProfileService(sqlite_ctx).set(timezone="America/New_York", goals="taper-kratom")
    JournalService(sqlite_ctx).log_substance("oxycodone", "10mg", at="25 days ago")
    text = visible_text(client.get("/timeline").text)
    assert "3 weeks ago" in text
    assert not re.search(r"\d{3,} hours ago", text)


def test_a_refused_log_form_names_no_terminal_command(client: TestClient) -> None:
    # The service's message for an unknown product tells a terminal user which command adds
    # one; the form says it in page words.
    token = form_token(client, "/log/dose")
    page = client.post(
        "/log/dose",
        data={"amount": "3g", "product": "No Such Powder 9000", csrf.FIELD: token},
    )
    assert page.status_code == 422
    text = visible_text(page.text)
    assert "No Such Powder 9000" in text or "product" in text.lower()
    assert terminal_words(text) == []


# -- the clinic server's pages (web/clinic_pages.py), for each role and signed out -----------
def test_no_clinic_page_shows_a_terminal_command_for_any_role(pg_url: str) -> None:
    from tests.clinic_web.conftest import build_clinic

    clinic = build_clinic(pg_url)
    try:
        starts = {
            "owner": ("/today", "/sharing", "/who-looked"),
            "clin_read": ("/people",),
            "admin": ("/people", "/admin/audit"),
        }
        for who, paths in starts.items():
            client = clinic.sign_in(who)
            client.follow_redirects = True
            pages: dict[str, str] = {}
            for start in paths:
                pages.update(crawl(client, start))
            assert set(paths) <= set(pages), who
            assert_plain(pages)
        signed_out = clinic.client()
        signed_out.follow_redirects = True
        pages = crawl(signed_out, "/sign-in")
        pages["/join/not-a-token"] = visible_text(signed_out.get("/join/not-a-token").text)
        assert "/sign-in" in pages and "What to do:" in pages["/join/not-a-token"]
        assert_plain(pages)
    finally:
        clinic.base.database.dispose()
