"""`mitra log symptom` takes free text: what was understood is said, red flags typed with a
phone's curly apostrophe raise the emergency alert, unknown words are kept (issue 10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mitra.domain.alerts import Severity
from mitra.domain.severity_looks import look
from tests.support.cli import run


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "journal.sqlite3")


def test_a_curly_apostrophe_red_flag_raises_the_emergency_alert(db: str) -> None:
    result = run("log", "symptom", "I can’t breathe", db=db)
    assert result.code == 0, result.err
    assert "Understood: trouble breathing" in result.out
    emergency = look(Severity.EMERGENCY)  # the shared word and symbol (severity_looks)
    assert f"{emergency.symbol} {emergency.word}: Call 911 now" in result.out


def test_the_json_lists_every_entry_and_what_was_understood(db: str) -> None:
    doc = run("log", "symptom", "sweating and shaking, can’t sleep", "--json", db=db).json()
    assert [e["symptom"] for e in doc["entries"]] == ["sweating", "tremor", "insomnia"]
    assert doc["understood"] == "Understood: sweating, tremor, trouble sleeping"
    assert doc["entries"][0]["said"] == "sweating and shaking, can’t sleep"
    assert "no severity given" in doc["severity_note"]


def test_several_symptoms_in_one_line_are_confirmed_one_by_one(db: str) -> None:
    out = run("log", "symptom", "the sweats", "and", "cold", "turkey", "chills", db=db).out
    assert out.startswith("Understood: sweating, chills or gooseflesh")
    assert out.count("Logged symptom #") == 2


def test_free_text_is_kept_and_shown_in_history(db: str) -> None:
    logged = run("log", "symptom", "my knees feel weird", "--severity", "1", db=db)
    assert logged.code == 0
    assert 'Understood: your own words "my knees feel weird"' in logged.out
    assert 'in your words: "my knees feel weird": mild (1/3)' in run("history", db=db).out


def test_an_empty_symptom_is_refused_and_nothing_is_written(db: str) -> None:
    result = run("log", "symptom", "  ", db=db)
    assert result.code == 2
    assert "say how you feel" in result.err
    assert "symptom" not in run("history", db=db).out


def test_the_symptom_list_shows_example_phrases(db: str) -> None:
    text = run("symptoms", db=db).out
    assert "overdose-signs" in text and "suicidal-thoughts" in text
    assert 'mitra log symptom "sweating and shaking, can’t sleep"' in text
    doc = run("symptoms", "--json", db=db).json()
    assert doc["examples"] and any(s["id"] == "other" for s in doc["symptoms"])
