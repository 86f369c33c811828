"""Signing in to the clinic server: one refusal for every failure, lockout, TOTP, sessions
and API tokens, with every moment passed in (PostgreSQL)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from mitra.domain.access import Role
from mitra.domain.errors import InputError
from mitra.services import clinic_accounts as accounts
from mitra.services import credentials
from mitra.services.clinic_accounts import GENERIC_REFUSAL, Refused, SignedIn
from mitra.storage import audit_store, credential_store
from mitra.storage.database import Database
from tests.clinic.conftest import CLINICIAN_PASSWORD, FAST, PERSON_PASSWORD, AddAccount
from tests.support.clock import FIXED_NOW

T0 = FIXED_NOW


def sign_in(
    db: Database,
    email: str,
    password: str,
    *,
    at: object = T0,
    code: str | None = None,
    source: str = "10.0.0.1",
    settings: accounts.ClinicSettings = FAST,
) -> SignedIn | Refused:
    return accounts.sign_in(
        db,
        email=email,
        password=password,
        totp_code=code,
        source=source,
        at=at,  # type: ignore[arg-type]
        settings=settings,
    )


def test_wrong_password_unknown_email_and_locked_account_are_refused_alike(
    clinic_db: Database, add: AddAccount
) -> None:
    add("sam@example.org")
    wrong = sign_in(clinic_db, "sam@example.org", "not the password at all")
    unknown = sign_in(clinic_db, "nobody@example.org", PERSON_PASSWORD, source="10.0.0.2")
    for _ in range(5):
        sign_in(clinic_db, "sam@example.org", "still not it at all", source="10.0.0.3")
    locked = sign_in(clinic_db, "sam@example.org", PERSON_PASSWORD, source="10.0.0.4")
    assert wrong == unknown == locked == Refused()
    assert isinstance(wrong, Refused) and wrong.message == GENERIC_REFUSAL
    assert "email" in GENERIC_REFUSAL and "exist" not in GENERIC_REFUSAL


def test_five_failures_in_fifteen_minutes_lock_the_email_for_fifteen_minutes(
    clinic_db: Database, add: AddAccount
) -> None:
    add("sam@example.org")
    for minute in range(5):
        at = T0 + timedelta(minutes=2 * minute)
        assert isinstance(sign_in(clinic_db, "sam@example.org", "wrong guess here", at=at), Refused)
    last = T0 + timedelta(minutes=8)
    just_before = last + timedelta(minutes=14, seconds=59)
    assert isinstance(
        sign_in(clinic_db, "sam@example.org", PERSON_PASSWORD, at=just_before), Refused
    )
    after = last + timedelta(minutes=15)
    assert isinstance(sign_in(clinic_db, "sam@example.org", PERSON_PASSWORD, at=after), SignedIn)


def test_failures_spread_wider_than_the_window_do_not_lock(
    clinic_db: Database, add: AddAccount
) -> None:
    add("sam@example.org")
    for n in range(6):
        sign_in(clinic_db, "sam@example.org", "wrong guess here", at=T0 + timedelta(minutes=4 * n))
    # The last five fell within 16 minutes, more than the 15-minute window.
    at = T0 + timedelta(minutes=21)
    assert isinstance(sign_in(clinic_db, "sam@example.org", PERSON_PASSWORD, at=at), SignedIn)


def test_an_unknown_email_is_locked_exactly_like_a_known_one(
    clinic_db: Database, add: AddAccount
) -> None:
    add("sam@example.org")
    for email in ("ghost@example.org", "sam@example.org"):
        for _ in range(6):
            sign_in(clinic_db, email, "wrong guess here", source=f"10.1.0.{len(email)}")
    with clinic_db.read() as conn:
        refused = [r for r in audit_store.scan(conn) if r.action == "sign_in_refused"]
    # Five counted failures, then "locked", for the unknown email as for the known one.
    reasons = [r.reason for r in refused]
    assert reasons == [None] * 5 + ["locked"] + [None] * 5 + ["locked"]


def test_one_source_address_is_limited_across_emails(clinic_db: Database, add: AddAccount) -> None:
    add("sam@example.org")
    for n in range(FAST.address_failures):
        sign_in(clinic_db, f"guess{n}@example.org", "wrong guess here", source="203.0.113.9")
    from_there = sign_in(clinic_db, "sam@example.org", PERSON_PASSWORD, source="203.0.113.9")
    from_elsewhere = sign_in(clinic_db, "sam@example.org", PERSON_PASSWORD, source="10.9.9.9")
    assert isinstance(from_there, Refused)
    assert isinstance(from_elsewhere, SignedIn)


def test_consecutive_failures_at_the_cap_lock_until_an_admin_unlocks(
    clinic_db: Database, add: AddAccount
) -> None:
    settings = dataclasses.replace(FAST, max_consecutive=7, email_failures=50, address_failures=50)
    add("sam@example.org")
    for _ in range(7):
        sign_in(clinic_db, "sam@example.org", "wrong guess here", settings=settings)
    days_later = T0 + timedelta(days=3)
    assert isinstance(
        sign_in(clinic_db, "sam@example.org", PERSON_PASSWORD, at=days_later, settings=settings),
        Refused,
    )
    accounts.unlock(clinic_db, "sam@example.org", at=days_later)
    assert isinstance(
        sign_in(clinic_db, "sam@example.org", PERSON_PASSWORD, at=days_later, settings=settings),
        SignedIn,
    )


def test_a_clinician_needs_a_totp_code_and_a_code_is_never_accepted_twice(
    clinic_db: Database, add: AddAccount
) -> None:
    lee = add("dr.lee@clinic.org", Role.CLINICIAN)
    assert lee.totp_secret is not None and lee.totp_uri is not None
    assert lee.totp_uri.startswith("otpauth://totp/")
    code = credentials.totp_code(lee.totp_secret, credentials.totp_step(T0))
    assert isinstance(sign_in(clinic_db, lee.email, CLINICIAN_PASSWORD), Refused)
    near = {
        credentials.totp_code(lee.totp_secret, credentials.totp_step(T0) + d) for d in (-1, 0, 1)
    }
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in near)
    assert isinstance(sign_in(clinic_db, lee.email, CLINICIAN_PASSWORD, code=wrong), Refused)
    first = sign_in(clinic_db, lee.email, CLINICIAN_PASSWORD, code=code)
    assert isinstance(first, SignedIn) and first.caller.role is Role.CLINICIAN
    again = sign_in(
        clinic_db, lee.email, CLINICIAN_PASSWORD, code=code, at=T0 + timedelta(seconds=5)
    )
    assert isinstance(again, Refused)
    later = T0 + timedelta(seconds=60)
    next_code = credentials.totp_code(lee.totp_secret, credentials.totp_step(later))
    assert isinstance(
        sign_in(clinic_db, lee.email, CLINICIAN_PASSWORD, code=next_code, at=later), SignedIn
    )


def test_a_session_ends_after_thirty_idle_minutes(clinic_db: Database, add: AddAccount) -> None:
    add("sam@example.org")
    signed = sign_in(clinic_db, "sam@example.org", PERSON_PASSWORD)
    assert isinstance(signed, SignedIn)
    sid = signed.session_id
    seen = T0 + timedelta(minutes=29)
    assert accounts.resolve_session(clinic_db, sid, at=seen, settings=FAST) is not None
    # Each use restarts the idle clock.
    again = seen + timedelta(minutes=29)
    assert accounts.resolve_session(clinic_db, sid, at=again, settings=FAST) is not None
    idle = again + timedelta(minutes=30)
    assert accounts.resolve_session(clinic_db, sid, at=idle, settings=FAST) is None


def test_a_session_ends_twelve_hours_after_sign_in_however_busy(
    clinic_db: Database, add: AddAccount
) -> None:
    add("sam@example.org")
    signed = sign_in(clinic_db, "sam@example.org", PERSON_PASSWORD)
    assert isinstance(signed, SignedIn)
    at = T0
    while at + timedelta(minutes=20) < T0 + timedelta(hours=12):
        at += timedelta(minutes=20)
        assert accounts.resolve_session(clinic_db, signed.session_id, at=at, settings=FAST)
    end = T0 + timedelta(hours=12)
    assert accounts.resolve_session(clinic_db, signed.session_id, at=end, settings=FAST) is None


def test_signing_in_gives_a_new_session_id_and_ends_the_one_it_replaces(
    clinic_db: Database, add: AddAccount
) -> None:
    add("sam@example.org")
    first = sign_in(clinic_db, "sam@example.org", PERSON_PASSWORD)
    assert isinstance(first, SignedIn)
    second = accounts.sign_in(
        clinic_db,
        email="sam@example.org",
        password=PERSON_PASSWORD,
        totp_code=None,
        source="10.0.0.1",
        at=T0 + timedelta(minutes=1),
        replaces=first.session_id,
        settings=FAST,
    )
    assert isinstance(second, SignedIn) and second.session_id != first.session_id
    later = T0 + timedelta(minutes=2)
    assert accounts.resolve_session(clinic_db, first.session_id, at=later) is None
    assert accounts.resolve_session(clinic_db, second.session_id, at=later) is not None
    accounts.sign_out(clinic_db, second.session_id, at=later)
    assert accounts.resolve_session(clinic_db, second.session_id, at=later) is None


def test_a_token_resolves_with_its_scopes_until_it_expires_or_is_revoked(
    clinic_db: Database, add: AddAccount
) -> None:
    add("sam@example.org")
    token = accounts.create_token(
        clinic_db, email="sam@example.org", scopes=("read",), days=1, at=T0
    )
    caller = accounts.resolve_token(clinic_db, token.text, at=T0 + timedelta(hours=23))
    assert caller is not None and caller.scopes == frozenset({"read"}) and caller.via == "token"
    assert accounts.resolve_token(clinic_db, token.text, at=T0 + timedelta(days=1)) is None
    other = accounts.create_token(clinic_db, email="sam@example.org", at=T0)
    assert accounts.resolve_token(clinic_db, other.text, at=T0) is not None
    accounts.revoke_token(clinic_db, other.token_id, at=T0 + timedelta(minutes=1))
    assert accounts.resolve_token(clinic_db, other.text, at=T0 + timedelta(minutes=1)) is None
    assert accounts.resolve_token(clinic_db, "mitra_" + "x" * 43, at=T0) is None


def test_a_tokens_last_use_is_kept_to_the_minute_without_a_write_per_request(
    clinic_db: Database, add: AddAccount
) -> None:
    add("sam@example.org")
    token = accounts.create_token(clinic_db, email="sam@example.org", at=T0)

    def last_used() -> object:
        with clinic_db.read() as conn:
            found = credential_store.token_by_id(conn, token.token_id)
        assert found is not None
        return found.last_used_at

    assert last_used() is None
    assert accounts.resolve_token(clinic_db, token.text, at=T0) is not None
    assert last_used() == T0
    assert accounts.resolve_token(clinic_db, token.text, at=T0 + timedelta(seconds=59))
    assert last_used() == T0  # within the minute: read, not written again
    assert accounts.resolve_token(clinic_db, token.text, at=T0 + timedelta(minutes=1))
    assert last_used() == T0 + timedelta(minutes=1)
    # A clock set back (an earlier time than the one stored) is stored as it is.
    assert accounts.resolve_token(clinic_db, token.text, at=T0 + timedelta(seconds=30))
    assert last_used() == T0 + timedelta(seconds=30)


def test_a_token_scope_beyond_the_role_is_refused(clinic_db: Database, add: AddAccount) -> None:
    add("dr.lee@clinic.org", Role.CLINICIAN)
    with pytest.raises(InputError, match="scopes"):
        accounts.create_token(clinic_db, email="dr.lee@clinic.org", scopes=("write",), at=T0)


def test_a_person_joins_with_an_invitation_once_before_it_expires(
    clinic_db: Database, add: AddAccount
) -> None:
    lee = add("dr.lee@clinic.org", Role.CLINICIAN)
    inviter = accounts.Caller(lee.account_id, Role.CLINICIAN, lee.email, None, frozenset())
    token = accounts.create_invitation(
        clinic_db, inviter=inviter, email="Sam@Example.org", at=T0, settings=FAST
    )
    joined = accounts.accept_invitation(
        clinic_db, token=token, password=PERSON_PASSWORD, at=T0, settings=FAST
    )
    assert joined.email == "sam@example.org" and joined.role is Role.PERSON
    assert joined.journal_id is not None
    with pytest.raises(InputError, match="cannot be used"):
        accounts.accept_invitation(
            clinic_db, token=token, password=PERSON_PASSWORD, at=T0, settings=FAST
        )
    late = accounts.create_invitation(
        clinic_db, inviter=inviter, email="kim@example.org", at=T0, settings=FAST
    )
    with pytest.raises(InputError, match="cannot be used"):
        accounts.accept_invitation(
            clinic_db,
            token=late,
            password=PERSON_PASSWORD,
            at=T0 + timedelta(days=FAST.invitation_days),
            settings=FAST,
        )


def test_a_disabled_account_loses_its_sessions_and_tokens_and_cannot_sign_in(
    clinic_db: Database, add: AddAccount
) -> None:
    add("sam@example.org")
    signed = sign_in(clinic_db, "sam@example.org", PERSON_PASSWORD)
    assert isinstance(signed, SignedIn)
    token = accounts.create_token(clinic_db, email="sam@example.org", at=T0)
    later = T0 + timedelta(minutes=1)
    accounts.set_disabled(clinic_db, "sam@example.org", disabled=True, at=later)
    assert accounts.resolve_session(clinic_db, signed.session_id, at=later) is None
    assert accounts.resolve_token(clinic_db, token.text, at=later) is None
    assert sign_in(clinic_db, "sam@example.org", PERSON_PASSWORD, at=later) == Refused()
    accounts.set_disabled(clinic_db, "sam@example.org", disabled=False, at=later)
    assert accounts.resolve_token(clinic_db, token.text, at=later) is not None
    assert isinstance(sign_in(clinic_db, "sam@example.org", PERSON_PASSWORD, at=later), SignedIn)
