"""Fixtures for the clinic server: a fresh PostgreSQL database at the latest schema, cheap
Argon2 parameters for the many sign-ins of the service tests (the CLI tests use the real
ones), and accounts made through the services."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from argon2 import PasswordHasher, Type

from mitra.domain.access import Role
from mitra.services import clinic_accounts
from mitra.services.clinic_accounts import ClinicSettings, NewAccount
from mitra.storage.database import Database, open_database
from tests.support.clock import FIXED_NOW

PERSON_PASSWORD = "violet-harbour-lantern-47"
CLINICIAN_PASSWORD = "amber kettle 93"
ADMIN_PASSWORD = "quiet granite orchard"

# Argon2id still, with the smallest cost: the tests check the rules, not the hash's strength.
FAST = ClinicSettings(
    hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
)


@pytest.fixture
def clinic_url(pg_url: str) -> str:
    return pg_url.replace("postgresql://", "postgresql+psycopg://")


@pytest.fixture
def clinic_db(clinic_url: str) -> Iterator[Database]:
    database = open_database(clinic_url)
    yield database
    database.dispose()


AddAccount = Callable[..., NewAccount]


@pytest.fixture
def add(clinic_db: Database) -> AddAccount:
    """Add an account with the test password of its role."""

    def adding(email: str, role: Role = Role.PERSON) -> NewAccount:
        password = {
            Role.PERSON: PERSON_PASSWORD,
            Role.CLINICIAN: CLINICIAN_PASSWORD,
            Role.ADMIN: ADMIN_PASSWORD,
        }[role]
        return clinic_accounts.add_user(
            clinic_db, email=email, role=role, password=password, at=FIXED_NOW, settings=FAST
        )

    return adding
