"""Property tests (Hypothesis) for scoring every instrument from its reviewed data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mitra.domain.errors import InputError
from mitra.domain.instruments import (
    RATERS,
    Instrument,
    band_for,
    load_instruments,
    parse_answers,
    pulse_to_score,
    score,
)

AT = datetime(2025, 1, 2, 8, 30, tzinfo=UTC)
INSTRUMENTS = sorted(load_instruments().values(), key=lambda instrument: instrument.id)
IDS = [instrument.id for instrument in INSTRUMENTS]


def valid_answers(instrument: Instrument) -> st.SearchStrategy[list[int]]:
    return st.tuples(*(st.sampled_from(item.allowed) for item in instrument.items)).map(list)


@st.composite
def one_invalid_answer(draw: st.DrawFn, instrument: Instrument) -> tuple[list[object], int]:
    """A valid answer vector with one position replaced by a value its item refuses."""
    answers: list[object] = list(draw(valid_answers(instrument)))
    index = draw(st.integers(0, len(instrument.items) - 1))
    item = instrument.items[index]
    bad_number = st.integers(-1000, 1000).filter(lambda value: not item.accepts(value))
    not_a_number = st.one_of(
        st.floats(allow_nan=True), st.text(max_size=3), st.none(), st.booleans()
    )
    answers[index] = draw(st.one_of(bad_number, not_a_number))
    return answers, index


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=IDS)
@given(data=st.data())
def test_any_valid_answers_score_to_their_sum_with_a_band_from_the_table(
    instrument: Instrument, data: st.DataObject
) -> None:
    answers = data.draw(valid_answers(instrument))
    rater = data.draw(st.sampled_from(RATERS))
    assessment = score(instrument, answers, rater=rater, at=AT)
    assert assessment.total == sum(answers)
    assert instrument.min_total <= assessment.total <= instrument.max_total
    assert [value for _, value in assessment.items] == answers
    assert [item_id for item_id, _ in assessment.items] == [i.id for i in instrument.items]
    holding = [b for b in instrument.bands if b.min <= assessment.total <= b.max]
    assert len(holding) <= 1
    expected = holding[0] if holding else None
    assert band_for(instrument, assessment.total) == expected
    assert assessment.band == (expected.label if expected else None)
    assert assessment.band_meaning == (expected.meaning if expected else None)
    assert assessment.interpretation.strip()
    if instrument.positive_at is None:
        assert assessment.positive_screen is None
    else:
        assert assessment.positive_screen == (assessment.total >= instrument.positive_at)


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=IDS)
@given(data=st.data())
def test_any_answers_with_one_invalid_value_are_refused_naming_that_item(
    instrument: Instrument, data: st.DataObject
) -> None:
    answers, index = data.draw(one_invalid_answer(instrument))
    item = instrument.items[index]
    with pytest.raises(InputError) as caught:
        score(instrument, answers, rater="self", at=AT)  # type: ignore[arg-type]
    assert caught.value.message.startswith(
        f"{instrument.short_name} item {item.number} ({item.label}): "
    )
    assert f"allowed: {item.allowed_text()}" in caught.value.message


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=IDS)
@given(data=st.data())
def test_any_wrong_number_of_answers_is_refused(
    instrument: Instrument, data: st.DataObject
) -> None:
    count = data.draw(st.integers(0, 40).filter(lambda n: n != len(instrument.items)))
    with pytest.raises(InputError, match=f"got {count} answer"):
        score(instrument, [0] * count, rater="self", at=AT)


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=IDS)
@given(data=st.data())
def test_typed_answers_read_back_to_the_same_scores(
    instrument: Instrument, data: st.DataObject
) -> None:
    answers = data.draw(valid_answers(instrument))
    spaced = data.draw(st.booleans())
    text = (", " if spaced else ",").join(str(value) for value in answers)
    assert parse_answers(text, instrument) == answers


@given(st.floats(min_value=0.01, max_value=250))
def test_pulse_score_is_one_cows_item_1_allows_and_never_falls_as_pulse_rises(
    bpm: float,
) -> None:
    cows_pulse = load_instruments()["cows"].items[0]
    result = pulse_to_score(bpm)
    assert result in cows_pulse.allowed
    assert pulse_to_score(min(bpm + 1.0, 250.0)) >= result
