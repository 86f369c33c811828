"""Re-judging: after any write or deletion, the stored alerts become what the journal implies.

``rejudge_around(conn, ctx, moments)`` runs inside the caller's transaction after an entry is
stored, deleted or restored (or a check-in is stored). It judges from scratch
(``mitra.domain.safety_journal.judge``) only the entries a change at those moments can reach,
reading only the stretch of journal they look at (about five weeks, never years), and
reconciles the stored alerts of that window:

* an alert newly implied is opened (or, if mitra had closed it, reopened);
* an alert whose figures changed is updated, the earlier version kept in its history;
* an open alert no longer implied is closed by mitra with a note (after a deletion: "the entry
  it was about was deleted"), except emergencies, which stay open until the person closes
  them; an alert the person acknowledged stays acknowledged.

Once-only alerts (about the journal as a whole, e.g. "pregnancy status unknown") are opened
or moved to an earlier occurrence by a window, never closed by one: whether any entry still
implies them is a question about the whole journal, which ``rejudge_all`` answers. Plan days:
doses on days an active plan covers are judged against it again (``plan_judging``).

``rejudge_all(ctx, dry_run=...)`` (``mitra alerts rejudge``) judges the whole journal in
week-aligned chunks and shows, then (unless a dry run) applies, the same reconciliation.

Invariant: after every write, the open alerts of a window are the same as judging the
finished journal from scratch, whatever order the entries were logged in.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any, Literal

from sqlalchemy import Connection, bindparam, select

from mitra.domain.alerts import Alert, Scope, Severity, key_parts
from mitra.domain.entries import DoseEntry, Entry
from mitra.domain.instrument_defs import Assessment
from mitra.domain.profile import Profile
from mitra.domain.ruleset import Ruleset
from mitra.domain.safety import core_span, escalation_span
from mitra.domain.safety_journal import (
    Span,
    Spans,
    affected_spans,
    day_aligned,
    judge,
    merge,
    merged_spans,
    week_aligned,
    whole_span,
)
from mitra.services.context import AppContext
from mitra.storage import schema
from mitra.storage.alert_store import (
    CLOSED_BY_MITRA,
    ENTRY_DELETED_NOTE,
    NO_LONGER_NOTE,
    AlertStore,
    StoredAlert,
)
from mitra.storage.assessment_store import AssessmentStore
from mitra.storage.journal_scope import journal_of
from mitra.storage.journal_store import JournalStore
from mitra.storage.judging_window import Window

ChangeKind = Literal["open", "update", "close", "reopen"]
PLAN_GROUP = "plan"
PLAN_REACH = timedelta(hours=24)
# Whole-journal re-judging reads this many weeks at a time (plus the history they look at).
CHUNK_WEEKS = 8


@dataclass(frozen=True)
class Change:
    """One difference between what is stored and what the journal implies."""

    kind: ChangeKind
    alert: Alert  # the alert as it will be (for a close: as stored)
    stored: StoredAlert | None = None
    note: str | None = None


@dataclass
class Changes:
    items: list[Change] = field(default_factory=list)
    applied: list[StoredAlert] = field(default_factory=list)  # opened and reopened
    once: dict[str, Alert] = field(default_factory=dict)  # once-only keys the triggers imply

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for c in self.items if c.kind == kind)

    def extend(self, other: Changes) -> None:
        self.items += other.items
        self.applied += other.applied


def _shown(alert: Alert) -> tuple[object, ...]:
    return (alert.severity, alert.title, alert.message, alert.advice, alert.entry_ids, alert.at)


def diff(
    desired: Mapping[str, Alert],
    stored: Iterable[StoredAlert],
    deleted_ids: set[int] | Callable[[], set[int]],
    *,
    window_once: Sequence[Span] | None = None,
    after_deletion: bool = False,
) -> list[Change]:
    """What to change so that ``stored`` (the alerts of the judged scope) matches
    ``desired``. With ``window_once`` (the spans a window judged), once-only keys follow the
    window rules of the module docstring; without it they are judged like any other key.
    ``after_deletion``: the change being judged is a deletion, so what closes rested on it.
    ``deleted_ids`` may be given as a function, called only when an alert closes (most writes
    close none, and the deleted ids are a read of their own)."""
    deleted: set[int] | None = None if callable(deleted_ids) else deleted_ids
    by_key = {s.alert.key: s for s in stored}
    changes: list[Change] = []
    for key in sorted(set(desired) | set(by_key)):
        want, have = desired.get(key), by_key.get(key)
        once = window_once is not None and key_parts(key).scope is Scope.ONCE
        if want is not None and have is None:
            changes.append(Change("open", want))
        elif want is not None and have is not None:
            if have.closed_by == CLOSED_BY_MITRA:
                changes.append(Change("reopen", want, have))
            elif _shown(want) != _shown(have.alert) and (
                not once
                or want.at < have.alert.at
                or any(have.alert.at in span for span in window_once or ())
            ):
                changes.append(Change("update", want, have))
        elif (
            have is not None
            and not once
            and have.is_open
            and have.alert.severity is not Severity.EMERGENCY
        ):
            if deleted is None:
                assert callable(deleted_ids)
                deleted = deleted_ids()
            gone = set(have.alert.entry_ids) & deleted
            note = ENTRY_DELETED_NOTE if gone or after_deletion else NO_LONGER_NOTE
            changes.append(Change("close", have.alert, have, note))
    return changes


def apply(store: AlertStore, changes: Sequence[Change], now: datetime) -> list[StoredAlert]:
    """Write the changes; return the alerts opened or reopened (what a person should see)."""
    shown: list[StoredAlert] = []
    for change in changes:
        if change.kind == "open":
            shown.append(store.insert(change.alert, created_at=now))
        elif change.stored is None:
            continue
        elif change.kind == "reopen":
            store.reopen(change.stored, change.alert, at=now)
            shown.append(
                StoredAlert(change.stored.id, change.alert, change.stored.created_at, None, None)
            )
        elif change.kind == "update":
            store.replace(change.stored, change.alert, at=now)
        else:
            store.close(change.stored, at=now, note=change.note or NO_LONGER_NOTE)
    return sorted(shown, key=lambda s: (-s.alert.severity.rank, s.alert.rule_id, s.alert.key))


def journal_start(conn: Connection, *, excluding: int | None = None) -> datetime | None:
    """The time of the journal's first entry that is not deleted (leaving one id out).

    Asked as the first row in time order, which SQLite answers from ``ix_entries_at`` in a
    step or two; ``min(at)`` with a condition would read every entry."""
    c = schema.entries.c
    query = select(c.at).where(c.journal_id == journal_of(conn), c.deleted_at.is_(None))
    if excluding is not None:
        query = query.where(c.id != excluding)
    found: datetime | None = conn.execute(query.order_by(c.at).limit(1)).scalar()
    return found


# Statements every write runs, built once per process (building one cost more than running
# it), with the journal and the rest bound by name.
@functools.cache
def _active_plan() -> Any:
    plans = schema.plans.c
    return select(plans.id).where(
        plans.journal_id == bindparam("journal"), plans.status == "active"
    )


def journal_starts(
    conn: Connection, changed: int | None, window: Window | None = None
) -> tuple[datetime | None, datetime | None]:
    """``journal_start(conn)`` and ``journal_start(conn, excluding=changed)`` in one query:
    the first two live rows in time order hold both (the first row, and the first whose id
    is not ``changed``)."""
    rows = window.first_two() if window is not None else JournalStore(conn).first_two_live()
    first = rows[0][1] if rows else None
    without = next((at for row_id, at in rows if row_id != changed), None)
    return first, without


def journal_end(conn: Connection) -> datetime | None:
    """The time of the journal's last entry that is not deleted (the last row in time order)."""
    c = schema.entries.c
    found: datetime | None = conn.execute(
        select(c.at)
        .where(c.journal_id == journal_of(conn), c.deleted_at.is_(None))
        .order_by(c.at.desc())
        .limit(1)
    ).scalar()
    return found


