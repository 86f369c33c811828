"""Consent, access and the audit log on the clinic server (PostgreSQL): shares decide what a
clinician sees, revoking takes effect at once, break-glass access is reasoned, brief and
shown, and every look by someone else is in a hash chain that stays one line under load."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from mitra.domain.access import Action, Role, Scope
from mitra.domain.errors import InputError
from mitra.services import audit_log, clinic_sharing
from mitra.services.clinic_accounts import Caller, caller_of
from mitra.storage import account_store, audit_store
from mitra.storage.database import Database
from tests.clinic.conftest import AddAccount
from tests.support.clock import FIXED_NOW

T0 = FIXED_NOW


def callers(db: Database, *emails: str) -> list[Caller]:
    with db.read() as conn:
        found = [account_store.by_email(conn, e) for e in emails]
    return [caller_of(a, via="session") for a in found if a is not None]


@pytest.fixture
def pair(clinic_db: Database, add: AddAccount) -> tuple[Caller, Caller]:
    add("sam@example.org")
    add("dr.lee@clinic.org", Role.CLINICIAN)
    sam, lee = callers(clinic_db, "sam@example.org", "dr.lee@clinic.org")
    return sam, lee


def allowed(db: Database, caller: Caller, journal: int, action: Action, at: object = T0) -> bool:
    return clinic_sharing.access_for(db, caller, journal, action, at=at).allowed  # type: ignore[arg-type]


def test_a_read_share_lets_the_clinician_read_but_not_plan_or_write(
    clinic_db: Database, pair: tuple[Caller, Caller]
) -> None:
    sam, lee = pair
    assert sam.journal_id is not None
    assert not allowed(clinic_db, lee, sam.journal_id, Action.READ)
    clinic_sharing.share(
        clinic_db, person_email=sam.email, clinician_email=lee.email, at=T0, actor=sam
    )
    assert allowed(clinic_db, lee, sam.journal_id, Action.READ)
    assert not allowed(clinic_db, lee, sam.journal_id, Action.PLAN)
    assert not allowed(clinic_db, lee, sam.journal_id, Action.WRITE)
    clinic_sharing.share(
        clinic_db,
        person_email=sam.email,
        clinician_email=lee.email,
        scope=Scope.PLAN,
        at=T0 + timedelta(minutes=1),
        actor=sam,
    )
    assert allowed(clinic_db, lee, sam.journal_id, Action.PLAN, T0 + timedelta(minutes=1))
    shared = clinic_sharing.people_for(clinic_db, lee, at=T0 + timedelta(minutes=1))
    assert [(s.journal_id, s.email, s.scope) for s in shared] == [
        (sam.journal_id, sam.email, Scope.PLAN)
    ]


def test_revoking_denies_from_that_very_moment(
    clinic_db: Database, pair: tuple[Caller, Caller]
) -> None:
    sam, lee = pair
    assert sam.journal_id is not None
    clinic_sharing.share(clinic_db, person_email=sam.email, clinician_email=lee.email, at=T0)
    moment = T0 + timedelta(hours=1)
    assert allowed(clinic_db, lee, sam.journal_id, Action.READ, moment)
    clinic_sharing.revoke(
        clinic_db, person_email=sam.email, clinician_email=lee.email, at=moment, actor=sam
    )
    assert not allowed(clinic_db, lee, sam.journal_id, Action.READ, moment)
    views = clinic_sharing.shares_of_person(clinic_db, sam.journal_id, at=moment)
    assert [(v.clinician_email, v.active, v.revoked_at) for v in views] == [
        (lee.email, False, moment)
    ]


def test_an_expired_share_denies(clinic_db: Database, pair: tuple[Caller, Caller]) -> None:
    sam, lee = pair
    assert sam.journal_id is not None
    ends = T0 + timedelta(days=7)
    clinic_sharing.share(
        clinic_db, person_email=sam.email, clinician_email=lee.email, ends=ends, at=T0
    )
    assert allowed(clinic_db, lee, sam.journal_id, Action.READ, ends - timedelta(seconds=1))
    assert not allowed(clinic_db, lee, sam.journal_id, Action.READ, ends)


def test_only_the_person_shares_their_journal(
    clinic_db: Database, pair: tuple[Caller, Caller]
) -> None:
    sam, lee = pair
    with pytest.raises(InputError, match="only the person"):
        clinic_sharing.share(
            clinic_db, person_email=sam.email, clinician_email=lee.email, at=T0, actor=lee
        )


def test_break_glass_needs_a_reason_expires_and_is_shown_to_the_person_and_admins(
    clinic_db: Database, pair: tuple[Caller, Caller]
) -> None:
    sam, lee = pair
    journal = sam.journal_id
    assert journal is not None
    with pytest.raises(InputError, match="why"):
        clinic_sharing.break_glass(
            clinic_db, clinician=lee, journal_id=journal, reason="  ", minutes=30, at=T0
        )
    with pytest.raises(InputError, match="minutes"):
        clinic_sharing.break_glass(
            clinic_db,
            clinician=lee,
            journal_id=journal,
            reason="unconscious in the emergency room",
            minutes=5 * 60,
            at=T0,
        )
    reason = "unconscious in the emergency room"
    grant = clinic_sharing.break_glass(
        clinic_db, clinician=lee, journal_id=journal, reason=reason, minutes=30, at=T0
    )
    during = T0 + timedelta(minutes=10)
    assert allowed(clinic_db, lee, journal, Action.READ, during)
    assert not allowed(clinic_db, lee, journal, Action.READ, grant.ends)
    looks = audit_log.who_looked(clinic_db, journal)
    assert [(look.action, look.actor_email, look.reason) for look in looks] == [
        ("read", lee.email, reason),
        ("break_glass", lee.email, reason),
        ("create", None, None),  # the operator made the account and its journal
    ]
    flags = clinic_sharing.break_glass_flags(clinic_db)
    assert [(f.clinician_email, f.person_email, f.grant.reason) for f in flags] == [
        (lee.email, sam.email, reason)
    ]
    assert clinic_sharing.break_glass_of_person(clinic_db, journal)[0].grant_id == grant.grant_id
    again = clinic_sharing.break_glass(
        clinic_db, clinician=lee, journal_id=journal, reason="Again: no answer by phone",
        minutes=5, at=during,
    )  # fmt: skip
    page, total = clinic_sharing.break_glass_flag_page(clinic_db, offset=1, limit=1)
    assert total == 2 and [f.grant.grant_id for f in page] == [grant.grant_id]
    newest, _ = clinic_sharing.break_glass_flag_page(clinic_db, offset=0, limit=1)
    assert [f.grant.grant_id for f in newest] == [again.grant_id]


def test_others_reads_and_everyones_writes_are_audited_but_not_the_owners_reads(
    clinic_db: Database, pair: tuple[Caller, Caller]
) -> None:
    sam, lee = pair
    journal = sam.journal_id
    assert journal is not None
    with clinic_db.read() as conn:
        before = audit_store.count(conn)
    assert allowed(clinic_db, sam, journal, Action.READ)
    with clinic_db.read() as conn:
        assert audit_store.count(conn) == before
    assert allowed(clinic_db, sam, journal, Action.WRITE)
    assert not allowed(clinic_db, lee, journal, Action.READ)  # a refused attempt is logged
    clinic_sharing.share(clinic_db, person_email=sam.email, clinician_email=lee.email, at=T0)
    assert allowed(clinic_db, lee, journal, Action.READ, T0 + timedelta(minutes=1))
    with clinic_db.read() as conn:
        rows = list(audit_store.scan(conn, after_seq=before))
    assert [(r.actor_role, r.action) for r in rows] == [
        ("person", "write"),
        ("clinician", "denied_read"),
        ("system", "share"),
        ("clinician", "read"),
    ]
    # The person sees the clinician's read, not their own writes nor the refused attempt.
    looks = audit_log.who_looked(clinic_db, journal)
    assert [(look.actor_email, look.action) for look in looks] == [
        (lee.email, "read"),
        (None, "share"),
        (None, "create"),
    ]


def test_a_token_without_the_scope_is_denied(
    clinic_db: Database, pair: tuple[Caller, Caller]
) -> None:
    sam, _ = pair
    assert sam.journal_id is not None
    read_only = Caller(sam.account_id, Role.PERSON, sam.email, sam.journal_id, frozenset({"read"}))
    assert allowed(clinic_db, read_only, sam.journal_id, Action.READ)
    assert not allowed(clinic_db, read_only, sam.journal_id, Action.WRITE)


def test_concurrent_appends_from_several_threads_keep_one_valid_chain(
    clinic_db: Database,
) -> None:
    threads, each = 6, 15
    errors: list[BaseException] = []

    def append(number: int) -> None:
        try:
            for n in range(each):
                with clinic_db.transaction() as conn:
                    audit_log.append(
                        conn,
                        audit_log.Event(
                            at=T0 + timedelta(seconds=n),
                            actor_id=number,
                            actor_role="clinician",
                            journal_id=number,
                            action="read",
                            object_type="journal",
                        ),
                    )
        except BaseException as exc:  # reported below
            errors.append(exc)

    workers = [threading.Thread(target=append, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    result = audit_log.verify(clinic_db)
    assert result.broken is None
    assert result.rows == threads * each


def test_a_changed_row_breaks_the_chain_at_that_row(clinic_db: Database, add: AddAccount) -> None:
    for n in range(4):
        add(f"p{n}@example.org")
    assert audit_log.verify(clinic_db).broken is None
    with clinic_db.transaction() as conn:
        conn.execute(text("UPDATE audit_log SET object_id = '999' WHERE seq = 3"))
    broken = audit_log.verify(clinic_db).broken
    assert broken is not None and (broken.seq, broken.after_seq) == (3, 2)
