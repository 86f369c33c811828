"""The clinician's roster: which shared journal needs a clinician first.

Purpose: from each journal's signals (open emergency and urgent alerts, whether a clinician
has seen each emergency, the latest COWS and SOWS and the scores before them, the last
check-in, escalation, the plan's latest decision) give its tier, its place in the list and
the filters it matches. The order, its figures and the words shown come from
``data/roster.toml`` (reviewed data with the basis of every figure); the meaningful change of
each scale comes from that scale's own file.

Invariants: an open emergency no clinician has seen is always first; the order depends only
on the signals, never on the order they came in (a total order: ties end on the email, then
the journal id); missing data never makes a journal look better (no check-in at all sorts as
the longest since one). Pure: ``at`` and the signals are passed in.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mitra.domain import catalogue_data
from mitra.domain.instrument_defs import load_instruments


@dataclass(frozen=True, slots=True)
class Tier:
    id: str
    words: str
    test: str
    why: str
    rank: int  # 0 is the top of the list


@dataclass(frozen=True, slots=True)
class Filter:
    id: str
    words: str


@dataclass(frozen=True, slots=True)
class Trend:
    """An instrument's latest total in the window and the total before it (None: none)."""

    instrument_id: str
    latest: int
    previous: int | None
    latest_at: datetime

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.latest - self.previous


@dataclass(frozen=True, slots=True)
class Signals:
    """What the roster knows of one shared journal (``storage.roster_store`` reads it)."""

    journal_id: int
    email: str
    open_emergency: int
    unseen_emergency: int
    open_urgent: int
    escalation: int  # open alerts of the escalation rules
    last_checkin: datetime | None
    trends: tuple[Trend, ...]
    plan_event: str | None  # the active plan's latest event; None without an active plan


@dataclass(frozen=True, slots=True)
class RosterOrder:
    tiers: tuple[Tier, ...]
    filters: tuple[Filter, ...]
    trend_window: timedelta
    cows_at_least: int
    stale_checkin: timedelta
    checkin_lookback: timedelta
    escalation_rules: tuple[str, ...]
    trend_instruments: tuple[str, ...]
    meaningful_change: Mapping[str, int]

    def tier(self, tier_id: str) -> Tier:
        return next(t for t in self.tiers if t.id == tier_id)


TIER_IDS = (
    "emergency-unseen",
    "emergency",
    "urgent",
    "withdrawal",
    "escalation",
    "plan",
    "no-checkin",
    "steady",
)
FILTER_IDS = ("alerts", "withdrawal", "escalation", "plan", "no-checkin")
PLAN_ATTENTION = frozenset({"hold", "step-back"})


def order_from(data: Mapping[str, Any]) -> RosterOrder:
    """The roster order from the parsed data file; a file that does not name every tier, in
    this module's order, or names a filter it does not know, is a programming error."""
    figures = {k: v for k, v in data.items() if isinstance(v, int | float | str)}
    tiers = tuple(
        Tier(str(t["id"]), str(t["words"]), str(t["test"]).format(**figures), str(t["why"]), i)
        for i, t in enumerate(data["tiers"])
    )
    if tuple(t.id for t in tiers) != TIER_IDS:
        raise ValueError(f"roster.toml: the tiers must be {TIER_IDS}")
    filters = tuple(Filter(str(f["id"]), str(f["words"])) for f in data["filters"])
    if tuple(f.id for f in filters) != FILTER_IDS:
        raise ValueError(f"roster.toml: the filters must be {FILTER_IDS}")
    instruments = tuple(str(i) for i in data["trend_instruments"])
    known = load_instruments()
    return RosterOrder(
        tiers=tiers,
        filters=filters,
        trend_window=timedelta(days=int(data["trend_window_days"])),
        cows_at_least=int(data["cows_at_least"]),
        stale_checkin=timedelta(days=int(data["stale_checkin_days"])),
        checkin_lookback=timedelta(days=int(data["checkin_lookback_days"])),
        escalation_rules=tuple(str(r) for r in data["escalation_rules"]),
        trend_instruments=instruments,
        meaningful_change={i: known[i].meaningful_change for i in instruments},
    )


@functools.cache
def roster_order() -> RosterOrder:
    return order_from(catalogue_data.load("roster"))


def _withdrawal(s: Signals, order: RosterOrder, at: datetime) -> bool:
    for trend in s.trends:
        if at - trend.latest_at > order.trend_window:
            continue  # the store bounds the window; a stale score never counts
        if trend.instrument_id == "cows" and trend.latest >= order.cows_at_least:
            return True
        change = trend.change
        if change is not None and change >= order.meaningful_change.get(trend.instrument_id, 1):
            return True
    return False


def _stale(s: Signals, order: RosterOrder, at: datetime) -> bool:
    return s.last_checkin is None or at - s.last_checkin >= order.stale_checkin


def signs(s: Signals, order: RosterOrder, at: datetime) -> frozenset[str]:
    """The filter ids this journal matches."""
    found = set()
    if s.open_emergency or s.open_urgent:
        found.add("alerts")
    if _withdrawal(s, order, at):
        found.add("withdrawal")
    if s.escalation:
        found.add("escalation")
    if s.plan_event in PLAN_ATTENTION:
        found.add("plan")
    if _stale(s, order, at):
        found.add("no-checkin")
    return frozenset(found)


def tier_of(s: Signals, order: RosterOrder, at: datetime) -> Tier:
    """The first tier whose test the journal meets (``data/roster.toml`` gives the order)."""
    found = signs(s, order, at)
    if s.unseen_emergency:
        tier_id = "emergency-unseen"
    elif s.open_emergency:
        tier_id = "emergency"
    elif s.open_urgent:
        tier_id = "urgent"
    else:
        tier_id = next(
            (t for t in ("withdrawal", "escalation", "plan", "no-checkin") if t in found),
            "steady",
        )
    return order.tier(tier_id)


def _cows(s: Signals) -> int:
    return next((t.latest for t in s.trends if t.instrument_id == "cows"), -1)


def sort_key(s: Signals, order: RosterOrder, at: datetime) -> tuple[Any, ...]:
    """The journal's place: tier, then the tie-breakers ``data/roster.toml`` states."""
    since = (at - s.last_checkin).total_seconds() if s.last_checkin is not None else float("inf")
    return (
        tier_of(s, order, at).rank,
        -s.open_emergency,
        -s.open_urgent,
        -_cows(s),
        -since,
        s.email,
        s.journal_id,
    )


@dataclass(frozen=True, slots=True)
class Placed:
    signals: Signals
    tier: Tier
    signs: frozenset[str]


def ranked(
    signals: Iterable[Signals], order: RosterOrder, at: datetime, only: str | None = None
) -> list[Placed]:
    """Every journal in risk order, keeping only those that show ``only`` (a filter id)."""
    if only is not None and only not in FILTER_IDS:
        raise ValueError(f"unknown roster filter {only!r}")
    rows = sorted(signals, key=lambda s: sort_key(s, order, at))
    placed = [Placed(s, tier_of(s, order, at), signs(s, order, at)) for s in rows]
    return [p for p in placed if only is None or only in p.signs]


def filter_counts(placed: Sequence[Placed]) -> dict[str, int]:
    """How many journals show each sign (for the filter buttons)."""
    return {f: sum(f in p.signs for p in placed) for f in FILTER_IDS}
