"""A person's limits set by their care team (``ruleset.tighten_only``): whatever value is
asked for any threshold of any rule, the result is never looser than the ruleset it started
from, and a value that would loosen is refused with its reason."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mitra.domain.ruleset import load_ruleset, tighten_only

RULESET = load_ruleset()
THRESHOLDS = [(r.id, t.name) for r in RULESET.rules for t in r.thresholds]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(THRESHOLDS),
            st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10, 10_000),
        ),
        max_size=6,
    )
)
def test_no_threshold_is_ever_looser_than_before(
    asked: list[tuple[tuple[str, str], float]],
) -> None:
    overrides: dict[str, dict[str, object]] = {}
    for (rule_id, name), value in asked:
        overrides.setdefault(rule_id, {})[name] = value
    tightened, refused = tighten_only(RULESET, overrides)
    for rule_id, name in THRESHOLDS:
        before = RULESET.rule(rule_id).threshold(name)
        after = tightened.rule(rule_id).threshold(name)
        assert before.is_at_least_as_tight(after.value)
    changed = sum(
        tightened.rule(r).threshold(n).value != RULESET.rule(r).threshold(n).value
        for r, n in THRESHOLDS
    )
    assert changed + len(refused) <= sum(len(v) for v in overrides.values())


def test_a_looser_value_is_refused_even_on_a_rule_that_is_not_a_hard_limit() -> None:
    soft = next(r for r in RULESET.rules if not r.hard_limit and r.thresholds)
    threshold = soft.thresholds[0]
    looser = threshold.value * 2 if threshold.tighter.value == "lower" else threshold.value / 2
    tightened, refused = tighten_only(RULESET, {soft.id: {threshold.name: looser}})
    assert tightened.rule(soft.id).threshold(threshold.name).value == threshold.value
    assert len(refused) == 1 and "made stricter" in refused[0]
