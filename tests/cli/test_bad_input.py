"""Bad input gets one clear line naming what was wrong and what is accepted, exit code 2, and
nothing written to the journal."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import run
from tests.support.refusal import assert_refused, snapshot


@pytest.fixture
def journal(tmp_path: Path) -> str:
    path = str(tmp_path / "journal.sqlite3")
    assert (
        run("product", "add", "Gold", "--form", "extract", "--mitragynine-pct", "45", db=path).code
        == 0
    )
    assert run("log", "dose", "3g", db=path).code == 0
    return path


BAD_INPUTS = [
    (["log", "dose", "-3g"], "more than zero"),
    (["log", "dose", "0g"], "more than zero"),
    (["log", "dose", "nan", "g"], "not a number"),
    (["log", "dose", "5", "kg"], "more than one dose can be"),
    (["log", "dose", "3", "bananas"], "unknown unit 'bananas'"),
    (["log", "dose", "3"], "has no unit"),
    (["log", "dose", "3g", "--product", "Nope"], "unknown product 'Nope'"),
    (["log", "dose", "3g", "--at", "next tuesday-ish blah"], "could not read the time"),
    (["log", "dose", "3g", "--at", "2099-01-01T10:00"], "in the future"),
    (["log", "dose", "3g", "--at", "in 3 days"], "in the future"),
    (["log", "dose", "3g", "--note", "x" * 2001], "at most 2000"),
    (["log", "dose", "15ml"], "measured by weight"),
    (["log", "dose", "2", "scoops"], "no scoop size"),
    (["log", "substance", " ", "3mg"], "substance name is empty"),
    (["log", "substance", "oxycodone", "30", "bananas"], "unknown unit"),
    (["log", "substance", "alcohol", "500ml"], "standard drinks"),
    (["log", "substance", "oxycodone", "30mg", "--route", "ear"], "unknown route 'ear'"),
    (["log", "substance", "oxycodone", "5kg"], "more than one use can be"),
    (["log", "symptom", "   "], "say how you feel"),
    (["log", "symptom", "nausea", "--severity", "7"], "out of range"),
    (["log", "symptom", "nausea", "--severity", "bad"], "not a number"),
    (["product", "add", "", "--form", "leaf"], "product name is empty"),
    (["product", "add", "X", "--form", "gummy"], "unknown form 'gummy'"),
    (["product", "add", "Gold", "--form", "extract"], "already exists"),
    (["product", "add", "Y", "--form", "leaf", "--mitragynine-pct", "120"], "at most 100"),
    (["profile", "set", "--timezone", "Mars/Olympus"], "unknown time zone"),
    (["profile", "set", "--goals", "get-high"], "unknown goal"),
    (["profile", "set", "--pregnant", "maybe"], "yes, no or unknown"),
    (["delete", "999"], "no entry with id 999"),
    (["history", "--since", "banana"], "could not read the time"),
    # Amounts read as meant: ambiguous, implausible or unconvertible forms are refused.
    (["log", "dose", "1.000", "mg"], "1 mg (a decimal point) or 1000 mg"),
    (["log", "dose", "1,000.5,0", "mg"], "mixes commas and points"),
    (["log", "dose", "1e-320", "g"], "not a plausible amount"),
    (["log", "dose", "1e308", "g"], "not a plausible amount"),
    (["log", "dose", "1e5", "g"], "at most 50 g"),
    (["log", "dose", "60g"], "at most 50 g, mitra's plausibility bound"),
    (["log", "dose", "5kg"], "did you mean 5 g?"),
    (["log", "dose", "12g", "--product", "Gold"], "at most 10 g"),
    (["log", "dose", "2", "tsp"], "Weigh it"),
    (["log", "dose", "a", "heaped", "teaspoon"], "--scoop-g"),
    (["log", "dose", "1/0", "g"], "divides by zero"),
    (["log", "substance", "oxycodone", "1.000mg"], "could be read two ways"),
    (["log", "substance", "acetaminophen", "1,000", "g"], "did you mean 1000 mg?"),
    (["log", "substance", "alcohol", "41", "drinks"], "at most 40 standard drinks"),
    # Times: impossible clocks and dates are refused, never rounded or moved.
    (["log", "dose", "3g", "--at", "25:00"], "hours go from 00 to 23"),
    (["log", "dose", "3g", "--at", "24:30"], "hours go from 00 to 23"),
    (["log", "dose", "3g", "--at", "13pm"], "with am/pm the hour is 1 to 12"),
    (["log", "dose", "3g", "--at", "31 feb 10:00"], "there is no 31 February"),
    (["log", "dose", "3g", "--at", "yesterday 25:00"], "hours go from 00 to 23"),
    (["log", "dose", "3g", "--at", "2026-02-30T10:00"], "there is no 30 February"),
    (["log", "dose", "3g", "--at", "yesterday"], "needs a time of day"),
    (["log", "dose", "3g", "--at", "8"], "write it with minutes or am/pm"),
    (["log", "dose", "3g", "--at", "this morning 9pm"], "not in the morning"),
    (["log", "dose", "3g", "--at", "tomorrow 9am"], "in the future"),
    (["log", "symptom", "nausea", "--at", "25:00"], "hours go from 00 to 23"),
    (["history", "--since", "31 feb"], "there is no 31 February"),
]


@pytest.mark.parametrize(
    ("args", "fragment"), BAD_INPUTS, ids=[" ".join(a)[:40] for a, _ in BAD_INPUTS]
)
def test_bad_input_is_refused_with_a_clear_line_and_nothing_written(
    journal: str, args: list[str], fragment: str
) -> None:
    before = snapshot(journal)
    result = run(*args, db=journal)
    assert_refused(result, fragment)
    assert snapshot(journal) == before


def test_a_traceback_is_shown_only_with_debug(journal: str) -> None:
    result = run("--debug", "log", "dose", "-3g", db=journal)
    assert result.code == 2
    assert "Traceback" in result.err


def test_a_usage_error_exits_2(journal: str) -> None:
    result = run("log", "dose", db=journal)
    assert result.code == 2
    assert "Missing argument" in result.err
