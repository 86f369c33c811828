"""PHQ-9 in the safety engine: item 9 above zero is urgent whatever the total, and every such
check-in is its own alert; a total of 10 or more is a caution."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mitra.domain.profile import Profile
from mitra.domain.ruleset import load_ruleset
from mitra.domain.safety import evaluate_assessment
from mitra.domain.scoring import get_instrument, score

AT = datetime(2027, 2, 28, 23, 30, tzinfo=UTC)


def judged(answers: list[int], at: datetime = AT) -> dict[str, str]:
    assessment = score(get_instrument("phq9"), answers, rater="self", at=at)
    found = evaluate_assessment(assessment, Profile(), load_ruleset())
    return {a.rule_id: a.severity.value for a in found}


def test_item_9_at_1_is_urgent_even_with_a_low_total() -> None:
    assert judged([0, 0, 0, 0, 0, 0, 0, 0, 1]) == {"screen-phq9-item9": "urgent"}


def test_item_9_at_0_raises_nothing_for_a_low_total() -> None:
    assert judged([1, 1, 1, 1, 0, 0, 0, 0, 0]) == {}


def test_a_total_of_10_is_a_caution_and_9_is_not() -> None:
    assert judged([2, 2, 2, 2, 1, 1, 0, 0, 0]) == {"screen-phq9-moderate": "caution"}
    assert "screen-phq9-moderate" not in judged([2, 2, 2, 2, 1, 0, 0, 0, 0])


def test_two_crisis_answers_on_one_day_are_two_alerts() -> None:
    ruleset = load_ruleset()
    keys = set()
    for minutes in (0, 30):
        assessment = score(
            get_instrument("phq9"),
            [0, 0, 0, 0, 0, 0, 0, 0, 2],
            rater="self",
            at=AT + timedelta(minutes=minutes),
        )
        keys |= {a.key for a in evaluate_assessment(assessment, Profile(), ruleset)}
    assert len(keys) == 2
