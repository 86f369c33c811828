"""Plain-data views of records for JSON output (CLI ``--json``, later the web API).

Times are shown in the person's zone as ISO 8601 with the offset. Numbers are rounded only
for display; stored values keep full precision.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from mitra.domain import symptoms as symptom_domain
from mitra.domain.checkins import ScoreRow
from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry
from mitra.domain.instruments import Assessment, Instrument, Item, get_instrument
from mitra.domain.products import BASIS_LABEL, Product, Range
from mitra.domain.quantities import Amount


def iso(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds")


def _r(value: float, digits: int = 2) -> float:
    return round(value, digits)


def range_view(value: Range, digits: int = 2) -> dict[str, Any]:
    return {
        "typical": _r(value.typical, digits),
        "range": [_r(value.low, digits), _r(value.high, digits)],
    }


def amount_text(value: float, unit: str) -> str:
    return Amount(value, unit).display()


def entry_view(entry: Entry, zone: ZoneInfo, *, deleted: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": entry.id,
        "kind": entry.kind.value,
        "at": iso(entry.at, zone),
        "note": entry.note,
    }
    if entry.recorded_at is not None:
        view["recorded_at"] = iso(entry.recorded_at, zone)
    if entry.uuid is not None:
        view["uuid"] = entry.uuid  # the entry's stable id (the same in every copy)
    if deleted:
        view["deleted"] = True
    if isinstance(entry, DoseEntry):
        est = entry.estimate
        view.update(
            {
                "product": entry.product_name,
                "form": entry.form.value,
                "amount": entry.amount,
                "unit": entry.unit,
                "amount_text": amount_text(entry.amount, entry.unit),
                "mitragynine_mg": _r(est.mitragynine_mg.typical),
                "mitragynine_mg_range": [_r(est.mitragynine_mg.low), _r(est.mitragynine_mg.high)],
                "seven_oh_mg": _r(est.seven_oh_mg.typical, 3),
                "seven_oh_mg_range": [_r(est.seven_oh_mg.low, 3), _r(est.seven_oh_mg.high, 3)],
                "estimate_basis": est.explanation,
            }
        )
    elif isinstance(entry, SubstanceEntry):
        view.update(
            {
                "substance": entry.substance_id,
                "name": entry.name,
                "class": entry.substance_class.value,
                "amount": entry.amount,
                "unit": entry.unit,
                "amount_text": amount_text(entry.amount, entry.unit),
                "route": entry.route.value if entry.route else None,
                "mme": None if entry.mme is None else _r(entry.mme),
            }
        )
    else:
        symptom = symptom_domain.resolve(entry.symptom_id)
        view.update(
            {
                "symptom": symptom.id,
                "name": symptom.name,
                "severity": entry.severity,
                "severity_label": symptom_domain.SEVERITY_LABELS[entry.severity],
                "red_flag": symptom_domain.is_red_flag(symptom, entry.severity),
                "said": entry.said,
            }
        )
    return view


def product_view(product: Product) -> dict[str, Any]:
    p = product.potency
    return {
        "id": product.id,
        "name": product.name,
        "form": product.form.value,
        "builtin": product.builtin,
        "basis": p.basis.value,
        "unit": BASIS_LABEL[p.basis],
        "mitragynine": range_view(p.mitragynine, 3),
        "seven_oh": range_view(p.seven_oh, 3),
        "potency_source": p.source.value,
        "why": p.why,
        "sources": list(p.sources),
        "unit_mass_g": product.unit_mass_g,
        "scoop_g": product.scoop_g,
    }


def _anchor(item: Item, value: int) -> str | None:
    # A continuous scale (the craving VAS) anchors only its ends; points between have no words.
    return next((a.anchor for a in item.answers if a.score == value), None)


def assessment_view(
    assessment: Assessment,
    zone: ZoneInfo,
    *,
    record_id: int | None = None,
    note: str | None = None,
    pulse_bpm: float | None = None,
) -> dict[str, Any]:
    """A scored check-in with every item answer, its reading and its source."""
    instrument = get_instrument(assessment.instrument_id)
    items = []
    for item_id, value in assessment.items:
        item = instrument.item(item_id)
        shown: dict[str, Any] = {
            "id": item_id,
            "number": item.number,
            "label": item.name,
            "score": value,
            "anchor": _anchor(item, value),
        }
        if item.bpm_ranges and pulse_bpm is not None:
            shown["bpm"] = pulse_bpm
        items.append(shown)
    return {
        "id": record_id,
        "instrument": instrument.id,
        "instrument_name": instrument.name,
        "short_name": instrument.short_name,
        "instrument_version": assessment.instrument_version,
        "total": assessment.total,
        "min_total": instrument.min_total,
        "max_total": instrument.max_total,
        "band": assessment.band,
        "band_meaning": assessment.band_meaning,
        "positive_screen": assessment.positive_screen,
        "items": items,
        "at": iso(assessment.at, zone),
        "rater": assessment.rater,
        "rater_note": instrument.rater_note if instrument.rater != assessment.rater else None,
        "interpretation": assessment.interpretation,
        "source": assessment.source,
        "note": note,
    }


def change_view(row: ScoreRow) -> dict[str, Any]:
    """How a score moved: from the previous score of its instrument and from the first."""
    instrument = get_instrument(row.assessment.instrument_id)
    return {
        "baseline": row.is_baseline,
        "change_from_previous": row.change_from_previous,
        "change_from_baseline": row.change_from_baseline,
        "meaningful": row.meaningful,
        "meaningful_from_baseline": row.meaningful_from_baseline,
        "meaningful_change": row.threshold,
        "meaningful_change_basis": row.threshold_basis,
        "meaningful_change_source": instrument.meaningful_change_source,
    }


def score_row_view(row: ScoreRow, zone: ZoneInfo) -> dict[str, Any]:
    view = assessment_view(row.assessment, zone, record_id=row.record.id, note=row.record.note)
    view.update(change_view(row))
    return view


def instrument_view(instrument: Instrument) -> dict[str, Any]:
    return {
        "id": instrument.id,
        "name": instrument.name,
        "short_name": instrument.short_name,
        "items": len(instrument.items),
        "rater": instrument.rater,
        "rater_note": instrument.rater_note,
        "offer_every": instrument.offer_every,
        "recall": instrument.recall,
        "min_total": instrument.min_total,
        "max_total": instrument.max_total,
        "bands": [
            {"min": b.min, "max": b.max, "label": b.label, "meaning": b.meaning}
            for b in instrument.bands
        ],
        "positive_at": instrument.positive_at,
        "meaningful_change": instrument.meaningful_change,
        "meaningful_change_basis": instrument.meaningful_change_basis,
        "meaningful_change_source": instrument.meaningful_change_source,
        "meaningful_change_note": instrument.meaningful_change_note,
        "loinc": instrument.loinc,
        "citation": instrument.citation,
        "licence_note": instrument.licence_note,
    }
