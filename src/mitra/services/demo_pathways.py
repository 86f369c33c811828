"""What the demo journey shows of the clinical pathways: the buprenorphine-readiness answer at
the demo's worst COWS, as mitra would have given it at that moment.

Read-only: the journey is already built; this judges it as of an earlier moment through the
same service, with a clock fixed at that check-in.
"""

from __future__ import annotations

from dataclasses import replace

from mitra.services.bup_readiness import ReadinessReport, ReadinessService
from mitra.services.checkins import CheckinService
from mitra.services.context import AppContext


def readiness_at_worst_cows(ctx: AppContext) -> ReadinessReport | None:
    rows = CheckinService(ctx).scores("cows")
    if not rows:
        return None
    worst = max(rows, key=lambda row: (row.record.assessment.total, row.record.assessment.at))
    moment = worst.record.assessment.at
    return ReadinessService(replace(ctx, clock=lambda: moment)).readiness()
