"""Undo by id: "Undo this" on a page takes back the entry that page names, never whatever
another tab saved since; a stale page says so and changes nothing."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.web import csrf
from tests.web.test_forms import form_token

UNDO_FORM = re.compile(r'action="(/entries/\d+/undo)"')


def _log(client: TestClient, path: str, data: dict[str, str]) -> str:
    """Post a log form as one tab would, and return the today page it lands on."""
    token = form_token(client, path)
    response = client.post(path, data={**data, csrf.FIELD: token})
    assert response.status_code == 200, response.text
    return response.text


def _undo_from(client: TestClient, page: str) -> str:
    found = UNDO_FORM.search(page)
    assert found, "the logged notice has no undo-by-id form"
    token = form_token(client)
    response = client.post(found.group(1), data={csrf.FIELD: token})
    assert response.status_code == 200
    return response.text


def _live_titles(ctx: AppContext) -> list[str]:
    entries, _, _ = JournalService(ctx).history()
    return [e.kind.value for e in entries]


def test_undo_this_on_an_older_tab_takes_back_that_entry_not_the_latest(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    dose_tab = _log(client, "/log/dose", {"amount": "3g"})
    symptom_tab = _log(client, "/log/symptom", {"name": "muscle aches"})
    assert "Logged" in symptom_tab
    after = _undo_from(client, dose_tab)
    assert 'id="taken-back"' in after
    assert _live_titles(sqlite_ctx) == ["symptom"]


def test_a_stale_undo_says_so_and_deletes_nothing_else(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    dose_tab = _log(client, "/log/dose", {"amount": "3g"})
    _undo_from(client, dose_tab)
    _log(client, "/log/symptom", {"name": "muscle aches"})
    again = _undo_from(client, dose_tab)
    assert 'id="undo-stale"' in again
    assert "already taken back or deleted" in again
    assert _live_titles(sqlite_ctx) == ["symptom"]


def test_cli_undo_after_a_web_take_back_reverses_the_action_before_it(
    sqlite_ctx: AppContext,
) -> None:
    journal = JournalService(sqlite_ctx)
    first = journal.log_dose("3g").entry
    second = journal.log_dose("4g").entry
    assert second.id is not None
    journal.take_back(second.id)
    result = journal.undo()  # the latest action is now the first log, not the second again
    assert result.action == "deleted" and result.entry.id == first.id
    assert journal.history()[0] == []


def test_each_entry_of_one_line_of_symptoms_has_its_own_undo(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    page = _log(client, "/log/symptom", {"name": "sweating and shaking"})
    forms = UNDO_FORM.findall(page)
    assert len(forms) == len(set(forms)) == len(_live_titles(sqlite_ctx)) >= 2


HISTORY_UNDO = re.compile(r'name="action" value="(\d+)"')


def test_the_history_undo_names_its_entry_and_a_stale_one_undoes_nothing(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    _log(client, "/log/dose", {"amount": "3g"})
    older_tab = client.get("/history").text
    assert "Undo logging: " in older_tab and "today" in older_tab  # names the entry and when
    _log(client, "/log/symptom", {"name": "muscle aches"})  # another tab, since
    action = HISTORY_UNDO.search(older_tab)
    assert action
    done = client.post("/undo", data={"action": action.group(1), csrf.FIELD: form_token(client)})
    assert done.status_code == 200  # redirected back to the history page
    assert "nothing was undone" in done.text.lower()
    assert sorted(_live_titles(sqlite_ctx)) == ["dose", "symptom"]
    fresh = client.get("/history").text
    assert "Undo logging: " in fresh and "aches" in fresh.split("Undo logging: ")[1][:80].lower()
    action = HISTORY_UNDO.search(fresh)
    assert action
    client.post("/undo", data={"action": action.group(1), csrf.FIELD: form_token(client)})
    assert _live_titles(sqlite_ctx) == ["dose"]
