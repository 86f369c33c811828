"""Judgements kept between writes (``JudgedTimelines``) never change an answer: through any
series of changes to a journal (entries added and removed, the profile changed, the zone
changed), judging with one memo shared by every step gives exactly what judging afresh gives,
for the whole journal and for the spans a change reaches. The memo is used (unchanged
entries are not judged again) and stays within its bound.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from hypothesis import given, settings
from hypothesis import strategies as st

from mitra.domain.entries import Entry
from mitra.domain.judged_timelines import JudgedTimelines
from mitra.domain.profile import Profile
from mitra.domain.safety_journal import affected_spans, judge
from tests.domain.test_safety_properties import (
    BASE,
    DOSES,
    RULES,
    SUBSTANCES,
    ZONES,
    entries,
    profiles,
)


@dataclass(frozen=True)
class Step:
    """One change between two judgements (the fields not named by ``what`` are unused)."""

    what: str
    entry: Entry | None = None
    position: int = 0
    profile: Profile | None = None
    zone: tzinfo | None = None
    minutes: int = 0  # "near": the new entry this long after the entry at ``position``


steps = st.lists(
    st.one_of(
        st.builds(Step, what=st.just("add"), entry=entries()),
        # Beside an entry already there, where combinations (which look both ways) form.
        st.builds(
            Step,
            what=st.just("near"),
            entry=entries(),
            position=st.integers(0, 60),
            minutes=st.integers(-600, 600),
        ),
        st.builds(Step, what=st.just("remove"), position=st.integers(0, 60)),
        st.builds(Step, what=st.just("profile"), profile=profiles),
        st.builds(Step, what=st.just("zone"), zone=st.sampled_from(ZONES)),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=120, deadline=None)
@given(
    first=st.lists(entries(), max_size=30),
    changes=steps,
    profile=profiles,
    zone=st.sampled_from(ZONES),
    limit=st.sampled_from([3, 50, 20_000]),
)
def test_judging_with_kept_judgements_gives_what_judging_afresh_gives_after_every_change(
    first: list[Entry], changes: list[Step], profile: Profile, zone: tzinfo, limit: int
) -> None:
    memo = JudgedTimelines(limit=limit)
    # The same objects from step to step, as the storage layer's entry cache hands them out;
    # an added entry is a new object with a new id.
    journal = [dataclasses.replace(e, id=n) for n, e in enumerate(first, start=1)]
    next_id = len(journal) + 1
    for step in changes:
        changed_at: datetime | None = None
        if step.entry is not None:
            at = step.entry.at
            if step.what == "near" and journal:
                at = journal[step.position % len(journal)].at + timedelta(minutes=step.minutes)
            added = dataclasses.replace(step.entry, id=next_id, at=at)
            next_id += 1
            journal.append(added)
            changed_at = added.at
        elif step.what == "remove" and journal:
            changed_at = journal.pop(step.position % len(journal)).at
        profile = step.profile or profile
        zone = step.zone or zone
        start = min((e.at for e in journal), default=None)
        fresh = judge(journal, profile, RULES, zone=zone, journal_start=start)
        assert judge(journal, profile, RULES, zone=zone, journal_start=start, memo=memo) == fresh
        if changed_at is not None:
            spans = affected_spans(changed_at, RULES, zone)
            window = judge(journal, profile, RULES, zone=zone, journal_start=start, spans=spans)
            kept = judge(
                journal, profile, RULES, zone=zone, journal_start=start, spans=spans, memo=memo
            )
            assert kept == window
        assert len(memo) <= limit


def test_an_unchanged_journal_is_judged_once_then_only_what_a_new_entry_reaches() -> None:
    doses = [
        dataclasses.replace(DOSES[1], id=n, at=BASE + timedelta(days=2 * n)) for n in range(1, 6)
    ]
    memo = JudgedTimelines()
    profile = Profile()
    first = judge(doses, profile, RULES, memo=memo)
    assert len(memo) == len(doses)  # one judgement per entry, kept
    assert judge(doses, profile, RULES, memo=memo) == first
    assert len(memo) == len(doses)  # nothing judged again
    # A dose an hour after the last: judged, and nothing else. The last dose's rules that look
    # ahead (combinations) read only substances after it, so its timeline is unchanged.
    later = dataclasses.replace(DOSES[1], id=99, at=doses[-1].at + timedelta(hours=1))
    judge([*doses, later], profile, RULES, memo=memo)
    assert len(memo) == len(doses) + 1
    # A sedative two hours after that: judged, and so are the two doses it may combine with
    # (their timelines now hold it), not the doses of the days before.
    sedative = dataclasses.replace(SUBSTANCES[0], id=100, at=later.at + timedelta(hours=2))
    assert sedative.substance_class.value == "benzodiazepine"
    judged = judge([*doses, later, sedative], profile, RULES, memo=memo)
    assert len(memo) == len(doses) + 4
    assert any(a.rule_id.startswith("combination-") for a in judged.values())
    # Another profile is another context: everything is judged under it afresh.
    judge(doses, dataclasses.replace(profile, pregnant=True), RULES, memo=memo)
    assert len(memo) == 2 * len(doses) + 4
