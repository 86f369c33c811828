"""The safety ruleset: ``data/rules.toml`` loaded into typed records, and clinician settings.

Each rule carries its thresholds as named numbers, and each threshold says which way is
"tighter" (``lower``: a lower value raises the alert sooner, e.g. a dose limit in mg;
``higher``: a higher value does, e.g. a combination window in hours or a minimum interval).
A clinician settings file (a TOML table per rule id, threshold name = number) may change
thresholds through ``apply_settings``; for a rule marked ``hard_limit`` it may only tighten
them. Refusals are returned as messages, never raised, so an interface can show them all.

Invariants checked on load (a broken file raises ``ValueError`` naming the rule):

* rule ids are unique lower-case slugs, and every rule the engine looks up by id exists;
* every rule has a known severity and group, and at least one evidence entry whose source id
  resolves in ``sources.toml`` or ``sources_rules.toml`` (an id must not be in both);
* every threshold has a value, a unit, a direction and a reason, and lies in its own
  ``min``/``max`` range;
* messages use only placeholders the engine fills (``PLACEHOLDERS``).

Pure apart from reading the package's own data files (through ``catalogue_data``).
"""

from __future__ import annotations

import functools
import math
import re
import string
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from importlib import resources
from types import MappingProxyType
from typing import Any, TypeVar

from mitra.domain import catalogue_data
from mitra.domain.alerts import Alert, Evidence, Severity, Support, support_from_table

RULES_FILE = "rules.toml"
SOURCE_FILES = ("sources", "sources_rules")

GROUPS = frozenset(
    {
        "dose",
        "pattern",
        "combination",
        "interaction",
        "profile",
        "red-flag",
        "side-effect",
        "assessment",
        "plan",
        "overdose",
    }
)
STRENGTHS = frozenset(
    {
        "strong",
        "moderate",
        "low",
        "very-low",
        "none",
        "case-report",
        "guideline",
        "regulatory",
        "validated-instrument",
        "source-article",
    }
)
# Rules the engine (or, for plans, the plan service) finds by id; the other groups are applied
# generically from their `match`.
REQUIRED_RULES = frozenset(
    {
        "dose-mitragynine-high",
        "dose-mitragynine-hard-limit",
        "source-article-extract-3g",
        "seven-oh-product",
        "dose-strength-unknown",
        "seven-oh-dose-high",
        "seven-oh-daily-high",
        "daily-mitragynine-high",
        "doses-per-day-high",
        "dose-interval-short",
        "escalation-weekly",
        "interaction-medication",
        "interaction-medication-unknown",
        "pregnancy",
        "pregnancy-opioid",
        "breastfeeding",
        "pregnancy-status-unknown",
        "insomnia-evening-dose",
        "symptom-emergency",
        "plan-ceiling-exceeded",
        "opioid-after-break",
        "naloxone-not-at-hand",
    }
)
# Every {placeholder} a title, message, advice or text may use; the engine fills the ones each
# rule needs.
PLACEHOLDERS = frozenset(
    {
        "product",
        "amount",
        "explanation",
        "mitragynine_low_mg",
        "mitragynine_typical_mg",
        "mitragynine_high_mg",
        "seven_oh_high_mg",
        "threshold_mg",
        "range_note",
        "extract_g",
        "max_extract_g",
        "total_24h_mg",
        "dose_count",
        "dose_number",
        "max_doses",
        "interval_minutes",
        "min_interval_minutes",
        "last_week_mg_per_day",
        "prior_week_mg_per_day",
        "rise_pct",
        "min_rise_pct",
        "substances",
        "window_hours",
        "medication",
        "reasons",
        "symptom",
        "opioid_note",
        "opioids",
        "lookback_hours",
        "dose_times",
        "evening_time",
        "instrument",
        "total",
        "band",
        "rater",
        "min_total",
        "step_number",
        "judged_on",
        "seven_oh_mg",
        "seven_oh_total_24h_mg",
        "pulse_bpm",
        "item_score",
        "naloxone_state",
        "item_label",
        "min_pulse_bpm",
    }
)
T = TypeVar("T")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class Tighter(StrEnum):
    """Which way a threshold moves when it is made stricter."""

    LOWER = "lower"
    HIGHER = "higher"


