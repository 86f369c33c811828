"""The roster's rows as the API and the pages show them (``services.clinic_roster``).

The API gives figures and ids (ISO times, tier and sign ids); the pages give words: the tier's
words, "3 days ago", "COWS 14, up 6", the plan's state. Nothing here decides an order or a
tier: ``domain.roster`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mitra.domain.bup_readiness import Readiness
from mitra.domain.roster import FILTER_IDS, Signals, Trend
from mitra.services.bup_readiness import ReadinessService
from mitra.services.clinic_roster import RosterRow

if TYPE_CHECKING:
    from mitra.web.clinic_contexts import JournalContexts

PLAN_STATES = {None: "none", "hold": "holding", "step-back": "stepped-back"}
PLAN_WORDS = {
    "none": "No plan",
    "on-track": "On plan",
    "holding": "Plan holding",
    "stepped-back": "Plan stepped back",
}
FILTERS = frozenset(FILTER_IDS)
INSTRUMENT_WORDS = {"cows": "COWS", "sows": "SOWS"}


def plan_state(event: str | None) -> str:
    return PLAN_STATES.get(event, "on-track")


def days_since(at: datetime, then: datetime | None) -> int | None:
    return None if then is None else max(0, (at - then).days)


def person(row: RosterRow, at: datetime) -> dict[str, Any]:
    """One journal of the roster, as ``GET /api/v1/people`` gives it."""
    s = row.signals
    ready = row.readiness
    return {
        "journal_id": row.journal_id,
        "email": row.email,
        "scope": row.scope,
        "ends": row.ends.isoformat() if row.ends else None,
        "risk": {
            "tier": row.placed.tier.id,
            "rank": row.placed.tier.rank,
            "signs": sorted(row.placed.signs),
            "open_emergency": s.open_emergency,
            "unseen_emergency": s.unseen_emergency,
            "open_urgent": s.open_urgent,
            "escalation": s.escalation,
            "last_checkin": s.last_checkin.isoformat() if s.last_checkin else None,
            "days_since_checkin": days_since(at, s.last_checkin),
            "trends": [
                {
                    "instrument": t.instrument_id,
                    "latest": t.latest,
                    "previous": t.previous,
                    "change": t.change,
                    "at": t.latest_at.isoformat(),
                }
                for t in s.trends
            ],
            "plan": plan_state(s.plan_event),
            "bup_readiness": None
            if ready is None
            else {"answer": ready.answer, "headline": ready.headline},
        },
    }


def alert_words(s: Signals) -> str | None:
    """ "1 emergency alert (1 not yet seen), 2 urgent alerts, use up this week", or None."""
    parts = []
    if s.open_emergency:
        n = s.open_emergency
        unseen = f" ({s.unseen_emergency} not yet seen)" if s.unseen_emergency else ""
        parts.append(f"{n} emergency alert{'s' if n > 1 else ''}{unseen}")
    if s.open_urgent:
        parts.append(f"{s.open_urgent} urgent alert{'s' if s.open_urgent > 1 else ''}")
    if s.escalation:
        parts.append("use up this week")
    return ", ".join(parts) or None


def trend_words(trend: Trend) -> str:
    """ "COWS 14, up 6 from 8" / "SOWS 20, no change" / "COWS 9 (first in 14 days)"."""
    name = INSTRUMENT_WORDS.get(trend.instrument_id, trend.instrument_id.upper())
    change = trend.change
    if change is None:
        return f"{name} {trend.latest}"
    if change == 0:
        return f"{name} {trend.latest}, no change"
    way = "up" if change > 0 else "down"
    return f"{name} {trend.latest}, {way} {abs(change)} from {trend.previous}"


def checkin_words(at: datetime, then: datetime | None, lookback_days: int) -> str:
    days = days_since(at, then)
    if days is None:
        return f"None in {lookback_days} days"
    if days == 0:
        return "Today or in the last 24 hours"
    return "1 day ago" if days == 1 else f"{days} days ago"


def readiness_reader(contexts: JournalContexts) -> Callable[[int], Readiness]:
    """A shared journal's buprenorphine readiness, read as a clinician's other reads are (from
    the replica while it is close enough)."""

    def read(journal_id: int) -> Readiness:
        return ReadinessService(contexts.for_reader(journal_id)).readiness().readiness

    return read
