"""Clinic accounts and sign-in: creating accounts, invitations, signing in, sessions, tokens.

Accounts (clinic mode only) have a role (``domain.access.Role``). Passwords follow NIST SP
800-63B (``domain.passwords.check_password``: at least 15 characters for a password used
alone, 8 when TOTP is always asked as well) and are stored as Argon2id hashes
(``services.credentials``). TOTP is required for clinicians and admins: their accounts are
made with a secret, and signing in needs a code, never accepted twice.

Signing in gives ONE refusal for every failure (unknown email, wrong password, wrong or
missing code, locked, disabled), ``GENERIC_REFUSAL``, and spends the Argon2 time in every case
(a stand-in hash for an unknown email), so neither the words nor the time say whether an
account exists. Rate limiting and lockout (``ClinicSettings``), time always passed in:

- per email (a SHA-256 key, so unknown emails are limited exactly like known ones) and per
  source address, a sliding window: ``email_failures`` (5) failures within ``window`` (15
  minutes) lock that email for ``lock_for`` (15 minutes) from the last failure; a source
  address gets ``address_failures`` (20: a clinic's machines may share one address). The
  figures follow the OWASP Authentication Cheat Sheet (lock after a small number of failures,
  for a period, the same response whether locked or not);
- NIST SP 800-63B §5.2.2 (rev. 3): "no more than 100 consecutive failed attempts on a single
  account": after ``max_consecutive`` (100) consecutive failures the account stays locked
  until an admin unlocks it (``unlock``).
Attempts refused while locked are not counted again (the lock ends ``lock_for`` after the
failure that set it, so nobody can keep an account locked for ever by trying while it is).

Sessions: a NEW random id at every sign-in (``replaces`` revokes the one it replaces: no
fixation); only its hash is stored; it ends after ``idle_timeout`` (default 30 minutes)
without use, or ``absolute_timeout`` (default 12 hours) after sign-in, whichever comes first
(OWASP Session Management Cheat Sheet ranges; both configurable in ``ClinicSettings``).
API tokens: shown once, stored hashed, scoped (a subset of the role's actions), revocable,
with an expiry (default 90 days, at most 366).

Invariants: account changes are audited in the same transaction (``services.audit_log``);
a ``Caller`` is what every interface carries per request.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import Connection

from mitra.domain import sign_in_limit
from mitra.domain.access import Action, Actor, Role
from mitra.domain.errors import ConflictError, InputError, NotFoundError
from mitra.domain.passwords import (
    MIN_LENGTH_ALONE,
    MIN_LENGTH_WITH_SECOND_FACTOR,
    check_password,
)
from mitra.services import credentials
from mitra.services.audit_log import Event, append, record
from mitra.storage import account_store, credential_store
from mitra.storage.account_store import AccountRecord
from mitra.storage.database import Database
from mitra.storage.journal_scope import create_journal

GENERIC_REFUSAL = (
    "Sign-in failed: the email, password or code is not right, or sign-in is paused for a "
    "while after several tries. Try again later, or ask your clinic's admin."
)
# Roles whose every sign-in needs a TOTP code.
TOTP_ROLES = frozenset({Role.CLINICIAN, Role.ADMIN})
# What each role may do at all; a token's scopes are a subset, a session has them all.
ROLE_SCOPES: dict[Role, frozenset[str]] = {
    Role.PERSON: frozenset({Action.READ.value, Action.WRITE.value, Action.PLAN.value}),
    Role.CLINICIAN: frozenset({Action.READ.value, Action.PLAN.value}),
    Role.ADMIN: frozenset({Action.READ.value, Action.PLAN.value, Action.ADMIN.value}),
}
MAX_TOKEN_DAYS = 366
# A token's or session's last use is stored to the minute: rewriting it on every request
# would make each read a write as well. A session may so end up to a minute before its idle
# timeout, never after it.
LAST_USE_KEPT_TO = timedelta(minutes=1)
# A deliberately simple shape check: one @, no spaces, a dot in the domain.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_EMAIL = 254


@dataclass(frozen=True, slots=True)
class ClinicSettings:
    """The configurable defaults of sign-in, sessions, tokens and invitations."""

    idle_timeout: timedelta = timedelta(minutes=30)
    absolute_timeout: timedelta = timedelta(hours=12)
    window: timedelta = timedelta(minutes=15)
    email_failures: int = 5
    address_failures: int = 20
    lock_for: timedelta = timedelta(minutes=15)
    max_consecutive: int = 100
    token_days: int = 90
    invitation_days: int = 7
    hasher: PasswordHasher = field(default=credentials.PASSWORD_HASHER, compare=False)


DEFAULTS = ClinicSettings()


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is making a request: what the web part puts on each one."""

    account_id: int
    role: Role
    email: str
    journal_id: int | None
    scopes: frozenset[str]
    via: str = "session"  # "session", "token" or "cli"

    def actor(self) -> Actor:
        return Actor(self.account_id, self.role, self.journal_id)


