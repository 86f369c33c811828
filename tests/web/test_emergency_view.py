"""After an entry that raised an emergency alert, today shows the emergency view first: large
tel: buttons for 911, 988 and Poison Control, and numbered steps whose sources resolve; the
green "Logged" box comes after it, and no banner calls an emergency "urgent"."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from mitra.domain.alerts import Severity
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


def test_every_emergency_step_rests_on_a_known_source() -> None:
    guide = emergency_guide()
    assert guide.steps and all(s.sources for s in guide.steps)
    assert {src for s in guide.steps for src in s.sources} <= source_ids()
    assert all(call.tel.isdigit() for call in guide.calls)


def test_severity_badges_use_the_one_table_of_looks(client: TestClient) -> None:
    page = _log_symptom(client, "can't breathe")
    look = LOOKS[Severity.EMERGENCY]
    assert f'<span aria-hidden="true">{look.symbol}</span> {look.word}</span>' in page
