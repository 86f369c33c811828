"""The clinician's roster (``/clinic``, ``GET /api/v1/people?sort=risk``): every journal the
caller may see now, in the documented risk order (``domain.roster``, ``data/roster.toml``),
filtered and a page at a time; and marking an alert as seen.

Steps of one roster: the caller's live shares and emergency accesses are read on the primary
(who may see what is never decided on a replica); the signals of those journals, in one
statement, on the reader (the streaming replica while it is close enough, else the primary);
the order in the pure domain; buprenorphine readiness only for the page's journals with a
COWS recent and high enough for it to be more than "not yet"; then, on the primary, one audit
row per journal on the page (action ``read``, object ``roster``), in one transaction, so each
person's "who looked" shows that their summary was seen on a clinician's list.

Marking an alert as seen is a clinician's acknowledgement: access is checked on the primary
(audited as a read of the alert), the acknowledgement is stored apart from the person's own
(``clinician_acks``: the alert stays open for them, and they see who saw it and the note),
and an audit row ``seen`` names the alert, in one transaction. The roster's "emergency not yet
seen" is answered from those acknowledgements. Times are passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from mitra.domain import bup_readiness, roster
from mitra.domain.access import Action, Scope
from mitra.domain.bup_readiness import Readiness
from mitra.domain.errors import InputError
from mitra.domain.roster import Placed, RosterOrder, Signals
from mitra.services import clinic_sharing
from mitra.services.clinic_accounts import Caller
from mitra.storage import audit_store, roster_store, share_store
from mitra.storage.audit_store import Event
from mitra.storage.database import Database
from mitra.storage.roster_store import ClinicianAck

ROSTER_OBJECT = "roster"
SEVERITIES_SEEN = ("emergency", "urgent")


@dataclass(frozen=True, slots=True)
class RosterRow:
    journal_id: int
    email: str
    scope: str  # read | plan | break-glass
    ends: datetime | None
    placed: Placed
    readiness: Readiness | None  # only when a recent COWS makes it worth showing

    @property
    def signals(self) -> Signals:
        return self.placed.signals


@dataclass(frozen=True, slots=True)
class RosterPage:
    rows: list[RosterRow]
    total: int  # journals matching the filter
    everyone: int  # journals on the list, unfiltered
    counts: dict[str, int]  # filter id -> journals showing that sign
    order: RosterOrder
    at: datetime


@dataclass(frozen=True, slots=True)
class _Listed:
    email: str
    scope: str
    ends: datetime | None


def _listed(database: Database, caller: Caller, at: datetime) -> dict[int, _Listed]:
    """The journals ``caller`` may see at ``at``: live shares (the wider scope when two) and
    open emergency accesses (shown as such when no share covers the journal)."""
    with database.read() as conn:
        shares = share_store.active_for_clinician(conn, caller.account_id, at)
        grants = share_store.live_grants_of_clinician(conn, caller.account_id, at)
    found = {
        s.journal_id: _Listed(s.email, s.scope.value, s.ends)
        for s in shares
        if s.scope in (Scope.READ, Scope.PLAN)
    }
    for grant, email in grants:
        found.setdefault(grant.journal_id, _Listed(email, "break-glass", grant.ends))
    return found


def _readiness_worth_showing(s: Signals, at: datetime) -> bool:
    data = bup_readiness.data()["cows"]
    cows = next((t for t in s.trends if t.instrument_id == "cows"), None)
    return (
        cows is not None
        and cows.latest >= int(data["min_total"])
        and at - cows.latest_at <= timedelta(hours=float(data["max_age_hours"]))
    )


def roster_page(
    database: Database,
    caller: Caller,
    *,
    at: datetime,
    only: str | None,
    offset: int,
    limit: int,
    source: str | None,
    readiness_of: Callable[[int], Readiness] | None = None,
    by_email: bool = False,
) -> RosterPage:
    """One page of the caller's roster (module docstring), in risk order or (``by_email``)
    by the person's email; ``readiness_of`` gives a journal's buprenorphine readiness."""
    order = roster.roster_order()
    listed = _listed(database, caller, at)
    with database.on_replica().read() as conn:
        found = roster_store.signals(
            conn, {jid: item.email for jid, item in listed.items()}, order, at=at
        )
    everyone = roster.ranked(found, order, at)
    kept = everyone if only is None else [p for p in everyone if only in p.signs]
    if by_email:
        kept = sorted(kept, key=lambda p: (p.signals.email, p.signals.journal_id))
    page = kept[offset : offset + limit]
    rows = [
        RosterRow(
            p.signals.journal_id,
            p.signals.email,
            listed[p.signals.journal_id].scope,
            listed[p.signals.journal_id].ends,
            p,
            readiness_of(p.signals.journal_id)
            if readiness_of is not None and _readiness_worth_showing(p.signals, at)
            else None,
        )
        for p in page
    ]
    if rows:
        with database.transaction() as conn:
            audit_store.append_many(
                conn,
                [
                    Event(
                        at=at,
                        actor_id=caller.account_id,
                        actor_role=caller.role.value,
                        journal_id=row.journal_id,
                        action=Action.READ.value,
                        object_type=ROSTER_OBJECT,
                        source_address=source,
                    )
                    for row in rows
                ],
            )
    return RosterPage(rows, len(kept), len(everyone), roster.filter_counts(everyone), order, at)


MAX_ACK_NOTE = 500


def check_ack_note(note: str | None) -> str | None:
    """A clinician's note for the person: at most ``MAX_ACK_NOTE`` characters (``InputError``
    beyond); blank is none."""
    clean = (note or "").strip()
    if len(clean) > MAX_ACK_NOTE:
        raise InputError(
            f"the note is {len(clean)} characters; at most {MAX_ACK_NOTE} are kept", field="note"
        )
    return clean or None


def mark_seen(
    database: Database,
    caller: Caller,
    journal_id: int,
    alert_id: int,
    *,
    at: datetime,
    source: str | None,
    note: str | None = None,
) -> bool:
    """Acknowledge, as ``caller``, an open emergency or urgent alert of a journal they may see
    now: stored apart from the person's own acknowledgement (the alert stays open for them),
    with an optional note the person sees, and audited as ``seen``. False (nothing stored but
    the audited refusal) for a journal they may not see or an alert not open there. A second
    acknowledgement by the same clinician keeps the first."""
    clean = check_ack_note(note)
    with database.transaction() as conn:
        decision = clinic_sharing.access_for(
            database,
            caller,
            journal_id,
            Action.READ,
            at=at,
            source=source,
            object_type="alert",
            object_id=str(alert_id),
            conn=conn,
        )
        if not decision.allowed:
            return False
        if not roster_store.is_open(conn, journal_id, alert_id, SEVERITIES_SEEN):
            return False
        if not roster_store.insert_ack(
            conn, journal_id, alert_id, caller.account_id, at=at, note=clean
        ):
            return True
        audit_store.append(
            conn,
            Event(
                at=at,
                actor_id=caller.account_id,
                actor_role=caller.role.value,
                journal_id=journal_id,
                action=roster_store.SEEN,
                object_type="alert",
                object_id=str(alert_id),
                source_address=source,
            ),
        )
    return True


def acks_of(database: Database, journal_id: int, alert_ids: list[int]) -> list[ClinicianAck]:
    """The care team's acknowledgements of these alerts (what the person's page shows)."""
    with database.read() as conn:
        return roster_store.acks_of(conn, journal_id, alert_ids)


def acks_by_alert(
    database: Database, journal_id: int, shown: Sequence[Sequence[int]]
) -> list[list[ClinicianAck]]:
    """For each alert shown (its stored ids: one alert and its grouped repeats), the care
    team's acknowledgements of it, in one read: what the person's page and API show."""
    acks = acks_of(database, journal_id, [i for ids in shown for i in ids])
    # A set per alert, made once (a daily pattern's group holds years of ids).
    return [[a for a in acks if a.alert_id in ids] for ids in map(set, shown)]


def person_row(
    database: Database,
    caller: Caller,
    journal_id: int,
    *,
    at: datetime,
    readiness_of: Callable[[int], Readiness] | None = None,
) -> RosterRow | None:
    """The roster's row for one journal the caller may see now (None for any other): the
    person's page as a clinician shows it at the top. Not audited here: the page's own read
    of the journal is (``access_for``)."""
    order = roster.roster_order()
    listed = _listed(database, caller, at).get(journal_id)
    if listed is None:
        return None
    with database.on_replica().read() as conn:
        (found,) = roster_store.signals(conn, {journal_id: listed.email}, order, at=at)
    (placed,) = roster.ranked([found], order, at)
    ready = (
        readiness_of(journal_id)
        if readiness_of is not None and _readiness_worth_showing(found, at)
        else None
    )
    return RosterRow(journal_id, listed.email, listed.scope, listed.ends, placed, ready)