def _load(
    conn: Connection,
    spans: Sequence[Span],
    checkin_spans: Sequence[Span],
    window: Window | None = None,
) -> tuple[list[Entry], list[Assessment]]:
    """The entries in ``spans`` and the check-ins in ``checkin_spans`` (through ``window``,
    which keeps them for the next write, when there is one)."""
    if window is not None:
        entries = window.entries([(s.start, s.end) for s in spans])
        stored = window.checkins([(s.start, s.end) for s in checkin_spans])
        return entries, [s.assessment for s in stored]
    journal = JournalStore(conn)
    assessments = AssessmentStore(conn)
    found: dict[int, Entry] = {}
    checkins: dict[int, Assessment] = {}
    for span in spans:
        for entry in journal.window_entries(since=span.start, until=span.end):
            if entry.id is not None:
                found[entry.id] = entry
    for span in checkin_spans:
        for one in assessments.list_assessments(since=span.start, until=span.end):
            checkins[one.id] = one.assessment
    return list(found.values()), list(checkins.values())


def has_active_plan(conn: Connection) -> bool:
    """Whether a plan is active (one indexed row, usually none)."""
    return conn.execute(_active_plan(), {"journal": journal_of(conn)}).first() is not None


def _plan_alerts(
    conn: Connection,
    ruleset: Ruleset,
    entries: Sequence[Entry],
    spans: Sequence[Span],
    zone: tzinfo,
    plan_active: bool | None = None,
) -> tuple[dict[str, Alert], list[Span]]:
    """The plan-ceiling alerts for the doses in ``spans`` on days the active plan covers, and
    the spans (from the plan's first day) whose stored plan alerts they replace.
    ``plan_active``: whether a plan is active, when the caller has already looked."""
    # Most journals have no active plan: look first, and import the plan modules only then
    # (``mitra log dose`` start-up time, bench/cli_startup.py).
    if plan_active is None:
        plan_active = has_active_plan(conn)
    if not plan_active:
        return {}, []
    from mitra.services.plan_judging import ceiling_check  # noqa: PLC0415
    from mitra.storage.plan_store import PlanStore  # noqa: PLC0415

    active = PlanStore(conn).active()
    if active is None:
        return {}, []
    first = datetime.combine(active.plan.steps[0].start, datetime.min.time(), tzinfo=zone)
    scope = [Span(max(s.start, first), s.end) for s in spans if s.end > first]
    doses = sorted((e for e in entries if isinstance(e, DoseEntry)), key=lambda d: d.at)
    found: dict[str, Alert] = {}
    for dose in doses:
        if not any(dose.at in span for span in scope):
            continue
        _, alert = ceiling_check(ruleset, active, dose, doses, zone)
        if alert is not None:
            merge(found, alert)
    return found, scope


