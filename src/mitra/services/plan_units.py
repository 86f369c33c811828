"""The product a plan's steps are shown in: the one the person actually uses (their usual dose
of the last 14 days, ``services.usual_dose``), measured by its logged estimate.

Read inside the caller's transaction; bounded to the 14-day window.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from mitra.domain.entries import DoseEntry, Kind
from mitra.domain.plan_units import ProductMeasure, in_product, measure_from
from mitra.domain.plans import PlanStep
from mitra.services.context import AppContext
from mitra.services.usual_dose import WINDOW, most_usual
from mitra.storage.journal_store import JournalStore


def measure_in(conn: Connection, now: datetime) -> ProductMeasure | None:
    found = JournalStore(conn).list_entries(since=now - WINDOW, until=now, kinds=[Kind.DOSE])
    chosen = most_usual([e for e in found if isinstance(e, DoseEntry)])
    return None if chosen is None else measure_from(chosen[0])


def product_measure(ctx: AppContext) -> ProductMeasure | None:
    with ctx.database.read() as conn:
        return measure_in(conn, ctx.now())


def step_in_product_view(step: PlanStep, measure: ProductMeasure | None) -> dict[str, Any] | None:
    """The JSON of one step in the person's product (None when no product is known)."""
    if measure is None:
        return None
    shown = in_product(step, measure)
    return {
        "product": shown.product_name,
        "unit": shown.unit,
        "dose_max": shown.dose_amount,
        "daily_max": shown.daily_amount,
        "doses_per_day_max": shown.doses_per_day,
        "text": shown.text(),
    }


def step_in_product_text(step: PlanStep, measure: ProductMeasure | None) -> str | None:
    return None if measure is None else in_product(step, measure).text()
