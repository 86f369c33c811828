"""The plan, exposure and timeline commands: JSON that names its numbers, a calendar that
parses, and bad options refused with one line, exit code 2 and nothing written."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.cli import run
from tests.support.clock import FIXED_NOW
from tests.support.refusal import snapshot

STEP_NUMBERS = {"start", "end", "reason", "daily_max_mg", "dose_max_mg", "doses_per_day_max"}


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "journal.sqlite3")
    assert run("profile", "set", "--timezone", "UTC", db=path).code == 0
    assert run("log", "substance", "oxycodone", "30mg", "--at", "30h ago", db=path).code == 0
    for when in ("3 days ago", "2 days ago", "yesterday 09:00", "yesterday 15:00"):
        assert run("log", "dose", "3g", "--at", when, db=path).code == 0
    return path


@pytest.fixture
def planned(db: str) -> str:
    result = run("plan", "new", "taper", "--current-mg", "100", "--doses-per-day", "2", db=db)
    assert result.code == 0, result.err
    return db


def test_plan_new_taper_json_names_every_number(db: str) -> None:
    document = run("plan", "new", "taper", "--speed", "slow", "--json", db=db).json()
    plan = document["plan"]
    assert plan["kind"] == "taper" and plan["strategy"] == "percent"
    assert {"start", "end", "limits", "steps", "settle_days"} <= set(plan)
    assert all(set(step) >= STEP_NUMBERS for step in plan["steps"])
    assert plan["limits"] == {
        "dose_max_mg": 250.0,
        "daily_max_mg": 300.0,
        "doses_per_day_max": 3,
        "min_interval_h": 2.0,
    }
    intake = document["current_intake"]
    assert intake["days"] == 3 and intake["daily_mg"] > intake["typical_daily_mg"]
    timing = {t["after"] for t in document["alternatives"]["buprenorphine_timing"]}
    assert {"short-acting", "long-acting", "fentanyl"} <= timing
    assert "ASAM 2020" in document["alternatives"]["text"]
    assert document["support"]["crisis"]


def test_plan_show_and_status_json(planned: str) -> None:
    shown = run("plan", "show", "--json", db=planned).json()
    assert shown["plan"]["steps"][0]["daily_max_mg"] == 90.0
    assert [e["event"] for e in shown["events"]] == ["created"]
    status = run("plan", "status", "--json", db=planned).json()
    assert set(status["step"]) >= STEP_NUMBERS
    assert status["decision"]["action"] == "hold"
    assert status["decision"]["cause"] == "missing-check-in"
    assert status["decision"]["reason"]
    assert status["today_verdict"] in {"within", "over", "no-doses"}
    assert status["next_step"]["daily_max_mg"] == 81.0
    assert status["alternatives"]["text"] and status["support"]["options"]


def test_plan_commands_without_a_plan_say_so(db: str) -> None:
    assert run("plan", "show", "--json", db=db).json()["plan"] is None
    text = run("plan", "status", db=db).out
    assert "No active plan" in text and "1-800-662-4357" in text


def test_plan_text_screens_show_alternatives_and_crisis_lines(planned: str) -> None:
    for args in (("plan", "status"), ("plan", "show"), ("exposure",), ("timeline",)):
        out = run(*args, db=planned).out
        assert "988" in out and "1-800-662-4357" in out, args
    assert "Another path, with a clinician" in run("plan", "status", db=planned).out


def test_exposure_json_names_accumulation_with_low_and_high(db: str) -> None:
    document = run("exposure", "--json", db=db).json()
    accumulation = document["accumulation"]
    assert accumulation["low"] < accumulation["typical"] < accumulation["high"]
    band = document["band"]
    assert len(band["hours"]) == len(band["low"]) == len(band["high"]) == 169
    assert document["limits"] and document["sources"] and document["settle"]["plan_step_days"]


def test_exposure_text_is_a_band_chart_with_numbers(db: str) -> None:
    out = run("exposure", db=db).out
    assert "a band, not a precise line" in out
    assert all(f"  {row}" in out for row in ("high", "typical", "low"))
    assert "Limits of this model" in out and "Sources" in out


def test_timeline_json_names_the_phase(db: str) -> None:
    document = run("timeline", "--json", db=db).json()
    assert document["phase"] == "peak"
    assert document["timeline"]["opioid_type"] == "short-acting"
    assert {w["name"] for w in document["timeline"]["windows"]} == {"onset", "peak", "acute"}


def test_the_calendar_parses_and_has_events_for_steps_and_check_ins(
    planned: str, tmp_path: Path
) -> None:
    from icalendar import Calendar

    target = tmp_path / "plan.ics"
    result = run("plan", "export", "--ics", str(target), "--json", db=planned).json()
    calendar = Calendar.from_ical(target.read_bytes())
    events = list(calendar.walk("VEVENT"))
    steps = [e for e in events if "plan step" in str(e.get("categories").to_ical())]
    checkins = [e for e in events if "check-in" in str(e.get("categories").to_ical())]
    assert len(steps) == result["step_events"] > 1
    assert len(checkins) == result["checkin_events"] > len(steps)
    assert "90 mg a day" in str(steps[0].get("summary"))
    assert all(e.walk("VALARM") for e in checkins)
    for event in events:  # read in a calendar app: the crisis lines, and no command to type
        description = str(event.get("description"))
        assert "call or text 988" in description and "1-800-662-4357" in description
        assert not re.search(r"\bmitra (plan|check|log|alerts)\b", description)
    quiet = tmp_path / "quiet.ics"
    run("plan", "export", "--ics", str(quiet), "--no-details", db=planned)
    assert b"mg" not in quiet.read_bytes() and b"kratom" not in quiet.read_bytes().lower()


BAD_OPTIONS = [
    (["plan", "new", "taper", "--speed", "warp"], "--speed must be"),
    (["plan", "new", "taper", "--strategy", "zigzag"], "unknown strategy 'zigzag'"),
    (["plan", "new", "taper", "--current-mg", "lots"], "--current-mg must be a number"),
    (["plan", "new", "taper", "--start", "2001-01-01"], "in the past"),
    (["plan", "new", "taper", "--used-over-a-year", "maybe"], "yes, no or unknown"),
    (["plan", "new", "taper", "--speed", "fast"], "less than a year"),
    (["plan", "new", "taper", "--speed", "25"], "at most 10"),
    (["plan", "new", "taper", "--steps", "100:28,110:28", "--current-mg", "110"], "raises"),
    (["plan", "new", "taper", "--steps", "100:5", "--current-mg", "100"], "from 12 to 180"),
    (["plan", "new", "taper", "--steps-file", "/no/such/file"], "cannot read --steps-file"),
    (["plan", "new", "taper", "--steps", "100", "--strategy", "linear"], "--steps go with"),
    (["plan", "new", "titration", "--first-dose-mg", "50"], "at most 13.3"),
    (["plan", "new", "titration", "--settle-days", "3"], "from 12"),
    (["plan", "step-back", "--reason", "too hard"], "no higher earlier step"),
    (["plan", "export", "--ics", "/no/such/folder/plan.ics"], "does not exist"),
    (["exposure", "--at", "banana"], "could not read the time"),
]


@pytest.mark.parametrize(
    ("args", "fragment"), BAD_OPTIONS, ids=[" ".join(a)[:50] for a, _ in BAD_OPTIONS]
)
def test_bad_options_are_refused_with_one_line_and_nothing_written(
    planned: str, args: list[str], fragment: str
) -> None:
    before = snapshot(planned)
    result = run(*args, db=planned)
    assert result.code == 2, result
    assert fragment in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mitra: ")
    assert result.out == ""
    assert snapshot(planned) == before


def test_a_dose_logged_against_the_plan_shows_its_judgement(planned: str) -> None:
    document = run("log", "dose", "3g", "--json", db=planned).json()
    judgement = document["plan_judgement"]
    assert judgement["verdict"] == "over" and judgement["step"]["dose_max_mg"] == 45.0
    assert "plan-ceiling-exceeded" in {a["rule_id"] for a in document["alerts"]}
    later = FIXED_NOW + timedelta(hours=3)  # past the plan's minimum interval
    text = run("log", "dose", "1g", db=planned, clock=lambda: later).out
    assert "Plan step 1" in text and "within" in text
