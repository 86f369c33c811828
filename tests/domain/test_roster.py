"""The roster's order (``domain.roster`` over ``data/roster.toml``): an unseen emergency is
always first, the order is the same however the journals come in, a filter keeps exactly the
journals showing its sign in the same order, missing check-ins never make a journal look
better, and the data file's figures carry their basis and real sources."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mitra.domain import catalogue_data
from mitra.domain.roster import (
    FILTER_IDS,
    TIER_IDS,
    Signals,
    Trend,
    filter_counts,
    ranked,
    roster_order,
    tier_of,
)

AT = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
ORDER = roster_order()


def _trend(instrument: str) -> st.SearchStrategy[Trend]:
    return st.builds(
        Trend,
        st.just(instrument),
        st.integers(0, 48),
        st.none() | st.integers(0, 48),
        st.integers(0, 20 * 24).map(lambda h: AT - timedelta(hours=h)),
    )


@st.composite
def signals(draw: st.DrawFn, journal_id: int) -> Signals:
    emergencies = draw(st.integers(0, 2))
    return Signals(
        journal_id=journal_id,
        email=draw(st.sampled_from(["a@x.org", "b@x.org", "c@x.org"])),
        open_emergency=emergencies,
        unseen_emergency=draw(st.integers(0, emergencies)),
        open_urgent=draw(st.integers(0, 2)),
        escalation=draw(st.integers(0, 1)),
        last_checkin=draw(
            st.none() | st.integers(0, 10 * 24).map(lambda h: AT - timedelta(hours=h))
        ),
        trends=tuple(draw(_trend(i)) for i in ("cows", "sows") if draw(st.booleans())),
        plan_event=draw(st.sampled_from([None, "created", "advance", "hold", "step-back"])),
    )


@st.composite
def rosters(draw: st.DrawFn) -> list[Signals]:
    size = draw(st.integers(0, 12))
    return [draw(signals(journal_id)) for journal_id in range(1, size + 1)]


@settings(max_examples=200, deadline=None)
@given(rosters())
def test_an_unseen_emergency_is_always_above_every_other_journal(found: list[Signals]) -> None:
    order = [p.signals.unseen_emergency > 0 for p in ranked(found, ORDER, AT)]
    assert order == sorted(order, reverse=True)


@settings(max_examples=200, deadline=None)
@given(rosters(), st.randoms(use_true_random=False))
def test_the_order_does_not_depend_on_the_order_journals_come_in(
    found: list[Signals], shuffle: object
) -> None:
    shuffled = list(found)
    shuffle.shuffle(shuffled)  # type: ignore[attr-defined]
    first = [p.signals.journal_id for p in ranked(found, ORDER, AT)]
    assert [p.signals.journal_id for p in ranked(shuffled, ORDER, AT)] == first


@settings(max_examples=200, deadline=None)
@given(rosters())
def test_tiers_come_in_the_documented_order(found: list[Signals]) -> None:
    ranks = [p.tier.rank for p in ranked(found, ORDER, AT)]
    assert ranks == sorted(ranks)


@settings(max_examples=200, deadline=None)
@given(rosters(), st.sampled_from(FILTER_IDS))
def test_a_filter_keeps_exactly_the_journals_with_its_sign_in_order(
    found: list[Signals], sign: str
) -> None:
    everyone = ranked(found, ORDER, AT)
    kept = ranked(found, ORDER, AT, only=sign)
    assert kept == [p for p in everyone if sign in p.signs]
    assert filter_counts(everyone)[sign] == len(kept)


@settings(max_examples=200, deadline=None)
@given(signals(1))
def test_no_check_in_never_moves_a_journal_to_a_later_tier(journal: Signals) -> None:
    missing = replace(journal, last_checkin=None)
    assert tier_of(missing, ORDER, AT).rank <= tier_of(journal, ORDER, AT).rank


def test_a_cows_at_the_moderate_band_or_a_meaningful_rise_is_withdrawal() -> None:
    base = Signals(1, "a@x.org", 0, 0, 0, 0, AT - timedelta(hours=2), (), None)
    high = replace(base, trends=(Trend("cows", 13, None, AT - timedelta(hours=2)),))
    rise = replace(base, trends=(Trend("sows", 10, 6, AT - timedelta(hours=2)),))
    small = replace(base, trends=(Trend("sows", 9, 6, AT - timedelta(hours=2)),))
    stale = replace(base, trends=(Trend("cows", 30, None, AT - timedelta(days=15)),))
    assert tier_of(high, ORDER, AT).id == "withdrawal"
    assert tier_of(rise, ORDER, AT).id == "withdrawal"
    assert tier_of(small, ORDER, AT).id == "steady"
    assert tier_of(stale, ORDER, AT).id == "steady"


def test_the_data_file_names_every_tier_with_its_reason_and_real_sources() -> None:
    data = catalogue_data.load("roster")
    assert tuple(t.id for t in ORDER.tiers) == TIER_IDS
    assert all(t.why and t.test and "{" not in t.test for t in ORDER.tiers)
    for figure in ("trend_window", "cows_at_least", "stale_checkin", "checkin_lookback"):
        key = next(k for k in data if k.startswith(figure) and not k.endswith(("_why", "_basis")))
        assert data[f"{figure}_basis"] in ("published", "judgement"), key
        assert data[f"{figure}_why"]
    assert set(data["cows_at_least_sources"]) <= catalogue_data.source_ids()
