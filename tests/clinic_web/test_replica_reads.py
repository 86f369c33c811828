"""On a clinic server with a streaming replica, a clinician's reads of a shared journal are
answered from the standby, while the person's own writes and pages, the sign-in check and the
audit rows of those reads all stay on the primary (a real primary and a pg_basebackup standby).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import event

from mitra.storage.database import Database
from tests.clinic_web.conftest import Clinic, build_clinic
from tests.support.pg_cluster import create_database, running_cluster, running_replica


@pytest.fixture(scope="module")
def replicated() -> Iterator[Clinic]:
    with running_cluster() as base, running_replica(base) as standby:
        url = create_database(base, "clinic")
        clinic = build_clinic(url, replica_url=f"{standby}/clinic")
        yield clinic
        clinic.app.state.clinic.contexts.dispose()  # the limits' own pool
        clinic.base.database.dispose()


def _caught_up(database: Database) -> None:
    assert database.replica is not None
    deadline = time.monotonic() + 30
    while database.replica.lag_seconds() > 0:
        assert time.monotonic() < deadline, "the standby did not catch up"
        time.sleep(0.05)
    database.replica.forget()


def test_a_clinicians_reads_come_from_the_standby_and_everything_else_from_the_primary(
    replicated: Clinic,
) -> None:
    clinic = replicated
    database = clinic.base.database
    assert database.replica is not None
    on_standby: list[str] = []

    def capture(_c: object, _cur: object, statement: str, *_: object) -> None:
        on_standby.append(statement)

    owner = {"authorization": f"Bearer {clinic.token('owner')}"}
    reader = {"authorization": f"Bearer {clinic.token('clin_read')}"}
    api = clinic.client()
    event.listen(database.replica.engine, "before_cursor_execute", capture)
    try:
        logged = api.post("/api/v1/entries/doses", json={"amount": "2g"}, headers=owner)
        assert logged.status_code == 201
        assert api.get("/api/v1/entries", headers=owner).status_code == 200
        assert not [s for s in on_standby if "entries" in s]  # the person's own: primary
        _caught_up(database)
        path = f"/api/v1/people/{clinic.accounts['owner'].journal_id}/entries"
        shared = api.get(path, headers=reader)
        assert shared.status_code == 200
        ids = [e["id"] for e in shared.json()["entries"]]
        assert logged.json()["entry"]["id"] in ids
        assert [s for s in on_standby if "entries" in s]  # the clinician's read: standby
        assert not [s for s in on_standby if "audit_log" in s or "INSERT" in s]
    finally:
        event.remove(database.replica.engine, "before_cursor_execute", capture)


def test_the_roster_reads_its_signals_from_the_standby_and_audits_on_the_primary(
    replicated: Clinic,
) -> None:
    clinic = replicated
    database = clinic.base.database
    assert database.replica is not None
    on_standby: list[str] = []

    def capture(_c: object, _cur: object, statement: str, *_: object) -> None:
        on_standby.append(statement)

    reader = {"authorization": f"Bearer {clinic.token('clin_read')}"}
    _caught_up(database)
    event.listen(database.replica.engine, "before_cursor_execute", capture)
    try:
        answer = clinic.client().get("/api/v1/people?sort=risk", headers=reader)
        assert answer.status_code == 200
        assert [p["email"] for p in answer.json()["people"]] == ["owner@clinic.example"]
        assert [s for s in on_standby if "alerts" in s and "assessments" in s]  # the signals
        assert not [s for s in on_standby if "shares" in s]  # who may see what: the primary
        assert not [s for s in on_standby if "INSERT" in s]  # its audit rows: the primary
    finally:
        event.remove(database.replica.engine, "before_cursor_execute", capture)
