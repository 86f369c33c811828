"""Withdrawal timelines by last opioid: phases, windows as the reference gives them, certainty,
sources, and mapping journal entries to a timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mitra.domain import catalogue_data
from mitra.domain import timeline as tl
from mitra.domain.entries import DoseEntry, SubstanceEntry, SymptomEntry
from mitra.domain.errors import InputError
from mitra.domain.products import DoseEstimate, Form, Range
from mitra.domain.substances import SubstanceClass

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def phase_after(opioid_type: str, hours: float) -> str:
    return tl.timeline_for(NOW - timedelta(hours=hours), opioid_type, NOW).phase


@pytest.mark.parametrize(
    ("opioid_type", "hours", "phase"),
    [
        ("short-acting", 3, "before-onset"),
        ("short-acting", 6, "onset"),
        ("short-acting", 20, "onset"),
        ("short-acting", 30, "peak"),
        ("short-acting", 48, "peak"),
        ("short-acting", 100, "easing"),
        ("short-acting", 240, "easing"),
        ("short-acting", 300, "protracted"),
        # Long-acting: the earliest onset any source gives is 12 h ("some say 12-48 h").
        ("long-acting", 10, "before-onset"),
        ("long-acting", 20, "onset"),
        ("long-acting", 60, "peak"),
        ("long-acting", 200, "easing"),
        ("long-acting", 250, "protracted"),
        ("methadone", 11, "before-onset"),
        ("methadone", 36, "onset"),
        ("methadone", 120, "peak"),
        ("methadone", 192, "peak"),
        ("methadone", 230, "easing"),
        ("methadone", 24 * 14, "protracted"),
        ("buprenorphine", 12, "before-onset"),
        ("buprenorphine", 30, "onset"),
        ("buprenorphine", 72, "peak"),
        ("buprenorphine", 200, "easing"),
        ("buprenorphine", 400, "protracted"),
        # Fentanyl: onset variable, no peak given; never "before onset".
        ("fentanyl", 0, "onset"),
        ("fentanyl", 2, "onset"),
        ("fentanyl", 100, "onset"),
        ("fentanyl", 300, "onset"),
        ("fentanyl", 320, "protracted"),
        ("kratom", 3, "before-onset"),
        ("kratom", 10, "onset"),
        ("kratom", 48, "peak"),
        ("kratom", 100, "easing"),
        ("kratom", 241, "protracted"),
    ],
)
def test_the_phase_follows_the_typical_windows_of_each_opioid_type(
    opioid_type: str, hours: float, phase: str
) -> None:
    assert phase_after(opioid_type, hours) == phase


@pytest.mark.parametrize(
    ("opioid_type", "onset", "peak", "acute"),
    [
        ("short-acting", (6, 12), (24, 48), (72, 240)),
        ("long-acting", (30, 72), (48, 192), (240, 240)),
        ("methadone", (30, 72), (48, 192), (240, 240)),
        ("buprenorphine", (24, 72), (48, 96), (168, 336)),
        ("fentanyl", (None, None), (None, None), (175.2, 319.2)),
        ("kratom", (6, 24), (24, 72), (72, 240)),
    ],
)
def test_windows_are_those_of_the_reference_table(
    opioid_type: str,
    onset: tuple[float | None, float | None],
    peak: tuple[float | None, float | None],
    acute: tuple[float, float],
) -> None:
    spec = tl.specs()[opioid_type]  # type: ignore[index]
    assert (spec.onset.low_h, spec.onset.high_h) == onset
    assert (spec.peak.low_h, spec.peak.high_h) == peak
    assert (spec.acute.low_h, spec.acute.high_h) == acute


def test_disagreeing_sources_are_kept_for_onset() -> None:
    short = tl.specs()["short-acting"].onset
    long = tl.specs()["long-acting"].onset
    assert (short.other_low_h, short.other_high_h) == (8, 24)
    assert (long.other_low_h, long.other_high_h) == (12, 48)
    assert "some sources say 8-24 hours" in short.describe()


@pytest.mark.parametrize(
    ("opioid_type", "certainty"),
    [
        ("short-acting", "moderate"),
        ("methadone", "moderate"),
        ("long-acting", "low"),
        ("buprenorphine", "low"),
        ("fentanyl", "low"),
        ("kratom", "low"),
    ],
)
def test_lay_source_timelines_are_labelled_low_certainty(opioid_type: str, certainty: str) -> None:
    timeline = tl.timeline_for(NOW - timedelta(hours=30), opioid_type, NOW)
    assert timeline.certainty == certainty
    if opioid_type in {"buprenorphine", "kratom"}:
        assert "lay-sources" in timeline.sources


def test_fentanyl_notes_carry_the_precipitated_withdrawal_facts() -> None:
    timeline = tl.timeline_for(NOW - timedelta(hours=20), "fentanyl", NOW)
    assert "5.2 times" in timeline.note and "12%" in timeline.note
    assert {"varshneya-2022", "thakrar-2024", "huhn-2020"} <= set(timeline.sources)


@pytest.mark.parametrize(
    ("opioid_type", "hours_text"),
    [("short-acting", "12-18 hours"), ("long-acting", "24-48 hours"), ("methadone", "24-48")],
)
def test_the_asam_buprenorphine_timing_is_given(opioid_type: str, hours_text: str) -> None:
    timeline = tl.timeline_for(NOW - timedelta(hours=5), opioid_type, NOW)
    assert hours_text in timeline.buprenorphine_start
    assert "asam-2020" in timeline.sources


def test_the_protracted_phase_explains_itself_with_its_source() -> None:
    timeline = tl.timeline_for(NOW - timedelta(days=30), "short-acting", NOW)
    assert timeline.phase == "protracted"
    assert "weeks to months" in timeline.note
    assert "samhsa-2010-protracted" in timeline.sources


def test_hours_since_last_use_are_reported() -> None:
    timeline = tl.timeline_for(NOW - timedelta(hours=30, minutes=30), "kratom", NOW)
    assert timeline.hours_since_last_use == pytest.approx(30.5)
    assert [w.name for w in timeline.windows] == ["onset", "peak", "acute"]


def test_every_timeline_source_resolves() -> None:
    known = catalogue_data.source_ids() | set(catalogue_data.load("timelines")["sources"])
    for spec in tl.specs().values():
        for source in (*spec.sources, *spec.buprenorphine_sources):
            assert source in known
            assert tl.citation(source)
    local = set(catalogue_data.load("timelines")["sources"])
    assert not local & catalogue_data.source_ids(), "a source id is defined twice"


@pytest.mark.parametrize(
    ("last_use", "opioid_type", "now"),
    [
        (datetime(2026, 11, 20, 10), "kratom", NOW),
        (NOW, "kratom", datetime(2026, 11, 20, 10)),
        (NOW - timedelta(hours=1), "tramadol", NOW),
        (NOW + timedelta(hours=2), "kratom", NOW),
    ],
)
def test_bad_timeline_input_is_refused(last_use: datetime, opioid_type: str, now: datetime) -> None:
    with pytest.raises(InputError):
        tl.timeline_for(last_use, opioid_type, now)


def test_a_last_use_a_few_minutes_ahead_is_a_clock_difference() -> None:
    timeline = tl.timeline_for(NOW + timedelta(minutes=5), "kratom", NOW)
    assert (timeline.phase, timeline.hours_since_last_use) == ("before-onset", 0.0)


# ---------------------------------------------------------------------------------------------
# Entries


def substance_entry(
    substance_id: str, cls: SubstanceClass = SubstanceClass.OPIOID
) -> SubstanceEntry:
    return SubstanceEntry(
        at=NOW,
        substance_id=substance_id,
        name=substance_id,
        substance_class=cls,
        amount=1,
        unit="mg",
    )


@pytest.mark.parametrize(
    ("substance_id", "expected"),
    [
        ("heroin", "short-acting"),
        ("oxycodone", "short-acting"),
        ("methadone", "methadone"),
        ("buprenorphine", "buprenorphine"),
        ("fentanyl", "fentanyl"),
        # An opioid mitra cannot place gets the cautious long-acting reading.
        ("other:mystery opioid", "long-acting"),
    ],
)
def test_opioid_entries_map_through_the_catalogue_release(substance_id: str, expected: str) -> None:
    assert tl.opioid_type_of(substance_entry(substance_id)) == expected


def test_kratom_doses_map_to_the_kratom_timeline() -> None:
    estimate = DoseEstimate(Range.exact(30), Range.exact(0.1), 2.0, "2 g x 15 mg/g")
    dose = DoseEntry(
        at=NOW, product_name="leaf", form=Form.LEAF, amount=2, unit="g", estimate=estimate
    )
    assert tl.opioid_type_of(dose) == "kratom"


def test_non_opioids_and_symptoms_have_no_timeline() -> None:
    assert tl.opioid_type_of(substance_entry("alprazolam", SubstanceClass.BENZODIAZEPINE)) is None
    assert tl.opioid_type_of(SymptomEntry(at=NOW, symptom_id="sweats", severity=2)) is None
