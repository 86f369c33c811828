"""Overdose-risk rules for an opioid or a 7-OH product: lost tolerance after a break, and
naloxone not at hand.

* ``opioid-after-break``: an opioid (or a 7-OH product dose) logged when the journal shows no
  opioid or 7-OH use in the rule's lookback (72 hours): tolerance falls within days, and the
  dose that used to be usual can stop breathing. This also covers the end of a taper: once the
  last step is "stop", the next use comes after a break. Raised once per local day. Judged only
  when the journal reaches back over the whole lookback (a journal's first entry is no sign of
  a break).
* ``naloxone-not-at-hand``: the same uses while the profile does not say naloxone is at hand,
  or says it has expired: a reminder once per local day (repeats show as one alert with a
  count). Day keys, as every rule judged with entries: re-judging works on whole local days.

Buprenorphine and loperamide do not count as the new use (a partial agonist with a ceiling on
breathing effects, and an anti-diarrhoea medicine at label doses, which has its own rule);
every opioid and 7-OH use counts as recent use when looking for a break.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from mitra.domain.alerts import Alert, day_key
from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry
from mitra.domain.products import Form
from mitra.domain.profile import Profile
from mitra.domain.ruleset import Rule, Ruleset
from mitra.domain.safety_doses import entry_ids
from mitra.domain.substances import SubstanceClass

if TYPE_CHECKING:
    from mitra.domain.safety import Timeline

AFTER_BREAK = "opioid-after-break"
NALOXONE = "naloxone-not-at-hand"


def overdose_risk_alerts(timeline: Timeline, profile: Profile, ruleset: Ruleset) -> list[Alert]:
    new = timeline.new
    rule = ruleset.rule(AFTER_BREAK)
    if not _counts_as_new_use(new, rule):
        return []
    what = _words(new)
    alerts: list[Alert] = []
    lookback = timedelta(hours=rule.value("lookback_hours"))
    covered = timeline.journal_start is not None and timeline.journal_start <= new.at - lookback
    recent = [e for e in timeline.between(new.at - lookback, new.at) if e is not new]
    if covered and not any(_is_opioid_use(e) for e in recent):
        alerts.append(
            rule.alert(
                values={"substances": what, "lookback_hours": f"{rule.value('lookback_hours'):g}"},
                entry_ids=entry_ids([new]),
                at=new.at,
                key=day_key(rule.id, timeline.day()),
            )
        )
    reminder = ruleset.rule(NALOXONE)
    day = timeline.day()
    if not profile.has_naloxone_on(day):
        if profile.naloxone is True and profile.naloxone_expires is not None:
            state = f"the naloxone in your profile expired on {profile.naloxone_expires:%d %b %Y}"
        else:
            state = "your profile does not say you have naloxone at hand"
        alerts.append(
            reminder.alert(
                values={"substances": what, "naloxone_state": state},
                entry_ids=entry_ids([new]),
                at=new.at,
                key=day_key(reminder.id, day),
            )
        )
    return alerts


def _counts_as_new_use(entry: Entry, rule: Rule) -> bool:
    if isinstance(entry, DoseEntry):
        return entry.form.value in rule.match.forms
    if isinstance(entry, SubstanceEntry):
        return rule.match.covers_substance(entry.substance_id, entry.substance_class.value)
    return False


def _is_opioid_use(entry: Entry) -> bool:
    if isinstance(entry, DoseEntry):
        return entry.form is Form.SEVEN_OH
    return isinstance(entry, SubstanceEntry) and entry.substance_class is SubstanceClass.OPIOID


def _words(entry: Entry) -> str:
    if isinstance(entry, DoseEntry):
        return f"a 7-OH product ({entry.product_name})"
    assert isinstance(entry, SubstanceEntry)
    return entry.name