@dataclass(frozen=True, slots=True)
class NewAccount:
    account_id: int
    email: str
    role: Role
    journal_id: int | None
    # For clinicians and admins: the secret and the otpauth URI for their authenticator app.
    totp_secret: str | None
    totp_uri: str | None


@dataclass(frozen=True, slots=True)
class SignedIn:
    caller: Caller
    session_id: str  # for the cookie; only its hash is stored
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Refused:
    message: str = GENERIC_REFUSAL


@dataclass(frozen=True, slots=True)
class NewToken:
    token_id: int
    text: str  # shown once
    scopes: tuple[str, ...]
    expires_at: datetime


def normalise_email(value: str) -> str:
    """The stored form of an email: trimmed, lower-case; refused when it is not one."""
    email = value.strip().lower()
    if len(email) > MAX_EMAIL or not EMAIL.fullmatch(email):
        raise InputError(
            f"{value.strip()!r} is not an email address (name@example.org)", field="email"
        )
    return email


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InputError(
            f"unknown role {value!r}; use person, clinician or admin", field="role"
        ) from None


def min_length_for(role: Role) -> int:
    """NIST SP 800-63B: 8 characters when a second factor is always asked, else 15."""
    return MIN_LENGTH_WITH_SECOND_FACTOR if role in TOTP_ROLES else MIN_LENGTH_ALONE


def check_new_password(password: str, *, email: str, role: Role) -> None:
    reasons = check_password(password, email=email, min_length=min_length_for(role))
    if reasons:
        raise InputError("password refused: " + " ".join(reasons), field="password")


def _create(
    conn: Connection,
    *,
    email: str,
    role: Role,
    password: str,
    at: datetime,
    actor: Caller | None,
    source: str | None,
    settings: ClinicSettings,
) -> NewAccount:
    if account_store.by_email(conn, email) is not None:
        raise ConflictError(f"an account for {email} already exists", field="email")
    secret = credentials.new_totp_secret() if role in TOTP_ROLES else None
    journal_id = create_journal(conn, created_at=at) if role is Role.PERSON else None
    account_id = account_store.insert_account(
        conn,
        email=email,
        role=role.value,
        password_hash=credentials.hash_password(password, hasher=settings.hasher),
        totp_secret=secret,
        journal_id=journal_id,
        created_at=at,
    )
    record(
        conn,
        actor,
        at=at,
        journal_id=journal_id,
        action="create",
        object_type="account",
        object_id=str(account_id),
        source_address=source,
    )
    uri = None if secret is None else credentials.totp_uri(secret, email)
    return NewAccount(account_id, email, role, journal_id, secret, uri)


