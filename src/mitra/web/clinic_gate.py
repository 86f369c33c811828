"""The web side's one door to the clinic services (accounts, sharing, audit): what the pages,
the API and ``clinic_auth`` ask, in the shapes they show, with the clock passed in.

Every call takes "now" from the base context's clock (so tests move time by moving that
clock) and the source address from the request. The services own their transactions and the
audit rows they write (sign-in, shares, break-glass, reads through ``access_for``); this module
gives only the audit row in waiting of a write on a person's own journal (``pending_write``),
which the write's own transaction stores.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TextIO, TypeVar
from zoneinfo import ZoneInfo

from mitra.domain.access import MAX_BREAK_GLASS, Action
from mitra.domain.bup_readiness import Readiness
from mitra.domain.errors import InputError, NotFoundError
from mitra.services import (
    audit_log,
    care_notes,
    clinic_accounts,
    clinic_people,
    clinic_roster,
    clinic_sharing,
    clinician_plans,
    person_limits,
)
from mitra.services.clinic_accounts import Caller
from mitra.services.context import AppContext
from mitra.services.plans import PlanService
from mitra.storage import write_audit
from mitra.storage.plan_author_store import PlanAuthor
from mitra.storage.roster_store import ClinicianAck
from mitra.web import clinic_auth

__all__ = ["Caller", "ClinicGate", "SignInRefused"]

T = TypeVar("T")


class SignInRefused(Exception):
    """The one refusal of a sign-in, whatever the reason (see ``ClinicGate.sign_in``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class InvitationView:
    email: str
    role: str


@dataclass(frozen=True, slots=True)
class ShareView:
    share_id: int
    clinician_email: str
    scope: str
    starts: datetime
    ends: datetime | None
    revoked_at: datetime | None
    state: str  # in words: "Active", "Starts later", "Ended", "Stopped by you"
    state_key: str  # active | waiting | ended | revoked


@dataclass(frozen=True, slots=True)
class LookView:
    actor_email: str
    actor_role: str
    action_kind: str  # read | write | break-glass | share | revoke | create | seen | other
    action_text: str
    object_type: str
    at: datetime
    break_glass: bool
    reason: str | None


@dataclass(frozen=True, slots=True)
class PersonView:
    journal_id: int
    email: str
    scope: str  # read | plan | break-glass
    ends: datetime | None
    last_activity: datetime | None


@dataclass(frozen=True, slots=True)
class FlagView:
    clinician_email: str
    person_email: str
    reason: str
    starts: datetime
    ends: datetime


class ClinicGate:
    def __init__(
        self, base: AppContext, settings: clinic_accounts.ClinicSettings = clinic_accounts.DEFAULTS
    ) -> None:
        self.base = base
        self.settings = settings  # timeouts, lockout figures, the password hasher

    def now(self) -> datetime:
        return self.base.now()

    # -- who is asking -------------------------------------------------------------------------
    def resolve_token(self, text: str) -> Caller | None:
        return clinic_accounts.resolve_token(self.base.database, text, at=self.now())

    def resolve_session(self, session_id: str, source: str | None) -> Caller | None:
        return clinic_accounts.resolve_session(
            self.base.database, session_id, at=self.now(), settings=self.settings
        )

    def sign_in(
        self, email: str, password: str, code: str, source: str | None, replaces: str | None
    ) -> str:
        """A new session id, or ``SignInRefused`` with the accounts service's one message."""
        result = clinic_accounts.sign_in(
            self.base.database,
            email=email,
            password=password,
            totp_code=code.strip() or None,
            source=source,
            at=self.now(),
            replaces=replaces,
            settings=self.settings,
        )
        if isinstance(result, clinic_accounts.Refused):
            raise SignInRefused(result.message)
        return result.session_id

    def sign_out(self, session_id: str) -> None:
        clinic_accounts.sign_out(self.base.database, session_id, at=self.now())

    def invitation(self, token: str) -> InvitationView | None:
        email = clinic_people.invitation_email(self.base.database, token, at=self.now())
        return None if email is None else InvitationView(email, "person")

    def join(self, token: str, password: str, source: str | None) -> str:
        """Accept the invitation, then sign the new person in: their new session id."""
        account = clinic_accounts.accept_invitation(
            self.base.database,
            token=token,
            password=password,
            at=self.now(),
            source=source,
            settings=self.settings,
        )
        return self.sign_in(account.email, password, "", source, None)

    # -- audit of writes -------------------------------------------------------------------------
    def pending_write(
        self, caller: Caller, path: str, source: str | None
    ) -> write_audit.PendingWrite:
        """The audit row in waiting of a write by ``caller`` on their own journal: stored by
        the write's own transaction (``storage.write_audit``)."""
        kind, object_id = clinic_auth.object_of(path)
        return write_audit.PendingWrite(
            write_audit.event(
                at=self.now(),
                actor_id=caller.account_id,
                actor_role=str(caller.role.value),
                journal_id=caller.journal_id or 0,
                action=Action.WRITE.value,
                object_type=kind,
                object_id=object_id,
                source_address=source,
            )
        )

    def may_read(self, caller: Caller, journal_id: int, what: str, source: str | None) -> bool:
        """Whether ``caller`` may read the journal now; the read (or refusal) is audited."""
        decision = clinic_sharing.access_for(
            self.base.database,
            caller,
            journal_id,
            Action.READ,
            at=self.now(),
            source=source,
            object_type=what,
        )
        return decision.allowed

    # -- a person's shares and who looked --------------------------------------------------------
    def shares_of(self, caller: Caller) -> list[ShareView]:
        assert caller.journal_id is not None
        now = self.now()
        views = []
        for s in clinic_sharing.shares_of_person(self.base.database, caller.journal_id, at=now):
            if s.revoked_at is not None:
                state, key = "Stopped by you", "revoked"
            elif s.active:
                state, key = "Active", "active"
            elif s.starts > now:
                state, key = "Starts later", "waiting"
            else:
                state, key = "Ended", "ended"
            views.append(
                ShareView(
                    s.share_id,
                    s.clinician_email,
                    s.scope.value,
                    s.starts,
                    s.ends,
                    s.revoked_at,
                    state,
                    key,
                )
            )
        return views

    def share(
        self, caller: Caller, clinician: str, scope: str, ends: str, source: str | None
    ) -> int:
        end = _end_of_day(ends, self._zone(caller)) if ends.strip() else None
        return clinic_sharing.share(
            self.base.database,
            person_email=caller.email,
            clinician_email=clinician if clinician.strip() else " ",
            scope=clinic_sharing.parse_scope(scope),
            ends=end,
            at=self.now(),
            actor=caller,
            source=source,
        )

    def revoke(self, caller: Caller, share_id: int, source: str | None) -> None:
        """Stop the share ``share_id`` of the caller's journal now (and any live share with the
        same clinician)."""
        found = next((s for s in self.shares_of(caller) if s.share_id == share_id), None)
        if found is None:
            raise NotFoundError("that share is not one of yours")
        if found.state_key in ("active", "waiting"):
            clinic_sharing.revoke(
                self.base.database,
                person_email=caller.email,
                clinician_email=found.clinician_email,
                at=self.now(),
                actor=caller,
                source=source,
            )

    def who_looked(self, caller: Caller, page: int, per_page: int) -> tuple[list[LookView], bool]:
        assert caller.journal_id is not None
        database = self.base.database

        def looks(number: int) -> list[audit_log.Look]:
            return audit_log.who_looked(
                database, caller.journal_id or 0, page=number, per_page=per_page
            )

        found = looks(page)
        more = len(found) == per_page and bool(looks(page + 1))
        return [_look(row) for row in found], more

    # -- a clinician's people and break-glass ------------------------------------------------------
    def people(self, caller: Caller, page: int, per_page: int) -> tuple[list[PersonView], bool]:
        found, total = self.people_page(caller, (page - 1) * per_page, per_page)
        return found, page * per_page < total

    def people_page(self, caller: Caller, offset: int, limit: int) -> tuple[list[PersonView], int]:
        found, total = clinic_people.people_page(
            self.base.database, caller, at=self.now(), offset=offset, limit=limit
        )
        return [
            PersonView(p.journal_id, p.email, p.scope, p.ends, p.last_activity) for p in found
        ], total

    def roster(
        self,
        caller: Caller,
        needs: str | None,
        offset: int,
        limit: int,
        *,
        source: str | None = None,
        sort_by_email: bool = False,
        readiness_of: Callable[[int], Readiness] | None = None,
    ) -> clinic_roster.RosterPage:
        """One page of the caller's roster (``services.clinic_roster``); its rows are audited."""
        return clinic_roster.roster_page(
            self.base.database,
            caller,
            at=self.now(),
            only=needs,
            offset=offset,
            limit=limit,
            source=source,
            readiness_of=readiness_of,
            by_email=sort_by_email,
        )

    def person_row(
        self,
        caller: Caller,
        journal_id: int,
        readiness_of: Callable[[int], Readiness] | None = None,
    ) -> clinic_roster.RosterRow | None:
        return clinic_roster.person_row(
            self.base.database, caller, journal_id, at=self.now(), readiness_of=readiness_of
        )

    def mark_seen(
        self,
        caller: Caller,
        journal_id: int,
        alert_id: int,
        source: str | None,
        note: str | None = None,
    ) -> bool:
        return clinic_roster.mark_seen(
            self.base.database,
            caller,
            journal_id,
            alert_id,
            at=self.now(),
            source=source,
            note=note,
        )

    def acks_of(self, journal_id: int, alert_ids: list[int]) -> list[ClinicianAck]:
        return clinic_roster.acks_of(self.base.database, journal_id, alert_ids)

    # -- a person's plan --------------------------------------------------------------------------
    def act_on_plan(
        self,
        caller: Caller,
        journal_id: int,
        context_of: Callable[[], AppContext],
        change: Callable[[PlanService], T],
        source: str | None,
    ) -> T:
        return clinician_plans.act(
            self.base.database,
            context_of,
            caller,
            journal_id,
            change,
            at=self.now(),
            source=source,
        )

    def plan_authors(self, journal_id: int, plan_id: int) -> list[PlanAuthor]:
        return clinician_plans.authors(self.base.database, journal_id, plan_id)

    # -- a person's limits -----------------------------------------------------------------------
    def set_limits(
        self, caller: Caller, journal_id: int, limits: Mapping[str, object], source: str | None
    ) -> int:
        return person_limits.set_limits(
            self.base.database,
            caller,
            journal_id,
            limits,
            server=self.base.rules().ruleset,
            at=self.now(),
            source=source,
        )

    def limits_of(self, journal_id: int) -> person_limits.LimitsView:
        return person_limits.view(self.base.database, journal_id, self.base.rules().ruleset)

    def limits_in_force(self, journal_id: int) -> dict[str, dict[str, float]]:
        return person_limits.in_force(self.base.database, journal_id)[1]

    # -- clinicians' notes ---------------------------------------------------------------------
    def write_note(
        self, caller: Caller, journal_id: int, text: str, private: bool, source: str | None
    ) -> int:
        return care_notes.write(
            self.base.database,
            caller,
            journal_id,
            text=text,
            private=private,
            at=self.now(),
            source=source,
        )

    def team_notes(self, journal_id: int, offset: int, limit: int) -> care_notes.NotesPage:
        return care_notes.for_team(self.base.database, journal_id, offset=offset, limit=limit)

    def person_notes(self, journal_id: int, offset: int, limit: int) -> care_notes.NotesPage:
        return care_notes.for_person(self.base.database, journal_id, offset=offset, limit=limit)

    def invite(self, caller: Caller, email: str, role: str) -> str:
        """An invitation token for ``email`` (a person, unless an admin chose another role)."""
        return clinic_accounts.create_invitation(
            self.base.database,
            inviter=caller,
            email=email,
            role=clinic_accounts.parse_role(role.strip() or "person"),
            at=self.now(),
            settings=self.settings,
        )

    def invitation_days(self) -> int:
        return self.settings.invitation_days

    def max_break_glass_minutes(self) -> int:
        return int(MAX_BREAK_GLASS.total_seconds() // 60)

    def break_glass(
        self, caller: Caller, email: str, reason: str, minutes: str, source: str | None
    ) -> None:
        try:
            count = int(minutes.strip())
        except ValueError:
            raise InputError(
                f"give the minutes as a whole number, 1 to {self.max_break_glass_minutes()}",
                field="minutes",
            ) from None
        journal_id = clinic_people.journal_of_person(self.base.database, email)
        clinic_sharing.break_glass(
            self.base.database,
            clinician=caller,
            journal_id=journal_id,
            reason=reason,
            minutes=count,
            at=self.now(),
            source=source,
        )

    # -- an admin's audit page -----------------------------------------------------------------
    def break_glass_flags(self, page: int, per_page: int) -> tuple[list[FlagView], bool]:
        start = (page - 1) * per_page
        flags, total = clinic_sharing.break_glass_flag_page(
            self.base.database, offset=start, limit=per_page
        )
        shown = [
            FlagView(
                f.clinician_email,
                f.person_email or "a journal with no owner",
                f.grant.reason,
                f.grant.starts,
                f.grant.ends,
            )
            for f in flags
        ]
        return shown, total > start + per_page

    def export(self, out: TextIO) -> int:
        return audit_log.export(self.base.database, out)

    def _zone(self, caller: Caller) -> ZoneInfo:
        if caller.journal_id is None:
            return ZoneInfo(self.base.default_timezone)
        from mitra.services.catalogue import ProfileService  # noqa: PLC0415

        scoped = replace(self.base, database=self.base.database.for_journal(caller.journal_id))
        return ProfileService(scoped).show().zone()


def _end_of_day(text: str, zone: ZoneInfo) -> datetime:
    """The end of the day ``text`` (2027-03-01) in ``zone``: a share "until" a day includes it."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"{text.strip()!r} is not a day; give one such as 2027-03-01", field="ends"
        ) from None
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


# The audit log's actions -> the kinds "who looked" words them by.
_LOOK_KINDS = {
    "read": "read",
    "write": "write",
    "plan": "write",
    "break_glass": "break-glass",
    "share": "share",
    "revoke": "revoke",
    "create": "create",
    "seen": "seen",
}


def _look(row: audit_log.Look) -> LookView:
    kind = _LOOK_KINDS.get(row.action, "other")
    return LookView(
        actor_email=row.actor_email or "The clinic",
        actor_role=row.actor_role,
        action_kind=kind,
        action_text=row.action.replace("_", " "),
        object_type=row.object_type,
        at=row.at,
        break_glass=kind == "break-glass" or (kind == "read" and row.reason is not None),
        reason=row.reason,
    )
