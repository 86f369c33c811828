"""Example-based tests for the instrument data files and the scoring engine.

Each test is named after the clinical or safety property it protects.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources

import pytest

from mitra.domain.errors import InputError, NotFoundError
from mitra.domain.instruments import (
    Instrument,
    band_for,
    get_instrument,
    instrument_from_toml,
    load_instruments,
    parse_answers,
    pulse_to_score,
    score,
)

AT = datetime(2025, 1, 2, 8, 30, tzinfo=UTC)
ALL_IDS = {"cows", "sows", "sows-gossop", "oows", "phq2", "phq9", "gad2", "craving"}

COWS_ALLOWED = {
    1: ("resting-pulse", (0, 1, 2, 4)),
    2: ("sweating", (0, 1, 2, 3, 4)),
    3: ("restlessness", (0, 1, 3, 5)),
    4: ("pupil-size", (0, 1, 2, 5)),
    5: ("bone-joint-aches", (0, 1, 2, 4)),
    6: ("runny-nose-tearing", (0, 1, 2, 4)),
    7: ("gi-upset", (0, 1, 2, 3, 5)),
    8: ("tremor", (0, 1, 2, 4)),
    9: ("yawning", (0, 1, 2, 4)),
    10: ("anxiety-irritability", (0, 1, 2, 4)),
    11: ("gooseflesh", (0, 3, 5)),
}


def cows() -> Instrument:
    return get_instrument("cows")


def cows_answers_totalling(total: int) -> list[int]:
    """A valid COWS answer vector with the given total, filled greedily item by item."""
    answers: list[int] = []
    remaining = total
    for item in cows().items:
        pick = max(v for v in item.allowed if v <= remaining)
        answers.append(pick)
        remaining -= pick
    assert remaining == 0, f"cannot build a COWS total of {total}"
    return answers


def score_cows_total(total: int) -> str | None:
    assessment = score(cows(), cows_answers_totalling(total), rater="clinician", at=AT)
    assert assessment.total == total
    return assessment.band


# --- data files --------------------------------------------------------------------------------


def test_every_instrument_file_loads_with_its_expected_id() -> None:
    assert set(load_instruments()) == ALL_IDS


def test_every_instrument_has_a_citation_and_a_licence_note() -> None:
    for instrument in load_instruments().values():
        assert instrument.citation.strip()
        assert instrument.licence_note.strip()
        assert instrument.meaningful_change_note.strip()


def test_no_instrument_uses_loinc_72514_3_which_is_a_pain_score() -> None:
    for instrument in load_instruments().values():
        assert instrument.loinc != "72514-3"
        assert "72514-3" not in instrument.citation
        assert all("72514-3" not in source for source in instrument.sources)


def test_no_instrument_data_file_mentions_loinc_72514_3_anywhere() -> None:
    folder = resources.files("mitra.data") / "instruments"
    for entry in folder.iterdir():
        if entry.name.endswith(".toml"):
            assert "72514-3" not in entry.read_text(encoding="utf-8"), entry.name


def test_instruments_are_read_once_and_cannot_be_changed_in_place() -> None:
    first = load_instruments()
    assert load_instruments() is first
    with pytest.raises(TypeError):
        first["cows"] = first["sows"]  # type: ignore[index]


def test_only_the_phq_screens_carry_loinc_codes_phq2_55758_7_and_phq9_44261_6() -> None:
    codes = {i.id: i.loinc for i in load_instruments().values() if i.loinc}
    assert codes == {"phq2": "55758-7", "phq9": "44261-6"}


def test_cows_and_oows_are_clinician_rated_with_a_note_about_self_entry() -> None:
    for instrument_id in ("cows", "oows"):
        instrument = get_instrument(instrument_id)
        assert instrument.rater == "clinician"
        assert instrument.rater_note and "self" in instrument.rater_note


def test_the_two_week_screens_are_offered_weekly_and_the_rest_at_check_ins() -> None:
    for instrument in load_instruments().values():
        expected = "weekly" if instrument.id in {"phq2", "phq9", "gad2"} else "check-in"
        assert instrument.offer_every == expected


def test_sows_gossop_meaningful_change_is_the_published_low_end_of_2_to_4() -> None:
    gossop = get_instrument("sows-gossop")
    assert gossop.meaningful_change == 2
    assert gossop.meaningful_change_basis == "published"
    assert "2-4" in gossop.meaningful_change_source


def test_meaningful_change_figures_without_a_source_are_marked_as_judgement() -> None:
    for instrument in load_instruments().values():
        if instrument.id not in {"sows-gossop", "phq9"}:
            assert instrument.meaningful_change_basis == "judgement"
            assert "judgement" in instrument.meaningful_change_note


def test_instruments_without_validated_cut_offs_have_no_bands() -> None:
    for instrument_id in ("sows", "sows-gossop", "oows", "craving", "phq2", "gad2"):
        assert get_instrument(instrument_id).bands == ()


def test_phq9_follows_kroenke_2001_with_its_bands_and_a_published_change_of_5() -> None:
    phq9 = get_instrument("phq9")
    assert len(phq9.items) == 9 and phq9.max_total == 27 and phq9.positive_at == 10
    assert [(b.min, b.max) for b in phq9.bands] == [(5, 9), (10, 14), (15, 19), (20, 27)]
    assert phq9.items[8].id == "self-harm-thoughts"
    assert (phq9.meaningful_change, phq9.meaningful_change_basis) == (5, "published")


def test_get_instrument_accepts_any_case_and_surrounding_space() -> None:
    assert get_instrument(" COWS ").id == "cows"


def test_unknown_instrument_is_not_found_and_lists_the_accepted_ids() -> None:
    with pytest.raises(NotFoundError) as caught:
        get_instrument("ciwa")
    for instrument_id in ALL_IDS:
        assert instrument_id in caught.value.message


# --- COWS items and bands ------------------------------------------------------------------------


def test_cows_has_eleven_items_totalling_0_to_48() -> None:
    instrument = cows()
    assert len(instrument.items) == 11
    assert (instrument.min_total, instrument.max_total) == (0, 48)


@pytest.mark.parametrize("number", sorted(COWS_ALLOWED))
def test_cows_item_allows_exactly_its_published_values(number: int) -> None:
    item_id, allowed = COWS_ALLOWED[number]
    item = cows().items[number - 1]
    assert (item.id, item.number, item.allowed) == (item_id, number, allowed)


@pytest.mark.parametrize(
    ("number", "value"),
    [(n, v) for n, (_, allowed) in COWS_ALLOWED.items() for v in range(6) if v not in allowed],
)
def test_cows_refuses_a_value_its_item_does_not_list_and_names_the_item(
    number: int, value: int
) -> None:
    item = cows().items[number - 1]
    answers = [0] * 11
    answers[number - 1] = value
    with pytest.raises(InputError) as caught:
        score(cows(), answers, rater="clinician", at=AT)
    message = caught.value.message
    assert message.startswith(f"COWS item {number} ({item.label}): {value} is not allowed")
    assert message.endswith("allowed: " + ", ".join(map(str, COWS_ALLOWED[number][1])))
    assert caught.value.field == item.id


def test_cows_pulse_refusal_message_reads_as_specified() -> None:
    with pytest.raises(InputError) as caught:
        score(cows(), [3] + [0] * 10, rater="self", at=AT)
    assert caught.value.message == (
        "COWS item 1 (resting pulse rate): 3 is not allowed; allowed: 0, 1, 2, 4"
    )


@pytest.mark.parametrize("total", [0, 4])
def test_cows_total_below_5_has_no_band(total: int) -> None:
    assert score_cows_total(total) is None


def test_cows_total_of_5_is_mild() -> None:
    assert score_cows_total(5) == "mild"


def test_cows_total_of_12_is_mild() -> None:
    assert score_cows_total(12) == "mild"


def test_cows_total_of_13_is_moderate() -> None:
    assert score_cows_total(13) == "moderate"


def test_cows_total_of_24_is_moderate() -> None:
    assert score_cows_total(24) == "moderate"


def test_cows_total_of_25_is_moderately_severe() -> None:
    assert score_cows_total(25) == "moderately severe"


def test_cows_total_of_36_is_moderately_severe() -> None:
    assert score_cows_total(36) == "moderately severe"


def test_cows_total_of_37_is_severe() -> None:
    assert score_cows_total(37) == "severe"


def test_cows_total_of_48_is_severe() -> None:
    assert score_cows_total(48) == "severe"


def test_cows_all_maxima_score_48() -> None:
    maxima = [item.maximum for item in cows().items]
    assert score(cows(), maxima, rater="clinician", at=AT).total == 48


def test_band_for_refuses_a_total_outside_the_instrument_range() -> None:
    with pytest.raises(InputError, match="0 to 48"):
        band_for(cows(), 49)
    with pytest.raises(InputError):
        band_for(cows(), -1)


def test_cows_assessment_records_items_rater_time_version_and_source() -> None:
    answers = [1, 2, 1, 1, 1, 1, 2, 1, 1, 1, 0]
    assessment = score(cows(), answers, rater="self", at=AT)
    assert assessment.instrument_id == "cows"
    assert assessment.instrument_version == "1"
    assert assessment.total == 12
    assert assessment.band == "mild"
    assert assessment.band_meaning
    assert assessment.items == tuple(
        (item.id, value) for item, value in zip(cows().items, answers, strict=True)
    )
    assert assessment.rater == "self"
    assert assessment.at == AT
    assert "Wesson" in assessment.source
    assert assessment.interpretation
    assert assessment.positive_screen is None


# --- other instruments -------------------------------------------------------------------------


def test_sows_all_fours_score_64_with_no_band() -> None:
    assessment = score(get_instrument("sows"), [4] * 16, rater="self", at=AT)
    assert (assessment.total, assessment.band) == (64, None)


def test_sows_refuses_5_on_any_item() -> None:
    with pytest.raises(InputError, match=r"SOWS item 16 \(feeling like using\)"):
        score(get_instrument("sows"), [0] * 15 + [5], rater="self", at=AT)


def test_sows_gossop_all_threes_score_30_with_no_band() -> None:
    assessment = score(get_instrument("sows-gossop"), [3] * 10, rater="self", at=AT)
    assert (assessment.total, assessment.band) == (30, None)


def test_sows_gossop_refuses_4_which_belongs_to_the_other_sows() -> None:
    with pytest.raises(InputError, match=r"allowed: 0, 1, 2, 3$"):
        score(get_instrument("sows-gossop"), [4] + [0] * 9, rater="self", at=AT)


def test_oows_counts_present_signs_from_0_to_13() -> None:
    oows = get_instrument("oows")
    assert score(oows, [1] * 13, rater="clinician", at=AT).total == 13
    assert score(oows, [0] * 13, rater="clinician", at=AT).total == 0
    assert score(oows, [1, 0] * 6 + [1], rater="clinician", at=AT).total == 7


def test_oows_refuses_2_because_a_sign_is_present_or_absent() -> None:
    with pytest.raises(InputError, match=r"allowed: 0, 1$"):
        score(get_instrument("oows"), [2] + [0] * 12, rater="clinician", at=AT)


@pytest.mark.parametrize("instrument_id", ["phq2", "gad2"])
def test_screen_is_positive_at_3(instrument_id: str) -> None:
    assessment = score(get_instrument(instrument_id), [2, 1], rater="self", at=AT)
    assert assessment.positive_screen is True


@pytest.mark.parametrize("instrument_id", ["phq2", "gad2"])
def test_screen_is_not_positive_at_2(instrument_id: str) -> None:
    assessment = score(get_instrument(instrument_id), [1, 1], rater="self", at=AT)
    assert assessment.positive_screen is False


@pytest.mark.parametrize("instrument_id", ["phq2", "gad2"])
def test_screeners_total_0_to_6(instrument_id: str) -> None:
    instrument = get_instrument(instrument_id)
    assert score(instrument, [3, 3], rater="self", at=AT).total == 6
    with pytest.raises(InputError, match=r"allowed: 0, 1, 2, 3$"):
        score(instrument, [4, 0], rater="self", at=AT)


def test_craving_is_a_single_0_to_100_vas_in_steps_of_1() -> None:
    craving = get_instrument("craving")
    (item,) = craving.items
    assert item.scale == "0-100 VAS"
    assert item.allowed == tuple(range(101))
    for value in (0, 1, 50, 99, 100):
        assert score(craving, [value], rater="self", at=AT).total == value


@pytest.mark.parametrize("value", [-1, 101, 1000])
def test_craving_refuses_values_outside_0_to_100(value: int) -> None:
    with pytest.raises(InputError, match="allowed: whole numbers from 0 to 100"):
        score(get_instrument("craving"), [value], rater="self", at=AT)


# --- pulse ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bpm", "expected"),
    [(80, 0), (81, 1), (100, 1), (101, 2), (120, 2), (121, 4), (40, 0), (250, 4)],
)
def test_pulse_maps_to_cows_item_1_at_the_range_edges(bpm: float, expected: int) -> None:
    assert pulse_to_score(bpm) == expected


def test_cows_pulse_item_carries_the_published_bpm_ranges() -> None:
    ranges = cows().items[0].bpm_ranges
    assert ranges is not None
    assert [(r.score, r.min_bpm, r.max_bpm) for r in ranges] == [
        (0, None, 80),
        (1, 81, 100),
        (2, 101, 120),
        (4, 121, None),
    ]


def test_fractional_pulse_rounds_half_up_to_a_whole_beat() -> None:
    assert pulse_to_score(80.4) == 0
    assert pulse_to_score(80.5) == 1
    assert pulse_to_score(120.49) == 2


@pytest.mark.parametrize("bpm", [0, -60, math.nan, 250.1, 300, math.inf])
def test_implausible_pulse_is_refused(bpm: float) -> None:
    with pytest.raises(InputError) as caught:
        pulse_to_score(bpm)
    assert caught.value.field == "bpm"


def test_pulse_that_is_not_a_number_is_refused() -> None:
    for bad in ("90", None, True):
        with pytest.raises(InputError):
            pulse_to_score(bad)  # type: ignore[arg-type]


# --- bad answers ---------------------------------------------------------------------------------


def test_too_few_answers_are_refused_naming_how_many_are_expected() -> None:
    with pytest.raises(InputError) as caught:
        score(cows(), [0] * 10, rater="clinician", at=AT)
    assert caught.value.message == "COWS has 11 items; got 10 answers"


def test_too_many_answers_are_refused_naming_how_many_are_expected() -> None:
    with pytest.raises(InputError, match="COWS has 11 items; got 12 answers"):
        score(cows(), [0] * 12, rater="clinician", at=AT)


def test_no_answers_are_refused() -> None:
    with pytest.raises(InputError, match="got 0 answers"):
        score(cows(), [], rater="clinician", at=AT)


def test_single_item_count_message_is_singular() -> None:
    with pytest.raises(InputError, match="Craving VAS has 1 item; got 2 answers"):
        score(get_instrument("craving"), [1, 2], rater="self", at=AT)


@pytest.mark.parametrize("bad", [1.0, 1.5, "1", None, True])
def test_non_integer_answer_is_refused_naming_the_item(bad: object) -> None:
    answers: list[object] = [0] * 11
    answers[2] = bad
    with pytest.raises(InputError) as caught:
        score(cows(), answers, rater="clinician", at=AT)  # type: ignore[arg-type]
    assert caught.value.message.startswith("COWS item 3 (restlessness):")
    assert "not a whole number" in caught.value.message
    assert caught.value.field == "restlessness"


def test_negative_answer_is_refused_naming_the_item() -> None:
    with pytest.raises(InputError, match=r"COWS item 2 \(sweating\): -1 is not allowed"):
        score(cows(), [0, -1] + [0] * 9, rater="clinician", at=AT)


def test_a_string_of_answers_is_refused_rather_than_read_character_by_character() -> None:
    with pytest.raises(InputError, match="parse_answers"):
        score(get_instrument("phq2"), "12", rater="self", at=AT)  # type: ignore[arg-type]


def test_naive_time_is_refused() -> None:
    with pytest.raises(InputError, match="time zone"):
        score(cows(), [0] * 11, rater="clinician", at=datetime(2025, 1, 2, 8, 30))


def test_time_in_any_zone_is_kept_as_given() -> None:
    at = datetime(2025, 1, 2, 8, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert score(cows(), [0] * 11, rater="clinician", at=at).at == at


def test_unknown_rater_is_refused() -> None:
    with pytest.raises(InputError, match="rater"):
        score(cows(), [0] * 11, rater="nurse", at=AT)  # type: ignore[arg-type]


# --- parse_answers -------------------------------------------------------------------------------


def test_parse_answers_reads_comma_separated_whole_numbers() -> None:
    assert parse_answers("0,1, 2 ,4") == [0, 1, 2, 4]
    assert parse_answers("55") == [55]
    assert parse_answers("-1") == [-1]


@pytest.mark.parametrize("text", ["", "   ", "1,,2", "1,2,", "1;2", "1.5", "a", "1 2"])
def test_parse_answers_refuses_text_that_is_not_whole_numbers(text: str) -> None:
    with pytest.raises(InputError):
        parse_answers(text)


def test_parse_answers_names_the_item_when_given_the_instrument() -> None:
    with pytest.raises(InputError) as caught:
        parse_answers("0,0,x", cows())
    assert caught.value.message == (
        "COWS item 3 (restlessness): 'x' is not a whole number; allowed: 0, 1, 3, 5"
    )


def test_parsed_disallowed_value_is_then_refused_by_score() -> None:
    answers = parse_answers("3,0,0,0,0,0,0,0,0,0,0", cows())
    with pytest.raises(InputError, match="COWS item 1"):
        score(cows(), answers, rater="self", at=AT)


# --- a broken data file is refused, naming the file --------------------------------------------

GOOD = """
id = "demo"
version = "1"
name = "Demo scale"
short_name = "Demo"
rater = "self"
recall = "now"
offer_every = "check-in"
instructions = "Rate each."
citation = "Someone. A demo. 2020."
sources = []
licence_note = "None needed."
min_total = 0
max_total = 4
meaningful_change = 1
meaningful_change_basis = "judgement"
meaningful_change_source = "judgement"
meaningful_change_note = "judgement"
LOINC_LINE
BANDS_SOURCE_LINE