def init(
    database: Database,
    *,
    email: str,
    password: str,
    at: datetime,
    settings: ClinicSettings = DEFAULTS,
) -> NewAccount:
    """The first admin of a new clinic database; refused once any admin exists."""
    email = normalise_email(email)
    check_new_password(password, email=email, role=Role.ADMIN)
    with database.transaction() as conn:
        if account_store.count_accounts(conn, role=Role.ADMIN.value):
            raise ConflictError(
                "this clinic database already has an admin; add accounts with "
                "'mitra clinic user add'"
            )
        return _create(
            conn,
            email=email,
            role=Role.ADMIN,
            password=password,
            at=at,
            actor=None,
            source="cli",
            settings=settings,
        )


def add_user(
    database: Database,
    *,
    email: str,
    role: Role,
    password: str,
    at: datetime,
    actor: Caller | None = None,
    source: str | None = None,
    settings: ClinicSettings = DEFAULTS,
) -> NewAccount:
    """A new account (a person gets a new journal of their own). ``actor`` None is the
    server's operator at the command line; a signed-in actor must be an admin."""
    if actor is not None and actor.role is not Role.ADMIN:
        raise InputError("only an admin adds accounts; others invite", field="role")
    email = normalise_email(email)
    check_new_password(password, email=email, role=role)
    with database.transaction() as conn:
        return _create(
            conn,
            email=email,
            role=role,
            password=password,
            at=at,
            actor=actor,
            source=source or ("cli" if actor is None else None),
            settings=settings,
        )


def list_users(database: Database) -> list[AccountRecord]:
    with database.read() as conn:
        return account_store.all_accounts(conn)


def find_account(conn: Connection, email: str) -> AccountRecord:
    account = account_store.by_email(conn, normalise_email(email))
    if account is None:
        raise NotFoundError(f"no account for {email.strip().lower()}", field="email")
    return account


def unlock(database: Database, email: str, *, at: datetime, actor: Caller | None = None) -> None:
    """An admin (or the operator) ends a lockout, the 100-failure one included."""
    with database.transaction() as conn:
        account = find_account(conn, email)
        account_store.unlock(conn, account.id)
        record(
            conn,
            actor,
            at=at,
            journal_id=None,
            action="unlock",
            object_type="account",
            object_id=str(account.id),
        )


def set_disabled(
    database: Database,
    email: str,
    *,
    disabled: bool,
    at: datetime,
    actor: Caller | None = None,
) -> None:
    """Disable an account (its sessions end at once, its tokens stop resolving) or enable it
    again; an admin's or the operator's action."""
    if actor is not None and actor.role is not Role.ADMIN:
        raise InputError("only an admin disables or enables accounts", field="role")
    with database.transaction() as conn:
        account = find_account(conn, email)
        account_store.set_disabled(conn, account.id, at if disabled else None)
        if disabled:
            credential_store.revoke_sessions_of(conn, account.id, at)
        record(
            conn,
            actor,
            at=at,
            journal_id=None,
            action="disable" if disabled else "enable",
            object_type="account",
            object_id=str(account.id),
        )


# Invitations: persons join with one from a clinician or admin.


def create_invitation(
    database: Database,
    *,
    inviter: Caller,
    email: str,
    role: Role = Role.PERSON,
    at: datetime,
    settings: ClinicSettings = DEFAULTS,
) -> str:
    """An invitation token to give to the new person (shown once, stored hashed)."""
    if inviter.role is Role.PERSON:
        raise InputError("only a clinician or an admin invites", field="role")
    if role is not Role.PERSON and inviter.role is not Role.ADMIN:
        raise InputError("only an admin invites clinicians and admins", field="role")
    email = normalise_email(email)
    text, token_hash = credentials.new_token()
    with database.transaction() as conn:
        if account_store.by_email(conn, email) is not None:
            raise ConflictError(f"an account for {email} already exists", field="email")
        invitation_id = account_store.insert_invitation(
            conn,
            token_hash=token_hash,
            email=email,
            role=role.value,
            invited_by=inviter.account_id,
            created_at=at,
            expires_at=at + timedelta(days=settings.invitation_days),
        )
        append(
            conn,
            Event(
                at=at,
                actor_id=inviter.account_id,
                actor_role=inviter.role.value,
                journal_id=None,
                action="create",
                object_type="invitation",
                object_id=str(invitation_id),
            ),
        )
    return text