def _reconcile(
    conn: Connection,
    ctx: AppContext,
    profile: Profile,
    spans: Spans,
    plan_spans: Sequence[Span],
    *,
    start: datetime | None,
    once_keys: Literal["window", "skip"],
    dry_run: bool = False,
    after_deletion: bool = False,
    plan_active: bool | None = None,
    window: Window | None = None,
) -> Changes:
    ruleset = ctx.rules().ruleset
    zone = profile.zone()
    needed = [*spans.history(ruleset)]
    needed += [Span(s.start - PLAN_REACH, s.end + PLAN_REACH) for s in plan_spans]
    # Merged first: the plan days lie inside the history the rules read, and reading them
    # apart would read and decode their entries twice. A check-in is judged on its own
    # (``Spans.covers_assessment``: those in the core spans), so only those are read, not
    # every check-in of the weeks the dose rules look back over.
    entries, assessments = _load(conn, merged_spans(needed), merged_spans(spans.core), window)
    desired = judge(
        entries,
        profile,
        ruleset,
        assessments=assessments,
        zone=zone,
        journal_start=start,
        spans=spans,
        memo=ctx.judged,
    )
    plan_desired, plan_scope = _plan_alerts(conn, ruleset, entries, plan_spans, zone, plan_active)
    store = AlertStore(conn)
    stored: dict[int, StoredAlert] = {}
    # Read span by span: the spans of one change may lie years apart (a back-dated entry
    # that moved the journal's start), and nothing between them is re-judged.
    alert_spans = merged_spans([*spans.core, *spans.symptoms, *spans.escalation, *plan_scope])
    if window is not None:
        in_spans = window.alerts([(s.start, s.end) for s in alert_spans])
    else:
        in_spans = [found for s in alert_spans for found in store.in_span(s.start, s.end)]
    for found in in_spans:
        group = _group(ruleset, found.alert.rule_id)
        if spans.covers_alert(found.alert, ruleset) or (
            group == PLAN_GROUP and any(found.alert.at in s for s in plan_scope)
        ):
            stored[found.id] = found
    once = {k: a for k, a in desired.items() if key_parts(k).scope is Scope.ONCE}
    found_once = once
    if once_keys == "skip":
        desired = {k: a for k, a in desired.items() if k not in once}
    elif once:
        for found in _stored_once(window if window is not None else store, once):
            stored[found.id] = found
    wanted = {**desired, **plan_desired}
    judged = [*spans.core, *spans.symptoms]
    items = diff(
        wanted,
        stored.values(),
        JournalStore(conn).deleted_ids,
        window_once=judged,
        after_deletion=after_deletion,
    )
    changes = Changes(items, once=found_once)
    if not dry_run:
        changes.applied = apply(store, changes.items, ctx.now())
        if window is not None:
            window.alerts_changed(
                [s.id for s in changes.applied]
                + [c.stored.id for c in changes.items if c.stored is not None]
            )
    return changes


