"""The exposure use case: the relative body load of mitragynine from the logged doses.

Builds the dose arrays the pure model (``domain.exposure``) needs from the journal and returns
plain numbers (lists, not arrays), so interfaces never import numpy.

Invariants:

* always a band, never one line: the HIGH side uses the high end of each dose's estimate at the
  half-life that gives the most (the longest), the typical line uses the typical estimate at
  the typical half-life, and the LOW side the typical estimate at the half-life that gives the
  least (the shortest). The low side is not stretched further down with the low ends of the
  estimates: nothing is judged on it, and a lower floor would only make the picture look
  smaller than it may be;
* doses of the 30 days before the moment count: after 30 days even the longest half-life
  leaves 2^-10.6, under 0.1% of a dose;
* the model, its sources and its limits travel with every result;
* numpy (through the model) is imported by this module, which interfaces import only inside
  the command that needs it, so the CLI start-up stays light.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from mitra.domain import catalogue_data
from mitra.domain.exposure import (
    Estimate,
    PatternAccumulation,
    accumulation_for_pattern,
    default_params,
    describe_model,
    exposure_band,
    model_sources,
    settle_band,
    settle_days,
    single_dose_peak,
)
from mitra.domain.when import parse_when
from mitra.services.context import AppContext
from mitra.storage.journal_store import JournalStore

LOOKBACK_DAYS = 30
CHART_DAYS = 7
BASIS = (
    "A band, not a precise line: the high side uses the high end of each dose's estimate and "
    "the longest published half-life; the typical line the typical estimate and half-life; the "
    "low side the typical estimate and the shortest half-life. Units: mg of mitragynine as if "
    "all of it were absorbed, a RELATIVE body load, not a blood level."
)


@dataclass(frozen=True)
class ExposureReport:
    at: datetime
    zone: ZoneInfo
    hours: list[float]  # the grid, hours relative to ``at`` (-168 .. 0)
    low: list[float]
    typical: list[float]
    high: list[float]
    now: Estimate
    usual_dose_mg: float | None
    one_dose_peak: float | None
    accumulation: PatternAccumulation | None
    settle_hours: Estimate
    settle_days: int
    doses: int
    basis: str
    model: str
    limits: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def times_one_dose(self) -> Estimate | None:
        """The load now as a multiple of the peak of one usual dose alone (typical estimate and
        half-life): the yardstick people know, "how it feels after one dose"."""
        if not self.one_dose_peak:
            return None
        peak = self.one_dose_peak
        return Estimate(self.now.low / peak, self.now.typical / peak, self.now.high / peak)


def citation(source_id: str) -> str:
    """A source of the model: pharmacology.toml's own table first, then the shared files."""
    local: dict[str, dict[str, str]] = catalogue_data.load("pharmacology").get("sources", {})
    if source_id in local:
        return local[source_id]["citation"]
    return catalogue_data.source_citation(source_id)


class ExposureService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def exposure(self, at: str | None = None) -> ExposureReport:
        with self.ctx.database.read() as conn:
            store = JournalStore(conn)
            zone = store.get_profile(self.ctx.default_timezone).zone()
            moment = parse_when(at, now=self.ctx.now(), zone=zone) if at else self.ctx.now()
            doses = store.dose_mitragynine(
                since=moment - timedelta(days=LOOKBACK_DAYS), until=moment
            )
        times = np.array([(d.at - moment).total_seconds() / 3600 for d in doses], dtype=float)
        typical_mg = np.array([d.mitragynine_typical for d in doses], dtype=float)
        high_mg = np.array([d.mitragynine_high for d in doses], dtype=float)
        grid = np.arange(-24 * CHART_DAYS, 1, dtype=float)
        typical_band = exposure_band(times, typical_mg, grid)
        high_band = exposure_band(times, high_mg, grid)
        params = default_params()
        usual = statistics.median(typical_mg.tolist()) if doses else None
        peak = single_dose_peak(usual, params.half_life_typical_h) if usual else None
        limits = catalogue_data.load("pharmacology")["limits_of_model"]["text"]
        return ExposureReport(
            at=moment,
            zone=zone,
            hours=grid.tolist(),
            low=typical_band.low.tolist(),
            typical=typical_band.typical.tolist(),
            high=high_band.high.tolist(),
            now=Estimate(
                float(typical_band.low[-1]),
                float(typical_band.typical[-1]),
                float(high_band.high[-1]),
            ),
            usual_dose_mg=usual,
            one_dose_peak=peak,
            accumulation=accumulation_for_pattern([d.at for d in doses], now=moment),
            settle_hours=settle_band(params),
            settle_days=settle_days(params),
            doses=len(doses),
            basis=BASIS,
            model=describe_model(params),
            limits=tuple(limits),
            sources=tuple(citation(s) for s in model_sources()),
        )
