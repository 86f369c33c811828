"""The buprenorphine-readiness card on today: shown while it can help a conversation with a
prescriber (a COWS in the last day, or fentanyl in its window), hidden otherwise so that the
home screen stays calm. Worded for that conversation, never as an instruction to self-start.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mitra.domain.human_time import when_words
from mitra.services.bup_readiness import ReadinessService
from mitra.services.context import AppContext

# A COWS older than a day says nothing about starting today; the card then stays away.
SHOWN_FOR = timedelta(hours=24)


def readiness_card(ctx: AppContext) -> dict[str, Any] | None:
    report = ReadinessService(ctx).readiness()
    found = report.readiness
    recent_cows = found.cows is not None and report.now - found.cows.at <= SHOWN_FOR
    if not recent_cows and found.answer != "talk-low-or-high":
        return None
    return {
        "readiness": found,
        "cows_when": None
        if found.cows is None
        else when_words(found.cows.at, report.now, report.zone),
    }
