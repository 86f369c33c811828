"""Safety rules for a new symptom: red flags, and side effects seen in context.

Red flags come from the symptom catalogue (``red_flag_at`` / ``red_flag_level``): a symptom at
or above its red-flag severity raises the rule that lists it by id, or else the catch-all rule
of its level (``red_flag_level = "emergency"`` / ``"urgent"`` in rules.toml), or, failing
both, ``symptom-emergency``: no red flag goes unanswered. Emergencies are keyed per report
(every seizure is surfaced); other red flags once per rule and local day. When an opioid (or a
7-OH product) was logged in the rule's lookback, the emergency message names it so naloxone
is thought of at once.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from mitra.domain import symptoms as symptom_catalogue
from mitra.domain.alerts import Alert, Severity, day_key, event_key, number_text, week_key
from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry, SymptomEntry
from mitra.domain.products import Form
from mitra.domain.ruleset import Rule, Ruleset
from mitra.domain.safety_combinations import joined
from mitra.domain.safety_doses import entry_ids
from mitra.domain.substances import SubstanceClass
from mitra.domain.symptoms import Symptom, is_red_flag

if TYPE_CHECKING:
    from mitra.domain.safety import Timeline

EMERGENCY_FALLBACK = "symptom-emergency"
INSOMNIA = "insomnia-evening-dose"


@functools.cache
def _symptoms_by_id() -> Mapping[str, Symptom]:
    return {symptom.id: symptom for symptom in symptom_catalogue.catalogue()}


def symptom_alerts(timeline: Timeline, ruleset: Ruleset) -> list[Alert]:
    new = timeline.new
    if not isinstance(new, SymptomEntry):
        raise TypeError("symptom rules apply to symptom entries only")
    symptom = _symptoms_by_id().get(new.symptom_id)
    if symptom is None:  # not in the catalogue: nothing known to judge it by
        return []
    alerts: list[Alert] = []
    if is_red_flag(symptom, new.severity):
        alerts.append(_red_flag(timeline, new, symptom, red_flag_rule(ruleset, symptom)))
    for rule in ruleset.group("side-effect"):
        if symptom.id not in rule.match.symptoms or new.severity < rule.value("min_severity"):
            continue
        if rule.id == INSOMNIA:
            alerts += _insomnia(timeline, new, symptom, rule)
        else:
            alerts.append(
                rule.alert(
                    values={"symptom": symptom.name},
                    entry_ids=entry_ids([new]),
                    at=new.at,
                    key=day_key(rule.id, timeline.day()),
                )
            )
    return alerts


def red_flag_rule(ruleset: Ruleset, symptom: Symptom) -> Rule:
    """The rule listing this symptom, else the catch-all of its level, else the emergency rule."""
    rules = ruleset.group("red-flag")
    for rule in rules:
        if symptom.id in rule.match.symptoms:
            return rule
    for rule in rules:
        if not rule.match.symptoms and rule.match.red_flag_level == symptom.red_flag_level:
            return rule
    return ruleset.rule(EMERGENCY_FALLBACK)


def _red_flag(timeline: Timeline, new: SymptomEntry, symptom: Symptom, rule: Rule) -> Alert:
    values = {"symptom": symptom.name, "opioid_note": ""}
    involved: list[Entry] = [new]
    if rule.has_threshold("opioid_lookback_hours"):
        hours = rule.value("opioid_lookback_hours")
        opioids = _recent_opioids(timeline, timedelta(hours=hours))
        if opioids:
            names = sorted({_opioid_name(e) for e in opioids})
            values["opioid_note"] = rule.text(
                "opioid_note", {"opioids": joined(names), "lookback_hours": number_text(hours)}
            )
            involved += opioids
    if rule.severity is Severity.EMERGENCY:
        key = event_key(rule.id, new.at, symptom.id)
    else:
        key = day_key(rule.id, timeline.day())
    return rule.alert(values=values, entry_ids=entry_ids(involved), at=new.at, key=key)


def _recent_opioids(timeline: Timeline, span: timedelta) -> list[Entry]:
    found: list[Entry] = []
    for entry in timeline.since(timeline.new.at - span):
        if (
            isinstance(entry, SubstanceEntry) and entry.substance_class is SubstanceClass.OPIOID
        ) or (isinstance(entry, DoseEntry) and entry.form is Form.SEVEN_OH):
            found.append(entry)
    return found


def _opioid_name(entry: Entry) -> str:
    if isinstance(entry, SubstanceEntry):
        return entry.name
    if isinstance(entry, DoseEntry):
        return f"{entry.product_name} (7-OH)"
    return ""


def _insomnia(timeline: Timeline, new: SymptomEntry, symptom: Symptom, rule: Rule) -> list[Alert]:
    evening = rule.value("evening_hour")
    night_end = rule.value("night_end_hour")
    span = timedelta(hours=rule.value("lookback_hours"))
    doses = [
        e
        for e in timeline.since(new.at - span)
        if isinstance(e, DoseEntry) and _is_evening(timeline.local(e.at), evening, night_end)
    ]
    if not doses:
        return []
    report_day = timeline.day()
    times = [_clock(timeline.local(d.at), report_day != timeline.day(d.at)) for d in doses]
    minutes = round(evening * 60)
    values = {
        "symptom": symptom.name,
        "dose_times": joined(list(dict.fromkeys(times))),
        "evening_time": f"{minutes // 60:02d}:{minutes % 60:02d}",
    }
    return [
        rule.alert(
            values=values,
            entry_ids=entry_ids([new, *doses]),
            at=new.at,
            key=week_key(rule.id, report_day),
        )
    ]


def _is_evening(local: datetime, evening_hour: float, night_end_hour: float) -> bool:
    hour = local.hour + local.minute / 60 + local.second / 3600
    return hour >= evening_hour or hour < night_end_hour


def _clock(local: datetime, other_day: bool) -> str:
    text = local.strftime("%H:%M")
    return f"{text} on {local.strftime('%a %d %b')}" if other_day else text