@dataclass(frozen=True, slots=True)
class Threshold:
    name: str
    value: float
    unit: str
    tighter: Tighter
    why: str
    minimum: float | None = None
    maximum: float | None = None

    def is_at_least_as_tight(self, candidate: float) -> bool:
        """True when ``candidate`` is as strict as the current value or stricter."""
        if self.tighter is Tighter.LOWER:
            return candidate <= self.value
        return candidate >= self.value

    def in_range(self, candidate: float) -> bool:
        return (self.minimum is None or candidate >= self.minimum) and (
            self.maximum is None or candidate <= self.maximum
        )

    def range_text(self) -> str:
        low = "" if self.minimum is None else f"{self.minimum:g}"
        high = "" if self.maximum is None else f"{self.maximum:g}"
        return f"{low}-{high} {self.unit}".strip()


@dataclass(frozen=True, slots=True)
class Match:
    """What a rule applies to, for the rules the engine applies generically."""

    classes: tuple[str, ...] = ()
    substances: tuple[str, ...] = ()
    exclude_substances: tuple[str, ...] = ()
    symptoms: tuple[str, ...] = ()
    red_flag_level: str | None = None
    forms: tuple[str, ...] = ()
    instrument: str | None = None
    cyp: tuple[str, ...] = ()
    item: str | None = None  # one question of the instrument (PHQ-9 item 9), judged alone

    def covers_substance(self, substance_id: str, substance_class: str) -> bool:
        if substance_id in self.exclude_substances:
            return False
        return substance_id in self.substances or substance_class in self.classes


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    group: str
    checks: str
    severity: Severity
    title: str
    message: str
    advice: str
    why: str
    hard_limit: bool
    thresholds: tuple[Threshold, ...]
    evidence: tuple[Evidence, ...]
    match: Match = field(default_factory=Match)
    texts: tuple[tuple[str, str], ...] = ()
    supersedes: tuple[str, ...] = ()

    def threshold(self, name: str) -> Threshold:
        for threshold in self.thresholds:
            if threshold.name == name:
                return threshold
        raise KeyError(f"rule {self.id!r} has no threshold {name!r}")

    def value(self, name: str) -> float:
        return self.threshold(name).value

    def has_threshold(self, name: str) -> bool:
        return any(threshold.name == name for threshold in self.thresholds)

    def text(self, name: str, values: Mapping[str, str] | None = None) -> str:
        for key, text in self.texts:
            if key == name:
                return text.format_map(values or {})
        raise KeyError(f"rule {self.id!r} has no text {name!r}")

    def alert(
        self, *, values: Mapping[str, str], entry_ids: tuple[int, ...], at: datetime, key: str
    ) -> Alert:
        """This rule's alert with its words filled in from ``values``."""
        return Alert(
            rule_id=self.id,
            severity=self.severity,
            title=self.title.format_map(values),
            message=" ".join(self.message.format_map(values).split()),
            advice=self.advice.format_map(values),
            evidence=self.evidence,
            entry_ids=entry_ids,
            at=at,
            key=key,
        )


@dataclass(frozen=True, slots=True)
class Windows:
    rolling_day_hours: float
    week_days: float
    assessment_lookback_hours: float


@dataclass(frozen=True, slots=True)
class Ruleset:
    version: str
    rules: tuple[Rule, ...]
    support: Support
    windows: Windows
    _index: Mapping[str, Rule] = field(init=False, compare=False, repr=False, hash=False)
    # Figures derived from the rules (the windows the engine reads), computed once: a ruleset
    # never changes after it is made (``apply_settings`` makes a new one, with its own).
    _derived: dict[str, Any] = field(init=False, compare=False, repr=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", MappingProxyType({r.id: r for r in self.rules}))
        object.__setattr__(self, "_derived", {})

    def derived(self, name: str, compute: Callable[[Ruleset], T]) -> T:
        """``compute(self)``, worked out on the first call for ``name`` and kept after it."""
        if name not in self._derived:
            self._derived[name] = compute(self)
        found: T = self._derived[name]
        return found

    def rule(self, rule_id: str) -> Rule:
        try:
            return self._index[rule_id]
        except KeyError:
            raise KeyError(f"no rule {rule_id!r} in the ruleset") from None

    def group(self, name: str) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.group == name)


# ---------------------------------------------------------------------------------------------
# Sources: sources.toml plus sources_rules.toml


