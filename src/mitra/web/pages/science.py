"""Exposure and withdrawal timeline: ``/exposure`` (the body-load band with its model, limits
and sources) and ``/timeline`` (the phase since the last use, the typical windows with their
certainty, and the person's own scores on it). The today page shows a short form of each
(``band_figure``, ``timeline_brief``) and links here for the full explanation.

Invariants: the exposure is always drawn as a band (low to high, typical inside), and every
figure of it is said to be relative, not a blood level; timeline windows keep their
certainty (lay-source timelines, kratom's, are marked low); both pages end with the
evidence-based options (buprenorphine or methadone with the ASAM timing) and the help lines.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mitra import charts
from mitra.domain.human_time import ago_words, when_words
from mitra.services.alert_views import support_view
from mitra.services.plan_views import alternatives_view
from mitra.services.science_views import describe_use
from mitra.web.pages.common import Context
from mitra.web.render import renderer
from mitra.web.words import plain

router = APIRouter()

CERTAINTY_WORDS = {
    "moderate": "moderate (clinical overviews)",
    "low": "low (lay sources or one small study)",
}


def _midnight_ticks(at: datetime, zone: Any, hours: list[float]) -> list[tuple[float, str]]:
    """Local midnights inside the chart, as (hours before ``at``, "3 Mar")."""
    local = at.astimezone(zone)
    ticks = []
    day = local.date()
    for _ in range(9):
        midnight = datetime.combine(day, time(0), tzinfo=zone)
        offset = (midnight - at).total_seconds() / 3600
        if hours[0] <= offset <= hours[-1]:
            ticks.append((offset, f"{day.day} {day:%b}"))
        day -= timedelta(days=1)
    return ticks[::-1]


def band_figure(report: Any) -> dict[str, Any]:
    """The exposure band drawn wide and narrow (CSS shows one), with the figures a page says
    beside it; ``report`` is an ``ExposureReport``."""
    ticks = _midnight_ticks(report.at, report.zone, report.hours)
    narrow_ticks = ticks[::2] if len(ticks) > 4 else ticks
    drawn = {
        name: charts.exposure_band_svg(
            report.hours,
            report.low,
            report.typical,
            report.high,
            ticks=chosen,
            theme=charts.PAGE,
            size=size,
        )
        for name, size, chosen in (
            ("wide", charts.BAND_WIDE, ticks),
            ("narrow", charts.BAND_NARROW, narrow_ticks),
        )
    }
    return {"report": report, "wide": drawn["wide"], "narrow": drawn["narrow"]}


def timeline_brief(report: Any) -> dict[str, Any] | None:
    """The phase in one line for the today page, or None with no opioid use logged."""
    primary = report.primary
    if primary is None:
        return None
    return {
        "phase": primary.timeline.phase,
        "label": primary.timeline.label,
        "hours": primary.timeline.hours_since_last_use,
        "certainty": primary.timeline.certainty,
        "text": report.message,
    }


def exposure_report(ctx: Any) -> Any:
    # numpy comes in with the exposure model; imported on first use, as the CLI does.
    from mitra.services.exposure import ExposureService  # noqa: PLC0415

    return ExposureService(ctx).exposure()


def timeline_report(ctx: Any) -> Any:
    from mitra.services.timeline import TimelineService  # noqa: PLC0415

    return TimelineService(ctx).timeline()


@router.get("/exposure", response_class=HTMLResponse)
def exposure(request: Request, ctx: Context) -> HTMLResponse:
    report = exposure_report(ctx)
    return renderer(request).page(
        request,
        "exposure.html",
        {
            "band": band_figure(report),
            "alternatives": alternatives_view(),
            "support": support_view(ctx.rules().ruleset.support),
        },
    )


@router.get("/timeline", response_class=HTMLResponse)
def timeline(request: Request, ctx: Context) -> HTMLResponse:
    report = timeline_report(ctx)
    zone = report.zone
    uses = [report.primary, *report.others] if report.primary else []
    return renderer(request).page(
        request,
        "timeline.html",
        {
            "report": report,
            "message": plain(report.message),
            "uses": [
                {
                    "timeline": use.timeline,
                    "what": describe_use(use.entry),
                    "when": when_words(use.entry.at, ctx.now(), zone),
                    "ago": ago_words(use.entry.at, ctx.now()),
                }
                for use in uses
            ],
            "scores": [
                {
                    "instrument": p.assessment.instrument_id,
                    "total": p.assessment.total,
                    "band": p.assessment.band,
                    "rater": p.assessment.rater,
                    "when": when_words(p.assessment.at, ctx.now(), zone),
                    "hours": p.hours_since_last_use,
                    "phase": p.phase,
                }
                for p in report.scores
            ],
            "certainty_words": CERTAINTY_WORDS,
            "alternatives": alternatives_view(),
            "support": support_view(ctx.rules().ruleset.support),
        },
    )