def invite_by_email(
    database: Database,
    *,
    inviter_email: str,
    email: str,
    role: Role = Role.PERSON,
    at: datetime,
    settings: ClinicSettings = DEFAULTS,
) -> str:
    """``create_invitation`` for the clinician or admin with this email (the command line's
    way in: it has no signed-in caller); an unknown or disabled inviter is refused."""
    with database.read() as conn:
        account = account_store.by_email(conn, normalise_email(inviter_email))
    if account is None or account.disabled_at is not None:
        raise NotFoundError(
            f"no active account for {inviter_email.strip().lower()}", field="inviter"
        )
    return create_invitation(
        database,
        inviter=caller_of(account, via="cli"),
        email=email,
        role=role,
        at=at,
        settings=settings,
    )


def accept_invitation(
    database: Database,
    *,
    token: str,
    password: str,
    at: datetime,
    source: str | None = None,
    settings: ClinicSettings = DEFAULTS,
) -> NewAccount:
    """The invited person's account, with the email and role the invitation named."""
    unusable = InputError(
        "this invitation cannot be used (unknown, expired or already used); ask for a new one",
        field="token",
    )
    if not credentials.looks_like_token(token):
        raise unusable
    with database.transaction() as conn:
        invitation = account_store.invitation_by_hash(conn, credentials.token_hash(token))
        if invitation is None or invitation.used_at is not None or at >= invitation.expires_at:
            raise unusable
        role = Role(invitation.role)
        check_new_password(password, email=invitation.email, role=role)
        account_store.mark_invitation_used(conn, invitation.id, at)
        inviter = account_store.by_id(conn, invitation.invited_by)
        return _create(
            conn,
            email=invitation.email,
            role=role,
            password=password,
            at=at,
            actor=None if inviter is None else caller_of(inviter, via="invitation"),
            source=source,
            settings=settings,
        )


# Signing in


def caller_of(account: AccountRecord, *, via: str, scopes: frozenset[str] | None = None) -> Caller:
    role = Role(account.role)
    return Caller(
        account_id=account.id,
        role=role,
        email=account.email,
        journal_id=account.journal_id,
        scopes=ROLE_SCOPES[role] if scopes is None else scopes,
        via=via,
    )


def limit_key(kind: str, value: str) -> str:
    """The rate limit's key for an email or a source address (a hash: neither is kept)."""
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


@functools.lru_cache(maxsize=4)
def _stand_in_hash(hasher: PasswordHasher) -> str:
    """A hash to verify against when the email is unknown: the same Argon2 work is done."""
    return credentials.hash_password("not the password of any mitra account", hasher=hasher)


def _limited(conn: Connection, key: str, limit: int, at: datetime, s: ClinicSettings) -> bool:
    since = sign_in_limit.horizon(at, window=s.window, lock_for=s.lock_for)
    recent = credential_store.latest_failures(conn, key, since, limit)
    return sign_in_limit.paused(recent, at=at, limit=limit, window=s.window, lock_for=s.lock_for)


