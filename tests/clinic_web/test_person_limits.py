"""A clinician's limits for one person (issue 17 item 2) on the private PostgreSQL cluster:
only stricter than the server's, in force for that person's next write and nobody else's,
shown to the person, set only with a share to plan, and a refused value stores nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event, func, select

from mitra.services import clinic_accounts, person_limits
from mitra.storage import clinic_tables as c
from tests.clinic_web.conftest import Clinic

RULE = "dose-mitragynine-high"


def _auth(clinic: Clinic, who: str) -> dict[str, str]:
    return {"authorization": f"Bearer {clinic.token(who)}"}


def _put(clinic: Clinic, who: str, limits: dict[str, Any]) -> Any:
    journal_id = clinic.accounts["owner"].journal_id
    return clinic.client().put(
        f"/api/v1/people/{journal_id}/limits", json={"limits": limits}, headers=_auth(clinic, who)
    )


def _dose_warned(clinic: Clinic, who: str) -> bool:
    client = clinic.client()
    logged = client.post("/api/v1/entries/doses", json={"amount": "2g"}, headers=_auth(clinic, who))
    assert logged.status_code == 201, logged.text
    alerts = client.get("/api/v1/alerts", headers=_auth(clinic, who)).json()["alerts"]
    return any(a["rule_id"] == RULE for a in alerts)


def _rows(clinic: Clinic) -> int:
    with clinic.base.database.read() as conn:
        return int(conn.execute(select(func.count()).select_from(c.journal_limits)).scalar_one())


def test_a_stricter_limit_judges_the_persons_next_dose_and_no_one_elses(clinic: Clinic) -> None:
    assert not _dose_warned(clinic, "owner")  # 2 g of leaf is under the server's 100 mg
    answer = _put(clinic, "clin_plan", {RULE: {"max_mg": 20}})
    assert answer.status_code == 200, answer.text
    (limit,) = answer.json()["limits"]
    assert (limit["value"], limit["server_value"]) == (20.0, 100.0)
    assert answer.json()["set_by"] == "clin.plan@clinic.example"
    assert _dose_warned(clinic, "owner")  # the same dose, judged with the person's limit
    assert not _dose_warned(clinic, "other")  # another person keeps the server's
    own = clinic.client().get("/api/v1/limits", headers=_auth(clinic, "owner")).json()
    assert own["limits"][0]["rule_id"] == RULE
    page = clinic.sign_in("owner").get("/sharing").text
    assert "Limits your care team set" in page and "usually 100 mg" in page


def test_a_looser_or_unknown_limit_is_refused_and_nothing_is_stored(clinic: Clinic) -> None:
    looser = _put(clinic, "clin_plan", {RULE: {"max_mg": 150}})
    assert looser.status_code == 422 and "may only be lowered" in looser.text
    mixed = _put(clinic, "clin_plan", {RULE: {"max_mg": 20}, "no-such-rule": {"x": 1}})
    assert mixed.status_code == 422 and "unknown rule" in mixed.text
    assert _rows(clinic) == 0


def test_limits_need_a_share_to_plan(clinic: Clinic) -> None:
    assert _put(clinic, "clin_read", {RULE: {"max_mg": 20}}).status_code == 403
    assert _put(clinic, "clin_none", {RULE: {"max_mg": 20}}).status_code == 404
    assert _rows(clinic) == 0
    with clinic.base.database.read() as conn:
        actions = conn.execute(
            select(c.audit_log.c.action).where(c.audit_log.c.object_type == "limits")
        ).scalars()
        assert sorted(actions) == ["denied_plan", "denied_plan"]


def test_an_empty_set_returns_the_person_to_the_servers_limits(clinic: Clinic) -> None:
    assert _put(clinic, "clin_plan", {RULE: {"max_mg": 20}}).status_code == 200
    back = _put(clinic, "clin_plan", {})
    assert back.status_code == 200 and back.json()["limits"] == []
    assert not _dose_warned(clinic, "owner")
    assert _rows(clinic) == 2  # the history stays


def test_reading_the_limits_never_waits_on_the_pool_the_write_holds(clinic: Clinic) -> None:
    """A write judges with the person's limits while it holds its connection: with a pool of
    one connection, reading them from the same pool would wait for ever (here: 2 s, then
    fail); they come from a pool of their own."""
    from dataclasses import replace

    from sqlalchemy import create_engine

    from mitra.services.journal import JournalService
    from mitra.web.clinic_contexts import JournalContexts

    assert _put(clinic, "clin_plan", {RULE: {"max_mg": 20}}).status_code == 200
    base = clinic.base.database
    one = create_engine(base.engine.url, pool_size=1, max_overflow=0, pool_timeout=2)
    contexts = JournalContexts(replace(clinic.base, database=replace(base, engine=one)))
    journal_id = clinic.accounts["owner"].journal_id
    assert journal_id is not None
    try:
        logged = JournalService(contexts.for_journal(journal_id)).log_dose("2g")
        assert any(a.alert.rule_id == RULE for a in logged.alerts)
    finally:
        contexts.dispose()
        one.dispose()


def test_one_request_reads_the_persons_limits_once_however_often_it_judges(
    clinic: Clinic,
) -> None:
    # A dose is judged (and its plan checked) with the rules more than once; every use in
    # the request sees the one reading (services.person_limits.read_once).
    assert _put(clinic, "clin_plan", {RULE: {"max_mg": 20}}).status_code == 200
    seen: list[str] = []

    def capture(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(Engine, "before_cursor_execute", capture)
    try:
        assert _dose_warned(clinic, "owner")
    finally:
        event.remove(Engine, "before_cursor_execute", capture)
    # The dose's request reads them once; the alerts' GET judges nothing and reads none.
    assert len([s for s in seen if "FROM journal_limits" in s]) == 1


def test_limits_set_inside_a_request_are_the_ones_it_reads_next(clinic: Clinic) -> None:
    database, now = clinic.base.database, clinic.clock.now
    journal_id = clinic.accounts["owner"].journal_id
    assert journal_id is not None
    caller = clinic_accounts.resolve_token(database, clinic.token("clin_plan"), at=now)
    assert caller is not None
    with person_limits.read_once():
        assert person_limits.in_force(database, journal_id) == (None, {})
        person_limits.set_limits(
            database,
            caller,
            journal_id,
            {RULE: {"max_mg": 20}},
            server=clinic.base.rules().ruleset,
            at=now,
            source=None,
        )
        assert person_limits.in_force(database, journal_id)[1] == {RULE: {"max_mg": 20.0}}
