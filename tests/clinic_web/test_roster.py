"""The roster by risk (``GET /api/v1/people``) on the private PostgreSQL cluster: the order the
data file documents, an emergency on top until a clinician has seen it (and the "seen" in the
audit log), filters, pages, every listed journal audited, and nothing of a journal not shared.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, select

from mitra.domain.access import Role, Scope
from mitra.domain.human_time import when_words
from mitra.services import clinic_accounts, clinic_sharing
from mitra.services.checkins import CheckinService
from mitra.services.journal import JournalService
from mitra.services.safety import SafetyService
from mitra.storage import clinic_tables as c
from tests.clinic_web.conftest import FAST, PASSWORD, Account, Clinic

COWS_8 = "1,1,1,1,1,1,0,1,1,0,0"
COWS_14 = "2,2,1,2,1,2,2,1,1,0,0"


def _person(clinic: Clinic, name: str, *, share_with: str = "clin_read") -> int:
    made = clinic_accounts.add_user(
        clinic.base.database,
        email=f"{name}@people.example",
        role=Role.PERSON,
        password=PASSWORD,
        at=clinic.clock.now,
        settings=FAST,
    )
    clinic.accounts[name] = Account(name, made.email, Role.PERSON, made.journal_id, None)
    clinic_sharing.share(
        clinic.base.database,
        person_email=made.email,
        clinician_email=clinic.accounts[share_with].email,
        scope=Scope.READ,
        at=clinic.clock.now,
    )
    assert made.journal_id is not None
    return made.journal_id


def _checkin(clinic: Clinic, who: str, answers: str, hours_ago: float) -> None:
    at = clinic.clock.now - timedelta(hours=hours_ago)
    CheckinService(clinic.journal(who)).record("cows", answers, at=at)


def _roster(clinic: Clinic, who: str = "clin_read", **params: Any) -> dict[str, Any]:
    token = clinic.token(who)
    answer = clinic.client().get(
        "/api/v1/people", params=params, headers={"authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def _order(found: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["email"].split("@")[0], p["risk"]["tier"]) for p in found["people"]]


def _build(clinic: Clinic) -> dict[str, int]:
    """Five people on clin_read's list besides the owner, one of each tier."""
    ids = {name: _person(clinic, name) for name in ("amy", "ben", "cal", "dee", "eve")}
    JournalService(clinic.journal("amy")).log_symptom("I can't breathe")  # emergency
    _checkin(clinic, "amy", COWS_8, 1)
    JournalService(clinic.journal("ben")).log_symptom("yellow skin or eyes")  # urgent
    _checkin(clinic, "ben", COWS_8, 2)
    _checkin(clinic, "cal", COWS_8, 30)  # withdrawal rising: 8 then 14
    _checkin(clinic, "cal", COWS_14, 1)
    _checkin(clinic, "dee", COWS_8, 24 * 5)  # no check-in for 5 days
    _checkin(clinic, "eve", COWS_8, 3)  # steady
    _checkin(clinic, "owner", COWS_8, 3)
    return ids


def _open(clinic: Clinic, who: str, severity: str) -> list[int]:
    found = SafetyService(clinic.journal(who)).alert_page(per_page=50, offset=0)
    return [a.id for a in found.alerts if a.alert.severity.value == severity]


def test_the_roster_lists_people_in_the_documented_risk_order(clinic: Clinic) -> None:
    _build(clinic)
    found = _roster(clinic)
    assert found["everyone"] == 6 and found["total"] == 6
    tiers = [t["id"] for t in found["tiers"]]
    order = _order(found)
    assert order[0] == ("amy", "emergency-unseen")
    assert [tiers.index(tier) for _, tier in order] == sorted(tiers.index(t) for _, t in order)
    by_name = dict(order)
    assert by_name["cal"] == "withdrawal" and by_name["dee"] == "no-checkin"
    assert by_name["eve"] == "steady" and by_name["owner"] == "steady"
    cal = next(p for p in found["people"] if p["email"].startswith("cal"))
    assert cal["risk"]["trends"][0] == {
        "instrument": "cows",
        "latest": 14,
        "previous": 8,
        "change": 6,
        "at": cal["risk"]["trends"][0]["at"],
    }
    dee = next(p for p in found["people"] if p["email"].startswith("dee"))
    assert dee["risk"]["days_since_checkin"] == 5