def sign_in(
    database: Database,
    *,
    email: str,
    password: str,
    totp_code: str | None,
    source: str | None,
    at: datetime,
    replaces: str | None = None,
    settings: ClinicSettings = DEFAULTS,
) -> SignedIn | Refused:
    """A new session, or ``Refused`` with the one generic message (see the module docstring).
    ``replaces``: the session id the browser had before, revoked (a new id every sign-in)."""
    typed = email.strip().lower()
    email_key = limit_key("email", typed)
    address_key = limit_key("address", source or "-")
    with database.transaction() as conn:
        # One sign-in of an email at a time, known or not (its failures are counted exactly).
        credential_store.serialise(conn, email_key)
        account = account_store.by_email(conn, typed)
        locked = _limited(conn, email_key, settings.email_failures, at, settings) or _limited(
            conn, address_key, settings.address_failures, at, settings
        )
        if account is not None:
            locked = locked or account.failed_sign_ins >= settings.max_consecutive
        stored = account.password_hash if account is not None else None
        # The Argon2 work is done whatever happens next (the time says nothing).
        password_ok = credentials.verify_password(
            stored or _stand_in_hash(settings.hasher), password, hasher=settings.hasher
        )
        ok = account is not None and stored is not None and password_ok and not locked
        ok = ok and account is not None and account.disabled_at is None
        step: int | None = None
        if ok and account is not None and (Role(account.role) in TOTP_ROLES or account.totp_secret):
            step = (
                None
                if account.totp_secret is None
                else credentials.verify_totp(
                    account.totp_secret, totp_code or "", at, last_used_step=account.totp_last_step
                )
            )
            ok = step is not None
        if not ok or account is None:
            _failed(conn, account, email_key, address_key, locked, source, at, settings)
            return Refused()
        account_store.record_success(conn, account.id, totp_step=step)
        if credentials.needs_rehash(account.password_hash, hasher=settings.hasher):
            account_store.set_password_hash(
                conn, account.id, credentials.hash_password(password, hasher=settings.hasher)
            )
        if replaces:
            credential_store.revoke_session(conn, credentials.session_hash(replaces), at)
        session_id = credentials.new_session_id()
        expires_at = at + settings.absolute_timeout
        credential_store.insert_session(
            conn,
            id_hash=credentials.session_hash(session_id),
            account_id=account.id,
            at=at,
            expires_at=expires_at,
            source_address=source,
        )
        append(
            conn,
            Event(
                at=at,
                actor_id=account.id,
                actor_role=account.role,
                journal_id=None,
                action="sign_in",
                object_type="session",
                source_address=source,
            ),
        )
        return SignedIn(caller_of(account, via="session"), session_id, expires_at)


def _failed(
    conn: Connection,
    account: AccountRecord | None,
    email_key: str,
    address_key: str,
    locked: bool,
    source: str | None,
    at: datetime,
    settings: ClinicSettings,
) -> None:
    if not locked:
        horizon = sign_in_limit.horizon(at, window=settings.window, lock_for=settings.lock_for)
        for key in (email_key, address_key):
            credential_store.forget_failures(conn, key, horizon)
            credential_store.add_failure(conn, key, at)
        if account is not None:
            now_locked = _limited(conn, email_key, settings.email_failures, at, settings)
            account_store.record_failure(
                conn, account.id, locked_until=at + settings.lock_for if now_locked else None
            )
    append(
        conn,
        Event(
            at=at,
            actor_id=None,
            actor_role="system",
            journal_id=None,
            action="sign_in_refused",
            object_type="account",
            object_id=None if account is None else str(account.id),
            source_address=source,
            reason="locked" if locked else None,
        ),
    )


def resolve_session(
    database: Database, session_id: str, *, at: datetime, settings: ClinicSettings = DEFAULTS
) -> Caller | None:
    """The caller of a live session (and its idle clock restarted, to ``LAST_USE_KEPT_TO``),
    else None: unknown, revoked, idle for ``idle_timeout``, past ``absolute_timeout``, or a
    disabled account."""
    id_hash = credentials.session_hash(session_id)
    with database.transaction() as conn:
        session = credential_store.session_by_hash(conn, id_hash)
        if session is None or session.revoked_at is not None:
            return None
        if at >= session.expires_at or at >= session.last_seen_at + settings.idle_timeout:
            return None
        account = account_store.by_id(conn, session.account_id)
        if account is None or account.disabled_at is not None:
            return None
        if _stale(session.last_seen_at, at):
            credential_store.touch_session(conn, id_hash, at)
        return caller_of(account, via="session")


