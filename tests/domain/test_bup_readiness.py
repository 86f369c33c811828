"""Buprenorphine start readiness: each answer, both sides of each threshold, fentanyl first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mitra.domain import bup_readiness as br
from mitra.domain import catalogue_data
from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry
from mitra.domain.instrument_defs import Assessment
from mitra.domain.products import DoseEstimate, Form, Range
from mitra.domain.scoring import get_instrument, score
from mitra.domain.substances import SubstanceClass

NOW = datetime(2027, 3, 14, 6, 30, tzinfo=UTC)
# COWS answers in item order: pulse, sweating, restlessness, pupils, aches, nose/tears,
# GI, tremor, yawning, anxiety, gooseflesh.
EIGHT_WITH_SIGNS = [1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0]  # 8, seven observed signs
SEVEN_WITH_SIGNS = [1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0]  # 7
EIGHT_SUBJECTIVE_ONLY = [0, 0, 0, 0, 4, 0, 0, 0, 0, 4, 0]  # 8: aches and anxiety only


def cows(answers: list[int], hours_ago: float) -> Assessment:
    return score(get_instrument("cows"), answers, rater="self", at=NOW - timedelta(hours=hours_ago))


def opioid(substance_id: str, hours_ago: float, entry_id: int = 1) -> SubstanceEntry:
    return SubstanceEntry(
        at=NOW - timedelta(hours=hours_ago),
        substance_id=substance_id,
        name=substance_id,
        substance_class=SubstanceClass.OPIOID,
        amount=10,
        unit="milligram",
        id=entry_id,
    )


def kratom(hours_ago: float, form: Form = Form.LEAF) -> DoseEntry:
    return DoseEntry(
        at=NOW - timedelta(hours=hours_ago),
        product_name="Red Bali",
        form=form,
        amount=2,
        unit="gram",
        estimate=DoseEstimate(
            mitragynine_mg=Range(30.0, 20.0, 40.0),
            seven_oh_mg=Range(0.05, 0.0, 0.1),
            product_mass_g=2.0,
            explanation="test dose",
        ),
        id=9,
    )


def judge(latest: Assessment | None, *uses: Entry) -> br.Readiness:
    return br.assess(now=NOW, latest_cows=latest, recent_uses=list(uses))


def test_a_recent_cows_of_8_with_signs_after_the_usual_wait_is_likely_ready() -> None:
    found = judge(cows(EIGHT_WITH_SIGNS, 1), opioid("oxycodone", 12))
    assert found.answer == "likely-ready"
    assert found.headline == "Likely ready to start with your clinician"
    assert any("past the usual wait" in reason for reason in found.reasons)


def test_a_cows_of_7_is_not_yet() -> None:
    found = judge(cows(SEVEN_WITH_SIGNS, 1), opioid("oxycodone", 30))
    assert found.answer == "not-yet"
    assert any("below 8" in reason for reason in found.reasons)


def test_a_cows_of_8_with_no_observed_sign_is_not_yet() -> None:
    found = judge(cows(EIGHT_SUBJECTIVE_ONLY, 1), opioid("oxycodone", 30))
    assert found.answer == "not-yet"
    assert found.objective_signs == ()


@pytest.mark.parametrize(("hours", "answer"), [(11.9, "not-yet"), (12.0, "likely-ready")])
def test_the_short_acting_wait_is_12_hours(hours: float, answer: str) -> None:
    assert judge(cows(EIGHT_WITH_SIGNS, 0.5), opioid("oxycodone", hours)).answer == answer


@pytest.mark.parametrize(
    ("substance", "hours", "answer"),
    [
        ("oxycodone-er", 23.5, "not-yet"),
        ("oxycodone-er", 24.0, "likely-ready"),
        ("methadone", 23.5, "not-yet"),
        ("methadone", 24.0, "likely-ready"),
    ],
)
def test_long_acting_opioids_and_methadone_wait_24_hours(
    substance: str, hours: float, answer: str
) -> None:
    assert judge(cows(EIGHT_WITH_SIGNS, 0.5), opioid(substance, hours)).answer == answer


def test_every_recent_kind_must_have_waited() -> None:
    found = judge(cows(EIGHT_WITH_SIGNS, 0.5), opioid("oxycodone", 30), kratom(3))
    assert found.answer == "not-yet"
    assert [use.kind for use in found.last_uses] == ["short-acting", "kratom"]


def test_a_7oh_product_counts_as_kratom_with_the_short_acting_wait() -> None:
    found = judge(cows(EIGHT_WITH_SIGNS, 0.5), kratom(13, Form.SEVEN_OH))
    assert found.answer == "likely-ready"
    assert found.last_uses[0].kind == "kratom"


@pytest.mark.parametrize(("age", "answer"), [(6.0, "likely-ready"), (6.1, "not-yet")])
def test_a_cows_older_than_6_hours_is_not_used(age: float, answer: str) -> None:
    assert judge(cows(EIGHT_WITH_SIGNS, age), opioid("oxycodone", 30)).answer == answer


def test_no_cows_is_not_yet_never_ready() -> None:
    found = judge(None, opioid("oxycodone", 48))
    assert found.answer == "not-yet"
    assert "No COWS" in found.reasons[0]


@pytest.mark.parametrize("hours", [2, 100, 336])
def test_fentanyl_in_the_last_14_days_means_a_low_or_high_dose_start(hours: float) -> None:
    found = judge(cows(EIGHT_WITH_SIGNS, 0.5), opioid("fentanyl", hours))
    assert found.answer == "talk-low-or-high"
    assert found.reasons[0].startswith("Fentanyl")
    assert {"varshneya-2022", "thakrar-2024"} <= set(found.sources)


def test_fentanyl_older_than_its_window_no_longer_decides() -> None:
    found = judge(cows(EIGHT_WITH_SIGNS, 0.5), opioid("fentanyl", 337))
    assert found.answer == "likely-ready"


def test_fentanyl_wins_even_without_a_cows() -> None:
    assert judge(None, opioid("fentanyl", 30)).answer == "talk-low-or-high"


def test_buprenorphine_itself_is_not_a_full_agonist_to_wait_for() -> None:
    found = judge(cows(EIGHT_WITH_SIGNS, 0.5), opioid("buprenorphine", 2))
    assert found.last_uses == ()


def test_every_answer_is_framed_for_a_prescriber_and_links_help() -> None:
    for found in (
        judge(None),
        judge(cows(EIGHT_WITH_SIGNS, 0.5), opioid("oxycodone", 20)),
        judge(None, opioid("fentanyl", 5)),
    ):
        assert "not an instruction" in found.framing
        assert "findtreatment.gov" in found.locator and "1-800-662-4357" in found.locator


def test_every_source_named_has_a_citation() -> None:
    spec = br.data()
    named = {
        *spec["cows"]["min_total_sources"],
        *spec["fentanyl"]["sources"],
        *spec["fentanyl"]["window_sources"],
        *spec["words"]["locator_sources"],
        *(source for wait in spec["wait"].values() for source in wait["sources"]),
    }
    for source in named:
        assert br.citation(source)
    assert "asam-2020" in catalogue_data.source_ids()


def test_judgement_numbers_say_so() -> None:
    spec = br.data()
    assert spec["cows"]["max_age_basis"] == "judgement"
    assert spec["fentanyl"]["window_basis"] == "judgement"
    assert spec["wait"]["kratom"]["basis"] == "judgement"
    assert "judgement" in spec["wait"]["kratom"]["why"]