[[items]]
id = "one"
number = 1
label = "one"
text = "One."
answers = [{ score = 0, anchor = "no" }, { score = 2, anchor = "yes" }]

[[items]]
id = "two"
number = 2
label = "two"
text = "Two."
answers = [{ score = 0, anchor = "no" }, { score = 2, anchor = "yes" }]

BANDS

[[interpretations]]
min = 0
max = 1
text = "Low."

[[interpretations]]
min = 2
max = 4
text = "High."
"""

HIGH_BAND = """
[[bands]]
min = 2
max = 4
label = "high"
meaning = "High."
"""


def demo(*, loinc: str = "", bands: str = "", bands_source: bool = False) -> str:
    return (
        GOOD.replace("LOINC_LINE", f'loinc = "{loinc}"' if loinc else "")
        .replace("BANDS_SOURCE_LINE", 'bands_source = "demo"' if bands_source else "")
        .replace("BANDS", bands)
    )


def test_a_well_formed_demo_file_loads() -> None:
    instrument = instrument_from_toml(demo(bands=HIGH_BAND, bands_source=True), file="demo.toml")
    assert instrument.bands[0].label == "high"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (GOOD.replace("max_total = 4", "max_total ="), "not valid TOML"),
        (GOOD.replace("max_total = 4", "max_total = 5"), "max_total"),
        (GOOD.replace("min_total = 0", "min_total = 1"), "min_total"),
        (demo(loinc="72514-3"), "loinc"),
        (demo(bands=HIGH_BAND), "bands_source"),
        (demo(bands=HIGH_BAND.replace("max = 4", "max = 5"), bands_source=True), "inside"),
        (
            demo(bands=HIGH_BAND + HIGH_BAND.replace('"high"', '"higher"'), bands_source=True),
            "contiguous",
        ),
        (demo(bands=HIGH_BAND.replace("min = 2", "min = 3"), bands_source=True), "interpretation"),
        (GOOD.replace('id = "two"', 'id = "one"'), "unique"),
        (GOOD.replace("number = 2", "number = 3"), "numbered"),
        (GOOD.replace("max = 1\n", "max = 2\n"), "contiguous"),
        (GOOD.replace('rater = "self"', 'rater = "clinician"'), "rater_note"),
        (GOOD.replace('rater = "self"', 'rater = "robot"'), "rater"),
        (GOOD.replace("score = 2", "score = 0"), "increasing"),
        (GOOD.replace('recall = "now"', 'recal = "now"'), "recall"),
    ],
)
def test_a_broken_data_file_is_refused_naming_the_file(text: str, complaint: str) -> None:
    text = text.replace("LOINC_LINE", "").replace("BANDS_SOURCE_LINE", "").replace("BANDS", "")
    with pytest.raises(ValueError, match=complaint) as caught:
        instrument_from_toml(text, file="demo.toml")
    assert str(caught.value).startswith("demo.toml")
