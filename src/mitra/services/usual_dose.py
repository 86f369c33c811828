"""The "usual dose" a person can log again with one tap, and whether it may be offered so.

"Usual" is what a person takes most often, not what they took last: the last dose may have
been an unusual one (a gram of extract that raised an urgent alert), and one tap must never
repeat that without a second look.

Invariants:

* the usual dose is the most frequent (product, amount, unit) among the doses of the last
  ``WINDOW`` (14 days) up to now; a tie goes to the one taken most recently; with no dose in
  that window there is no usual dose (an old habit is not today's usual);
* ``one_tap`` is False when the usual dose's estimate, on its HIGH end, is above the effective
  ruleset's per-dose warning threshold (``dose-mitragynine-high``'s ``max_mg``): such a dose is
  logged through the normal form, where the person sees what they are logging;
* reads are bounded to the window, so the cost does not grow with years of history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from mitra.domain.entries import DoseEntry, Kind
from mitra.services.context import AppContext
from mitra.storage.journal_store import JournalStore

WINDOW = timedelta(days=14)
WARNING_RULE = "dose-mitragynine-high"


@dataclass(frozen=True, slots=True)
class UsualDose:
    entry: DoseEntry  # the most recent dose of the usual kind
    times: int  # how often it was taken in the window
    warning_mg: float  # the per-dose warning threshold it was compared with
    one_tap: bool  # may be logged again with one tap

    @property
    def high_mg(self) -> float:
        return self.entry.estimate.mitragynine_mg.high


def most_usual(doses: Sequence[DoseEntry]) -> tuple[DoseEntry, int] | None:
    """The most frequent (product, amount, unit) among ``doses`` (in time order), as its most
    recent dose and its count; a tie goes to the kind taken most recently."""
    counts: dict[tuple[str, float, str], int] = {}
    latest: dict[tuple[str, float, str], DoseEntry] = {}
    for dose in doses:
        key = (dose.product_name, dose.amount, dose.unit)
        counts[key] = counts.get(key, 0) + 1
        latest[key] = dose  # time order: the last one seen is the most recent
    if not counts:
        return None
    best = max(counts, key=lambda k: (counts[k], latest[k].at, latest[k].id or 0))
    return latest[best], counts[best]


def usual_dose(ctx: AppContext) -> UsualDose | None:
    """The usual dose of the last 14 days, judged against the per-dose warning threshold."""
    now = ctx.now()
    with ctx.database.read() as conn:
        found = JournalStore(conn).list_entries(since=now - WINDOW, until=now, kinds=[Kind.DOSE])
    chosen = most_usual([e for e in found if isinstance(e, DoseEntry)])
    if chosen is None:
        return None
    entry, times = chosen
    warning = ctx.rules().ruleset.rule(WARNING_RULE).value("max_mg")
    high = entry.estimate.mitragynine_mg.high
    return UsualDose(entry, times, warning, one_tap=high <= warning)
