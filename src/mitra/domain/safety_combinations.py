"""Safety rules for combinations: kratom with other substances, and with listed medications.

Combination rules (group ``combination`` in rules.toml) are applied generically from their
``match`` table: a new kratom dose is checked against substances logged within the rule's
window on EITHER side of it, and a new substance entry against kratom doses likewise, because
a sedative taken after kratom is as much a combination as one taken before. A substance is
covered when its id is listed, or its class is listed and its id is not excluded.

Medication interactions read ``Profile.medications`` (free text such as "Seroquel 100mg"),
matched to the substance catalogue on the longest leading run of words that it knows. A
medication mitra does not know is reported as unchecked, never silently passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from mitra.domain.alerts import Alert, day_key, number_text, once_key
from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry
from mitra.domain.profile import Profile
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
        if not partners:
            continue
        values = {"substances": joined(names), "window_hours": number_text(window)}
        alerts.append(
            rule.alert(
                values=values,
                entry_ids=entry_ids([new, *partners]),
                at=new.at,
                key=day_key(rule.id, timeline.day()),
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
        reasons = [
            rule.text(enzyme.lower()) for enzyme in rule.match.cyp if enzyme in substance.cyp
        ]
        if substance.substance_class.value in rule.match.classes:
            reasons.append(rule.text("depressant"))
        if not reasons:
            continue
        shown = text if text.lower() == substance.name else f"{text} ({substance.name})"
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
