"""Products changed and deleted on the web keep history as it was logged; the profile's time
zone is a choice from a list, refused with nothing written when it is not; the report's paper
follows the zone unless the person chooses."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from mitra.domain.entries import DoseEntry
from mitra.domain.paper import paper_for_zone
from mitra.services.catalogue import ProductService, ProfileService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.web import csrf
from mitra.web.pages.profile import time_zones, zone_groups
from tests.web.test_forms import form_token
from tests.web.test_plain_words import terminal_words, visible_text


def _doses(ctx: AppContext) -> list[tuple[str, float, str, float, float]]:
    found, _, _ = JournalService(ctx).history(include_deleted=True)
    return [
        (
            e.product_name,
            e.amount,
            e.unit,
            e.estimate.mitragynine_mg.typical,
            e.estimate.mitragynine_mg.high,
        )
        for e in found
        if isinstance(e, DoseEntry)
    ]


@pytest.fixture
def gold(sqlite_ctx: AppContext) -> int:
    product = ProductService(sqlite_ctx).add("Gold", "extract", mitragynine_pct=45)
    JournalService(sqlite_ctx).log_dose("1g", product="Gold", at="2 hours ago")
    assert product.id is not None
    return product.id


def test_changing_a_product_keeps_what_its_doses_were_logged_with(
    client: TestClient, sqlite_ctx: AppContext, gold: int
) -> None:
    before = _doses(sqlite_ctx)
    page = client.get(f"/products/{gold}/edit")
    assert page.status_code == 200 and 'value="450"' in page.text  # 45% shown as 450 mg/g
    token = form_token(client, f"/products/{gold}/edit")
    saved = client.post(
        f"/products/{gold}",
        data={"name": "Gold strong", "form": "extract", "source": "label",
              "mitragynine_pct": "60", csrf.FIELD: token},
    )  # fmt: skip
    assert saved.status_code == 200 and "Saved" in saved.text
    assert ProductService(sqlite_ctx).get(gold).name == "Gold strong"
    assert _doses(sqlite_ctx) == before  # the logged dose keeps its name and estimate
    history = visible_text(client.get("/history").text)
    assert "Gold" in history


def test_saving_a_product_unchanged_changes_nothing(
    client: TestClient, sqlite_ctx: AppContext, gold: int
) -> None:
    before = ProductService(sqlite_ctx).get(gold)
    token = form_token(client, f"/products/{gold}/edit")
    page = client.get(f"/products/{gold}/edit").text
    fields = {
        "name": "Gold",
        "form": "extract",
        "source": "label",
        "mitragynine_mg_per_g": "450",
        "seven_oh_mg_per_g": "",
        csrf.FIELD: token,
    }
    assert 'name="seven_oh_mg_per_g"' in page
    client.post(f"/products/{gold}", data=fields)
    assert ProductService(sqlite_ctx).get(gold).potency == before.potency


def test_deleting_a_product_keeps_its_doses_in_history(
    client: TestClient, sqlite_ctx: AppContext, gold: int
) -> None:
    before = _doses(sqlite_ctx)
    token = form_token(client, f"/products/{gold}/edit")
    done = client.post(f"/products/{gold}/delete", data={csrf.FIELD: token})
    assert done.status_code == 200
    assert "Deleted" in done.text and "1 dose logged with it stays" in visible_text(done.text)
    own, _ = ProductService(sqlite_ctx).list()
    assert own == []
    assert _doses(sqlite_ctx) == before
    assert "Gold" in visible_text(client.get("/history").text)
    # The name is free again, and the next dose without a product still logs.
    ProductService(sqlite_ctx).add("Gold", "leaf")
    JournalService(sqlite_ctx).log_dose("2g")


def test_a_refused_product_change_writes_nothing_and_speaks_plainly(
    client: TestClient, sqlite_ctx: AppContext, gold: int
) -> None:
    ProductService(sqlite_ctx).add("Red", "leaf")
    before = ProductService(sqlite_ctx).get(gold)
    token = form_token(client, f"/products/{gold}/edit")
    for data, field in (
        ({"name": "red", "form": "leaf", "source": "label"}, "name"),
        ({"name": "Gold", "form": "extract", "source": "label", "scoop_g": "0"}, "scoop_g"),
        ({"name": "Gold", "form": "extract", "source": "nowhere"}, "source"),
    ):
        refused = client.post(f"/products/{gold}", data={**data, csrf.FIELD: token})
        assert refused.status_code == 422, data
        assert f'id="error-{field}"' in refused.text, data
        assert not terminal_words(visible_text(refused.text)), data
    assert ProductService(sqlite_ctx).get(gold) == before


def test_product_forms_need_the_token(
    client: TestClient, sqlite_ctx: AppContext, gold: int
) -> None:
    assert client.post(f"/products/{gold}/delete", data={}).status_code == 403
    assert client.post(f"/products/{gold}", data={"name": "X"}).status_code == 403
    assert ProductService(sqlite_ctx).get(gold).name == "Gold"


def test_an_unknown_product_is_a_plain_not_found(client: TestClient) -> None:
    token = form_token(client)
    for response in (
        client.get("/products/4242/edit"),
        client.post("/products/4242/delete", data={csrf.FIELD: token}),
    ):
        assert response.status_code == 404
        assert "What to do:" in visible_text(response.text)


def test_the_time_zone_is_a_list_with_common_zones_first_and_the_saved_one_chosen(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    ProfileService(sqlite_ctx).set(timezone="Europe/Berlin")
    page = client.get("/profile").text
    assert '<select id="field-timezone" name="timezone"' in page
    assert page.count(" selected>") >= 1
    assert '<option value="Europe/Berlin" selected>' in page
    assert 'list="zones"' not in page  # no free text any more
    groups = zone_groups("Europe/Berlin")
    assert groups[0][0] == "Common" and groups[0][1][0][0] == "America/New_York"
    assert "America/New_York" in time_zones() and len(time_zones()) > 300


def test_a_saved_old_alias_zone_is_kept(client: TestClient, sqlite_ctx: AppContext) -> None:
    ProfileService(sqlite_ctx).set(timezone="US/Eastern")
    assert zone_groups("US/Eastern")[0] == ("Saved", [("US/Eastern", "US/Eastern")])
    token = form_token(client, "/profile")
    saved = client.post("/profile", data={"timezone": "US/Eastern", csrf.FIELD: token})
    assert saved.status_code == 200
    assert ProfileService(sqlite_ctx).show().timezone == "US/Eastern"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "EST", "Europe", "../etc/passwd"])
def test_a_zone_the_list_does_not_offer_is_refused_and_nothing_written(
    client: TestClient, sqlite_ctx: AppContext, zone: str
) -> None:
    ProfileService(sqlite_ctx).set(timezone="America/Chicago", pregnant="no")
    token = form_token(client, "/profile")
    refused = client.post("/profile", data={"timezone": zone, "pregnant": "yes", csrf.FIELD: token})
    assert refused.status_code == 422
    assert 'id="error-timezone"' in refused.text
    saved = ProfileService(sqlite_ctx).show()
    assert (saved.timezone, saved.pregnant) == ("America/Chicago", False)


@pytest.mark.parametrize(
    ("zone", "paper"),
    [
        ("America/New_York", "letter"),
        ("America/Los_Angeles", "letter"),
        ("America/Toronto", "letter"),
        ("America/Mexico_City", "letter"),
        ("Asia/Manila", "letter"),
        ("Pacific/Honolulu", "letter"),
        ("US/Eastern", "letter"),
        ("Europe/London", "a4"),
        ("America/Sao_Paulo", "a4"),
        ("Australia/Sydney", "a4"),
        ("UTC", "a4"),
    ],
)
def test_the_paper_follows_the_time_zone(zone: str, paper: str) -> None:
    assert paper_for_zone(zone) == paper


def test_the_report_page_defaults_to_the_zones_paper_and_the_choice_wins(
    client: TestClient, sqlite_ctx: AppContext
) -> None:
    ProfileService(sqlite_ctx).set(timezone="America/New_York")
    assert 'value="letter" checked' in client.get("/report").text
    ProfileService(sqlite_ctx).set(timezone="Europe/Paris")
    assert 'value="a4" checked' in client.get("/report").text
    JournalService(sqlite_ctx).log_dose("3g", at="2 hours ago")
    a4 = client.get("/report/pdf", params={"since": "7 days ago"})
    ProfileService(sqlite_ctx).set(timezone="America/Chicago")
    letter = client.get("/report/pdf", params={"since": "7 days ago"})
    chosen = client.get("/report/pdf", params={"since": "7 days ago", "paper": "a4"})
    assert [_size(r.content) for r in (a4, letter, chosen)] == [(595, 842), (612, 792), (595, 842)]


def _size(pdf: bytes) -> tuple[int, int]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def test_the_api_changes_and_deletes_a_product_and_doses_keep_theirs(
    client: TestClient, sqlite_ctx: AppContext, gold: int
) -> None:
    before = _doses(sqlite_ctx)
    changed = client.put(
        f"/api/v1/products/{gold}",
        json={"name": "Gold 2", "form": "extract", "mitragynine_pct": 50},
    )
    assert changed.status_code == 200 and changed.json()["product"]["name"] == "Gold 2"
    assert client.put("/api/v1/products/999", json={"name": "X", "form": "leaf"}).status_code == 404
    assert client.delete(f"/api/v1/products/{gold}").status_code == 204
    assert client.delete(f"/api/v1/products/{gold}").status_code == 404
    assert _doses(sqlite_ctx) == before