# What ``AlertStore.once_only`` leaves out: keys with a day, week or event part, matched as
# SQLite's LIKE matches them (ASCII letters in either case).
_BUCKETS = ("/day:", "/week:", "/at:")
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _stored_once(store: AlertStore | Window, keys: Iterable[str]) -> list[StoredAlert]:
    """The stored once-only alerts with these keys: what ``store.once_only()`` holds of them,
    found through the unique key index (once_only reads every once-only alert, a scan of the
    whole alert table on every write)."""
    return [
        found
        for found in store.with_keys(keys)
        if not any(b in found.alert.key.translate(_ASCII_LOWER) for b in _BUCKETS)
    ]


def _group(ruleset: Ruleset, rule_id: str) -> str:
    try:
        return ruleset.rule(rule_id).group
    except KeyError:
        return ""


def rejudge_around(
    conn: Connection,
    ctx: AppContext,
    profile: Profile,
    *,
    changed: Entry | None = None,
    deleted: bool = False,
    checkin_at: datetime | None = None,
    plan_active: bool | None = None,
    window: Window | None = None,
) -> list[StoredAlert]:
    """Re-judge every window that ``changed`` (an entry just stored, deleted or restored) or a
    check-in at ``checkin_at`` falls in; return the alerts opened or reopened (``deleted``: the
    change was ``changed``'s deletion, which the close notes say; ``plan_active``: whether a
    plan is active, when the caller has looked already; ``window``: the reads kept from the
    last write, when the caller keeps them, see ``storage.judging_window``). When the change
    moved the journal's start, the escalation of the two weeks after the old and new start
    (whose baseline week is now whole, or no longer) is judged again too."""
    ruleset = ctx.rules().ruleset
    zone = profile.zone()
    spans = Spans()
    plan_spans: list[Span] = []
    start, without = journal_starts(conn, changed.id if changed is not None else None, window)
    if checkin_at is not None:
        spans = spans.union(Spans(core=(day_aligned(checkin_at, checkin_at, zone),)))
    if changed is not None:
        spans = spans.union(affected_spans(changed.at, ruleset, zone))
        plan_spans.append(day_aligned(changed.at - PLAN_REACH, changed.at + PLAN_REACH, zone))
        with_it = changed.at if without is None else min(without, changed.at)
        if without != with_it:
            # Rules that need the journal to reach back far enough (escalation's baseline week,
            # the overdose rule's break) change their answer just after the old and new start.
            back = escalation_span(ruleset)
            reach, _ = core_span(ruleset)
            for edge in (e for e in (without, with_it) if e is not None):
                spans = spans.union(
                    Spans(
                        core=(day_aligned(edge, edge + reach, zone),),
                        escalation=(week_aligned(edge, edge + back, zone),),
                    )
                )
    changes = _reconcile(
        conn,
        ctx,
        profile,
        spans,
        plan_spans,
        start=start,
        once_keys="window",
        after_deletion=deleted,
        plan_active=plan_active,
        window=window,
    )
    return changes.applied