def test_an_emergency_stays_on_top_until_a_clinician_has_seen_it(clinic: Clinic) -> None:
    ids = _build(clinic)
    (alert,) = _open(clinic, "amy", "emergency")
    token = clinic.token("clin_plan")  # not on clin_plan's list: refused, nothing recorded
    refused = clinic.client().post(
        f"/api/v1/people/{ids['amy']}/alerts/{alert}/seen",
        headers={"authorization": f"Bearer {token}"},
    )
    assert refused.status_code == 404
    seen = clinic.client().post(
        f"/api/v1/people/{ids['amy']}/alerts/{alert}/seen",
        json={"note": "Seen. Calling you now."},
        headers={"authorization": f"Bearer {clinic.token('clin_read')}"},
    )
    assert seen.status_code == 200 and seen.json()["seen"] is True
    again = clinic.client().post(
        f"/api/v1/people/{ids['amy']}/alerts/{alert}/seen",
        headers={"authorization": f"Bearer {clinic.token('clin_read')}"},
    )
    assert again.status_code == 200  # kept once: the first note stands
    with clinic.base.database.read() as conn:
        rows = conn.execute(
            select(c.audit_log.c.actor_id, c.audit_log.c.object_id).where(
                c.audit_log.c.action == "seen"
            )
        ).all()
    assert [r[1] for r in rows] == [str(alert)]
    with clinic.base.database.read() as conn:
        assert rows[0][0] == clinic_accounts.find_account(conn, "clin.read@clinic.example").id
    order = _order(_roster(clinic))
    assert order[0] == ("amy", "emergency")  # still above the urgent one: seen is not closed
    with clinic.base.database.read() as conn:
        acks = conn.execute(select(c.clinician_acks.c.alert_id, c.clinician_acks.c.note)).all()
    assert [tuple(a) for a in acks] == [(alert, "Seen. Calling you now.")]
    page = clinic.sign_in("amy").get("/alerts").text
    assert "Seen by your care team" in page and "Seen. Calling you now." in page
    assert "Mark as read" in page  # the person's own acknowledgement is still theirs to make
    own = clinic.client().get(
        "/api/v1/alerts", headers={"authorization": f"Bearer {clinic.token('amy')}"}
    )
    listed = own.json()["alerts"]
    (shown,) = [a for a in listed if alert in a["alert_ids"]]
    assert shown["acknowledged_at"] is None  # open for the person
    (care,) = shown["seen_by_care_team"]
    assert (care["clinician"], care["note"]) == (
        "clin.read@clinic.example",
        "Seen. Calling you now.",
    )
    assert all(a["seen_by_care_team"] == [] for a in listed if a is not shown)


def test_a_note_too_long_is_refused_and_nothing_is_stored(clinic: Clinic) -> None:
    ids = _build(clinic)
    (alert,) = _open(clinic, "amy", "emergency")
    answer = clinic.client().post(
        f"/api/v1/people/{ids['amy']}/alerts/{alert}/seen",
        json={"note": "x" * 501},
        headers={"authorization": f"Bearer {clinic.token('clin_read')}"},
    )
    assert answer.status_code == 422
    assert _order(_roster(clinic))[0] == ("amy", "emergency-unseen")


