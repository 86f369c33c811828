"""What people type for amounts and times is stored as meant, at the injected moment, and the
confirmation names the day whenever it is not today (the 1st-of-the-month case included)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.cli import run

FIRST_OF_MONTH = datetime(2026, 12, 1, 17, 47, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "journal.sqlite3")
    assert run("profile", "set", "--timezone", "America/New_York", db=path).code == 0
    return path


def at_first(*args: str, db: str) -> dict[str, object]:
    result = run(*args, "--json", db=db, clock=lambda: FIRST_OF_MONTH)
    assert result.code == 0, result.err
    entry: dict[str, object] = result.json()["entry"]
    return entry


def test_a_thousands_comma_is_stored_as_a_thousand(db: str) -> None:
    entry = at_first("log", "substance", "acetaminophen", "1,000 mg", db=db)
    assert (entry["amount"], entry["unit"]) == (1000.0, "milligram")
    entry = at_first("log", "substance", "oxycodone", "1,5mg", db=db)
    assert entry["amount"] == 1.5


@pytest.mark.parametrize(
    ("typed", "grams"),
    [("half a gram", 0.5), ("1 1/2 g", 1.5), ("½ g", 0.5), ("two grams", 2.0), ("3g", 3.0)],
)
def test_words_and_fractions_are_stored_as_their_number(db: str, typed: str, grams: float) -> None:
    entry = at_first("log", "dose", typed, db=db)
    assert (entry["amount"], entry["unit"]) == (grams, "gram")


def test_a_bare_evening_time_on_the_first_of_a_month_is_last_nights(db: str) -> None:
    entry = at_first("log", "dose", "3g", "--at", "8:30pm", db=db)
    assert entry["at"] == "2026-11-30T20:30:00-05:00"
    text = run("log", "dose", "2g", "--at", "8:30pm", db=db, clock=lambda: FIRST_OF_MONTH).out
    assert text.startswith("Logged dose #2 at yesterday 20:30 (America/New_York)")


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("9am", "today 09:00"),
        ("yesterday 21:00", "yesterday 21:00"),
        ("sunday 20:30", "Sun 29 Nov 20:30"),
        ("2h ago", "today 10:47"),
    ],
)
def test_the_confirmation_names_the_day_when_it_is_not_today(
    db: str, typed: str, shown: str
) -> None:
    result = run("log", "dose", "3g", "--at", typed, db=db, clock=lambda: FIRST_OF_MONTH)
    assert result.code == 0, result.err
    assert result.out.splitlines()[0].startswith(f"Logged dose #1 at {shown} ")


def test_the_fixed_now_variable_sets_the_clock_of_a_run(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mitra.domain.errors import InputError
    from mitra.services.context import default_clock

    monkeypatch.setenv("MITRA_FIXED_NOW", "2027-01-01T04:59:00+00:00")
    assert default_clock()() == datetime(2027, 1, 1, 4, 59, tzinfo=UTC)
    monkeypatch.setenv("MITRA_FIXED_NOW", "2027-01-01T04:59")
    result = run("history", db=db, clock=lambda: FIRST_OF_MONTH)
    assert result.code == 0  # an injected clock wins over the variable
    with pytest.raises(InputError, match="with an offset"):
        default_clock()
