"""The access decision: a person has their own journal; a clinician reads through an active
share and plans through a plan-scope share; break-glass reads for its window; an admin
administers and sees no journal unless shared; revoked or expired shares never allow; and
nothing but the owner writes in a journal."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mitra.domain.access import (
    MAX_BREAK_GLASS,
    Action,
    Actor,
    BreakGlass,
    Role,
    Scope,
    Share,
    may,
)
from mitra.domain.errors import InputError
from tests.support.clock import FIXED_NOW

NOW = FIXED_NOW
HOUR = timedelta(hours=1)
PERSON = Actor(1, Role.PERSON, journal_id=10)
CLINICIAN = Actor(2, Role.CLINICIAN)
ADMIN = Actor(3, Role.ADMIN)
REASON = "Unconscious in the emergency room, history needed"


def share(scope: Scope = Scope.READ, **changes: object) -> Share:
    values: dict[str, object] = {
        "journal_id": 10,
        "clinician_id": CLINICIAN.account_id,
        "scope": scope,
        "starts": NOW - 24 * HOUR,
        "ends": None,
        "revoked_at": None,
    }
    values.update(changes)
    return Share(**values)  # type: ignore[arg-type]


def grant(**changes: object) -> BreakGlass:
    values: dict[str, object] = {
        "clinician_id": CLINICIAN.account_id,
        "journal_id": 10,
        "reason": REASON,
        "starts": NOW - HOUR,
        "ends": NOW + HOUR,
    }
    values.update(changes)
    return BreakGlass(**values)  # type: ignore[arg-type]


def decide(
    actor: Actor,
    action: Action,
    journal_id: int | None = 10,
    *,
    shares: tuple[Share, ...] = (),
    grants: tuple[BreakGlass, ...] = (),
    at: datetime = NOW,
) -> bool:
    return may(actor, action, journal_id, shares=shares, grants=grants, at=at).allowed


@pytest.mark.parametrize("action", [Action.READ, Action.WRITE, Action.PLAN])
def test_a_person_may_use_their_own_journal(action: Action) -> None:
    decision = may(PERSON, action, 10, shares=(), grants=(), at=NOW)
    assert decision.allowed and "own journal" in decision.why and decision.via is None


@pytest.mark.parametrize("action", list(Action))
def test_a_person_may_do_nothing_in_another_journal_or_the_server(action: Action) -> None:
    assert not decide(PERSON, action, 11)
    assert not decide(PERSON, Action.ADMIN, None)


def test_a_read_share_lets_the_clinician_read_and_says_so() -> None:
    s = share()
    decision = may(CLINICIAN, Action.READ, 10, shares=(s,), grants=(), at=NOW)
    assert decision.allowed and decision.via == s and "shared" in decision.why
    assert not decide(CLINICIAN, Action.PLAN, shares=(s,))
    assert not decide(CLINICIAN, Action.WRITE, shares=(s,))


def test_a_plan_share_lets_the_clinician_plan_but_never_write() -> None:
    s = share(Scope.PLAN)
    assert decide(CLINICIAN, Action.READ, shares=(s,))
    assert decide(CLINICIAN, Action.PLAN, shares=(s,))
    assert not decide(CLINICIAN, Action.WRITE, shares=(s,))


def test_a_share_counts_from_its_start_until_before_its_end() -> None:
    s = share(starts=NOW, ends=NOW + HOUR)
    assert not decide(CLINICIAN, Action.READ, shares=(s,), at=NOW - timedelta(microseconds=1))
    assert decide(CLINICIAN, Action.READ, shares=(s,), at=NOW)
    assert decide(CLINICIAN, Action.READ, shares=(s,), at=NOW + HOUR - timedelta(seconds=1))
    assert not decide(CLINICIAN, Action.READ, shares=(s,), at=NOW + HOUR)


def test_a_revoked_share_stops_at_its_revocation() -> None:
    s = share(revoked_at=NOW)
    assert not decide(CLINICIAN, Action.READ, shares=(s,), at=NOW)
    assert decide(CLINICIAN, Action.READ, shares=(s,), at=NOW - HOUR)


def test_another_clinicians_or_another_journals_share_does_not_count() -> None:
    assert not decide(CLINICIAN, Action.READ, shares=(share(clinician_id=99),))
    assert not decide(CLINICIAN, Action.READ, 11, shares=(share(),))


def test_break_glass_reads_for_its_window_only_and_the_reason_is_the_why() -> None:
    g = grant()
    decision = may(CLINICIAN, Action.READ, 10, shares=(), grants=(g,), at=NOW)
    assert decision.allowed and REASON in decision.why and decision.via == g
    assert not decide(CLINICIAN, Action.PLAN, grants=(g,))
    assert not decide(CLINICIAN, Action.WRITE, grants=(g,))
    assert not decide(CLINICIAN, Action.READ, grants=(g,), at=NOW + HOUR)
    assert not decide(CLINICIAN, Action.READ, grants=(g,), at=NOW - 2 * HOUR)


def test_break_glass_needs_a_reason_of_ten_characters_and_lasts_at_most_four_hours() -> None:
    with pytest.raises(InputError, match="at least 10"):
        grant(reason="   urgent   ")
    with pytest.raises(InputError, match="at most 4 hours"):
        grant(ends=NOW - HOUR + MAX_BREAK_GLASS + timedelta(seconds=1))
    with pytest.raises(InputError, match="end after"):
        grant(ends=NOW - HOUR)
    assert grant(reason=f"  {REASON}  ").reason == REASON
    assert timedelta(hours=4) == MAX_BREAK_GLASS


def test_a_share_must_end_after_it_starts_and_times_must_be_aware() -> None:
    with pytest.raises(InputError, match="end after"):
        share(ends=NOW - 24 * HOUR)
    with pytest.raises(ValueError, match="aware"):
        share(starts=datetime(2026, 11, 20, 15, 0))
    with pytest.raises(ValueError, match="aware"):
        may(PERSON, Action.READ, 10, shares=(), grants=(), at=datetime(2026, 11, 20, 15, 0))


def test_an_admin_administers_the_server_and_nothing_else() -> None:
    assert decide(ADMIN, Action.ADMIN, None)
    assert not decide(ADMIN, Action.ADMIN, 10)
    assert not decide(CLINICIAN, Action.ADMIN, None)
    for action in (Action.READ, Action.WRITE, Action.PLAN):
        assert not decide(ADMIN, action)


def test_an_admin_with_a_share_reads_like_a_clinician_but_break_glass_is_for_clinicians() -> None:
    assert decide(ADMIN, Action.READ, shares=(share(clinician_id=ADMIN.account_id),))
    assert not decide(ADMIN, Action.READ, grants=(grant(clinician_id=ADMIN.account_id),))


def test_a_person_gains_nothing_from_a_share_or_grant_naming_them() -> None:
    other = Actor(5, Role.PERSON, journal_id=12)
    shares = (share(Scope.PLAN, clinician_id=5),)
    assert not decide(other, Action.READ, shares=shares, grants=(grant(clinician_id=5),))


# Properties over generated shares, grants, actors and moments.

IDS = st.integers(min_value=1, max_value=4)
OFFSETS = st.integers(min_value=-72, max_value=72).map(lambda h: NOW + timedelta(hours=h))


@st.composite
def shares_st(draw: st.DrawFn) -> Share:
    starts = draw(OFFSETS)
    ends = draw(st.none() | st.integers(1, 96).map(lambda h: starts + timedelta(hours=h)))
    revoked = draw(st.none() | OFFSETS)
    return Share(
        journal_id=draw(IDS),
        clinician_id=draw(IDS),
        scope=draw(st.sampled_from(Scope)),
        starts=starts,
        ends=ends,
        revoked_at=revoked,
    )


@st.composite
def grants_st(draw: st.DrawFn) -> BreakGlass:
    starts = draw(OFFSETS)
    minutes = draw(st.integers(1, int(MAX_BREAK_GLASS.total_seconds() // 60)))
    return BreakGlass(
        clinician_id=draw(IDS),
        journal_id=draw(IDS),
        reason=REASON,
        starts=starts,
        ends=starts + timedelta(minutes=minutes),
    )


ACTORS = st.builds(Actor, IDS, st.sampled_from(Role), st.none() | IDS)
WORLD = {
    "actor": ACTORS,
    "action": st.sampled_from(Action),
    "journal": IDS,
    "shares": st.lists(shares_st(), max_size=6),
    "grants": st.lists(grants_st(), max_size=4),
    "at": OFFSETS,
}


@settings(max_examples=150, deadline=None)
@given(**WORLD)
def test_a_revoked_or_expired_share_never_allows_anything(
    actor: Actor,
    action: Action,
    journal: int,
    shares: list[Share],
    grants: list[BreakGlass],
    at: datetime,
) -> None:
    dead = [
        s
        for s in shares
        if (s.revoked_at is not None and s.revoked_at <= at)
        or (s.ends is not None and s.ends <= at)
    ]
    decision = may(actor, action, journal, shares=shares, grants=grants, at=at)
    assert decision.via not in dead
    without_dead = [s for s in shares if s not in dead]
    assert decision == may(actor, action, journal, shares=without_dead, grants=grants, at=at)


@settings(max_examples=150, deadline=None)
@given(**WORLD)
def test_an_admin_without_a_share_is_never_allowed_a_journal(
    actor: Actor,
    action: Action,
    journal: int,
    shares: list[Share],
    grants: list[BreakGlass],
    at: datetime,
) -> None:
    admin = Actor(actor.account_id, Role.ADMIN, actor.journal_id)
    theirs = [s for s in shares if s.clinician_id == admin.account_id]
    others = [s for s in shares if s not in theirs]
    assert not may(admin, action, journal, shares=others, grants=grants, at=at).allowed


@settings(max_examples=150, deadline=None)
@given(**WORLD)
def test_nobody_writes_in_another_persons_journal_and_plans_only_through_a_plan_share(
    actor: Actor,
    action: Action,
    journal: int,
    shares: list[Share],
    grants: list[BreakGlass],
    at: datetime,
) -> None:
    decision = may(actor, action, journal, shares=shares, grants=grants, at=at)
    own = actor.role is Role.PERSON and actor.journal_id == journal
    if decision.allowed and not own:
        assert action in (Action.READ, Action.PLAN)
        if action is Action.PLAN:
            assert isinstance(decision.via, Share) and decision.via.scope is Scope.PLAN
            assert decision.via.active_at(at)


@settings(max_examples=150, deadline=None)
@given(**WORLD)
def test_every_allowed_journal_access_rests_on_ownership_an_active_share_or_a_grant(
    actor: Actor,
    action: Action,
    journal: int,
    shares: list[Share],
    grants: list[BreakGlass],
    at: datetime,
) -> None:
    decision = may(actor, action, journal, shares=shares, grants=grants, at=at)
    assert decision.why
    if not decision.allowed:
        return
    if actor.role is Role.PERSON:
        assert actor.journal_id == journal and decision.via is None
    else:
        assert decision.via is not None and decision.via.active_at(at)
        assert decision.via.journal_id == journal
        assert decision.via.clinician_id == actor.account_id
        if isinstance(decision.via, BreakGlass):
            assert actor.role is Role.CLINICIAN and action is Action.READ