def _stale(last: datetime | None, at: datetime) -> bool:
    """Whether a last use stored as ``last`` is to be stored again at ``at``: never stored,
    ``LAST_USE_KEPT_TO`` or more ago, or later than ``at`` (a clock set back)."""
    return last is None or not last <= at < last + LAST_USE_KEPT_TO


def sign_out(database: Database, session_id: str, *, at: datetime) -> None:
    with database.transaction() as conn:
        credential_store.revoke_session(conn, credentials.session_hash(session_id), at)


# API tokens


def create_token(
    database: Database,
    *,
    email: str,
    at: datetime,
    scopes: tuple[str, ...] = (),
    days: int | None = None,
    label: str = "",
    actor: Caller | None = None,
    settings: ClinicSettings = DEFAULTS,
) -> NewToken:
    """A bearer token for ``email``'s account: ``scopes`` (default: all the role's) must be
    the role's; it expires after ``days`` (default 90, at most 366)."""
    days = settings.token_days if days is None else days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InputError(f"a token lasts 1 to {MAX_TOKEN_DAYS} days, not {days}", field="days")
    with database.transaction() as conn:
        account = find_account(conn, email)
        if actor is not None and actor.role is not Role.ADMIN and actor.account_id != account.id:
            raise InputError("a token is made by its owner or an admin", field="email")
        allowed = ROLE_SCOPES[Role(account.role)]
        chosen = tuple(sorted(set(scopes))) if scopes else tuple(sorted(allowed))
        wrong = [s for s in chosen if s not in allowed]
        if wrong:
            raise InputError(
                f"a {account.role}'s token may have the scopes {', '.join(sorted(allowed))}; "
                f"not {', '.join(wrong)}",
                field="scope",
            )
        text, token_hash = credentials.new_token()
        expires_at = at + timedelta(days=days)
        token_id = credential_store.insert_token(
            conn,
            account_id=account.id,
            token_hash=token_hash,
            scopes=chosen,
            label=label.strip()[:80],
            created_at=at,
            expires_at=expires_at,
        )
        record(
            conn,
            actor,
            at=at,
            journal_id=None,
            action="create",
            object_type="api_token",
            object_id=str(token_id),
            source_address="cli" if actor is None else None,
        )
    return NewToken(token_id, text, chosen, expires_at)


def resolve_token(database: Database, text: str, *, at: datetime) -> Caller | None:
    """The caller a bearer token stands for, or None: unknown, revoked, expired, disabled.
    Its last use is kept to ``LAST_USE_KEPT_TO``: a read by token does not write a row."""
    if not credentials.looks_like_token(text):
        return None
    with database.transaction() as conn:
        token = credential_store.token_by_hash(conn, credentials.token_hash(text))
        if token is None or token.revoked_at is not None or at >= token.expires_at:
            return None
        account = account_store.by_id(conn, token.account_id)
        if account is None or account.disabled_at is not None:
            return None
        if _stale(token.last_used_at, at):
            credential_store.touch_token(conn, token.id, at)
        return caller_of(account, via="token", scopes=frozenset(token.scopes))


def revoke_token(
    database: Database, token_id: int, *, at: datetime, actor: Caller | None = None
) -> None:
    """End a token now (its owner or an admin)."""
    with database.transaction() as conn:
        token = credential_store.token_by_id(conn, token_id)
        foreign = actor is not None and actor.role is not Role.ADMIN
        if token is None or (
            foreign and actor is not None and token.account_id != actor.account_id
        ):
            raise NotFoundError(f"no token {token_id}", field="token")
        if not credential_store.revoke_token(conn, token_id, at):
            raise ConflictError(f"token {token_id} was already revoked", field="token")
        record(
            conn,
            actor,
            at=at,
            journal_id=None,
            action="revoke",
            object_type="api_token",
            object_id=str(token_id),
        )
