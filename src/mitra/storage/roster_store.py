"""Rows -> the roster's signals of many journals at once, in one statement.

The clinic's one read across journals: the journals are named by the caller (the services
pass the ids the caller's shares and grants let them see, never more), and every correlated
subquery carries its table's ``journal_id`` (the tenant key). Each signal is an index probe:
open alerts by the partial ``ix_alerts_open``, "seen" by ``uq_clinician_acks``, scores by
``ix_assessments_instrument_at`` and ``ix_assessments_at``, the plan by ``uq_plans_one_active``
and ``ix_plan_events_plan``; every time range is bounded on both ends, so the cost follows the
number of journals listed, not the years each holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, ScalarSelect, and_, exists, func, insert, select

from mitra.domain.roster import RosterOrder, Signals, Trend
from mitra.storage import clinic_tables as c
from mitra.storage import schema as t

SEEN = "seen"  # the audit action of a clinician acknowledging an alert


def _open_alerts(*conditions: Any) -> ScalarSelect[Any]:
    a = t.alerts.c
    return (
        select(func.count())
        .select_from(t.alerts)
        .where(a.journal_id == t.journals.c.id, a.acknowledged_at.is_(None), *conditions)
        .correlate(t.journals)
        .scalar_subquery()
    )


def _unseen_emergencies() -> ScalarSelect[Any]:
    a, ack = t.alerts.c, c.clinician_acks.c
    seen = exists().where(ack.journal_id == a.journal_id, ack.alert_id == a.id)
    return _open_alerts(a.severity == "emergency", ~seen)


def _score(instrument_id: str, since: datetime, at: datetime, nth: int, column: str) -> Any:
    s = t.assessments.c
    return (
        select(s[column])
        .where(
            s.journal_id == t.journals.c.id,
            s.instrument_id == instrument_id,
            s.at >= since,
            s.at <= at,
            s.deleted_at.is_(None),
        )
        .order_by(s.at.desc(), s.id.desc())
        .limit(1)
        .offset(nth)
        .correlate(t.journals)
        .scalar_subquery()
    )


def _last_checkin(since: datetime, at: datetime) -> Any:
    s = t.assessments.c
    return (
        select(func.max(s.at))
        .where(s.journal_id == t.journals.c.id, s.at >= since, s.at <= at, s.deleted_at.is_(None))
        .correlate(t.journals)
        .scalar_subquery()
    )


def _plan_event() -> Any:
    p, e = t.plans.c, t.plan_events.c
    return (
        select(e.event)
        .join(t.plans, and_(p.id == e.plan_id, p.journal_id == e.journal_id))
        .where(e.journal_id == t.journals.c.id, p.status == "active")
        .order_by(e.id.desc())
        .limit(1)
        .correlate(t.journals)
        .scalar_subquery()
    )


def signals(
    conn: Connection, emails: Mapping[int, str], order: RosterOrder, *, at: datetime
) -> list[Signals]:
    """The signals of each journal in ``emails`` (journal id -> the person's email), as at
    ``at``; the journals in no particular order (``domain.roster`` orders them)."""
    if not emails:
        return []
    a = t.alerts.c
    trend_since = at - order.trend_window
    columns: list[Any] = [
        t.journals.c.id,
        _open_alerts(a.severity == "emergency").label("open_emergency"),
        _unseen_emergencies().label("unseen_emergency"),
        _open_alerts(a.severity == "urgent").label("open_urgent"),
        _open_alerts(a.rule_id.in_(order.escalation_rules)).label("escalation"),
        _last_checkin(at - order.checkin_lookback, at).label("last_checkin"),
        _plan_event().label("plan_event"),
    ]
    for instrument in order.trend_instruments:
        for nth, name in ((0, "latest"), (1, "previous")):
            columns.append(
                _score(instrument, trend_since, at, nth, "total").label(f"{instrument}_{name}")
            )
        columns.append(_score(instrument, trend_since, at, 0, "at").label(f"{instrument}_at"))
    rows = conn.execute(select(*columns).where(t.journals.c.id.in_(sorted(emails))))
    return [_signals(row._mapping, emails, order) for row in rows]


def _signals(m: Any, emails: Mapping[int, str], order: RosterOrder) -> Signals:
    trends = []
    for instrument in order.trend_instruments:
        latest = m[f"{instrument}_latest"]
        if latest is not None:
            previous = m[f"{instrument}_previous"]
            trends.append(
                Trend(
                    instrument,
                    int(latest),
                    None if previous is None else int(previous),
                    m[f"{instrument}_at"],
                )
            )
    journal_id = int(m["id"])
    return Signals(
        journal_id=journal_id,
        email=emails[journal_id],
        open_emergency=int(m["open_emergency"]),
        unseen_emergency=int(m["unseen_emergency"]),
        open_urgent=int(m["open_urgent"]),
        escalation=int(m["escalation"]),
        last_checkin=m["last_checkin"],  # typed: a UTC datetime, or None
        trends=tuple(trends),
        plan_event=None if m["plan_event"] is None else str(m["plan_event"]),
    )


def is_open(conn: Connection, journal_id: int, alert_id: int, severities: Sequence[str]) -> bool:
    """Whether the journal's alert ``alert_id`` is open and of one of these severities (what
    a clinician may mark as seen)."""
    a = t.alerts.c
    found = conn.execute(
        select(a.id).where(
            a.journal_id == journal_id,
            a.id == alert_id,
            a.acknowledged_at.is_(None),
            a.severity.in_(severities),
        )
    ).first()
    return found is not None


@dataclass(frozen=True, slots=True)
class ClinicianAck:
    alert_id: int
    clinician_id: int
    clinician_email: str
    at: datetime
    note: str | None


def acks_of(conn: Connection, journal_id: int, alert_ids: Sequence[int]) -> list[ClinicianAck]:
    """The care team's acknowledgements of these alerts of the journal, oldest first."""
    if not alert_ids:
        return []
    ack = c.clinician_acks.c
    rows = conn.execute(
        select(c.clinician_acks, c.accounts.c.email)
        .join(c.accounts, c.accounts.c.id == ack.clinician_id)
        .where(ack.journal_id == journal_id, ack.alert_id.in_(sorted(set(alert_ids))))
        .order_by(ack.at, ack.id)
    )
    return [
        ClinicianAck(int(r.alert_id), int(r.clinician_id), str(r.email), r.at, r.note) for r in rows
    ]


def insert_ack(
    conn: Connection,
    journal_id: int,
    alert_id: int,
    clinician_id: int,
    *,
    at: datetime,
    note: str | None,
) -> bool:
    """Store a clinician's acknowledgement; False when they had already made one (kept)."""
    ack = c.clinician_acks.c
    found = conn.execute(
        select(ack.id).where(
            ack.journal_id == journal_id,
            ack.alert_id == alert_id,
            ack.clinician_id == clinician_id,
        )
    ).first()
    if found is not None:
        return False
    conn.execute(
        insert(c.clinician_acks).values(
            journal_id=journal_id, alert_id=alert_id, clinician_id=clinician_id, at=at, note=note
        )
    )
    return True
