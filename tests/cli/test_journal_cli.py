"""The journal from the command line: logging with JSON output, history in the person's
zone, deletion that is recorded and undoable, products and profile."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from tests.support.cli import run


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "journal.sqlite3")


def test_log_dose_json_has_the_entry_and_an_alerts_list(db: str) -> None:
    doc = run("log", "dose", "3g", "--json", db=db).json()
    entry = doc["entry"]
    # A typical leaf dose raises no dose alert (only the one-time note asking about pregnancy).
    assert [a["rule_id"] for a in doc["alerts"]] == ["pregnancy-status-unknown"]
    assert all(a["evidence"] for a in doc["alerts"])
    assert entry["kind"] == "dose"
    assert isinstance(entry["id"], int)
    assert datetime.fromisoformat(entry["at"]).tzinfo is not None
    assert entry["mitragynine_mg"] == pytest.approx(45.0)
    assert entry["mitragynine_mg_range"] == [pytest.approx(39.9), pytest.approx(58.5)]
    assert entry["product"] == "generic leaf powder"


@pytest.mark.parametrize("amount", ["3g", "3 g", "0.5 g", "2 caps", "15ml"])
def test_the_documented_amount_spellings_are_accepted(db: str, amount: str) -> None:
    product = {"2 caps": "generic capsules", "15ml": "generic kratom tea"}.get(amount)
    args = ["log", "dose", *amount.split(), "--json"] + (["--product", product] if product else [])
    assert run(*args, db=db).json()["entry"]["mitragynine_mg"] > 0


@pytest.mark.parametrize("when", ["now", "8:30pm", "yesterday 21:00", "2h ago", "2026-01-05T10:00"])
def test_the_documented_time_phrases_are_accepted(db: str, when: str) -> None:
    assert run("log", "dose", "3g", "--at", when, db=db).code == 0


def test_an_extract_dose_is_estimated_from_the_products_label(db: str) -> None:
    run("product", "add", "Gold", "--form", "extract", "--mitragynine-pct", "45", db=db)
    entry = run("log", "dose", "1g", "--product", "gold", "--json", db=db).json()["entry"]
    assert entry["mitragynine_mg"] == pytest.approx(450.0)
    assert entry["mitragynine_mg_range"] == [pytest.approx(337.5), pytest.approx(562.5)]
    # The next dose without --product uses the last product.
    again = run("log", "dose", "0.5g", "--json", db=db).json()["entry"]
    assert again["product"] == "Gold"


def test_opioid_use_shows_the_days_mme(db: str) -> None:
    first = run(
        "log", "substance", "oxy", "30mg", "--at", "2026-01-05T08:00", "--json", db=db
    ).json()
    assert first["entry"]["class"] == "opioid"
    assert first["entry"]["mme"] == pytest.approx(45.0)
    second = run(
        "log", "substance", "oxycodone", "10mg", "--at", "2026-01-05T20:00", "--json", db=db
    ).json()
    assert second["entry"]["daily_mme"] == pytest.approx(60.0)
    heroin = run(
        "log", "substance", "heroin", "100mg", "--route", "injected", "--json", db=db
    ).json()
    assert heroin["entry"]["mme"] is None


def test_symptoms_are_logged_by_common_words_with_red_flags_marked(db: str) -> None:
    doc = run("log", "symptom", "yellow", "eyes", "--severity", "1", "--json", db=db).json()
    assert doc["entry"]["symptom"] == "jaundice"
    assert doc["entry"]["red_flag"] is True
    text = run("log", "symptom", "nausea", db=db).out
    assert "nausea: moderate (2/3)" in text


def test_history_lists_entries_in_time_order_in_the_persons_zone(db: str) -> None:
    run("profile", "set", "--timezone", "Asia/Tokyo", db=db)
    run("log", "dose", "3g", "--at", "2026-01-05T10:00", db=db)
    run("log", "dose", "2g", "--at", "2026-01-04T22:00", db=db)
    doc = run("history", "--json", db=db).json()
    ats = [e["at"] for e in doc["entries"]]
    assert ats == sorted(ats)
    assert all(a.endswith("+09:00") for a in ats)
    text = run("history", db=db).out
    assert text.index("Sunday 04 January 2026") < text.index("Monday 05 January 2026")
    assert "1-800-662-4357" in text
    window = run("history", "--since", "2026-01-05T00:00", "--json", db=db).json()
    assert len(window["entries"]) == 1


def test_delete_is_recorded_and_undo_restores(db: str) -> None:
    entry_id = run("log", "dose", "3g", "--json", db=db).json()["entry"]["id"]
    assert run("delete", str(entry_id), db=db).code == 0
    assert run("history", "--json", db=db).json()["entries"] == []
    shown = run("history", "--deleted", "--json", db=db).json()["entries"]
    assert shown[0]["id"] == entry_id and shown[0]["deleted"] is True
    assert run("delete", str(entry_id), db=db).code == 2  # already deleted
    undo = run("undo", "--json", db=db).json()
    assert undo["action"] == "restored"
    assert [e["id"] for e in run("history", "--json", db=db).json()["entries"]] == [entry_id]


def test_undo_takes_back_the_last_logged_entry_then_the_one_before(db: str) -> None:
    first = run("log", "dose", "3g", "--json", db=db).json()["entry"]["id"]
    second = run("log", "symptom", "nausea", "--json", db=db).json()["entry"]["id"]
    assert run("undo", "--json", db=db).json()["entry"]["id"] == second
    assert run("undo", "--json", db=db).json()["entry"]["id"] == first
    assert run("history", "--json", db=db).json()["entries"] == []
    nothing = run("undo", db=db)
    assert nothing.code == 2 and "nothing to undo" in nothing.err


def test_profile_set_changes_only_what_is_given(db: str) -> None:
    run(
        "profile",
        "set",
        "--timezone",
        "Europe/London",
        "--medications",
        "sertraline, quetiapine",
        db=db,
    )
    run("profile", "set", "--pregnant", "yes", db=db)
    profile = run("profile", "show", "--json", db=db).json()["profile"]
    assert profile == {
        "timezone": "Europe/London",
        "pregnant": True,
        "breastfeeding": None,
        "medications": ["sertraline", "quetiapine"],
        "goals": [],
        "naloxone": None,
        "naloxone_expires": None,
    }


def test_product_list_shows_own_and_generic_products(db: str) -> None:
    run("product", "add", "Red Bali", "--form", "leaf", "--mitragynine-pct", "1.6", db=db)
    products = run("product", "list", "--json", db=db).json()["products"]
    names = [p["name"] for p in products]
    assert names[0] == "Red Bali"
    assert {"generic leaf powder", "generic extract", "generic 7-OH product"} <= set(names)
    red = products[0]
    assert red["mitragynine"]["typical"] == pytest.approx(16.0)
    assert red["potency_source"] == "label"


def test_every_command_has_help_with_an_example() -> None:
    from mitra.cli.main import cli

    def walk(group: object, path: list[str]) -> list[list[str]]:
        import click

        assert isinstance(group, click.Group)
        found = []
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if isinstance(command, click.Group):
                found += walk(command, [*path, name])
            else:
                found.append([*path, name])
        return found

    # serve runs a web server until stopped: there is no single document to print.
    no_json = {("serve",), ("clinic", "serve")}
    for path in walk(cli, []):
        help_text = run(*path, "--help").out
        assert re.search(r"Examples?:|mitra ", help_text), path
        if tuple(path) not in no_json:
            assert "--json" in help_text, path


def test_the_database_can_be_chosen_by_environment(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MITRA_DATABASE_URL", db)
    run("log", "dose", "3g")
    assert Path(db).exists()
    assert len(run("history", "--json").json()["entries"]) == 1


def test_the_default_database_lives_in_the_user_data_folder(tmp_path: Path) -> None:
    assert run("log", "dose", "3g").code == 0
    assert list((tmp_path / "home" / "data").rglob("journal.sqlite3"))


def test_the_cli_works_on_postgresql(pg_url: str) -> None:
    assert run("log", "dose", "3g", db=pg_url).code == 0
    assert run("log", "substance", "xanax", "1mg", db=pg_url).code == 0
    entries = run("history", "--json", db=pg_url).json()["entries"]
    assert [e["kind"] for e in entries] == ["dose", "substance"]
