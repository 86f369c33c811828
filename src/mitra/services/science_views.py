"""Plain-data views of the exposure band and the withdrawal timeline (CLI ``--json``, web API).

Names say what the numbers are: ``accumulation`` with ``low``, ``typical`` and ``high``; the
band's ``low``/``typical``/``high`` series and the ``basis`` that says how each side is made;
the timeline's ``phase``, each window in hours with its ``certainty``. The model's text, limits
and sources travel with the exposure; the alternatives and support with both.
"""

from __future__ import annotations

from typing import Any

from mitra.domain import timeline as tl
from mitra.domain.alerts import Support
from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry
from mitra.domain.exposure import Estimate
from mitra.services.alert_views import support_view
from mitra.services.exposure import LOOKBACK_DAYS, ExposureReport
from mitra.services.plan_views import alternatives_view
from mitra.services.timeline import LastUse, TimelineReport
from mitra.services.views import amount_text, iso

UNIT = "mg mitragynine as if all of it were absorbed: a relative body load, not a blood level"


def estimate_view(value: Estimate, digits: int = 2) -> dict[str, float]:
    return {
        "low": round(value.low, digits),
        "typical": round(value.typical, digits),
        "high": round(value.high, digits),
    }


def exposure_view(report: ExposureReport, support: Support) -> dict[str, Any]:
    accumulation = report.accumulation
    times = report.times_one_dose
    settle = report.settle_hours
    return {
        "at": iso(report.at, report.zone),
        "doses_counted": report.doses,
        "lookback_days": LOOKBACK_DAYS,
        "unit": UNIT,
        "now": estimate_view(report.now, 1),
        "usual_dose_mg": None if report.usual_dose_mg is None else round(report.usual_dose_mg, 1),
        "times_one_dose": None if times is None else estimate_view(times, 1),
        "accumulation": None
        if accumulation is None
        else {
            **estimate_view(accumulation.factor),
            "interval_h": round(accumulation.interval_h, 2),
            "occasions": accumulation.occasions,
            "window_days": accumulation.window_days,
            "note": accumulation.note,
        },
        "settle": {
            "low_days": round(settle.low / 24, 1),
            "typical_days": round(settle.typical / 24, 1),
            "high_days": round(settle.high / 24, 1),
            "plan_step_days": report.settle_days,
        },
        "band": {
            "basis": report.basis,
            "hours": report.hours,
            "low": [round(v, 2) for v in report.low],
            "typical": [round(v, 2) for v in report.typical],
            "high": [round(v, 2) for v in report.high],
        },
        "model": report.model,
        "limits": list(report.limits),
        "sources": list(report.sources),
        "support": support_view(support),
    }


def describe_use(entry: Entry) -> str:
    if isinstance(entry, SubstanceEntry):
        return f"{entry.name} {amount_text(entry.amount, entry.unit)}"
    if isinstance(entry, DoseEntry):
        return f"kratom: {amount_text(entry.amount, entry.unit)} {entry.product_name}"
    return entry.kind.value


def window_view(window: tl.Window, certainty: str) -> dict[str, Any]:
    return {
        "name": window.name,
        "low_h": window.low_h,
        "high_h": window.high_h,
        "published": window.published,
        "other_low_h": window.other_low_h,
        "other_high_h": window.other_high_h,
        "other_published": window.other_published,
        "certainty": certainty,
    }


def last_use_view(use: LastUse, report: TimelineReport) -> dict[str, Any]:
    timeline = use.timeline
    return {
        "phase": timeline.phase,
        "opioid_type": timeline.opioid_type,
        "label": timeline.label,
        "certainty": timeline.certainty,
        "last_use": {
            "entry_id": use.entry.id,
            "at": iso(use.entry.at, report.zone),
            "what": describe_use(use.entry),
        },
        "hours_since_last_use": round(timeline.hours_since_last_use, 1),
        "windows": [window_view(w, timeline.certainty) for w in timeline.windows],
        "note": timeline.note,
        "buprenorphine_start": timeline.buprenorphine_start or None,
        "sources": [{"id": s, "citation": tl.citation(s)} for s in timeline.sources],
    }


def timeline_view(report: TimelineReport, support: Support) -> dict[str, Any]:
    primary = last_use_view(report.primary, report) if report.primary else None
    return {
        "now": iso(report.now, report.zone),
        "tapering": report.tapering,
        "phase": primary["phase"] if primary else None,
        "timeline": primary,
        "also": [last_use_view(u, report) for u in report.others],
        "scores": [
            {
                "instrument": p.assessment.instrument_id,
                "total": p.assessment.total,
                "band": p.assessment.band,
                "rater": p.assessment.rater,
                "at": iso(p.assessment.at, report.zone),
                "hours_since_last_use": round(p.hours_since_last_use, 1),
                "phase": p.phase,
            }
            for p in report.scores
        ],
        "message": report.message,
        "alternatives": alternatives_view(),
        "support": support_view(support),
    }
