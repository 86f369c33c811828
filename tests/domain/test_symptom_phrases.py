"""What people type about how they feel is understood: the phrase table, the lexicon's reach,
normalisation, typos and several symptoms per line (issue 10, part 1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mitra.domain import catalogue_data
from mitra.domain import symptoms as symptom_catalogue
from mitra.domain.errors import InputError
from mitra.domain.scoring import get_instrument
from mitra.domain.symptom_matching import OTHER, lexicon, lexicon_groups, settings, understand
from mitra.domain.symptom_reports import DEFAULT_SEVERITY, read_reports
from mitra.domain.symptom_text import key, severity_hint, words
from tests.support.symptom_measure import measure
from tests.support.symptom_phrases import ORDINARY, PHRASES, RED_FLAGS, TYPOS


def test_the_phrase_table_is_large_enough_to_mean_something() -> None:
    assert len(PHRASES) >= 250
    assert len(RED_FLAGS) >= 80
    assert len(ORDINARY) >= 100


@pytest.mark.parametrize(("text", "expected"), PHRASES, ids=[p[0] for p in PHRASES])
def test_each_phrase_is_understood_as_its_symptoms_in_order(
    text: str, expected: tuple[str, ...]
) -> None:
    assert understand(text).symptom_ids == expected


def test_the_phrase_table_scores_every_phrase_right() -> None:
    read = [(t, e, understand(t).symptom_ids) for t, e in PHRASES]
    wrong = [row for row in read if row[1] != row[2]]
    print(f"\nphrase table: {len(PHRASES) - len(wrong)}/{len(PHRASES)} understood as expected")
    assert wrong == []


def test_the_lexicon_holds_at_least_400_phrases_each_with_a_known_symptom_and_source() -> None:
    known_ids = {s.id for s in symptom_catalogue.catalogue()}
    local_sources = set(catalogue_data.load("symptom_lexicon")["sources"])
    sources = local_sources | catalogue_data.source_ids()
    total = 0
    for group in lexicon_groups():
        assert group["symptom"] in known_ids, group["symptom"]
        assert group["sources"] and set(group["sources"]) <= sources, group["sources"]
        assert group["where"]
        total += len(group["phrases"])
    assert total >= 400
    assert not local_sources & catalogue_data.source_ids()  # one home per source id


@pytest.mark.parametrize(
    ("instrument_id", "self_rated"),
    [("cows", False), ("oows", False), ("sows", True), ("sows-gossop", True)],
)
def test_every_withdrawal_instrument_item_is_understood(
    instrument_id: str, self_rated: bool
) -> None:
    # Self-rated items are read in full ("My bones and muscles ache."); observer-rated ones
    # (COWS, OOWS) by their short label, since their text is an instruction to the observer.
    for item in get_instrument(instrument_id).items:
        if item.label == "resting pulse rate":
            continue  # a measurement, not something a person says
        for words_of in (item.label, item.text) if self_rated else (item.label,):
            if words_of:
                assert understand(words_of).symptom_ids, (instrument_id, words_of)


@pytest.mark.parametrize(
    ("text", "symptom_id"),
    [
        ("the sweats", "sweating"),
        ("chills", "chills"),
        ("goosebumps", "chills"),
        ("yawning", "yawning"),
        ("restless legs", "restlessness"),
        ("RLS", "restlessness"),
        ("kicking", "muscle-twitching"),
        ("dope sick", "withdrawal"),
        ("the runs", "diarrhea"),
        ("puking", "vomiting"),
        ("can't sleep", "insomnia"),
    ],
)
def test_the_withdrawal_slang_of_the_issue_is_understood(text: str, symptom_id: str) -> None:
    assert understand(text).symptom_ids == (symptom_id,)


def test_a_curly_apostrophe_a_straight_one_and_none_are_the_same_words() -> None:
    assert words("can’t breathe") == words("can't breathe") == words("cant breathe")
    assert key("I can't breathe!!") == key("can’t breathe") == "cant breathe"


def test_nfkc_dashes_and_case_are_normalised() -> None:
    assert words("ＲＥＳＴＬＥＳＳ—LEGS") == words("restless legs")
    assert words("Self–Harm") == words("self harm")


def test_filler_words_are_dropped_but_clause_breaks_kept() -> None:
    assert key("I have a really bad headache") == "headache"
    assert key("I'm feeling so nauseous") == "nauseous"
    assert "," in words("sweating, shaking")


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("mild cramps", 1),
        ("a bit sweaty", 1),
        ("moderate aches", 2),
        ("severe cramps", 3),
        ("really bad cramps", 3),
        ("so bad", 3),
        ("cramps", None),
        ("bad cramps", None),
    ],
)
def test_intensity_words_give_a_severity(text: str, level: int | None) -> None:
    assert severity_hint(text) == level


def test_several_symptoms_in_one_line_become_several_reports_said_as_typed() -> None:
    read = read_reports("sweating and shaking, can’t sleep")
    assert [r.symptom.id for r in read.reports] == ["sweating", "tremor", "insomnia"]
    assert {r.said for r in read.reports} == {"sweating and shaking, can’t sleep"}
    assert read.understood() == "Understood: sweating, tremor, trouble sleeping"


def test_words_that_match_nothing_are_kept_as_other_never_refused() -> None:
    read = read_reports("my knees feel weird")
    assert [(r.symptom.id, r.said) for r in read.reports] == [(OTHER, "my knees feel weird")]
    assert 'your own words "my knees feel weird"' in read.understood()


def test_a_clause_that_matches_nothing_beside_known_ones_is_kept_too() -> None:
    read = read_reports("sweating and my knees hurt")
    assert [r.symptom.id for r in read.reports] == ["sweating", OTHER]
    assert read.reports[1].words == "knees hurt"


@pytest.mark.parametrize("empty", ["", "   ", "\n\t"])
def test_only_an_empty_line_is_refused(empty: str) -> None:
    with pytest.raises(InputError, match="say how you feel"):
        read_reports(empty)


def test_without_a_severity_the_default_is_moderate_and_said() -> None:
    read = read_reports("headache")
    assert read.reports[0].severity == DEFAULT_SEVERITY
    assert read.severity_note is not None and "no severity given" in read.severity_note


def test_a_red_flag_in_free_text_is_judged_at_least_at_its_red_flag_level() -> None:
    read = read_reports("I can’t breathe", severity=0)
    breathing = read.reports[0]
    assert breathing.symptom.id == "trouble-breathing"
    assert symptom_catalogue.is_red_flag(breathing.symptom, breathing.severity)


def test_severe_words_make_a_severity_dependent_sign_a_red_flag() -> None:
    read = read_reports("severe hives")
    report = read.reports[0]
    assert report.symptom.id == "allergic-reaction" and report.severity == 3
    assert symptom_catalogue.is_red_flag(report.symptom, report.severity)


def test_tapped_chips_come_first_and_are_not_repeated_from_the_text() -> None:
    read = read_reports("sweating and a headache", chosen=["sweating", "yawning"])
    assert [r.symptom.id for r in read.reports] == ["sweating", "yawning", "headache"]


def test_a_chip_that_is_not_a_catalogue_id_is_refused() -> None:
    with pytest.raises(InputError, match="not a symptom"):
        read_reports("", chosen=["not-a-symptom"])


def test_ordinary_everyday_expressions_with_a_warning_word_are_not_red_flags() -> None:
    for text in ("feeling fit", "keep fit", "fit and well"):
        assert understand(text).symptom_ids == (), text


def test_the_chosen_typo_threshold_keeps_its_measured_properties() -> None:
    conf = settings()
    chosen = measure(conf.fuzzy_threshold, conf.red_flag_fuzzy_threshold)
    print(f"\ntypo measure at the chosen thresholds ({len(TYPOS)} typos): {chosen}")
    assert chosen.red_recall == 1.0  # every typo'd red flag of the measure set is found
    assert chosen.ordinary_red == 0.0  # no ordinary line becomes a red flag by a typo
    assert chosen.recall >= 0.9
    assert chosen.precision >= 0.95


@given(st.text(max_size=200))
def test_understanding_never_raises_and_only_names_catalogue_symptoms(text: str) -> None:
    known = {s.id for s in symptom_catalogue.catalogue()}
    assert set(understand(text).symptom_ids) <= known


@given(st.text(max_size=120).filter(lambda t: t.strip()))
def test_any_non_empty_line_becomes_at_least_one_report(text: str) -> None:
    read = read_reports(text)
    assert read.reports
    assert all(0 <= r.severity <= 3 for r in read.reports)


@given(st.sampled_from([t for t, _ in RED_FLAGS]), st.sampled_from(["’", "‘", "ʼ", "`"]))
def test_any_apostrophe_mark_reads_a_red_flag_the_same(text: str, mark: str) -> None:
    assert understand(text.replace("'", mark)).symptom_ids == understand(text).symptom_ids


@given(st.text(max_size=80))
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = key(text)
    assert key(once) == once


def test_every_catalogue_red_flag_is_reachable_by_words() -> None:
    reachable = set(lexicon().phrases.values())
    for symptom in symptom_catalogue.catalogue():
        if symptom.kind == "red-flag":
            assert symptom.id in reachable, symptom.id
