"""Today and the log pages speak plainly: no terminal commands in their text, day headings over
the latest entries, and a build-up card in words with the relative mg one tap away."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from mitra.services.catalogue import ProfileService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.web import csrf
from tests.web.test_forms import form_token

# A command a person would have to type in a terminal: "mitra undo", "'mitra history'".
COMMAND = re.compile(r"\bmitra (?:[a-z]+ )*(?:undo|history|log|symptoms|report|product|delete)\b")


def _text(html: str) -> str:
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return re.sub(r"<[^>]+>", " ", main)


def _journal(ctx: AppContext) -> JournalService:
    ProfileService(ctx).set(timezone="America/New_York", goals="taper-kratom")
    return JournalService(ctx)


def test_today_and_the_log_pages_name_no_terminal_command(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    journal = _journal(sqlite_ctx)
    for hours in (50, 30, 10):
        journal.log_dose("3g", at=f"{hours}h ago")
    journal.log_substance("alprazolam", "1mg", at="2h ago")
    logged = client.post(
        "/log/symptom", data={"name": "can't breathe", csrf.FIELD: form_token(client)}
    )
    pages = [logged.text] + [
        client.get(p).text for p in ("/today", "/log/dose", "/log/substance", "/log/symptom")
    ]
    for html in pages:
        assert not COMMAND.search(_text(html)), COMMAND.search(_text(html))


def test_latest_entries_sit_under_day_headings(client: TestClient, sqlite_ctx: AppContext) -> None:
    journal = _journal(sqlite_ctx)
    journal.log_dose("3g", at="yesterday 20:00")
    journal.log_dose("2g", at="1h ago")
    latest = client.get("/today").text.split('id="latest-heading"', 1)[1]
    headings = re.findall(r'<h3 class="day-heading">([^<]+)</h3>', latest)
    assert headings[:2] == ["Today", "Yesterday"]


def test_the_build_up_card_speaks_in_doses_and_days_with_the_mg_behind_a_tap(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    journal = _journal(sqlite_ctx)
    for hours in (70, 50, 30, 10, 2):
        journal.log_dose("3g", at=f"{hours}h ago")
    card = client.get("/today").text.split('id="exposure-today"', 1)[1].split("</section>")[0]
    assert "times what one usual dose gives" in card
    assert re.search(r"takes about \d+ to \d+ days to settle", card)
    units = card.split('id="buildup-units"', 1)[1]
    assert "relative" in units and " mg" in units
    assert " mg" not in card.split('id="buildup-units"', 1)[0].split("</figure>", 1)[1]


def test_one_day_of_doses_shows_no_build_up_chart(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    _journal(sqlite_ctx).log_dose("3g", at="1h ago")
    assert 'id="exposure-today"' not in client.get("/today").text
