"""Judged journals of a chosen span (3 days, 1 month, 1 year, 5 years) for the benchmarks,
built through mitra's own services and cached between runs.

Every entry goes through the call the CLI and the web make (``JournalService.log_dose``,
``log_symptom``, ``log_substance``, ``CheckinService.record``, ``PlanService.new_taper`` and
``status``), so each is judged exactly as the app judges it; cautions are left unacknowledged,
as real people leave them. The rhythm: 3-5 kratom doses a day (leaf mostly, capsules
sometimes, amounts varying), a COWS or SOWS-Gossop check-in most days, a symptom or two most
days, alcohol about every ten days and alprazolam about every three weeks, and a taper plan
made 60 days before the end (20 for a span under 90 days, none under 28) that the person
looks at every few days.

Invariants:
* One ``AppContext`` per build whose clock is moved to a few minutes after each entry's moment
  before the call (the person logs as they go, in time order), so ``recorded_at`` and every
  "is this in the future?" check are what they would have been. The journal ends at ``END``,
  which every benchmark then uses as its fixed now (``MITRA_FIXED_NOW`` for subprocesses).
* Seeded: the same span gives the same journal.
* The only shortcut is ``PRAGMA synchronous=OFF`` on the build's connections (a build that
  crashes is simply rebuilt); every write still takes the services' own transactions.
* Cache: ``bench/.cache/<span>-<key>.sqlite3``, the key a hash of this file and of the
  migration scripts (the schema head), so a changed builder or a new migration rebuilds.
  Benchmarks that write use ``copy_of`` (never the cached file itself).

Usage: .venv/bin/python bench/journals.py [1m 1y 5y]   (builds what is missing, prints times)
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
END = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # the tests' fixed now, a Friday afternoon
ZONE = "America/New_York"
SPANS = {"3d": 3, "1m": 30, "1y": 365, "5y": 1826}
LEAF = "Red Bali leaf"
CAPS = "Green caps"
INSTRUMENTS = ("cows", "sows-gossop")
SYMPTOMS = ("craving", "trouble sleeping", "anxiety", "muscle aches", "nausea", "runny nose")


class MovableClock:
    """The build's clock: says whatever moment the builder last set (timezone-aware)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@dataclass(frozen=True)
class Built:
    path: Path
    days: int
    entries: int
    checkins: int
    plan_looks: int
    seconds: float


def cache_key() -> str:
    """A hash of this builder's source and of the migration scripts (the schema head)."""
    import mitra.storage

    digest = hashlib.sha256(Path(__file__).read_bytes())
    versions = Path(mitra.storage.__file__).parent / "migrations" / "versions"
    for script in sorted(versions.glob("*.py")):
        digest.update(script.name.encode())
        digest.update(script.read_bytes())
    return digest.hexdigest()[:12]


def cached_path(span: str) -> Path:
    return CACHE / f"{span}-{cache_key()}.sqlite3"


def fixed_now_env() -> dict[str, str]:
    """The environment variable that makes a mitra subprocess see ``END`` as now."""
    return {"MITRA_FIXED_NOW": END.isoformat()}


def _fast_writes(database: Any) -> None:
    from sqlalchemy import event

    @event.listens_for(database.engine, "connect")
    def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    database.engine.dispose()  # pooled connections made before the listener get it too


