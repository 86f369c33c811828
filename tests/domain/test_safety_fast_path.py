"""The safety engine's shared work gives the answers of a plain computation (Hypothesis).

Judging a journal shares work between the entries of one judgement: each local day is worked
out once, the escalation rule sums a week before it counts dosing days, and a ruleset's
windows are computed once. These properties keep that sharing from changing any answer:

* ``judge`` over a journal gives exactly the alerts of judging each entry on its own, with
  ``safety.build_timeline``'s own timeline (nothing shared), merged by key;
* every week-on-week escalation alert is what its definition gives when computed plainly:
  each dose's high-end mitragynine over the 7 days up to it and the 7 before, each dosing
  day found by converting its time, the rise against the threshold, the latest dose of the
  week that rises kept for the week;
* a ruleset with other windows (a clinician's settings) has its own spans, never another's;
* an entry's timeline carries only the later entries its rules read (``safety.READ_AHEAD``):
  judged beside every substance a look-ahead rule names (each combination class, the
  interaction rules' medicines, loperamide on both sides of its daily threshold), a journal's
  alerts are still those of each entry judged with its whole future.

Times cross a daylight-saving change, including Chile's, which happens at midnight: there a
later moment can fall on the previous local date, so days must be found, never assumed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from mitra.domain.alerts import Alert, number_text, week_key
from mitra.domain.entries import DoseEntry, Entry, SymptomEntry
from mitra.domain.profile import Profile
from mitra.domain.ruleset import Ruleset, apply_settings, load_ruleset
from mitra.domain.safety import (
    _core_span,
    build_timeline,
    core_span,
    entry_alerts,
    entry_order,
    finish,
    history_span,
)
from mitra.domain.safety_doses import ESCALATION, entry_ids, high_mg
from mitra.domain.safety_journal import judge, merge
from tests.domain.test_safety_properties import (
    DOSES,
    SUBSTANCES,
    SYMPTOM_IDS,
    profiles,
    substance_templates,
)

RULES = load_ruleset()


def _stricter(settings_: dict[str, dict[str, object]]) -> Ruleset:
    ruleset, refused = apply_settings(RULES, settings_)
    assert not refused
    return ruleset


# Escalation that needs two dosing days in each week, so the day count decides too.
TWO_DAYS = _stricter({ESCALATION: {"min_days_with_doses": 2}})
RULESETS = [RULES, TWO_DAYS]
# 6 April 2025, 00:00 in Santiago: clocks go back to 23:00 on the 5th. London and New York
# change on other days; UTC never does.
BASE = datetime(2025, 4, 6, 3, 0, tzinfo=ZoneInfo("UTC"))
ZONES = [ZoneInfo(z) for z in ("America/Santiago", "America/New_York", "Europe/London", "UTC")]
offsets = st.integers(min_value=-24 * 24 * 60, max_value=3 * 24 * 60)


# What the rules that look ahead (combinations, logged interactions) name: a member of each
# combination class, the interaction rules' medicines by id, and loperamide below and above
# its daily milligram threshold (tablets counted at the rule's milligrams each).
PARTNERS = substance_templates(
    [
        ("oxy", "10mg"),
        ("fentanyl", "1 pill"),
        ("xanax", "1mg"),
        ("beer", "2 drinks"),
        ("gabapentin", "600mg"),
        ("seroquel", "50mg"),
        ("cocaine", "0.1g"),
        ("loperamide", "4mg"),
        ("loperamide", "40mg"),
        ("loperamide", "12 tablets"),
        ("clarithromycin", "500mg"),
        ("ketoconazole", "200mg"),
        ("rifampin", "600mg"),
        ("methadone", "30mg"),
        ("citalopram", "20mg"),
    ]
)
# Within two days: the look-ahead windows (a day or so) hold several entries of each kind.
near_offsets = st.integers(min_value=0, max_value=2 * 24 * 60)


@st.composite
def dose_journals(
    draw: st.DrawFn,
    substances: Sequence[Entry] = SUBSTANCES,
    minutes: st.SearchStrategy[int] = offsets,
    kinds: Sequence[str] = ("dose",) * 6 + ("substance", "symptom"),
) -> list[Entry]:
    """Mostly doses over three and a half weeks (escalation's reach), each with its own id."""
    drawn: list[Entry] = []
    for _ in range(draw(st.integers(0, 40))):
        at = BASE + timedelta(minutes=draw(minutes))
        kind = draw(st.sampled_from(kinds))
        if kind == "dose":
            drawn.append(dataclasses.replace(draw(st.sampled_from(DOSES)), at=at))
        elif kind == "substance":
            drawn.append(dataclasses.replace(draw(st.sampled_from(substances)), at=at))
        else:
            symptom = draw(st.sampled_from(SYMPTOM_IDS))
            drawn.append(SymptomEntry(at=at, symptom_id=symptom, severity=draw(st.integers(0, 3))))
    return [dataclasses.replace(e, id=i) for i, e in enumerate(drawn, start=1)]


def each_alone(
    entries: Sequence[Entry], profile: Profile, ruleset: Ruleset, zone: ZoneInfo
) -> dict[str, Alert]:
    """Every entry judged on its own timeline, from the whole journal, merged by key."""
    start = min((e.at for e in entries), default=None)
    found: dict[str, Alert] = {}
    # In time order, as ``judge`` goes: two alerts of one key at one moment with the same
    # message (a combination seen from each of its entries) keep the first one merged.
    for entry in sorted(entries, key=entry_order):
        others = [e for e in entries if e is not entry]
        timeline = build_timeline(others, entry, ruleset, zone, start)
        for alert in finish(entry_alerts(timeline, profile, ruleset), ruleset):
            merge(found, alert)
    return dict(sorted(found.items()))


def plain_escalation(
    entries: Sequence[Entry], ruleset: Ruleset, zone: ZoneInfo
) -> dict[str, Alert]:
    """The escalation alerts of a journal, from the rule's definition, one dose at a time."""
    rule = ruleset.rule(ESCALATION)
    week_days = ruleset.windows.week_days
    week = timedelta(days=week_days)
    doses = sorted((e for e in entries if isinstance(e, DoseEntry)), key=entry_order)
    start = min((e.at for e in entries), default=None)
    found: dict[str, Alert] = {}
    for dose in doses:
        if start is None or start > dose.at - 2 * week + timedelta(days=1):
            continue
        others = [d for d in doses if d is not dose]
        last = [d for d in others if dose.at - week < d.at <= dose.at] + [dose]
        prior = [d for d in others if dose.at - 2 * week < d.at <= dose.at - week]
        days_last = len({d.at.astimezone(zone).date() for d in last})
        days_prior = len({d.at.astimezone(zone).date() for d in prior})
        if min(days_last, days_prior) < rule.value("min_days_with_doses"):
            continue
        last_avg = sum(high_mg(d) for d in last) / week_days
        prior_avg = sum(high_mg(d) for d in prior) / week_days
        if prior_avg <= 0 or (last_avg - prior_avg) / prior_avg * 100 < rule.value("min_rise_pct"):
            continue
        values = {
            "last_week_mg_per_day": number_text(last_avg),
            "prior_week_mg_per_day": number_text(prior_avg),
            "rise_pct": f"{(last_avg - prior_avg) / prior_avg * 100:.0f}",
            "min_rise_pct": number_text(rule.value("min_rise_pct")),
        }
        key = week_key(rule.id, dose.at.astimezone(zone).date())
        ids = entry_ids([*last, *prior])
        merge(found, rule.alert(values=values, entry_ids=ids, at=dose.at, key=key))
    return found


@settings(max_examples=60, deadline=None)
@given(
    entries=dose_journals(),
    profile=profiles,
    zone=st.sampled_from(ZONES),
    ruleset=st.sampled_from(RULESETS),
)
def test_judging_a_journal_gives_what_judging_each_entry_alone_gives(
    entries: list[Entry], profile: Profile, zone: ZoneInfo, ruleset: Ruleset
) -> None:
    assert judge(entries, profile, ruleset, zone=zone) == each_alone(
        entries, profile, ruleset, zone
    )


@settings(max_examples=80, deadline=None)
@given(
    entries=dose_journals(PARTNERS, near_offsets, ("dose", "dose", "substance", "symptom")),
    profile=profiles,
    zone=st.sampled_from(ZONES),
)
def test_an_entry_is_judged_from_only_the_later_entries_its_rules_read(
    entries: list[Entry], profile: Profile, zone: ZoneInfo
) -> None:
    assert judge(entries, profile, RULES, zone=zone) == each_alone(entries, profile, RULES, zone)


@settings(max_examples=100, deadline=None)
@given(
    entries=dose_journals(),
    profile=profiles,
    zone=st.sampled_from(ZONES),
    ruleset=st.sampled_from(RULESETS),
)
def test_escalation_alerts_are_what_the_rule_definition_gives(
    entries: list[Entry], profile: Profile, zone: ZoneInfo, ruleset: Ruleset
) -> None:
    judged = judge(entries, profile, ruleset, zone=zone)
    found = {k: a for k, a in judged.items() if a.rule_id == ESCALATION}
    assert found == plain_escalation(entries, ruleset, zone)


def test_a_ruleset_with_other_windows_has_its_own_spans() -> None:
    reviewed = core_span(RULES)
    wider = _stricter({"combination-fentanyl": {"window_hours": 96}})
    # Asked first of the reviewed ruleset, so a shared memo would hand its answer on.
    assert core_span(wider) == _core_span(wider) != reviewed
    assert history_span(wider)[1] == timedelta(hours=96) != history_span(RULES)[1]
    assert core_span(RULES) == _core_span(RULES) == reviewed


def test_a_later_loperamide_counts_toward_an_earlier_ones_daily_total() -> None:
    # 10 mg, then 10 mg three hours later: 20 mg in 24 hours, over the rule's 16. The dose is
    # within a day of the first only, so only the first's judgement sees the dose and the
    # whole 20 mg, the second's (later) loperamide among them.
    first, second = (
        dataclasses.replace(template, id=n, at=BASE + timedelta(hours=hours))
        for n, template, hours in ((2, PARTNERS[7], 22), (3, PARTNERS[7], 25))
    )
    assert first.substance_id == "loperamide" and first.amount == 4
    first = dataclasses.replace(first, amount=10)
    second = dataclasses.replace(second, amount=10)
    dose = dataclasses.replace(DOSES[0], id=1, at=BASE - timedelta(minutes=30))
    journal: list[Entry] = [dose, first, second]
    judged = judge(journal, Profile(), RULES, zone=ZoneInfo("UTC"))
    loperamide = [a for a in judged.values() if "loperamide" in a.rule_id]
    assert [a.entry_ids for a in loperamide] == [(1, 2)]
    assert judged == each_alone(journal, Profile(), RULES, ZoneInfo("UTC"))
