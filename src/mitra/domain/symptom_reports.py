"""From a line a person typed to the symptom reports mitra stores, and what it says it understood.

Rules (the safety posture of issue 10):

- Nothing a person types about how they feel is refused: only an empty line is. Words that
  match no symptom become one report with symptom id ``other`` that keeps them.
- Several symptoms in one line become several reports, in the order they were written; a
  clause that matched nothing beside them becomes an extra ``other`` report.
- Severity: the one given; else the one the words imply ("mild", "severe", "really bad"); else
  ``DEFAULT_SEVERITY`` (moderate), and the confirmation says so.
- A warning sign read from free text is judged at least at its red-flag severity, so its
  emergency guidance is raised exactly as for a sign picked from the catalogue.
- ``said`` keeps the person's own words whenever the text was interpreted (anything but a
  catalogue id, name or synonym typed as it is).

Invariants: pure; ``read_reports`` never raises for non-empty text; every report's symptom id
is in the catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mitra.domain import symptoms as symptom_catalogue
from mitra.domain.errors import InputError
from mitra.domain.symptom_matching import OTHER, understand
from mitra.domain.symptom_text import severity_hint
from mitra.domain.symptoms import SEVERITY_LABELS, Symptom

DEFAULT_SEVERITY = 2


@dataclass(frozen=True, slots=True)
class PlannedReport:
    symptom: Symptom
    severity: int
    said: str | None
    words: str | None = None  # for "other": the words it stands for


@dataclass(frozen=True, slots=True)
class ReadReports:
    reports: tuple[PlannedReport, ...]
    severity_note: str | None  # how the severity was chosen when the person gave none

    def understood(self) -> str:
        """ "Understood: sweating, tremor, trouble sleeping", with unrecognised words quoted."""
        parts = []
        for report in self.reports:
            if report.symptom.id == OTHER:
                parts.append(f'your own words "{report.words}"')
            else:
                parts.append(report.symptom.name)
        return "Understood: " + ", ".join(parts)


def read_reports(
    text: str, severity: float | None = None, chosen: Sequence[str] = ()
) -> ReadReports:
    """The reports to store for ``text`` and the ``chosen`` catalogue ids (tapped chips).

    Refused only when both are empty, a chosen id is not in the catalogue, or the severity is
    not 0-3.
    """
    said = " ".join(text.split())
    picked = _chosen(chosen)
    if not said and not picked:
        raise InputError(
            "say how you feel: tap a symptom, or write anything in your own words", field="name"
        )
    given = None if severity is None else symptom_catalogue.check_severity(severity)
    level = DEFAULT_SEVERITY if given is None else given
    if not said:
        chosen_note = None if given is not None else _default_note(level)
        return ReadReports(tuple(PlannedReport(s, level, None) for s in picked), chosen_note)
    from_text = _read_text(said, given)
    seen = {s.id for s in picked}
    reports = [PlannedReport(s, level, None) for s in picked]
    reports += [r for r in from_text.reports if r.symptom.id not in seen]
    return ReadReports(tuple(reports), from_text.severity_note)


def _chosen(ids: Sequence[str]) -> list[Symptom]:
    by_id = {s.id: s for s in symptom_catalogue.catalogue()}
    picked: list[Symptom] = []
    for symptom_id in ids:
        if symptom_id not in by_id:
            raise InputError(f"'{symptom_id}' is not a symptom mitra lists", field="chips")
        if by_id[symptom_id] not in picked:
            picked.append(by_id[symptom_id])
    return picked


def _read_text(said: str, given: int | None) -> ReadReports:
    catalogued = _catalogue_word(said)
    if catalogued is not None:
        level = DEFAULT_SEVERITY if given is None else given
        chosen_note = None if given is not None else _default_note(level)
        return ReadReports((PlannedReport(catalogued, level, None),), chosen_note)

    hint = severity_hint(said)
    level = given if given is not None else (hint if hint is not None else DEFAULT_SEVERITY)
    understanding = understand(said)
    by_id = {s.id: s for s in symptom_catalogue.catalogue()}
    reports: list[PlannedReport] = []
    raised = False
    for match in understanding.matches:
        symptom = by_id[match.symptom_id]
        judged = level
        if symptom.kind == "red-flag" and symptom.red_flag_at is not None:
            judged = max(level, symptom.red_flag_at)
            raised = raised or judged != level
        reports.append(PlannedReport(symptom, judged, said))
    if not reports or understanding.leftover:
        words = "; ".join(understanding.leftover) if reports else said
        reports.append(PlannedReport(by_id[OTHER], level, said, words=words))
    note: str | None = None
    if given is None:
        if hint is not None:
            note = f"severity {hint} ({SEVERITY_LABELS[hint]}), from your words"
        else:
            note = _default_note(level)
    if raised:
        extra = "a warning sign is always treated as at least its red-flag level"
        note = f"{note}; {extra}" if note else extra
    return ReadReports(tuple(reports), note)


def _default_note(level: int) -> str:
    return f"no severity given: recorded as {level} ({SEVERITY_LABELS[level]}); change it if not"


def _catalogue_word(text: str) -> Symptom | None:
    """The symptom when the text is exactly a catalogue id, name or synonym."""
    try:
        symptom = symptom_catalogue.resolve(text)
    except InputError:
        return None
    return None if symptom.id == OTHER else symptom