def build(path: Path, days: int, *, progress: bool = True, seed: int = 14) -> Built:
    """Write a judged journal of ``days`` days ending at ``END`` into a new file at ``path``."""
    from mitra.services.catalogue import ProductService, ProfileService
    from mitra.services.checkins import CheckinService
    from mitra.services.context import AppContext
    from mitra.services.journal import JournalService
    from mitra.services.plans import PlanService
    from mitra.storage.database import open_database

    began = time.perf_counter()
    rng = random.Random(seed)
    start = END - timedelta(days=days)
    clock = MovableClock(start)
    database = open_database(f"sqlite:///{path}")
    _fast_writes(database)
    ctx = AppContext(database, clock=clock, default_timezone=ZONE)
    ProfileService(ctx).set(
        timezone=ZONE, pregnant="no", medications="sertraline", goals="taper-kratom"
    )
    ProductService(ctx).add(LEAF, "leaf", mitragynine_pct=1.6)
    ProductService(ctx).add(CAPS, "capsule", mitragynine_mg_per_unit=8.0, unit_mass_g=0.5)
    journal, checkins, plans = JournalService(ctx), CheckinService(ctx), PlanService(ctx)
    # The plan reads the last week's doses, so a span shorter than four weeks has none.
    plan_day = days - (60 if days > 90 else 20) if days >= 28 else None
    entries = checkins_done = looks = 0

    def at(moment: datetime) -> bool:
        """Move the clock to just after ``moment``; False when it is past the end."""
        if moment > END:
            return False
        clock.moment = min(END, moment + timedelta(minutes=rng.randint(1, 20)))
        return True

    for day in range(days + 1):
        base = start + timedelta(days=day)
        events: list[tuple[datetime, str]] = []
        for slot in range(rng.choice((3, 4, 4, 5))):
            events.append((base + timedelta(hours=7 + slot * 3.6 + rng.uniform(-0.7, 0.7)), "d"))
        if rng.random() < 0.85:
            events.append((base + timedelta(hours=9 + rng.uniform(-1, 2)), "c"))
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            events.append((base + timedelta(hours=rng.uniform(8, 22)), "s"))
        if rng.random() < 0.1:
            events.append((base + timedelta(hours=20 + rng.uniform(0, 2)), "alcohol"))
        if rng.random() < 0.05:
            events.append((base + timedelta(hours=22.5), "xanax"))
        if day == plan_day:
            events.append((base + timedelta(hours=21.5), "plan"))
        elif plan_day is not None and day > plan_day and day % 3 == 0:
            events.append((base + timedelta(hours=21.75), "look"))
        for moment, what in sorted(events):
            if not at(moment):
                continue
            if what == "d":
                caps = rng.random() < 0.2
                grams = rng.choice((2, 2.5, 3, 3.5, 4))
                amount = rng.choice(("3 caps", "4 caps")) if caps else f"{grams}g"
                journal.log_dose(amount, product=CAPS if caps else LEAF, at=moment)
                entries += 1
            elif what == "c":
                chosen = rng.choice(INSTRUMENTS)
                items = _items(chosen)
                answers = [rng.choice(allowed[:3]) for allowed in items]
                checkins.record(chosen, answers, at=moment)
                checkins_done += 1
            elif what == "s":
                journal.log_symptom(rng.choice(SYMPTOMS), severity=rng.randint(1, 3), at=moment)
                entries += 1
            elif what == "alcohol":
                journal.log_substance("alcohol", f"{rng.randint(1, 4)} drinks", at=moment)
                entries += 1
            elif what == "xanax":
                journal.log_substance("xanax", "1mg", at=moment, note="to sleep")
                entries += 1
            elif what == "plan":
                plans.new_taper(speed="slow")
            else:
                plans.status()
                looks += 1
        if progress and (day % 90 == 0 or day == days) and days > 60:
            spent = time.perf_counter() - began
            print(
                f"  {path.name}: day {day}/{days}, {entries} entries, {spent:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    database.dispose()
    return Built(path, days, entries, checkins_done, looks, time.perf_counter() - began)


def _items(instrument_id: str) -> list[tuple[int, ...]]:
    from mitra.domain.instruments import get_instrument

    return [tuple(item.allowed) for item in get_instrument(instrument_id).items]


def journal(span: str, *, progress: bool = True) -> Path:
    """The cached judged journal of ``span`` (one of ``SPANS``), built first if missing."""
    target = cached_path(span)
    if target.exists():
        return target
    CACHE.mkdir(exist_ok=True)
    for stale in CACHE.glob(f"{span}-*.sqlite3*"):
        stale.unlink()  # an older builder's or schema's journal
    partial = CACHE / f"{span}.building.sqlite3"
    for leftover in CACHE.glob(f"{span}.building.sqlite3*"):
        leftover.unlink()
    if progress:
        print(f"building the {span} journal (judged, through the services)...", file=sys.stderr)
    built = build(partial, SPANS[span], progress=progress)
    if progress:
        print(
            f"built {span}: {built.entries} entries, {built.checkins} check-ins, "
            f"{built.plan_looks} plan looks in {built.seconds:.0f} s",
            file=sys.stderr,
        )
    partial.rename(target)
    return target


def copy_of(span: str, folder: Path) -> Path:
    """A private copy of the cached ``span`` journal in ``folder``, safe to write to."""
    copy = folder / f"{span}.sqlite3"
    shutil.copyfile(journal(span), copy)
    return copy


def main() -> None:
    spans = sys.argv[1:] or ["1m", "1y", "5y"]
    for span in spans:
        began = time.perf_counter()
        path = journal(span)
        print(f"{span}: {path.name} ready in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
