"""Plain-data views of records for JSON output (CLI ``--json``, later the web API).

Times are shown in the person's zone as ISO 8601 with the offset. Numbers are rounded only
for display; stored values keep full precision.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from mitra.domain import symptoms as symptom_domain
from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry
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
