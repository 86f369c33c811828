"""Safety rules for combinations: kratom with other substances, and with listed medications.

Combination rules (group ``combination`` in rules.toml) are applied generically from their
``match`` table: a new kratom dose is checked against substances logged within the rule's
window on EITHER side of it, and a new substance entry against kratom doses likewise, because
a sedative taken after kratom is as much a combination as one taken before. A substance is
covered when its id is listed, or its class is listed and its id is not excluded.

A combination rule with a ``min_mg_24h`` threshold (high-dose loperamide) counts only when the
partner substance adds up to more than that many mg within 24 hours (tablets and capsules at
the rule's ``mg_per_unit``); amounts that are neither a weight nor a count are not counted.

Medication interactions read ``Profile.medications`` (free text such as "Seroquel 100mg"),
matched to the substance catalogue on the longest leading run of words that it knows. A
medication mitra does not know is reported as unchecked, never silently passed. The
interaction rules that list substances by id (CYP3A inhibitors and inducers, QT-prolonging
medicines) apply to a listed medication and also to a dose of one logged within the rule's
window of kratom; both are keyed once per rule and substance, so each is said once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from mitra.domain.alerts import Alert, day_key, number_text, once_key
from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry
from mitra.domain.profile import Profile
from mitra.domain.quantities import Amount, to_magnitude
from mitra.domain.ruleset import Rule, Ruleset
from mitra.domain.safety_doses import entry_ids
from mitra.domain.substances import Substance, lookup

if TYPE_CHECKING:
    from mitra.domain.safety import Timeline

INTERACTION = "interaction-medication"
INTERACTION_UNKNOWN = "interaction-medication-unknown"


def joined(names: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _covers(rule: Rule, entry: SubstanceEntry) -> bool:
    return rule.match.covers_substance(entry.substance_id, entry.substance_class.value)


def combination_alerts(timeline: Timeline, ruleset: Ruleset) -> list[Alert]:
    """One alert per combination rule with a partner inside its window, once per local day."""
    new = timeline.new
    alerts: list[Alert] = []
    for rule in ruleset.group("combination"):
        window = rule.value("window_hours")
        nearby = timeline.around(timedelta(hours=window))
        partners: list[Entry]
        if isinstance(new, DoseEntry):
            partners = [e for e in nearby if isinstance(e, SubstanceEntry) and _covers(rule, e)]
            names = sorted({e.name for e in partners if isinstance(e, SubstanceEntry)})
        elif isinstance(new, SubstanceEntry) and _covers(rule, new):
            partners = [e for e in nearby if isinstance(e, DoseEntry)]
            names = [new.name]
        else:
            continue
        if rule.has_threshold("min_mg_24h"):
            covered = [
                e for e in (*nearby, new) if isinstance(e, SubstanceEntry) and _covers(rule, e)
            ]
            if _most_mg_in_a_day(covered, rule.value("mg_per_unit")) <= rule.value("min_mg_24h"):
                continue
        if not partners:
            continue
        values = {"substances": joined(names), "window_hours": number_text(window)}
        if rule.has_threshold("min_mg_24h"):
            values["threshold_mg"] = number_text(rule.value("min_mg_24h"))
        alerts.append(
            rule.alert(
                values=values,
                entry_ids=entry_ids([new, *partners]),
                at=new.at,
                key=day_key(rule.id, timeline.day()),
            )
        )
    return alerts + _logged_interactions(timeline, ruleset)


def _most_mg_in_a_day(entries: Sequence[SubstanceEntry], mg_per_unit: float) -> float:
    """The largest total (mg) of these entries in any 24 hours ending at one of them."""
    day = timedelta(hours=24)
    amounts = [(e.at, _mg(e, mg_per_unit)) for e in entries]
    return max(
        (sum(mg for at, mg in amounts if end - day < at <= end) for end, _ in amounts),
        default=0.0,
    )


def _mg(entry: SubstanceEntry, mg_per_unit: float) -> float:
    amount = Amount(entry.amount, entry.unit)
    kind = amount.kind()
    if kind == "mass":
        return to_magnitude(amount, "milligram")
    if kind == "count":
        return to_magnitude(amount, "capsule") * mg_per_unit
    return 0.0


def substance_rules(ruleset: Ruleset) -> tuple[Rule, ...]:
    """The interaction rules that name their medicines by id (applied generically)."""
    return tuple(
        rule
        for rule in ruleset.group("interaction")
        if rule.id not in {INTERACTION, INTERACTION_UNKNOWN} and rule.match.substances
    )


def _logged_interactions(timeline: Timeline, ruleset: Ruleset) -> list[Alert]:
    """A logged dose of a listed interacting medicine within the window of kratom (either side)."""
    new = timeline.new
    alerts: list[Alert] = []
    for rule in substance_rules(ruleset):
        nearby = timeline.around(timedelta(hours=rule.value("window_hours")))
        found: dict[str, tuple[str, list[Entry]]] = {}
        if isinstance(new, DoseEntry):
            for entry in nearby:
                if (
                    isinstance(entry, SubstanceEntry)
                    and entry.substance_id in rule.match.substances
                ):
                    name, involved = found.setdefault(entry.substance_id, (entry.name, [new]))
                    involved.append(entry)
        elif isinstance(new, SubstanceEntry) and new.substance_id in rule.match.substances:
            doses: list[Entry] = [e for e in nearby if isinstance(e, DoseEntry)]
            if doses:
                found[new.substance_id] = (new.name, [new, *doses])
        for substance_id, (name, involved) in sorted(found.items()):
            alerts.append(
                rule.alert(
                    values={"medication": name},
                    entry_ids=entry_ids(involved),
                    at=new.at,
                    key=once_key(rule.id, substance_id),
                )
            )
    return alerts


def medication_substance(text: str) -> Substance | None:
    """The catalogue substance for a listed medication, by the longest known leading words.

    "oxy 30mg" finds oxycodone through "oxy"; "tylenol 3" finds codeine as a whole before
    "tylenol" alone would find acetaminophen.
    """
    words = text.split()
    for length in range(len(words), 0, -1):
        found = lookup(" ".join(words[:length]))
        if found is not None:
            return found
    return None


def medication_alerts(timeline: Timeline, profile: Profile, ruleset: Ruleset) -> list[Alert]:
    """Interactions between a new kratom dose and each medication listed in the profile."""
    dose = timeline.new
    rule = ruleset.rule(INTERACTION)
    unknown_rule = ruleset.rule(INTERACTION_UNKNOWN)
    ids = entry_ids([dose])
    alerts: list[Alert] = []
    for text in _medications(profile.medications):
        substance = medication_substance(text)
        if substance is None:
            alerts.append(
                unknown_rule.alert(
                    values={"medication": text},
                    entry_ids=ids,
                    at=dose.at,
                    key=once_key(unknown_rule.id, text.lower()),
                )
            )
            continue
        shown = text if text.lower() == substance.name.lower() else f"{text} ({substance.name})"
        for listed in substance_rules(ruleset):
            if substance.id in listed.match.substances:
                alerts.append(
                    listed.alert(
                        values={"medication": shown},
                        entry_ids=ids,
                        at=dose.at,
                        key=once_key(listed.id, substance.id),
                    )
                )
        reasons = [
            rule.text(enzyme.lower()) for enzyme in rule.match.cyp if enzyme in substance.cyp
        ]
        if substance.substance_class.value in rule.match.classes:
            reasons.append(rule.text("depressant"))
        if not reasons:
            continue
        alerts.append(
            rule.alert(
                values={"medication": shown, "reasons": " ".join(reasons)},
                entry_ids=ids,
                at=dose.at,
                # Once per listed medication: the interaction does not change from day to day,
                # and a daily repeat would teach people to ignore alerts.
                key=once_key(rule.id, substance.id),
            )
        )
    return alerts


def _medications(listed: Iterable[str]) -> list[str]:
    """The listed medications, cleaned, without repeats, in a fixed order."""
    cleaned = {" ".join(text.split()) for text in listed}
    return sorted((text for text in cleaned if text), key=lambda t: (t.lower(), t))
