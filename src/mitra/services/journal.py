"""Journal use cases: log doses, other substances and symptoms; history; delete and undo.

Every write checks all input before it opens a transaction, so bad input writes nothing; the
entry, its action-log row and any derived figures commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from mitra.domain import products as product_domain
from mitra.domain import substances as substance_domain
from mitra.domain.alerts import Severity
from mitra.domain.entries import (
    DoseEntry,
    Entry,
    Kind,
    SubstanceEntry,
    SymptomEntry,
    check_note,
    daily_mme,
)
from mitra.domain.errors import ConflictError, InputError, NotFoundError
from mitra.domain.profile import Profile
from mitra.domain.quantities import parse_amount
from mitra.domain.substances import SubstanceClass
from mitra.domain.symptom_reports import read_reports
from mitra.domain.when import parse_when
from mitra.services.context import AppContext
from mitra.services.safety import judge_entry
from mitra.services.safety_rejudge import has_active_plan, rejudge_around
from mitra.storage.alert_store import StoredAlert
from mitra.storage.journal_store import JournalStore
from mitra.storage.judging_window import Window

if TYPE_CHECKING:
    from mitra.services.plan_judging import PlanJudgement


@dataclass(frozen=True)
class LogResult:
    """A stored entry with what the person should see alongside it."""

    entry: Entry
    profile: Profile
    daily_mme: float | None = None
    alerts: Sequence[StoredAlert] = field(default_factory=tuple)
    product_assumed: bool = False
    # A dose logged while a plan is active, against the plan's step for its day (None when
    # there is no plan or the dose falls before it starts).
    plan_judgement: PlanJudgement | None = None


@dataclass(frozen=True)
class SymptomLogResult(LogResult):
    """What one line about how someone feels became: every entry, and what mitra understood."""

    entries: tuple[SymptomEntry, ...] = ()
    understood: str = ""  # "Understood: sweating, tremor, trouble sleeping"
    severity_note: str | None = None  # how the severity was chosen when none was given


def _most_serious_first(alerts: Sequence[StoredAlert]) -> tuple[StoredAlert, ...]:
    rank = list(Severity)  # declared least to most serious
    return tuple(sorted(alerts, key=lambda a: -rank.index(a.alert.severity)))


@dataclass(frozen=True)
class UndoResult:
    action: str  # "deleted" (a logged entry was taken back) or "restored"
    entry: Entry


@dataclass(frozen=True)
class PendingUndo:
    action_id: int
    outcome: str  # what undo would do to the entry: "deleted" or "restored"
    entry: Entry


MAX_ROW_ID = 2**63 - 1  # SQLite's and PostgreSQL's largest integer key


class JournalService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def profile(self) -> Profile:
        with self.ctx.database.read() as conn:
            return JournalStore(conn).get_profile(self.ctx.default_timezone)

    def _when(self, at: str | datetime | None, profile: Profile) -> datetime:
        now = self.ctx.now()
        if isinstance(at, datetime):
            if at.tzinfo is None:
                raise InputError("times must carry a time zone", field="at")
            return parse_when(at.isoformat(), now=now, zone=profile.zone())
        return parse_when(at, now=now, zone=profile.zone())

    # -- logging -----------------------------------------------------------------------------
    def log_dose(
        self,
        amount: str,
        *,
        product: str | None = None,
        at: str | datetime | None = None,
        note: str | None = None,
    ) -> LogResult:
        parsed = parse_amount(amount)
        product_domain.check_dose_amount(parsed)
        clean_note = check_note(note)
        with self.ctx.database.transaction() as conn:
            # What the last dose's judging read, kept for this one (``judging_window``).
            window = Window(conn)
            store = JournalStore(conn)
            profile = window.profile(self.ctx.default_timezone)
            moment = self._when(at, profile)
            chosen, assumed = self._choose_product(store, product)
            estimate = product_domain.estimate_dose(chosen, parsed)
            entry = DoseEntry(
                at=moment,
                product_name=chosen.name,
                form=chosen.form,
                amount=parsed.value,
                unit=parsed.unit,
                estimate=estimate,
                note=clean_note,
                product_id=chosen.id,
            )
            stored = store.add_entry(entry, recorded_at=self.ctx.now())
            window.added(stored)
            # Both the re-judging and the plan check need to know whether a plan is active:
            # one look for the two (judging never changes a plan).
            plan_active = window.plan_active(lambda: has_active_plan(conn))
            alerts = judge_entry(
                conn, self.ctx, stored, profile, plan_active=plan_active, window=window
            )
            assert isinstance(stored, DoseEntry)  # add_entry returns the entry it was given
            judgement: PlanJudgement | None = None
            plan_alerts: list[StoredAlert] = []
            if plan_active:
                judgement, plan_alerts = judge_dose_against_plan(conn, self.ctx, stored, profile)
            else:
                # Nothing was written after judging: what the window holds is the journal.
                window.keep()
        # Most serious first, as the engine orders its own alerts.
        shown = sorted([*alerts, *plan_alerts], key=lambda s: -s.alert.severity.rank)
        return LogResult(
            entry=stored,
            profile=profile,
            alerts=shown,
            product_assumed=assumed,
            plan_judgement=judgement,
        )

    def _choose_product(
        self, store: JournalStore, name: str | None
    ) -> tuple[product_domain.Product, bool]:
        if name is not None and name.strip():
            found = store.find_product(name) or _builtin(name)
            if found is None:
                known = [p.name for p in store.list_products()]
                known += [p.name for p in product_domain.generic_products()]
                raise NotFoundError(
                    f"unknown product '{name}'; known: {', '.join(known)}. Add it with "
                    f"'mitra product add \"{name.strip()}\" --form leaf --mitragynine-pct 1.5'",
                    field="product",
                )
            return found, False
        last = store.last_dose_product()
        if last is not None:
            product_id, product_name = last
            found = (
                store.get_product(product_id) if product_id is not None else _builtin(product_name)
            )
            if found is not None:
                return found, True
        return product_domain.generic_for(product_domain.Form.LEAF), True

    def log_substance(
        self,
        name: str,
        amount: str,
        *,
        route: str | None = None,
        at: str | datetime | None = None,
        note: str | None = None,
    ) -> LogResult:
        substance = substance_domain.resolve(name)
        parsed = parse_amount(amount, default_unit=substance.default_unit)
        substance_domain.check_amount(substance, parsed)
        parsed_route = substance_domain.parse_route(route)
        clean_note = check_note(note)
        mme = substance_domain.entry_mme(substance, parsed, parsed_route)
        with self.ctx.database.transaction() as conn:
            window = Window(conn)  # what the last write's judging read (``judging_window``)
            store = JournalStore(conn)
            profile = window.profile(self.ctx.default_timezone)
            moment = self._when(at, profile)
            entry = SubstanceEntry(
                at=moment,
                substance_id=substance.id,
                name=substance.name,
                substance_class=substance.substance_class,
                amount=parsed.value,
                unit=parsed.unit,
                route=parsed_route,
                mme=mme,
                note=clean_note,
            )
            stored = store.add_entry(entry, recorded_at=self.ctx.now())
            window.added(stored)
            day_mme = None
            if substance.substance_class is SubstanceClass.OPIOID:
                day_mme = daily_mme(self._same_day_opioids(store, moment, profile))
            alerts = judge_entry(conn, self.ctx, stored, profile, window=window)
            window.keep()  # nothing is written after judging
        return LogResult(entry=stored, profile=profile, daily_mme=day_mme, alerts=alerts)

    def _same_day_opioids(
        self, store: JournalStore, moment: datetime, profile: Profile
    ) -> list[SubstanceEntry]:
        local = moment.astimezone(profile.zone())
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        end = start + timedelta(days=1) - timedelta(microseconds=1)
        found = store.list_entries(since=start, until=end, kinds=[Kind.SUBSTANCE])
        return [
            e
            for e in found
            if isinstance(e, SubstanceEntry) and e.substance_class is SubstanceClass.OPIOID
        ]

    def log_symptom(
        self,
        name: str,
        *,
        severity: float | None = None,
        at: str | datetime | None = None,
        note: str | None = None,
        chosen: Sequence[str] = (),
    ) -> SymptomLogResult:
        """Record what the person says about how they feel: never refused unless empty.

        The text may name several symptoms (one entry each, in one transaction), a warning
        sign in any wording, or nothing mitra knows (kept as "other" in their own words).
        ``chosen`` are catalogue ids picked from a list (the web's chips), logged first.
        ``entry`` and ``alerts`` of the result cover the first entry and all alerts raised.
        """
        read = read_reports(name, severity, chosen)
        clean_note = check_note(note)
        with self.ctx.database.transaction() as conn:
            window = Window(conn)  # what the last write's judging read (``judging_window``)
            store = JournalStore(conn)
            profile = window.profile(self.ctx.default_timezone)
            moment = self._when(at, profile)
            stored_entries: list[SymptomEntry] = []
            alerts: list[StoredAlert] = []
            for report in read.reports:
                entry = SymptomEntry(
                    at=moment,
                    symptom_id=report.symptom.id,
                    severity=report.severity,
                    note=clean_note,
                    said=report.said,
                )
                stored = store.add_entry(entry, recorded_at=self.ctx.now())
                assert isinstance(stored, SymptomEntry)
                stored_entries.append(stored)
                # One window for every entry of the text: each is judged with the ones before.
                window.added(stored)
                alerts += judge_entry(conn, self.ctx, stored, profile, window=window)
            window.keep()  # nothing is written after judging
        return SymptomLogResult(
            entry=stored_entries[0],
            profile=profile,
            alerts=_most_serious_first(alerts),
            entries=tuple(stored_entries),
            understood=read.understood(),
            severity_note=read.severity_note,
        )

    # -- reading -----------------------------------------------------------------------------
    def history(
        self, *, since: str | None = None, until: str | None = None, include_deleted: bool = False
    ) -> tuple[list[Entry], set[int], Profile]:
        """Entries in time order, the ids among them that are deleted, and the profile."""
        with self.ctx.database.read() as conn:
            store = JournalStore(conn)
            profile = store.get_profile(self.ctx.default_timezone)
            now = self.ctx.now()
            start = parse_when(since, now=now, zone=profile.zone()) if since else None
            end = (
                parse_when(until, now=now, zone=profile.zone(), allow_future=True)
                if until
                else None
            )
            if start and end and start > end:
                raise InputError("--since is later than --until", field="since")
            found = store.list_entries(since=start, until=end, include_deleted=include_deleted)
            deleted = store.deleted_ids() if include_deleted else set()
        return found, deleted, profile

    # -- deleting and undo -------------------------------------------------------------------
    def delete(self, entry_id: int) -> Entry:
        missing = f"no entry with id {entry_id}; see 'mitra history'"
        gone = f"entry {entry_id} is already deleted; 'mitra undo' restores the last deletion"
        with self.ctx.database.transaction() as conn:
            store = JournalStore(conn)
            entry = _live_entry(store, entry_id, missing=missing, gone=gone)
            now = self.ctx.now()
            store.set_deleted(entry_id, now)
            store.record_action("delete", entry_id, now)
            # The alerts that rested on it are judged again: closed with a note, or updated
            # with corrected figures (emergencies stay open until the person closes them).
            rejudge_deleted(conn, self.ctx, entry, store)
        return entry

    def take_back(self, entry_id: int) -> Entry:
        """Undo the logging of this one entry, named by id (a page's "Undo this").

        Only that entry is deleted, with the same safety re-judging as ``delete``; its log
        action is marked undone so ``undo`` never reverses it a second time. An entry already
        deleted or taken back (a stale page) is refused with a ConflictError and nothing
        changes; ``undo`` without an id keeps reversing the latest action, as the CLI does.
        """
        gone = "this entry was already taken back or deleted; nothing else was changed"
        with self.ctx.database.transaction() as conn:
            store = JournalStore(conn)
            entry = _live_entry(store, entry_id, missing=f"no entry with id {entry_id}", gone=gone)
            now = self.ctx.now()
            action_id = store.log_action_of(entry_id)
            if action_id is not None:
                store.mark_undone(action_id)
            store.set_deleted(entry_id, now)
            store.record_action("undo-log", entry_id, now)
            rejudge_deleted(conn, self.ctx, entry, store)
        return entry

    def next_undo(self) -> PendingUndo | None:
        """What ``undo`` would reverse now, named, so a page can say it before it is done."""
        with self.ctx.database.read() as conn:
            store = JournalStore(conn)
            last = store.last_undoable_action()
            if last is None:
                return None
            action_id, action, entry_id = last
            found = store.get_entry(entry_id)
            assert found is not None  # actions reference entries by foreign key
            return PendingUndo(action_id, "deleted" if action == "log" else "restored", found[0])

    def undo(self, expect_action: int | None = None) -> UndoResult:
        """Reverse the latest log or delete not yet undone; each undo is itself recorded.

        ``expect_action`` is the action a page named (``next_undo``): if something else has
        happened since (another tab, the CLI), nothing is undone and a ConflictError says so,
        so a button that names one entry never acts on another.
        """
        with self.ctx.database.transaction() as conn:
            store = JournalStore(conn)
            last = store.last_undoable_action()
            if last is None:
                raise NotFoundError("nothing to undo: no entries have been logged or deleted")
            action_id, action, entry_id = last
            if expect_action is not None and action_id != expect_action:
                raise ConflictError(
                    "nothing was undone: the journal changed after this page was shown "
                    "(perhaps in another tab). Look at the page again and choose once more"
                )
            found = store.get_entry(entry_id)
            assert found is not None  # actions reference entries by foreign key
            entry, _ = found
            now = self.ctx.now()
            store.mark_undone(action_id)
            if action == "log":
                store.set_deleted(entry_id, now)
                store.record_action("undo-log", entry_id, now)
                rejudge_deleted(conn, self.ctx, entry, store)
                return UndoResult("deleted", entry)
            store.set_deleted(entry_id, None)
            store.record_action("undo-delete", entry_id, now)
            # Judged again with the entry back: what mitra closed for it reopens.
            judge_entry(conn, self.ctx, entry, store.get_profile(self.ctx.default_timezone))
            return UndoResult("restored", entry)


def _live_entry(store: JournalStore, entry_id: int, *, missing: str, gone: str) -> Entry:
    """The entry, not deleted: NotFoundError (``missing``) for no such id, including one
    beyond what a database can store, ConflictError (``gone``) for a deleted one."""
    found = store.get_entry(entry_id) if 0 < entry_id <= MAX_ROW_ID else None
    if found is None:
        raise NotFoundError(missing, field="id")
    entry, deleted_at = found
    if deleted_at is not None:
        raise ConflictError(gone, field="id")
    return entry


def rejudge_deleted(conn: Connection, ctx: AppContext, entry: Entry, store: JournalStore) -> None:
    """Re-judge the windows ``entry`` (just deleted, in this transaction) fell in; also used
    by a share received from a local journal (``share_receive``)."""
    profile = store.get_profile(ctx.default_timezone)
    rejudge_around(conn, ctx, profile, changed=entry, deleted=True)


def judge_dose_against_plan(
    conn: Connection, ctx: AppContext, dose: DoseEntry, profile: Profile
) -> tuple[PlanJudgement | None, list[StoredAlert]]:
    """The dose against the active plan's step; the caller has checked that a plan is
    active. The plan modules are imported only then: most doses are logged without a plan,
    and ``mitra log dose`` is the command whose start-up time matters most
    (bench/cli_startup.py)."""
    from mitra.services.plan_judging import judge_against_plan  # noqa: PLC0415

    return judge_against_plan(conn, ctx, dose, profile)


def _builtin(name: str) -> product_domain.Product | None:
    key = name.strip().lower()
    for product in product_domain.generic_products():
        if key in (product.name, product.form.value):
            return product
    return None
