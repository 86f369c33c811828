"""Safety alerts: their severity, the evidence behind them, and the support shown with each.

An ``Alert`` is what the safety engine (``mitra.domain.safety``) returns: one finding about a
person's record, in calm plain words, with the rule that raised it, the evidence for that rule
(at least one source, with an honest strength), the ids of the entries that triggered it, and
a deduplication ``key``. Every alert is shown together with ``support_text()``: the
evidence-based options (buprenorphine, methadone, naltrexone, lofexidine, naloxone) and the
crisis lines, from the ``[support]`` table of ``data/rules.toml``.

Deduplication keys. The engine judges every entry against the record around it (and
``mitra.domain.safety_journal`` judges every entry of a journal), so the same pattern (four
doses today, kratom with alprazolam tonight) is found again with each entry that touches it.
The ``key`` names the finding, not the evaluation, so a store that keeps one alert per key
shows the pattern once, not twenty times:

* ``<rule-id>/day:<YYYY-MM-DD>``: the default. One alert of a rule per local calendar day of
  the triggering entry (in the person's time zone). Dose, pattern, combination and urgent
  symptom rules, and check-in rules (the day of the check-in), use it.
* ``<rule-id>/<subject>/day:<YYYY-MM-DD>``: a rule that can fire for several things on the
  same day, once per thing and day (``interaction-medication/quetiapine/day:...``).
* ``<rule-id>/week:<YYYY-Www>``: one per ISO week, for a pattern that may recur daily but
  needs only a weekly reminder (insomnia on days with evening doses).
* ``<rule-id>/<subject>/at:<UTC ISO time>``: one per event, never merged. Emergencies
  (a seizure, thoughts of suicide) and doses past the per-dose hard limit use it: each must
  surface on its own.
* ``<rule-id>/<subject>``: once ever (information such as "mitra cannot check this
  medication", or "pregnancy status unknown").

Patterns. A key without its time bucket (``/day:``, ``/week:``) is its ``pattern``: the same
finding on another day is a repeat of the same pattern, shown as ONE alert with a count and
the latest occurrence (``mitra.services.safety``). Event keys are their own pattern: every
dose past the hard limit and every emergency stays individually visible.

Invariants: every alert has at least one ``Evidence``; ``at`` is timezone-aware; severities
order info < caution < warning < urgent < emergency (not alphabetically).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from mitra.domain import catalogue_data


class Severity(StrEnum):
    """How serious an alert is; members are declared from least to most serious."""

    INFO = "info"
    CAUTION = "caution"
    WARNING = "warning"
    URGENT = "urgent"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        """0 for info up to 4 for emergency."""
        return _RANK[self.value]

    # A StrEnum would otherwise compare alphabetically ("caution" < "emergency" < "info").
    # A string naming a severity compares by rank too; any other string is a TypeError.
    def __lt__(self, other: str) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank < rank

    def __le__(self, other: str) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank <= rank

    def __gt__(self, other: str) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank > rank

    def __ge__(self, other: str) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank >= rank


_RANK = {member.value: rank for rank, member in enumerate(Severity)}


def _rank_of(other: object) -> int | None:
    """The rank of a severity or its name; None (not comparable) for anything else."""
    if not isinstance(other, str):
        return None
    if other not in _RANK:
        raise TypeError(f"{other!r} is not a severity; severities: {', '.join(_RANK)}")
    return _RANK[other]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One source behind a rule: its id, full citation, how strong it is, and what it shows."""

    source_id: str
    citation: str
    strength: str
    claim: str


@dataclass(frozen=True, slots=True)
class Alert:
    rule_id: str
    severity: Severity
    title: str
    message: str
    advice: str
    evidence: tuple[Evidence, ...]
    entry_ids: tuple[int, ...]
    at: datetime
    key: str

    def __post_init__(self) -> None:
        if not self.evidence:
            raise ValueError(f"alert {self.rule_id!r} has no evidence; every alert must cite one")
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError(f"alert {self.rule_id!r} has a time without a time zone")

    def text(self, *, with_support: bool = True, support: Support | None = None) -> str:
        """The alert as plain text: title, message, advice, sources and (by default) the
        support options and crisis lines (``support``, default: the reviewed table)."""
        lines = [f"[{self.severity.value}] {self.title}", self.message, self.advice, "Evidence:"]
        lines += [f"- {e.claim} ({e.strength}) {e.citation}" for e in self.evidence]
        if with_support:
            lines += ["", support_text(support)]
        return "\n".join(lines)


def number_text(value: float) -> str:
    """A figure as alerts show it: whole numbers from 10 up, one decimal below, no trailing 0."""
    if abs(value) >= 10:
        return f"{value:.0f}"
    return f"{value:.1f}".removesuffix(".0")


# ---------------------------------------------------------------------------------------------
# Keys


def day_key(rule_id: str, day: date, subject: str | None = None) -> str:
    """One alert of this rule (and subject) per local calendar day."""
    middle = f"/{subject}" if subject else ""
    return f"{rule_id}{middle}/day:{day.isoformat()}"


def week_key(rule_id: str, day: date) -> str:
    """One alert of this rule per ISO week: for patterns worth one reminder a week, not daily."""
    year, week, _ = day.isocalendar()
    return f"{rule_id}/week:{year}-W{week:02d}"