def test_filters_and_pages_keep_the_order(clinic: Clinic) -> None:
    _build(clinic)
    everyone = [name for name, _ in _order(_roster(clinic))]
    alerts = _roster(clinic, needs="alerts")
    assert [name for name, _ in _order(alerts)] == ["amy", "ben"]
    assert alerts["total"] == 2 and alerts["everyone"] == 6
    assert alerts["counts"]["alerts"] == 2 and alerts["counts"]["no-checkin"] == 1
    pages = [_order(_roster(clinic, limit=2, offset=k))
             for k in (0, 2, 4)]  # fmt: skip
    assert [name for page in pages for name, _ in page] == everyone
    by_email = [name for name, _ in _order(_roster(clinic, sort="email"))]
    assert by_email == sorted(by_email)


def test_each_journal_on_the_page_is_audited_as_seen_on_the_list(clinic: Clinic) -> None:
    ids = _build(clinic)
    _roster(clinic, limit=2)
    with clinic.base.database.read() as conn:
        looked = conn.execute(
            select(c.audit_log.c.journal_id).where(c.audit_log.c.object_type == "roster")
        ).scalars()
        assert sorted(looked) == sorted([ids["amy"], ids["ben"]])


def test_a_journal_not_shared_is_never_on_the_roster(clinic: Clinic) -> None:
    _build(clinic)
    JournalService(clinic.journal("other")).log_symptom("I can't breathe")
    names = [name for name, _ in _order(_roster(clinic))]
    assert "other" not in names
    assert _roster(clinic, "clin_none")["people"] == []


def test_the_roster_costs_the_same_statements_however_many_journals(clinic: Clinic) -> None:
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    def listed() -> int:
        statements.clear()
        event.listen(clinic.base.database.engine, "before_cursor_execute", seen)
        try:
            answer = client.get("/api/v1/people", headers=auth)
        finally:
            event.remove(clinic.base.database.engine, "before_cursor_execute", seen)
        assert answer.status_code == 200
        return len(statements)

    client, auth = clinic.client(), {"authorization": f"Bearer {clinic.token('clin_read')}"}
    _person(clinic, "solo")
    listed()  # a token's first use stores when it was used; later ones in the minute do not
    few = listed()
    for name in ("p1", "p2", "p3", "p4", "p5", "p6"):
        _person(clinic, name)
        JournalService(clinic.journal(name)).log_symptom("I can't breathe")
        _checkin(clinic, name, COWS_14, 30)  # too old for readiness to be read
    assert listed() == few


def test_the_person_sees_in_who_looked_their_summary_listed_and_their_alert_seen(
    clinic: Clinic,
) -> None:
    JournalService(clinic.journal("owner")).log_symptom("I can't breathe")
    (alert,) = _open(clinic, "owner", "emergency")
    _roster(clinic)
    journal_id = clinic.accounts["owner"].journal_id
    seen = clinic.client().post(
        f"/api/v1/people/{journal_id}/alerts/{alert}/seen",
        headers={"authorization": f"Bearer {clinic.token('clin_read')}"},
    )
    assert seen.status_code == 200
    page = clinic.sign_in("owner").get("/who-looked").text
    assert "looked at your summary on their list" in page
    assert "marked one of your alerts as seen" in page
    assert "Open alerts" not in page  # the person's page, not the clinician's


def test_a_clinicians_page_about_a_person_shows_their_times_in_the_persons_zone(
    clinic: Clinic,
) -> None:
    """The server keeps UTC and the owner keeps New York: the owner's check-in at 10:00 UTC
    is 05:00 on their own day, which is the day their rules count, so the page says 05:00."""
    at = clinic.clock.now.replace(hour=10, minute=0)
    CheckinService(clinic.journal("owner")).record("cows", COWS_8, at=at)
    journal_id = clinic.accounts["owner"].journal_id
    page = clinic.sign_in("clin_read").get(f"/clinic/people/{journal_id}")
    assert page.status_code == 200
    now = clinic.clock.now
    theirs = when_words(at, now, ZoneInfo("America/New_York"))
    servers = when_words(at, now, UTC)
    assert theirs != servers  # the test means something only if the two differ
    assert theirs in page.text and servers not in page.text
    assert "in this person's time zone: America/New York" in page.text
