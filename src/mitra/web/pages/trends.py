"""Trends: doses per day, estimated mitragynine per day, and check-in scores per instrument
over the last 1 to 52 weeks.

Charts come from ``mitra.charts`` (pygal, SVG inline, colours from the page's scheme),
each drawn wide for desktops and narrow for phones (CSS shows one), with the same figures in
a table for screen readers and anyone who prefers numbers. Each instrument with scores in the
period has its own chart over its full range, with its own bands or screening cut-off drawn;
scores of different instruments are never put on one axis.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mitra import charts
from mitra.domain.errors import InputError
from mitra.domain.patterns import day_totals
from mitra.services.checkins import CheckinService
from mitra.services.journal import JournalService
from mitra.web import checkin_views
from mitra.web.daily import local_midnight
from mitra.web.pages.common import Context
from mitra.web.render import renderer
from mitra.web.words import ESTIMATE_CAVEAT

router = APIRouter()

PERIODS = {7: "7 days", 30: "30 days", 90: "90 days", 365: "a year"}


@router.get("/trends", response_class=HTMLResponse)
def trends(request: Request, ctx: Context, days: int = 30) -> HTMLResponse:
    if days not in PERIODS:
        choices = ", ".join(map(str, PERIODS))
        raise InputError(f"trends cover {choices} days; {days} is not one of them", field="days")
    journal = JournalService(ctx)
    zone = journal.profile().zone()
    last = ctx.now().astimezone(zone).date()
    first = last - timedelta(days=days - 1)
    start = local_midnight(first, zone)
    # Bounded on both ends: the period's days and nothing after its last (cost follows the
    # period, not the years of history).
    end = local_midnight(last + timedelta(days=1), zone) - timedelta(microseconds=1)
    entries, _, _ = journal.history(since=start.isoformat(), until=end.isoformat())
    totals = day_totals(entries, zone, first, last)
    dates = [t.day for t in totals]
    counts = [t.doses for t in totals]
    typical = [t.mitragynine_mg.typical for t in totals]
    low = [t.mitragynine_mg.low for t in totals]
    high = [t.mitragynine_mg.high for t in totals]
    drawn = {
        size_name: {
            "doses": charts.doses_per_day_svg(dates, counts, theme=charts.PAGE, size=size),
            "mitragynine": charts.mitragynine_per_day_svg(
                dates, typical, low, high, theme=charts.PAGE, size=size
            ),
        }
        for size_name, size in (("wide", charts.WIDE), ("narrow", charts.NARROW))
    }
    checkins = CheckinService(ctx)
    score_charts = checkin_views.score_charts(
        checkins.instruments(),
        checkins.scores(since=start.isoformat(), until=end),
        zone,
        start=start,
        end=ctx.now(),
    )
    dosing_days = [t for t in totals if t.doses]
    return renderer(request).page(
        request,
        "trends.html",
        {
            "days": days,
            "periods": PERIODS,
            "charts": drawn,
            "totals": list(reversed(totals)),
            "dose_count": sum(counts),
            "dosing_days": len(dosing_days),
            "mean_doses": sum(counts) / len(totals),
            "mean_mitragynine": (
                sum(t.mitragynine_mg.typical for t in dosing_days) / len(dosing_days)
                if dosing_days
                else 0
            ),
            "caveat": ESTIMATE_CAVEAT,
            "score_charts": score_charts,
            "zone": zone,
        },
    )