def event_key(rule_id: str, at: datetime, subject: str | None = None) -> str:
    """One alert per event: the UTC time of the triggering entry makes it unique."""
    middle = f"/{subject}" if subject else ""
    moment = at.astimezone(UTC).isoformat(timespec="seconds")
    return f"{rule_id}{middle}/at:{moment}"


def once_key(rule_id: str, subject: str) -> str:
    """One alert of this rule and subject, ever."""
    return f"{rule_id}/{subject}"


class Scope(StrEnum):
    """How long one key lasts: a local day, an ISO week, one event, or ever."""

    DAY = "day"
    WEEK = "week"
    EVENT = "at"
    ONCE = "once"


@dataclass(frozen=True, slots=True)
class KeyParts:
    """A deduplication key taken apart: its pattern (key without a day or week bucket), its
    scope and bucket text (``2026-11-20``, ``2026-W47``, a UTC time, or '' for once keys)."""

    pattern: str
    scope: Scope
    bucket: str


def key_parts(key: str) -> KeyParts:
    """Parse a key made by ``day_key``, ``week_key``, ``event_key`` or ``once_key``."""
    head, _, last = key.rpartition("/")
    kind, sep, bucket = last.partition(":")
    if head and sep:
        if kind == Scope.DAY.value:
            return KeyParts(head, Scope.DAY, bucket)
        if kind == Scope.WEEK.value:
            return KeyParts(head, Scope.WEEK, bucket)
        if kind == Scope.EVENT.value:
            return KeyParts(key, Scope.EVENT, bucket)
    return KeyParts(key, Scope.ONCE, "")


def sorted_alerts(alerts: Iterable[Alert]) -> list[Alert]:
    """Most serious first; then by rule id and key, so the order never depends on input order."""
    return sorted(alerts, key=lambda a: (-a.severity.rank, a.rule_id, a.key, a.at))


# ---------------------------------------------------------------------------------------------
# Support: the options and crisis lines shown with every alert


@dataclass(frozen=True, slots=True)
class SupportOption:
    name: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CrisisLine:
    id: str  # what pages and commands name it by: "emergency", "lifeline", "helpline"
    name: str
    contact: str  # as said in a sentence: "call or text 988"
    text: str
    number: str  # as shown: "1-800-662-4357"
    tel: str  # the digits of its tel: link
    short: str  # the few words beside it on every page
    sources: tuple[str, ...]  # what says the line is there for this (never empty)


@dataclass(frozen=True, slots=True)
class Support:
    intro: str
    options: tuple[SupportOption, ...]
    crisis: tuple[CrisisLine, ...]

    def crisis_brief(self) -> str:
        """The crisis lines in one line: "Emergency, 911; 988 Suicide & Crisis Lifeline, call
        or text 988; ..." (under a command's output, in a calendar reminder)."""
        return "; ".join(f"{line.name}, {line.contact}" for line in self.crisis)

    def line(self, line_id: str) -> CrisisLine:
        """The crisis line named ``line_id``; a KeyError names what the table holds."""
        for line in self.crisis:
            if line.id == line_id:
                return line
        ids = [line.id for line in self.crisis]
        raise KeyError(f"no crisis line {line_id!r} (the table has {ids})")


def support_from_table(table: Mapping[str, Any]) -> Support:
    """The ``[support]`` table of rules.toml as a record; a broken table is a ValueError."""

    def rows(key: str) -> Sequence[Mapping[str, Any]]:
        value = table.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(r, dict) for r in value):
            raise ValueError(f"rules.toml [support]: {key} must be a non-empty array of tables")
        return value

    def text(row: Mapping[str, Any], key: str) -> str:
        value = row.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"rules.toml [support]: {key} must be non-empty text")
        return value

    options = tuple(
        SupportOption(text(r, "name"), text(r, "text"), tuple(r.get("sources", ())))
        for r in rows("options")
    )
    crisis = tuple(
        CrisisLine(
            id=text(r, "id"),
            name=text(r, "name"),
            contact=text(r, "contact"),
            text=text(r, "text"),
            number=text(r, "number"),
            tel=text(r, "tel"),
            short=text(r, "short"),
            sources=tuple(r.get("sources", ())),
        )
        for r in rows("crisis")
    )
    if len({line.id for line in crisis}) != len(crisis):
        raise ValueError("rules.toml [support]: each crisis line needs an id of its own")
    for line in crisis:
        if not line.tel.isdigit():
            raise ValueError(f"rules.toml [support]: tel {line.tel!r} must be digits only")
        if not line.sources:
            raise ValueError(f"rules.toml [support]: {line.name!r} needs its sources")
    return Support(intro=text(table, "intro"), options=options, crisis=crisis)


@functools.cache
def default_support() -> Support:
    """The reviewed support table from ``data/rules.toml``."""
    return support_from_table(catalogue_data.load("rules")["support"])


def support_text(support: Support | None = None) -> str:
    """The options and crisis lines, as plain text to show under every alert."""
    chosen = support if support is not None else default_support()
    lines = [chosen.intro]
    lines += [f"- {option.name}: {option.text}" for option in chosen.options]
    lines.append("Crisis lines:")
    lines += [f"- {line.name} ({line.contact}): {line.text}" for line in chosen.crisis]
    return "\n".join(lines)