@functools.cache
def source_table() -> Mapping[str, Mapping[str, str]]:
    """Every citable source, from both source files; an id in both is a ValueError."""
    merged: dict[str, Mapping[str, str]] = {}
    for name in SOURCE_FILES:
        for source_id, row in catalogue_data.load(name)["sources"].items():
            if source_id in merged:
                raise ValueError(f"{name}.toml: source id {source_id!r} is defined twice")
            merged[source_id] = row
    return MappingProxyType(merged)


def citation(source_id: str) -> str:
    """The full citation of a source id from either source file; KeyError when unknown."""
    return source_table()[source_id]["citation"]


# ---------------------------------------------------------------------------------------------
# Loading


def _fail(where: str, message: str) -> ValueError:
    return ValueError(f"{where}: {message}")


def _text(row: Mapping[str, Any], key: str, where: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"{key} must be non-empty text")
    return value


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(where, f"{value!r} is not a finite number")
    return float(value)


def _strings(row: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = row.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(where, f"{key} must be a list of texts")
    return tuple(value)


def _placeholders(text: str, where: str) -> None:
    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None and name not in PLACEHOLDERS:
            raise _fail(where, f"unknown placeholder {{{name}}}")


def _threshold(name: str, row: Any, where: str) -> Threshold:
    if not isinstance(row, dict):
        raise _fail(where, f"threshold {name} must be a table")
    try:
        tighter = Tighter(str(row.get("tighter")))
    except ValueError:
        raise _fail(where, f"threshold {name}: tighter must be 'lower' or 'higher'") from None
    threshold = Threshold(
        name=name,
        value=_number(row.get("value"), f"{where} threshold {name}"),
        unit=_text(row, "unit", f"{where} threshold {name}"),
        tighter=tighter,
        why=_text(row, "why", f"{where} threshold {name}"),
        minimum=None if "min" not in row else _number(row["min"], f"{where} {name}.min"),
        maximum=None if "max" not in row else _number(row["max"], f"{where} {name}.max"),
    )
    if not threshold.in_range(threshold.value):
        raise _fail(where, f"threshold {name} = {threshold.value:g} is outside its own range")
    return threshold


def _evidence(row: Any, where: str) -> Evidence:
    if not isinstance(row, dict):
        raise _fail(where, "evidence must be an array of tables")
    source_id = _text(row, "source", where)
    if source_id not in source_table():
        raise _fail(where, f"source {source_id!r} is not in sources.toml or sources_rules.toml")
    strength = _text(row, "strength", where)
    if strength not in STRENGTHS:
        raise _fail(where, f"strength {strength!r} must be one of {', '.join(sorted(STRENGTHS))}")
    return Evidence(source_id, citation(source_id), strength, _text(row, "claim", where))


def _match(row: Any, where: str) -> Match:
    if not isinstance(row, dict):
        raise _fail(where, "match must be a table")
    level = row.get("red_flag_level")
    instrument = row.get("instrument")
    return Match(
        classes=_strings(row, "classes", where),
        substances=_strings(row, "substances", where),
        exclude_substances=_strings(row, "exclude_substances", where),
        symptoms=_strings(row, "symptoms", where),
        red_flag_level=level if isinstance(level, str) else None,
        forms=_strings(row, "forms", where),
        instrument=instrument if isinstance(instrument, str) else None,
        cyp=_strings(row, "cyp", where),
        item=row["item"] if isinstance(row.get("item"), str) else None,
    )


_RULE_KEYS = {
    "id", "group", "checks", "severity", "hard_limit", "title", "message", "advice", "why",
    "thresholds", "evidence", "match", "texts", "supersedes",
}  # fmt: skip


def _rule(row: Mapping[str, Any], index: int) -> Rule:
    where = f"{RULES_FILE} rule {row.get('id', index)!r}"
    unknown = sorted(set(row) - _RULE_KEYS)
    if unknown:
        raise _fail(where, f"unknown key(s) {', '.join(unknown)}")
    rule_id = _text(row, "id", where)
    if not _SLUG.fullmatch(rule_id):
        raise _fail(where, "id must be a lower-case slug")
    group = _text(row, "group", where)
    if group not in GROUPS:
        raise _fail(where, f"group must be one of {', '.join(sorted(GROUPS))}")
    try:
        severity = Severity(str(row.get("severity")))
    except ValueError:
        raise _fail(where, "severity must be info, caution, warning, urgent or emergency") from None
    hard_limit = row.get("hard_limit", False)
    if not isinstance(hard_limit, bool):
        raise _fail(where, "hard_limit must be true or false")
    evidence = tuple(_evidence(e, where) for e in row.get("evidence", []))
    if not evidence:
        raise _fail(where, "a rule needs at least one evidence entry")
    raw_thresholds = row.get("thresholds", {})
    if not isinstance(raw_thresholds, dict):
        raise _fail(where, "thresholds must be a table")
    thresholds = tuple(_threshold(n, t, where) for n, t in sorted(raw_thresholds.items()))
    texts = row.get("texts", {})
    if not isinstance(texts, dict) or not all(isinstance(v, str) for v in texts.values()):
        raise _fail(where, "texts must be a table of texts")
    rule = Rule(
        id=rule_id,
        group=group,
        checks=_text(row, "checks", where),
        severity=severity,
        title=_text(row, "title", where),
        message=_text(row, "message", where),
        advice=_text(row, "advice", where),
        why=_text(row, "why", where),
        hard_limit=hard_limit,
        thresholds=thresholds,
        evidence=evidence,
        match=_match(row.get("match", {}), where),
        texts=tuple(sorted(texts.items())),
        supersedes=_strings(row, "supersedes", where),
    )
    for text in (rule.title, rule.message, rule.advice, *(t for _, t in rule.texts)):
        _placeholders(text, where)
    missing = [c for c in rule.match.cyp if c.lower() not in dict(rule.texts)]
    if missing:
        raise _fail(where, f"each enzyme in match.cyp needs a text named after it: {missing}")
    return rule


def _windows(table: Any) -> Windows:
    where = f"{RULES_FILE} [windows]"
    if not isinstance(table, dict):
        raise _fail(where, "missing")
    values = {
        key: _number(table.get(key), f"{where} {key}")
        for key in ("rolling_day_hours", "week_days", "assessment_lookback_hours")
    }
    if any(v <= 0 for v in values.values()):
        raise _fail(where, "windows must be positive")
    return Windows(**values)


def ruleset_from_toml(text: str) -> Ruleset:
    """Parse and check a ruleset; every problem is a ValueError naming the rule."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{RULES_FILE}: not valid TOML ({exc})") from exc
    rows = data.get("rules")
    if not isinstance(rows, list) or not rows:
        raise ValueError(f"{RULES_FILE}: no [[rules]]")
    rules = tuple(_rule(row, i) for i, row in enumerate(rows))
    ids = [rule.id for rule in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"{RULES_FILE}: rule ids used twice: {', '.join(duplicates)}")
    missing = sorted(REQUIRED_RULES - set(ids))
    if missing:
        raise ValueError(f"{RULES_FILE}: rules the engine needs are missing: {', '.join(missing)}")
    for rule in rules:
        for other in rule.supersedes:
            if other not in ids:
                raise ValueError(f"{RULES_FILE} rule {rule.id!r}: supersedes unknown {other!r}")
    support = support_from_table(data.get("support", {}))
    for option in support.options:
        for source_id in option.sources:
            if source_id not in source_table():
                raise ValueError(
                    f"{RULES_FILE} [support] {option.name}: unknown source {source_id!r}"
                )
    return Ruleset(
        version=str(data.get("version", "")),
        rules=rules,
        support=support,
        windows=_windows(data.get("windows")),
    )


@functools.cache
def load_ruleset() -> Ruleset:
    """The reviewed ruleset from ``mitra/data/rules.toml`` (read once, then cached)."""
    text = resources.files("mitra.data").joinpath(RULES_FILE).read_text(encoding="utf-8")
    return ruleset_from_toml(text)


# ---------------------------------------------------------------------------------------------
# Clinician settings


def parse_settings(text: str) -> tuple[dict[str, dict[str, object]], list[str]]:
    """Read a settings file's text: ``[rule-id]`` tables of ``threshold = number``.

    Returns the overrides and a list of problems (invalid TOML, a rule that is not a table);
    the values themselves are checked by ``apply_settings``.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return {}, [f"the settings file is not valid TOML: {exc}"]
    overrides: dict[str, dict[str, object]] = {}
    errors: list[str] = []
    for rule_id, table in data.items():
        if isinstance(table, dict):
            overrides[rule_id] = dict(table)
        else:
            errors.append(f"'{rule_id}' must be a table such as [{rule_id}] with threshold = value")
    return overrides, errors


def apply_settings(
    ruleset: Ruleset, overrides: Mapping[str, Mapping[str, object]]
) -> tuple[Ruleset, list[str]]:
    """The ruleset with the accepted overrides applied, and a message for each refused one.

    Accepted: a known threshold of a known rule, set to a finite number inside the threshold's
    own range, that either tightens it or belongs to a rule that is not a hard limit.
    Refused (and left unchanged): unknown rule ids or threshold names, non-numbers, values
    outside the range, and any loosening of a hard-limit rule.
    """
    errors: list[str] = []
    changed: dict[str, Rule] = {}
    for rule_id in sorted(overrides):
        values: object = overrides[rule_id]
        try:
            rule = ruleset.rule(rule_id)
        except KeyError:
            errors.append(f"unknown rule '{rule_id}'; rule ids are listed in rules.toml")
            continue
        if not isinstance(values, Mapping):
            errors.append(f"'{rule_id}' must be a table of threshold = value")
            continue
        thresholds = list(rule.thresholds)
        for name in sorted(values, key=str):
            number = _checked_override(rule, str(name), values[name])
            if isinstance(number, str):
                errors.append(number)
                continue
            thresholds = [replace(t, value=number) if t.name == name else t for t in thresholds]
        if tuple(thresholds) != rule.thresholds:
            changed[rule_id] = replace(rule, thresholds=tuple(thresholds))
    if not changed:
        return ruleset, errors
    rules = tuple(changed.get(rule.id, rule) for rule in ruleset.rules)
    return replace(ruleset, rules=rules), errors


def _checked_override(rule: Rule, name: str, value: object) -> float | str:
    """The accepted number, or the message that refuses it."""
    names = [t.name for t in rule.thresholds]
    if name not in names:
        known = f"its thresholds are: {', '.join(names)}" if names else "it has no thresholds"
        return f"rule '{rule.id}' has no threshold '{name}'; {known}"
    threshold = rule.threshold(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return f"{rule.id}.{name} must be a number in {threshold.unit}; got {value!r}"
    number = float(value)
    if rule.hard_limit and not threshold.is_at_least_as_tight(number):
        direction = "lowered" if threshold.tighter is Tighter.LOWER else "raised"
        return (
            f"refused: '{rule.id}' is a hard limit; {name} may only be {direction} (made "
            f"stricter) from {threshold.value:g} {threshold.unit}, not set to {number:g}"
        )
    if not threshold.in_range(number):
        return (
            f"{rule.id}.{name} = {number:g} is outside the accepted range {threshold.range_text()}"
        )
    return number


def tighten_only(
    ruleset: Ruleset, overrides: Mapping[str, Mapping[str, object]]
) -> tuple[Ruleset, list[str]]:
    """``apply_settings`` for a clinician's limits for one person: every value must be at least
    as strict as the one in force, hard limit or not (a person's limits are only ever made
    stricter there); anything else is refused with its reason and left unchanged. What
    ``apply_settings`` itself refuses (unknown rules and thresholds, non-numbers, values out of
    range) is passed on for it to say."""
    kept: dict[str, Any] = {}
    errors: list[str] = []
    for rule_id, values in overrides.items():
        rule = next((r for r in ruleset.rules if r.id == rule_id), None)
        if rule is None or not isinstance(values, Mapping):
            kept[rule_id] = values  # apply_settings says why
            continue
        for name, value in values.items():
            checked = _checked_override(rule, str(name), value)
            threshold = None if isinstance(checked, str) else rule.threshold(str(name))
            if threshold is not None and not threshold.is_at_least_as_tight(float(checked)):
                direction = "lowered" if threshold.tighter is Tighter.LOWER else "raised"
                errors.append(
                    f"refused: {rule_id}.{name} may only be {direction} (made stricter) from "
                    f"{threshold.value:g} {threshold.unit}, not set to {float(checked):g}"
                )
                continue
            kept.setdefault(rule_id, {})[str(name)] = value
    tightened, more = apply_settings(ruleset, kept)
    return tightened, [*errors, *more]
