"""After an entry that raised an emergency alert, today shows the emergency view first: large
tel: buttons for 911, 988 and Poison Control, and numbered steps whose sources resolve; the
green "Logged" box comes after it, and no banner calls an emergency "urgent"."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from mitra.domain import catalogue_data
from mitra.domain.alerts import Severity, default_support, support_from_table
from mitra.domain.catalogue_data import source_ids
from mitra.domain.emergency_steps import emergency_guide
from mitra.domain.severity_looks import LOOKS
from mitra.web import csrf
from tests.web.test_forms import form_token


def _log_symptom(client: TestClient, said: str) -> str:
    data = {"name": said, csrf.FIELD: form_token(client, "/log/symptom")}
    response = client.post("/log/symptom", data=data)
    assert response.status_code == 200
    return response.text


def _main(page: str) -> str:
    return page.split('<main id="main"', 1)[1].split(">", 1)[1]


def test_cant_breathe_shows_the_emergency_view_first_with_its_tel_links(
    client: TestClient,
) -> None:
    main = _main(_log_symptom(client, "can't breathe"))
    first_tag = re.search(r"<(\w+)[^>]*>", main)
    assert first_tag and 'id="emergency"' in first_tag.group(0)
    view = main.split("</section>", 1)[0]
    for tel in ("tel:911", "tel:988", "tel:18002221222"):
        assert f'href="{tel}"' in view
    assert view.count("<li>") >= len(emergency_guide().steps)
    assert main.index('id="emergency"') < main.index('id="logged"')


def test_the_banner_never_calls_an_emergency_urgent(client: TestClient) -> None:
    page = _log_symptom(client, "can't breathe")
    banner = page.split('class="serious-banner"', 1)[1].split("</div>", 1)[0]
    assert "urgent" not in banner.lower()


def test_a_mild_symptom_shows_no_emergency_view(client: TestClient) -> None:
    assert 'id="emergency"' not in _log_symptom(client, "muscle aches")


def test_every_emergency_step_and_number_rests_on_a_known_source() -> None:
    guide = emergency_guide()
    assert guide.steps and all(s.sources for s in guide.steps)
    assert {src for s in guide.steps for src in s.sources} <= source_ids()
    assert all(call.tel.isdigit() for call in guide.calls)
    assert guide.calls and all(call.sources for call in guide.calls)
    assert {src for call in guide.calls for src in call.sources} <= source_ids()


def test_every_crisis_line_cites_a_known_source_and_every_page_dials_it(
    client: TestClient,
) -> None:
    lines = default_support().crisis
    assert lines and all(line.sources and line.tel.isdigit() for line in lines)
    assert {src for line in lines for src in line.sources} <= source_ids()
    page = client.get("/").text
    helpbar = page[page.index('class="helpbar"') :]
    for line in lines:  # the footer and the help bar, from the one reviewed table
        assert page.count(f'href="tel:{line.tel}"') >= 2
        assert f">{line.number}</a>" in helpbar


def test_a_crisis_line_without_sources_is_refused() -> None:
    table = dict(catalogue_data.load("rules")["support"])
    table["crisis"] = [{**row, "sources": []} for row in table["crisis"]]
    with pytest.raises(ValueError, match="needs its sources"):
        support_from_table(table)


def test_severity_badges_use_the_one_table_of_looks(client: TestClient) -> None:
    page = _log_symptom(client, "can't breathe")
    look = LOOKS[Severity.EMERGENCY]
    assert f'<span aria-hidden="true">{look.symbol}</span> {look.word}</span>' in page
