"""Who may do what with a journal on the clinic server: one decision function, ``may``.

Roles: a *person* keeps a journal; a *clinician* sees journals shared with them; an *admin*
runs the server (accounts, settings) and sees no journal unless one is shared with them like
with a clinician. Actions: ``read``, ``write`` (log, change, delete entries), ``plan``
(propose or change a taper or titration plan) and ``admin`` (server administration).

The rules, all of them:

- a person may read, write and plan in their own journal, and nothing in any other;
- a clinician (or an admin) may read a journal while a share of it with them is active
  (from ``starts``, before ``ends`` if it has one, and not yet revoked at that moment), and
  plan in it while the active share's scope is ``plan``;
- a clinician may read a journal during a break-glass grant's window (emergency access with
  a stated reason, at most ``MAX_BREAK_GLASS`` long, every use audited). The idea is the
  "emergency access procedure" of the HIPAA Security Rule (45 CFR 164.312(a)(2)(ii)); the
  four-hour limit and the ten-character reason are mitra defaults, not a cited figure;
- only an admin may take the ``admin`` action, and it concerns no journal;
- nothing else is allowed: in particular nobody but the person writes in a person's journal
  (a clinician's only change is a plan, through ``plan``).

Invariants: pure and total. ``may`` never raises for well-formed records, reads no clock
(``at`` is passed in) and always says why, in words fit for the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from mitra.domain.errors import InputError


class Role(StrEnum):
    PERSON = "person"
    CLINICIAN = "clinician"
    ADMIN = "admin"


class Scope(StrEnum):
    READ = "read"
    PLAN = "plan"


class Action(StrEnum):
    READ = "read"
    WRITE = "write"
    PLAN = "plan"
    ADMIN = "admin"


# A mitra default: long enough for one emergency visit, short enough that access which
# should be a share is made a share.
MAX_BREAK_GLASS = timedelta(hours=4)
MIN_REASON_CHARS = 10


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")


@dataclass(frozen=True, slots=True)
class Actor:
    """A signed-in account: its id, its role and, for a person, their own journal."""

    account_id: int
    role: Role
    journal_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Share:
    """A person's journal shared with one clinician, in one scope, for a time."""

    journal_id: int
    clinician_id: int
    scope: Scope
    starts: datetime
    ends: datetime | None = None
    revoked_at: datetime | None = None
    share_id: int | None = None

    def __post_init__(self) -> None:
        _require_aware("starts", self.starts)
        for name in ("ends", "revoked_at"):
            value = getattr(self, name)
            if value is not None:
                _require_aware(name, value)
        if self.ends is not None and self.ends <= self.starts:
            raise InputError("A share must end after it starts.", field="ends")

    def active_at(self, at: datetime) -> bool:
        """From ``starts`` (inclusive) to ``ends`` (exclusive), and not revoked by ``at``."""
        if at < self.starts or (self.ends is not None and at >= self.ends):
            return False
        return self.revoked_at is None or at < self.revoked_at


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakGlass:
    """Emergency read access to one journal for one clinician, with a stated reason."""

    clinician_id: int
    journal_id: int
    reason: str
    starts: datetime
    ends: datetime
    grant_id: int | None = None

    def __post_init__(self) -> None:
        _require_aware("starts", self.starts)
        _require_aware("ends", self.ends)
        reason = self.reason.strip()
        if len(reason) < MIN_REASON_CHARS:
            raise InputError(
                f"Say why emergency access is needed, in at least {MIN_REASON_CHARS} "
                "characters; the reason goes into the audit log.",
                field="reason",
            )
        object.__setattr__(self, "reason", reason)
        if self.ends <= self.starts:
            raise InputError("Emergency access must end after it starts.", field="ends")
        if self.ends - self.starts > MAX_BREAK_GLASS:
            hours = int(MAX_BREAK_GLASS.total_seconds() // 3600)
            raise InputError(
                f"Emergency access lasts at most {hours} hours; ask the person for a share "
                "for longer access.",
                field="ends",
            )

    def active_at(self, at: datetime) -> bool:
        return self.starts <= at < self.ends


@dataclass(frozen=True, slots=True)
class Decision:
    """Allowed or not, why in plain words, and the share or grant it rests on (if any)."""

    allowed: bool
    why: str
    via: Share | BreakGlass | None = None


READ_ONLY_WHY = "the journal is shared to read only, not to plan"


def may(
    actor: Actor,
    action: Action,
    journal_id: int | None,
    *,
    shares: Iterable[Share],
    grants: Iterable[BreakGlass],
    at: datetime,
) -> Decision:
    """Whether ``actor`` may take ``action`` on ``journal_id`` at the moment ``at``.

    ``journal_id`` is None only for the ``admin`` action. ``shares`` and ``grants`` may hold
    any records (other journals', other clinicians', expired ones): only those naming this
    actor and this journal and active at ``at`` count.
    """
    _require_aware("at", at)
    if action is Action.ADMIN:
        return _admin(actor, journal_id)
    if journal_id is None:
        return Decision(False, f"{action.value} needs a journal")
    if actor.role is Role.PERSON:
        return _person(actor, action, journal_id)
    return _through_shares(actor, action, journal_id, list(shares), list(grants), at)


def _admin(actor: Actor, journal_id: int | None) -> Decision:
    if actor.role is not Role.ADMIN:
        return Decision(False, f"only an admin administers the server, not a {actor.role.value}")
    if journal_id is not None:
        return Decision(False, "administration concerns no journal; journals need a share")
    return Decision(True, "admin administers the server")


def _person(actor: Actor, action: Action, journal_id: int) -> Decision:
    if actor.journal_id is not None and actor.journal_id == journal_id:
        return Decision(True, f"a person may {action.value} in their own journal")
    return Decision(False, "a person has access to their own journal only")


def _through_shares(
    actor: Actor,
    action: Action,
    journal_id: int,
    shares: list[Share],
    grants: list[BreakGlass],
    at: datetime,
) -> Decision:
    role = actor.role.value
    if action is Action.WRITE:
        return Decision(False, f"a {role} never writes in a person's journal")
    mine = [
        s
        for s in shares
        if s.clinician_id == actor.account_id and s.journal_id == journal_id and s.active_at(at)
    ]
    if action is Action.PLAN:
        planning = next((s for s in mine if s.scope is Scope.PLAN), None)
        if planning is not None:
            return Decision(True, f"the journal is shared with this {role} to plan", planning)
        if mine:
            return Decision(False, READ_ONLY_WHY)
        return Decision(False, f"the journal is not shared with this {role} now")
    if mine:
        return Decision(True, f"the journal is shared with this {role}", mine[0])
    if actor.role is Role.CLINICIAN:
        grant = next(
            (
                g
                for g in grants
                if g.clinician_id == actor.account_id
                and g.journal_id == journal_id
                and g.active_at(at)
            ),
            None,
        )
        if grant is not None:
            return Decision(True, f"emergency access: {grant.reason}", grant)
    return Decision(False, f"the journal is not shared with this {role} now")
