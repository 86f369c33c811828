"""A clinic server in-process over a fresh PostgreSQL database: its accounts (an admin, three
clinicians, two persons), shares, a clock the tests move, and signed-in test clients.

The people: ``owner`` (a person) shares her journal with ``clin_read`` (to read) and
``clin_plan`` (to plan); ``other`` is a second person sharing with no one; ``clin_none`` is a
clinician nobody shares with; ``admin`` runs the server. Clinicians and the admin sign in with
a TOTP code; a code is accepted once, so each sign-in of theirs moves the clock on one TOTP
step first (``Clinic.sign_in``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mitra.domain.access import Role, Scope
from mitra.services import clinic_accounts, clinic_sharing, credentials
from mitra.services.catalogue import ProfileService
from mitra.services.context import AppContext
from mitra.storage.database import open_database, resolve_url, with_replica
from mitra.web import clinic_session, csrf
from mitra.web.clinic_mode import create_clinic_app
from tests.support.clock import FIXED_NOW

BASE_URL = "http://127.0.0.1"
# The production Argon2id figures cost ~50 ms a hash on a quiet machine; the tests make many
# accounts and sign-ins, so they hash with the smallest figures (the same code path).
FAST = clinic_accounts.ClinicSettings(
    hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
)
PASSWORD = "violet kettle harbour drift"
TOKEN_FIELD = re.compile(rf'name="{csrf.FIELD}" value="([^"]+)"')
ROLES = {
    "admin": Role.ADMIN,
    "clin_read": Role.CLINICIAN,
    "clin_plan": Role.CLINICIAN,
    "clin_none": Role.CLINICIAN,
    "owner": Role.PERSON,
    "other": Role.PERSON,
}


class MovingClock:
    """A clock the test moves (``advance``); every context of the server reads it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    email: str
    role: Role
    journal_id: int | None
    totp_secret: str | None


@dataclass
class Clinic:
    base: AppContext
    clock: MovingClock
    app: FastAPI
    accounts: dict[str, Account] = field(default_factory=dict)

    def client(self) -> TestClient:
        return TestClient(self.app, base_url=BASE_URL, follow_redirects=False)

    def code(self, who: str) -> str:
        secret = self.accounts[who].totp_secret
        return "" if secret is None else credentials.totp_code(secret, credentials.totp_step(
            self.clock.now
        ))  # fmt: skip

    def sign_in(self, who: str, client: TestClient | None = None) -> TestClient:
        """A client signed in as ``who`` through the sign-in page."""
        client = client or self.client()
        if self.accounts[who].totp_secret is not None:
            self.clock.advance(seconds=credentials.TOTP_STEP_SECONDS)
        # Signed in already, the sign-in page sends the browser home: any page has the token.
        signed_in = client.cookies.get(clinic_session.COOKIE) is not None
        home = "/today" if self.accounts[who].journal_id is not None else "/people"
        token = page_token(client, home if signed_in else "/sign-in")
        answer = client.post(
            "/sign-in",
            data={
                "email": self.accounts[who].email,
                "password": PASSWORD,
                "code": self.code(who),
                csrf.FIELD: token,
            },
        )
        assert answer.status_code == 303, answer.text
        return client

    def token(self, who: str, *scopes: str) -> str:
        made = clinic_accounts.create_token(
            self.base.database, email=self.accounts[who].email, at=self.clock.now, scopes=scopes
        )
        return made.text

    def journal(self, who: str) -> AppContext:
        journal_id = self.accounts[who].journal_id
        assert journal_id is not None
        ctx: AppContext = self.app.state.clinic.contexts.for_journal(journal_id)
        return ctx


def page_token(client: TestClient, path: str) -> str:
    """The CSRF token of the form on ``path`` (and its cookie, now in the client)."""
    found = TOKEN_FIELD.search(client.get(path).text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def build_clinic(url: str, replica_url: str | None = None) -> Clinic:
    clock = MovingClock(FIXED_NOW)
    database = open_database(resolve_url(url))
    if replica_url is not None:
        database = with_replica(database, replica_url, max_lag_seconds=5)
    base = AppContext(database, clock=clock, default_timezone="UTC")
    app = create_clinic_app(base, secure_cookies=False, clinic_settings=FAST)
    clinic = Clinic(base, clock, app)
    for name, role in ROLES.items():
        made = clinic_accounts.add_user(
            base.database,
            email=f"{name.replace('_', '.')}@clinic.example",
            role=role,
            password=PASSWORD,
            at=clock.now,
            settings=FAST,
        )
        clinic.accounts[name] = Account(name, made.email, role, made.journal_id, made.totp_secret)
    for person in ("owner", "other"):
        ProfileService(clinic.journal(person)).set(timezone="America/New_York")
    owner = clinic.accounts["owner"].email
    for name, scope in (("clin_read", Scope.READ), ("clin_plan", Scope.PLAN)):
        clinic_sharing.share(
            base.database,
            person_email=owner,
            clinician_email=clinic.accounts[name].email,
            scope=scope,
            at=clock.now,
        )
    return clinic


@pytest.fixture
def clinic(pg_url: str) -> Iterator[Clinic]:
    built = build_clinic(pg_url)
    yield built
    built.app.state.clinic.contexts.dispose()  # the limits' own pool
    built.base.database.dispose()
