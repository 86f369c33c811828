"""The rows re-judging reads around a write, kept between writes on the SQLite connection that
read them, so the next write on it reads only what it has not seen yet.

Each dose, substance or symptom written reads the person's profile and re-judges the weeks
around it (``services.safety_rejudge``): it reads the entries of that stretch, the check-ins
of its days, the stored alerts of its spans, the once-only alerts its judgement names and the
journal's first two entries (a dose also asks whether a plan is active). One write after
another reads nearly the same rows. A ``Window`` serves those reads for one write transaction
from what the previous write on the same connection kept, reads from the database only the
part of a stretch not kept (the few hours a new dose moves it on), and is kept again, with the
write's own changes read back, for the next write.

What is kept is used only when all of these hold; otherwise the window starts empty and reads
everything, as if nothing were kept (always right, only slower):

* SQLite. PostgreSQL has many writers at once, so a window there never keeps anything.
* The same journal, on the same DBAPI connection: it is kept in that connection's ``info``
  (the pool's per-connection dictionary, which lives and dies with the connection).
* No other connection has committed since: SQLite's ``PRAGMA data_version`` is what it was
  when it was kept. SQLite changes it on every commit by any other connection, of this process
  or another (a restore's backup too), and never for the connection's own commits.
* No other write transaction has run on this connection since, and the write that kept it
  committed: every write transaction's BEGIN moves what was kept aside
  (``window_slots.on_write_begin``, called by ``storage.database``), a window takes only what
  was moved aside for its own transaction, and what it keeps becomes usable only once
  ``Database.transaction`` has seen the commit succeed (``window_slots.settle``). A
  rolled-back or failed write leaves nothing kept.

The write tells its window what it changed before judging (``added``: the entry it stored)
and after (``alerts_changed``: the alerts it opened, updated, closed or reopened). Both are
read back from the database, so what is kept is always decoded rows, exactly as a read would
give them, and ``keep`` is called only by a write that made no other change to these tables
after judging (``JournalService``'s logging of doses, without an active plan, of substances
and of symptoms).

Reads served here return what the store's own reads return, in the same order: entries in
``[start, end]`` (both included) in time then id order, check-ins the same way, alerts with
``start <= at < end`` in time then id order.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mitra.storage.alert_store import AlertStore, StoredAlert
from mitra.storage.assessment_store import AssessmentStore
from mitra.storage.journal_scope import journal_of
from mitra.storage.journal_store import JournalStore
from mitra.storage.window_slots import PENDING, TAKEN

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from mitra.domain.checkins import StoredAssessment
    from mitra.domain.entries import Entry
    from mitra.domain.profile import Profile

# A stretch read from the database reaches this far past what was asked, so the writes of
# the next week (each dose moves its weeks on by hours) find their rows already kept; past
# "now" there is usually nothing to read.
READ_PAST = timedelta(days=7)


class Stretch:
    """Rows of one kind kept for ``start..end``: every such row of the journal is here,
    by id, and in (moment, id) order for serving spans of it."""

    def __init__(self, start: datetime, end: datetime, moment: Callable[[Any], datetime]) -> None:
        self.start = start
        self.end = end
        self.moment = moment
        self.rows: dict[int, Any] = {}
        self._order: list[tuple[datetime, int]] | None = None  # sorted keys, made on use
        self._by_order: list[Any] = []

    def put(self, rows: Iterable[Any]) -> None:
        for row in rows:
            order = self._order
            if order is not None and row.id not in self.rows:
                # A new row (the usual one a write adds): into its place, no re-sort.
                key = (self.moment(row), row.id)
                at = bisect.bisect_left(order, key)
                order.insert(at, key)
                self._by_order.insert(at, row)
            else:
                self._order = None
            self.rows[row.id] = row

    def drop(self, row_id: int) -> None:
        if self.rows.pop(row_id, None) is not None:
            self._order = None

    def forget_before(self, start: datetime) -> None:
        """Keep only the rows from ``start`` on (the stretch then starts there)."""
        self.start = start
        self.rows = {k: r for k, r in self.rows.items() if self.moment(r) >= start}
        self._order = None

    def served(self, spans: Sequence[tuple[datetime, datetime]], *, closed: bool) -> list[Any]:
        """The rows in any of ``spans`` (``[a, b]`` when ``closed``, else ``[a, b)``), in
        (moment, id) order."""
        if self._order is None:
            ordered = sorted(self.rows.values(), key=lambda r: (self.moment(r), r.id))
            self._order = [(self.moment(r), r.id) for r in ordered]
            self._by_order = ordered
        slices = []
        for a, b in spans:
            low = bisect.bisect_left(self._order, (a, -1))
            high = (
                bisect.bisect_right(self._order, (b, _AFTER_EVERY_ID))
                if closed
                else bisect.bisect_left(self._order, (b, -1))
            )
            slices.append(self._by_order[low:high])
        if len(slices) == 1:
            return slices[0]  # one slice of the ordered rows: in order, each once
        found = {r.id: r for part in slices for r in part}
        return sorted(found.values(), key=lambda r: (self.moment(r), r.id))


# Larger than any row id (SQL INTEGER), so (moment, this) sorts after every row at that moment.
_AFTER_EVERY_ID = 2**63


@dataclass
class Kept:
    """What a window keeps of one journal, as of one ``data_version`` of its connection."""

    journal_id: int
    data_version: int
    entries: Stretch | None = None
    checkins: Stretch | None = None
    alerts: Stretch | None = None
    once: dict[str, StoredAlert | None] = field(default_factory=dict)
    first_two: list[tuple[int, datetime]] | None = None
    profiles: dict[str, Profile] = field(default_factory=dict)  # by the default time zone
    plan_active: bool | None = None


class Window:
    """One write transaction's reads for re-judging (see the module docstring)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.journal_id = journal_of(conn)
        self.sqlite = conn.dialect.name == "sqlite"
        self._info: dict[str, Any] = conn.info
        self._added: list[tuple[int, datetime]] = []  # stored by this transaction
        taken = self._info.pop(TAKEN, None) if self.sqlite else None
        version = self._data_version() if self.sqlite else -1
        if isinstance(taken, Kept) and (taken.journal_id, taken.data_version) == (
            self.journal_id,
            version,
        ):
            self.kept = taken
        else:
            self.kept = Kept(self.journal_id, version)
        self.reused = self.kept is taken  # what the last write kept is used (for the tests)

    def _data_version(self) -> int:
        return int(self.conn.exec_driver_sql("PRAGMA data_version").scalar_one())

    # -- the write's own changes ---------------------------------------------------------------
    def added(self, entry: Entry) -> None:
        """The transaction stored ``entry`` (before judging)."""
        if entry.id is None:
            raise ValueError("only a stored entry (one with an id) can be added to a window")
        # As a read gives the time back: in UTC (``schema.UTCDateTime``).
        at = entry.at.astimezone(UTC)
        self._added.append((entry.id, at))
        first_two = self.kept.first_two
        if first_two is not None:
            both = sorted([*first_two, (entry.id, at)], key=lambda r: (r[1], r[0]))
            self.kept.first_two = both[:2]

    def alerts_changed(self, alert_ids: Iterable[int]) -> None:
        """The transaction opened, updated, closed or reopened these alerts: read them back."""
        ids = set(alert_ids)
        if not ids:
            return
        fresh = AlertStore(self.conn).get_many(ids)
        stretch, once = self.kept.alerts, self.kept.once
        for alert_id in ids:
            found = fresh.get(alert_id)
            if stretch is not None:
                stretch.drop(alert_id)
                if found is not None and stretch.start <= found.alert.at < stretch.end:
                    stretch.put([found])
            if found is not None and found.alert.key in once:
                once[found.alert.key] = found

    def keep(self) -> None:
        """Keep what this window holds for the next write on this connection, once this
        transaction commits (SQLite only; a no-op elsewhere)."""
        if not self.sqlite:
            return
        if self._added:
            self.kept.entries = None  # an entry stored after the last read is not in it
        self._info[PENDING] = self.kept

    # -- reads -------------------------------------------------------------------------------
    def profile(self, default_timezone: str) -> Profile:
        """``JournalStore.get_profile(default_timezone)``."""
        found = self.kept.profiles.get(default_timezone)
        if found is None:
            found = JournalStore(self.conn).get_profile(default_timezone)
            self.kept.profiles[default_timezone] = found
        return found

    def plan_active(self, look: Callable[[], bool]) -> bool:
        """Whether a plan is active (``look`` asks the database, when nothing is kept)."""
        if self.kept.plan_active is None:
            self.kept.plan_active = look()
        return self.kept.plan_active

    def first_two(self) -> list[tuple[int, datetime]]:
        """The journal's first two live entries (id, time), in time order."""
        if self.kept.first_two is None:
            self.kept.first_two = JournalStore(self.conn).first_two_live()
        return list(self.kept.first_two)

    def entries(self, spans: Sequence[tuple[datetime, datetime]]) -> list[Entry]:
        """The live entries in any of ``spans`` (each ``[start, end]``, both included)."""
        store = JournalStore(self.conn)
        kept = self.kept.entries
        if kept is not None and self._added:
            # The entries this transaction stored inside what was kept: read back by id
            # (decoded from their rows, as any read gives them). Any part of the stretch read
            # below is read in this transaction, with them in it.
            inside = [i for i, at in self._added if kept.start <= at <= kept.end]
            kept.put(store.entries_by_id(inside))
        self._added.clear()
        found: list[Entry] = self._serve(
            "entries", spans, lambda a, b: store.window_entries(since=a, until=b), closed=True
        )
        return found

    def checkins(self, spans: Sequence[tuple[datetime, datetime]]) -> list[StoredAssessment]:
        """The live check-ins in any of ``spans`` (each ``[start, end]``, both included)."""
        store = AssessmentStore(self.conn)
        found: list[StoredAssessment] = self._serve(
            "checkins", spans, lambda a, b: store.list_assessments(since=a, until=b), closed=True
        )
        return found

    def alerts(self, spans: Sequence[tuple[datetime, datetime]]) -> list[StoredAlert]:
        """The stored alerts with ``start <= at < end`` for any of ``spans``."""
        found: list[StoredAlert] = self._serve(
            "alerts", spans, AlertStore(self.conn).in_span, closed=False
        )
        return found

    def _serve(
        self,
        kind: str,
        spans: Sequence[tuple[datetime, datetime]],
        read: Callable[[datetime, datetime], Iterable[Any]],
        *,
        closed: bool,
    ) -> list[Any]:
        """The rows of ``kind`` in ``spans``, from the kept stretch (``_stretch``), or read
        span by span when they are too far apart to keep as one."""
        stretch = self._stretch(kind, spans, read)
        if stretch is not None:
            return stretch.served(spans, closed=closed)
        found: dict[int, Any] = {}
        for start, end in spans:
            found.update((row.id, row) for row in read(start, end))
        moment = _MOMENTS[kind]
        return sorted(found.values(), key=lambda row: (moment(row), row.id))

    def with_keys(self, keys: Iterable[str]) -> list[StoredAlert]:
        """The stored alerts with these keys (``AlertStore.with_keys``), in no order."""
        once = self.kept.once
        wanted = set(keys)
        missing = [k for k in wanted if k not in once]
        if missing:
            found = {s.alert.key: s for s in AlertStore(self.conn).with_keys(missing)}
            for key in missing:
                once[key] = found.get(key)
        return [s for k in wanted if (s := once[k]) is not None]

    def _stretch(
        self,
        kind: str,
        spans: Sequence[tuple[datetime, datetime]],
        read: Callable[[datetime, datetime], Iterable[Any]],
    ) -> Stretch | None:
        """The kept stretch of ``kind`` covering every span, reading (and keeping) what it
        lacks; None when the spans are too far apart to keep as one stretch (a back-dated
        change years before the rest), which the caller then reads span by span."""
        if not spans:
            return None
        start = min(a for a, _ in spans)
        end = max(b for _, b in spans)
        kept: Stretch | None = getattr(self.kept, kind)
        if end - start > _LONGEST:
            setattr(self.kept, kind, None)  # not kept up to date by these reads: forgotten
            return None
        if kept is None or end < kept.start or start > kept.end:
            kept = Stretch(start, end + READ_PAST, _MOMENTS[kind])
            kept.put(read(kept.start, kept.end))
        else:
            if start < kept.start:
                kept.put(read(start, kept.start))
                kept.start = start
            if end > kept.end:
                kept.put(read(kept.end, end + READ_PAST))
                kept.end = end + READ_PAST
            # Forget what lies before what is asked now (writes move forward in time; one
            # before it reads it back), a week at a time rather than on every write.
            if kept.start < start - READ_PAST:
                kept.forget_before(start)
        setattr(self.kept, kind, kept)
        return kept


# A window keeps one stretch per kind no longer than this (re-judging a dose reads about five
# weeks; anything wider is a back-dated change, read as it is asked).
_LONGEST = timedelta(days=120)


_MOMENTS: dict[str, Callable[[Any], datetime]] = {
    "entries": lambda entry: entry.at,
    "checkins": lambda stored: stored.assessment.at,
    "alerts": lambda stored: stored.alert.at,
}
