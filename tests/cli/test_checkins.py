"""Check-ins from the command line: scripted scoring with JSON output, the COWS pulse in beats
a minute, refusals that name the item and store nothing, and trends in ``mitra scores``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mitra.domain.errors import InputError
from mitra.domain.instruments import Instrument, load_instruments
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext
from mitra.storage.assessment_store import AssessmentStore
from tests.support.cli import run
from tests.support.refusal import assert_refused, snapshot

COWS_19 = "2,1,3,1,2,1,2,1,1,2,3"  # total 19: moderate
GOSSOP = "1,2,0,1,1,2,2,1,0,3"  # total 13


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "journal.sqlite3")


@pytest.fixture
def journal(db: str) -> str:
    """A journal holding one check-in and one dose, so 'nothing stored' is a real check."""
    assert run("check", "sows-gossop", "--answers", GOSSOP, db=db).code == 0
    assert run("log", "dose", "3g", db=db).code == 0
    return db


def test_a_scripted_check_prints_the_assessment_with_items_and_an_alerts_list(db: str) -> None:
    result = run("check", "cows", "--answers", COWS_19, "--note", "before dose", "--json", db=db)
    assert result.code == 0, result.err
    doc = result.json()
    # COWS 19 is moderate withdrawal: the safety engine says what clinicians often offer.
    assert [(x["rule_id"], x["severity"]) for x in doc["alerts"]] == [
        ("withdrawal-cows-moderate", "info")
    ]
    a = doc["assessment"]
    assert a["instrument"] == "cows"
    assert a["total"] == 19 and a["band"] == "moderate"
    assert a["rater"] == "self"
    assert a["rater_note"] and "self-rated" in a["rater_note"]
    assert datetime.fromisoformat(a["at"]).tzinfo is not None
    assert "Wesson" in a["source"]
    assert a["interpretation"].startswith("Moderate withdrawal")
    assert a["note"] == "before dose"
    assert [i["score"] for i in a["items"]] == [int(x) for x in COWS_19.split(",")]
    assert a["items"][0] == {
        "id": "resting-pulse",
        "number": 1,
        "label": "resting pulse rate",
        "score": 2,
        "anchor": "101 to 120 beats a minute",
    }
    assert doc["change"]["baseline"] is True
    stored = run("scores", "--json", db=db).json()["scores"]
    assert [(s["id"], s["total"]) for s in stored] == [(a["id"], 19)]


def test_a_clinician_rating_is_stored_as_such(db: str) -> None:
    doc = run("check", "cows", "--answers", COWS_19, "--rater", "clinician", "--json", db=db).json()
    assert doc["assessment"]["rater"] == "clinician"
    assert doc["assessment"]["rater_note"] is None
    assert run("scores", "--json", db=db).json()["scores"][0]["rater"] == "clinician"


@pytest.mark.parametrize(("bpm", "item_score"), [("80", 0), ("81", 1), ("120", 2), ("121", 4)])
def test_the_cows_pulse_given_in_bpm_is_scored_by_the_instruments_ranges(
    db: str, bpm: str, item_score: int
) -> None:
    others = "1,3,1,2,1,2,1,1,2,3"
    doc = run("check", "cows", "--pulse-bpm", bpm, "--answers", others, "--json", db=db).json()
    pulse = doc["assessment"]["items"][0]
    assert (pulse["id"], pulse["score"], pulse["bpm"]) == ("resting-pulse", item_score, float(bpm))
    assert doc["assessment"]["total"] == 17 + item_score
    text = run("check", "cows", "--pulse-bpm", bpm, "--answers", others, db=db).out
    assert f"resting pulse rate {item_score} ({bpm} bpm)" in text


BAD_CHECKS = [
    (["check", "cowz", "--answers", "0"], "no instrument called 'cowz'; accepted: cows"),
    (
        ["check", "cows", "--answers", "3,1,3,1,2,1,2,1,1,2,3"],
        "COWS item 1 (resting pulse rate): 3 is not allowed; allowed: 0, 1, 2, 4",
    ),
    (
        ["check", "cows", "--answers", "2,1,3,1,2,1,2,1,1,2,4"],
        "COWS item 11 (gooseflesh): 4 is not allowed; allowed: 0, 3, 5",
    ),
    (
        ["check", "sows", "--answers", "0,0,0,0,5,0,0,0,0,0,0,0,0,0,0,0"],
        "SOWS item 5 (nose running): 5 is not allowed; allowed: 0, 1, 2, 3, 4",
    ),
    (
        ["check", "sows-gossop", "--answers", "1,2,0"],
        "SOWS-Gossop item 4 (feeling cold) and after missing",
    ),
    (["check", "sows-gossop", "--answers", "1,2,0,1,1,2,2,1,0"], "item 10 (trouble sleeping)"),
    (["check", "sows-gossop", "--answers", GOSSOP + ",1"], "has 10 items; got 11 answers"),
    (
        ["check", "sows-gossop", "--answers", "1,two,0,1,1,2,2,1,0,3"],
        "SOWS-Gossop item 2 (stomach cramps): 'two' is not a whole number; allowed: 0, 1, 2, 3",
    ),
    (
        ["check", "sows-gossop", "--answers", "1,,0,1,1,2,2,1,0,3"],
        "item 2 (stomach cramps): nothing is not a whole number",
    ),
    (["check", "sows-gossop", "--answers", "1.5,2,0,1,1,2,2,1,0,3"], "'1.5' is not a whole"),
    (["check", "sows-gossop", "--answers", ""], "no answers given"),
    (["check", "craving", "--answers", "101"], "whole numbers from 0 to 100"),
    (
        ["check", "cows", "--pulse-bpm", "fast", "--answers", "1,3,1,2,1,2,1,1,2,3"],
        "COWS item 1 (resting pulse rate): 'fast' is not a number of beats a minute",
    ),
    (
        ["check", "cows", "--pulse-bpm", "300", "--answers", "1,3,1,2,1,2,1,1,2,3"],
        "COWS item 1 (resting pulse rate): a resting pulse must be above 0 and at most 250",
    ),
    (["check", "cows", "--pulse-bpm", "104", "--answers", COWS_19], "the pulse twice?"),
    (
        ["check", "cows", "--pulse-bpm", "104", "--answers", "1,3,1,2,1,2,1,1,2"],
        "give the other 10 COWS answers",
    ),
    (["check", "sows", "--pulse-bpm", "90", "--answers", "0"], "SOWS has no pulse item"),
    (
        ["check", "cows", "--pulse-bpm", "104", "--answers", "1,3,9,2,1,2,1,1,2,3"],
        "COWS item 4 (pupil size): 9 is not allowed; allowed: 0, 1, 2, 5",
    ),
    (["check", "cows", "--pulse-bpm", "104"], "--pulse-bpm goes with --answers"),
    (["check", "cows", "--answers", COWS_19, "--rater", "nurse"], "rater must be 'self'"),
    (["check", "cows", "--answers", COWS_19, "--at", "2099-01-01T10:00"], "in the future"),
    (["check", "cows", "--answers", COWS_19, "--note", "x" * 2001], "at most 2000"),
    (["check", "list", "--answers", "1"], "'mitra check list' takes only --json"),
    (["check", "sows-gossop"], "this is not a terminal; give the scores"),
    (["scores", "--instrument", "cowz"], "no instrument called 'cowz'"),
    (["scores", "--since", "banana"], "could not read the time"),
]


@pytest.mark.parametrize(
    ("args", "fragment"), BAD_CHECKS, ids=[" ".join(a)[:50] for a, _ in BAD_CHECKS]
)
def test_a_refused_check_in_names_the_problem_in_one_line_and_stores_nothing(
    journal: str, args: list[str], fragment: str
) -> None:
    before = snapshot(journal)
    result = run(*args, db=journal)
    assert_refused(result, fragment)
    assert snapshot(journal) == before


def test_check_list_names_every_instrument_with_who_rates_it_and_how_often(db: str) -> None:
    text = run("check", "list", db=db).out
    for line_start in ("  cows ", "  sows-gossop ", "  sows ", "  phq2 ", "  craving "):
        assert line_start in text
    assert "clinician-rated" in text and "weekly" in text
    instruments = run("check", "list", "--json", db=db).json()["instruments"]
    by_id = {i["id"]: i for i in instruments}
    assert set(by_id) == set(load_instruments())
    assert by_id["cows"]["items"] == 11 and by_id["cows"]["rater"] == "clinician"
    assert by_id["phq2"]["offer_every"] == "weekly"
    assert by_id["sows-gossop"]["meaningful_change_basis"] == "published"
    assert by_id["cows"]["meaningful_change_basis"] == "judgement"


def _gossop(total: int) -> str:
    """A SOWS-Gossop answer text with the given total (0-30)."""
    answers = [min(3, max(0, total - 3 * n)) for n in range(10)]
    return ",".join(map(str, answers))


def test_scores_show_change_from_previous_and_from_baseline_and_mark_meaningful_ones(
    db: str,
) -> None:
    for hour, total in ((8, 10), (10, 11), (12, 14), (14, 9)):
        at = f"2026-01-05T{hour:02d}:00"
        assert run("check", "sows-gossop", "--answers", _gossop(total), "--at", at, db=db).code == 0
    # Another instrument in between is never compared with SOWS-Gossop.
    run("check", "craving", "--answers", "80", "--at", "2026-01-05T11:00", db=db)
    rows = run("scores", "--instrument", "sows-gossop", "--json", db=db).json()["scores"]
    assert [r["total"] for r in rows] == [10, 11, 14, 9]
    assert [r["change_from_previous"] for r in rows] == [None, 1, 3, -5]
    assert [r["change_from_baseline"] for r in rows] == [None, 1, 4, -1]
    # SOWS-Gossop's meaningful change is the published 2 points.
    assert [r["meaningful"] for r in rows] == [False, False, True, True]
    assert rows[0]["baseline"] is True
    assert {r["meaningful_change"] for r in rows} == {2}
    assert {r["meaningful_change_basis"] for r in rows} == {"published"}

    every = run("scores", "--json", db=db).json()["scores"]
    craving = [r for r in every if r["instrument"] == "craving"]
    assert craving[0]["baseline"] is True and craving[0]["change_from_previous"] is None

    # A window still compares with scores from before it.
    window = run(
        "scores", "--instrument", "sows-gossop", "--since", "2026-01-05T11:30", "--json", db=db
    )
    assert [r["change_from_previous"] for r in window.json()["scores"]] == [3, -5]

    text = run("scores", db=db).out
    assert "SOWS-Gossop: Short Opiate Withdrawal Scale (Gossop)" in text
    assert "a change of 2 or more (a published figure)" in text
    assert "a change of 10 or more (mitra's judgement)" in text
    assert "+3*" in text and "-5*" in text and "+1 " in text
    assert "baseline" in text and "1-800-662-4357" in text


def test_a_check_in_shows_how_it_moved_since_the_last_one(db: str) -> None:
    run("check", "cows", "--answers", "0,0,1,0,1,0,0,0,1,1,0", "--at", "2026-01-05T08:00", db=db)
    text = run("check", "cows", "--answers", COWS_19, "--at", "2026-01-05T10:00", db=db).out
    assert "Saved COWS #2" in text and "total 19 of 48: moderate" in text
    assert "+15 since the last COWS (a meaningful change: 4 or more, mitra's judgement)" in text


def test_scores_without_checkins_say_how_to_start(db: str) -> None:
    assert "mitra check sows-gossop" in run("scores", db=db).out
    assert run("scores", "--json", db=db).json()["scores"] == []


def test_check_ins_work_on_postgresql(pg_url: str) -> None:
    assert (
        run(
            "check", "cows", "--pulse-bpm", "104", "--answers", "1,3,1,2,1,2,1,1,2,3", db=pg_url
        ).code
        == 0
    )
    assert run("check", "cows", "--answers", "3,1,3,1,2,1,2,1,1,2,3", db=pg_url).code == 2
    rows = run("scores", "--json", db=pg_url).json()["scores"]
    assert [(r["instrument"], r["total"]) for r in rows] == [("cows", 19)]


@st.composite
def vectors_with_one_invalid_answer(draw: st.DrawFn) -> tuple[Instrument, list[int], int]:
    instrument: Instrument = draw(st.sampled_from(list(load_instruments().values())))
    answers = [draw(st.sampled_from(item.allowed)) for item in instrument.items]
    position = draw(st.integers(0, len(answers) - 1))
    item = instrument.items[position]
    answers[position] = draw(st.integers(-10, 200).filter(lambda v: not item.accepts(v)))
    return instrument, answers, position


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=vectors_with_one_invalid_answer(), as_text=st.booleans())
def test_any_vector_with_one_invalid_answer_is_refused_and_stores_nothing(
    sqlite_ctx: AppContext, case: tuple[Instrument, list[int], int], as_text: bool
) -> None:
    instrument, answers, position = case
    item = instrument.items[position]
    given_answers: list[int] | str = ",".join(map(str, answers)) if as_text else answers
    with pytest.raises(InputError) as refused:
        CheckinService(sqlite_ctx).record(instrument.id, given_answers)
    assert f"item {item.number} ({item.name})" in refused.value.message
    assert item.allowed_text() in refused.value.message
    with sqlite_ctx.database.transaction() as conn:
        assert AssessmentStore(conn).count() == 0
