"""A clinician setting or adjusting a person's plan on the clinic server (issue 17 item 2).

The same planners, limits and gates as a person's own plan (``services.plans``), in the
person's journal context, so the person's limits (the server's and any their care team made
stricter) bound it. Only with a share to plan: a refusal is audited (``denied_plan``) and
raised as ``NotAllowed``; an allowed change is audited by its own transaction (the audit row
in waiting, ``storage.write_audit``, names the plan created) and recorded as the clinician's
(``plan_authors``), so the person's Plan page says who set it. Times are passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from mitra.domain.access import READ_ONLY_WHY, Action, may
from mitra.services import clinic_sharing
from mitra.services.clinic_accounts import Caller
from mitra.services.clinic_sharing import NotAllowed
from mitra.services.context import AppContext
from mitra.services.plans import PlanService
from mitra.storage import plan_author_store, share_store, write_audit
from mitra.storage.database import Database
from mitra.storage.plan_author_store import PlanAuthor

T = TypeVar("T")


def act(
    database: Database,
    context_of: Callable[[], AppContext],
    caller: Caller,
    journal_id: int,
    change: Callable[[PlanService], T],
    *,
    at: datetime,
    source: str | None,
) -> T:
    """Run ``change`` on the person's plans as ``caller``; ``context_of`` gives the journal's
    context (asked only once the caller is let in)."""
    with database.read() as conn:
        decision = may(
            caller.actor(),
            Action.PLAN,
            journal_id,
            shares=share_store.shares_for(conn, caller.account_id, journal_id),
            grants=share_store.grants_for(conn, caller.account_id, journal_id),
            at=at,
        )
    if Action.PLAN.value not in caller.scopes or not decision.allowed:
        refused = clinic_sharing.access_for(
            database, caller, journal_id, Action.PLAN, at=at, source=source, object_type="plan"
        )
        raise NotAllowed(refused.why, shared=refused.why == READ_ONLY_WHY)
    pending = write_audit.PendingWrite(
        write_audit.event(
            at=at,
            actor_id=caller.account_id,
            actor_role=caller.role.value,
            journal_id=journal_id,
            action=Action.PLAN.value,
            object_type="plan",
            object_id="plan",
            source_address=source,
        )
    )
    token = write_audit.PENDING.set(pending)
    try:
        return change(PlanService(context_of(), author_id=caller.account_id))
    finally:
        write_audit.PENDING.reset(token)


def authors(database: Database, journal_id: int, plan_id: int) -> list[PlanAuthor]:
    """Who of the care team made or stepped back this plan (none: the person's own)."""
    with database.read() as conn:
        return list(plan_author_store.of_plan(conn, journal_id, plan_id))