@dataclass(frozen=True)
class RejudgeReport:
    """What judging the whole journal from scratch changes (or would change)."""

    changes: tuple[Change, ...]
    applied: bool
    open_before: int
    open_after: int

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


def rejudge_all(ctx: AppContext, *, dry_run: bool) -> RejudgeReport:
    """Judge the whole journal from scratch, a few weeks at a time, in one transaction."""
    with ctx.database.transaction() as conn:
        profile = JournalStore(conn).get_profile(ctx.default_timezone)
        zone = profile.zone()
        store = AlertStore(conn)
        before = sum(1 for s in store.list())
        start, end = journal_start(conn), journal_end(conn)
        chunks: list[Span] = []
        if start is not None and end is not None:
            first = week_aligned(start, start, zone).start
            step = timedelta(weeks=CHUNK_WEEKS)
            while first <= end:
                chunks.append(Span(first, first + step))
                first += step
        all_changes = Changes()
        once: dict[str, Alert] = {}
        for chunk in chunks:
            spans = whole_span(chunk, zone)
            part = _reconcile(
                conn, ctx, profile, spans, [chunk], start=start, once_keys="skip", dry_run=dry_run
            )
            all_changes.items += part.items
            for alert in part.once.values():
                merge(once, alert)
        all_changes.items += _once_changes(conn, ctx, once, dry_run=dry_run)
        # Alerts whose time lies outside every chunk (their entries are all deleted, or the
        # journal is empty) are judged against an empty record.
        outside = _outside(conn, ctx, chunks, dry_run=dry_run)
        all_changes.items += outside
        after = sum(1 for s in store.list()) if not dry_run else _open_after(before, all_changes)
        return RejudgeReport(tuple(all_changes.items), not dry_run, before, after)


def _once_changes(
    conn: Connection, ctx: AppContext, found: Mapping[str, Alert], *, dry_run: bool
) -> list[Change]:
    """Once-only keys over the whole journal: their earliest occurrence, or closed if none."""
    store = AlertStore(conn)
    changes = diff(found, store.once_only(), JournalStore(conn).deleted_ids())
    if not dry_run:
        apply(store, changes, ctx.now())
    return changes


def _outside(
    conn: Connection, ctx: AppContext, chunks: Sequence[Span], *, dry_run: bool
) -> list[Change]:
    """Alerts dated outside every chunk (only deleted entries were there): none is implied."""
    store = AlertStore(conn)
    leftovers = [
        s
        for s in store.list()
        if key_parts(s.alert.key).scope is not Scope.ONCE
        and not any(s.alert.at in chunk for chunk in chunks)
    ]
    changes = diff({}, leftovers, JournalStore(conn).deleted_ids())
    if not dry_run:
        apply(store, changes, ctx.now())
    return changes


def _open_after(before: int, changes: Changes) -> int:
    return before + changes.count("open") + changes.count("reopen") - changes.count("close")
