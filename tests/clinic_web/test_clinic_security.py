"""The clinic server's defences, end to end through the app: session fixation, CSRF, the
sign-in refusal, rate limit and lockout, token revocation and scopes, expired shares and
break-glass, idle and absolute session expiry (the clock is the tests'), cookie flags, the
host allowlist, and the audit rows of writes and of others' reads."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from mitra.domain.access import Scope
from mitra.services import audit_log, clinic_accounts, clinic_sharing
from mitra.services.journal import JournalService
from mitra.web import clinic_session, csrf
from mitra.web.clinic_mode import create_clinic_app
from tests.clinic_web.conftest import BASE_URL, FAST, PASSWORD, Clinic, page_token


def _sign_in_form(clinic: Clinic, client: TestClient, email: str, password: str) -> int:
    token = page_token(client, "/sign-in")
    answer = client.post(
        "/sign-in", data={"email": email, "password": password, "code": "", csrf.FIELD: token}
    )
    return int(answer.status_code)


def _refusal(client: TestClient, email: str, password: str) -> tuple[int, str]:
    token = page_token(client, "/sign-in")
    answer = client.post(
        "/sign-in", data={"email": email, "password": password, "code": "", csrf.FIELD: token}
    )
    start = answer.text.find('id="error-summary"')
    return answer.status_code, answer.text[start : answer.text.find("</div>", start)]


def _audit(clinic: Clinic) -> list[dict[str, object]]:
    import io
    import json

    out = io.StringIO()
    audit_log.export(clinic.base.database, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


# -- sessions --------------------------------------------------------------------------------
def test_a_session_cookie_planted_before_sign_in_is_never_the_signed_in_session(
    clinic: Clinic,
) -> None:
    planted = "attacker-chosen-session-id-1234567890"
    client = clinic.client()
    client.cookies.set(clinic_session.COOKIE, planted)
    assert client.get("/today").headers["location"] == "/sign-in"
    token = page_token(client, "/sign-in")
    data = {"email": clinic.accounts["owner"].email, "password": PASSWORD, csrf.FIELD: token}
    answer = client.post("/sign-in", data=data)
    assert answer.status_code == 303
    issued = answer.cookies.get(clinic_session.COOKIE)
    assert issued and issued != planted
    with_planted = clinic.client()
    with_planted.cookies.set(clinic_session.COOKIE, planted)
    assert with_planted.get("/today").headers["location"] == "/sign-in"
    with_issued = clinic.client()
    with_issued.cookies.set(clinic_session.COOKIE, issued)
    assert with_issued.get("/today").status_code == 200


def test_signing_in_again_replaces_the_session_the_browser_had(clinic: Clinic) -> None:
    client = clinic.sign_in("owner")
    first = client.cookies.get(clinic_session.COOKIE)
    clinic.sign_in("owner", client)
    second = client.cookies.get(clinic_session.COOKIE)
    assert first and second and first != second
    old = clinic.client()
    old.cookies.set(clinic_session.COOKIE, first)
    assert old.get("/today").headers["location"] == "/sign-in"


def test_the_session_cookie_is_httponly_lax_and_path_root_and_secure_beyond_loopback(
    clinic: Clinic,
) -> None:
    client = clinic.client()
    token = page_token(client, "/sign-in")
    email = clinic.accounts["owner"].email
    data = {"email": email, "password": PASSWORD, "code": "", csrf.FIELD: token}
    header = client.post("/sign-in", data=data).headers["set-cookie"]
    session = next(p for p in header.split(", mitra") if "mitra_session=" in p).lower()
    assert "httponly" in session and "samesite=lax" in session and "path=/" in session
    assert "secure" not in session
    exposed = TestClient(
        create_clinic_app(clinic.base, secure_cookies=True, clinic_settings=FAST),
        base_url=BASE_URL,
        follow_redirects=False,
    )  # fmt: skip
    token = page_token(exposed, "/sign-in")
    data[csrf.FIELD] = token
    header = exposed.post("/sign-in", data=data).headers["set-cookie"].lower()
    assert "secure" in next(p for p in header.split(", mitra") if "mitra_session=" in p)


def test_a_session_ends_after_30_idle_minutes(clinic: Clinic) -> None:
    client = clinic.sign_in("owner")
    clinic.clock.advance(minutes=29)
    assert client.get("/today").status_code == 200  # used: the idle clock starts again
    clinic.clock.advance(minutes=29)
    assert client.get("/today").status_code == 200
    clinic.clock.advance(minutes=30)
    assert client.get("/today").headers["location"] == "/sign-in"


def test_a_session_ends_12_hours_after_sign_in_however_busy(clinic: Clinic) -> None:
    client = clinic.sign_in("owner")
    for _ in range(12 * 3 - 1):
        clinic.clock.advance(minutes=20)
        assert client.get("/api/v1/profile").status_code == 200
    clinic.clock.advance(minutes=20)
    assert client.get("/api/v1/profile").status_code == 401


def test_signing_out_ends_the_session_and_needs_the_csrf_token(clinic: Clinic) -> None:
    client = clinic.sign_in("owner")
    assert client.post("/sign-out", data={}).status_code == 403  # no token: refused
    assert client.get("/today").status_code == 200
    token = page_token(client, "/today")
    kept = client.cookies.get(clinic_session.COOKIE)
    assert client.post("/sign-out", data={csrf.FIELD: token}).status_code == 303
    again = clinic.client()
    again.cookies.set(clinic_session.COOKIE, kept or "")
    assert again.get("/today").headers["location"] == "/sign-in"


# -- sign-in refusals ------------------------------------------------------------------------
def test_unknown_email_wrong_password_and_locked_give_the_same_refusal(clinic: Clinic) -> None:
    client = clinic.client()
    email = clinic.accounts["owner"].email
    unknown = _refusal(client, "nobody@clinic.example", PASSWORD)
    wrong = _refusal(client, email, "not the password at all")
    assert unknown == wrong and unknown[0] == 401
    assert clinic_accounts.GENERIC_REFUSAL.split(":")[0] in unknown[1]
    for _ in range(4):
        _refusal(client, email, "not the password at all")
    locked = _refusal(client, email, PASSWORD)  # the right password, while locked
    assert locked == unknown


def test_five_failures_lock_the_email_for_15_minutes_then_it_signs_in(clinic: Clinic) -> None:
    client = clinic.client()
    email = clinic.accounts["other"].email
    for _ in range(5):
        assert _sign_in_form(clinic, client, email, "not the password at all") == 401
    assert _sign_in_form(clinic, client, email, PASSWORD) == 401
    clinic.clock.advance(minutes=16)
    assert _sign_in_form(clinic, client, email, PASSWORD) == 303


def test_a_clinician_needs_the_totp_code(clinic: Clinic) -> None:
    email = clinic.accounts["clin_read"].email
    assert _sign_in_form(clinic, clinic.client(), email, PASSWORD) == 401
    assert clinic.sign_in("clin_read").get("/people").status_code == 200


def test_a_refused_sign_in_form_without_its_csrf_token_is_refused_first(clinic: Clinic) -> None:
    answer = clinic.client().post(
        "/sign-in", data={"email": clinic.accounts["owner"].email, "password": PASSWORD}
    )
    assert answer.status_code == 403
    assert clinic_session.COOKIE not in answer.headers.get("set-cookie", "")


# -- CSRF and other sites --------------------------------------------------------------------
def test_a_form_without_its_csrf_token_writes_nothing(clinic: Clinic) -> None:
    client = clinic.sign_in("owner")
    before = len(clinic_sharing.shares_of_person(
        clinic.base.database, clinic.accounts["owner"].journal_id or 0, at=clinic.clock.now
    ))  # fmt: skip
    answer = client.post(
        "/sharing", data={"clinician": clinic.accounts["clin_none"].email, "scope": "read"}
    )
    assert answer.status_code == 403
    after = clinic_sharing.shares_of_person(
        clinic.base.database, clinic.accounts["owner"].journal_id or 0, at=clinic.clock.now
    )
    assert len(after) == before


def test_an_api_write_on_a_session_must_come_from_this_site(clinic: Clinic) -> None:
    client = clinic.sign_in("owner")
    dose = {"amount": "2g"}
    assert client.post("/api/v1/entries/doses", json=dose).status_code == 403
    assert JournalService(clinic.journal("owner")).history()[0] == []
    same = client.post(
        "/api/v1/entries/doses", json=dose, headers={"origin": BASE_URL, "sec-fetch-site":
                                                     "same-origin"}
    )  # fmt: skip
    assert same.status_code == 201


def test_a_host_not_on_the_allowlist_is_refused(clinic: Clinic) -> None:
    answer = clinic.client().get("/sign-in", headers={"host": "rebound.example"})
    assert answer.status_code == 400


# -- tokens ----------------------------------------------------------------------------------
def test_a_revoked_token_is_refused_on_the_next_request(clinic: Clinic) -> None:
    made = clinic_accounts.create_token(
        clinic.base.database, email=clinic.accounts["owner"].email, at=clinic.clock.now
    )
    headers = {"authorization": f"Bearer {made.text}"}
    client = clinic.client()
    assert client.get("/api/v1/entries", headers=headers).status_code == 200
    clinic_accounts.revoke_token(clinic.base.database, made.token_id, at=clinic.clock.now)
    refused = client.get("/api/v1/entries", headers=headers)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert set(refused.json()) == {"error"} and set(refused.json()["error"]) == {
        "message",
        "field",
    }


def test_missing_malformed_and_expired_tokens_are_401(clinic: Clinic) -> None:
    made = clinic_accounts.create_token(
        clinic.base.database, email=clinic.accounts["owner"].email, at=clinic.clock.now, days=1
    )
    client = clinic.client()
    for headers in ({}, {"authorization": "Bearer"}, {"authorization": "Basic abc"},
                    {"authorization": "Bearer mitra_not-a-real-token"}):  # fmt: skip
        answer = client.get("/api/v1/entries", headers=headers)
        assert (answer.status_code, answer.headers.get("www-authenticate")) == (401, "Bearer")
    clinic.clock.advance(days=1)
    expired = client.get("/api/v1/entries", headers={"authorization": f"Bearer {made.text}"})
    assert expired.status_code == 401


def test_a_read_only_token_reads_but_may_not_write(clinic: Clinic) -> None:
    headers = {"authorization": f"Bearer {clinic.token('owner', 'read')}"}
    client = clinic.client()
    assert client.get("/api/v1/entries", headers=headers).status_code == 200
    answer = client.post("/api/v1/entries/doses", json={"amount": "2g"}, headers=headers)
    assert answer.status_code == 403
    assert JournalService(clinic.journal("owner")).history()[0] == []


# -- shares and break-glass -------------------------------------------------------------------
def test_an_expired_share_answers_404_like_a_journal_that_does_not_exist(clinic: Clinic) -> None:
    owner = clinic.accounts["owner"]
    clinic_sharing.share(
        clinic.base.database,
        person_email=owner.email,
        clinician_email=clinic.accounts["clin_none"].email,
        scope=Scope.READ,
        ends=clinic.clock.now + timedelta(hours=1),
        at=clinic.clock.now,
    )
    headers = {"authorization": f"Bearer {clinic.token('clin_none')}"}
    client = clinic.client()
    path = f"/api/v1/people/{owner.journal_id}/entries"
    assert client.get(path, headers=headers).status_code == 200
    clinic.clock.advance(hours=1)
    gone = client.get(path, headers=headers)
    missing = client.get("/api/v1/people/999999/entries", headers=headers)
    assert gone.status_code == missing.status_code == 404
    assert gone.json()["error"]["message"].replace(str(owner.journal_id), "N") == missing.json()[
        "error"
    ]["message"].replace("999999", "N")


def test_revoking_a_share_on_the_page_denies_the_next_read(clinic: Clinic) -> None:
    owner = clinic.accounts["owner"]
    headers = {"authorization": f"Bearer {clinic.token('clin_read')}"}
    api = clinic.client()
    path = f"/api/v1/people/{owner.journal_id}/alerts"
    assert api.get(path, headers=headers).status_code == 200
    person = clinic.sign_in("owner")
    share = next(
        s
        for s in clinic_sharing.shares_of_person(
            clinic.base.database, owner.journal_id or 0, at=clinic.clock.now
        )
        if s.clinician_email == clinic.accounts["clin_read"].email
    )
    token = page_token(person, "/sharing")
    answer = person.post(f"/sharing/{share.share_id}/revoke", data={csrf.FIELD: token})
    assert answer.status_code == 303
    assert api.get(path, headers=headers).status_code == 404


def test_break_glass_needs_a_reason_expires_and_is_shown_to_the_person_and_admins(
    clinic: Clinic,
) -> None:
    owner = clinic.accounts["owner"]
    clinician = clinic.sign_in("clin_none")
    token = page_token(clinician, "/people")
    form = {"email": owner.email, "reason": "", "minutes": "30", csrf.FIELD: token}
    assert clinician.post("/people/break-glass", data=form).status_code == 422
    form["reason"] = "Unresponsive at the clinic, checking recent doses"
    assert clinician.post("/people/break-glass", data=form).status_code == 303
    headers = {"authorization": f"Bearer {clinic.token('clin_none')}"}
    api = clinic.client()
    path = f"/api/v1/people/{owner.journal_id}/entries"
    assert api.get(path, headers=headers).status_code == 200
    clinic.clock.advance(minutes=31)
    assert api.get(path, headers=headers).status_code == 404
    person = clinic.sign_in("owner")
    looked = person.get("/who-looked").text
    assert "Emergency access" in looked and "Unresponsive at the clinic" in looked
    admin = clinic.sign_in("admin")
    flags = admin.get("/admin/audit").text
    assert "clin.none@clinic.example" in flags and "Unresponsive at the clinic" in flags


# -- the audit log ---------------------------------------------------------------------------
def test_every_write_by_the_owner_and_every_read_by_others_is_audited(clinic: Clinic) -> None:
    owner = clinic.accounts["owner"]
    headers = {"authorization": f"Bearer {clinic.token('owner')}"}
    client = clinic.client()
    logged = client.post("/api/v1/entries/doses", json={"amount": "2g"}, headers=headers)
    assert logged.status_code == 201
    entry_id = logged.json()["entry"]["id"]
    before = len(_audit(clinic))
    assert client.get("/api/v1/entries", headers=headers).status_code == 200  # own read
    assert len(_audit(clinic)) == before  # not logged
    writes = [r for r in _audit(clinic) if r["action"] == "write"]
    assert writes[-1]["journal_id"] == owner.journal_id
    assert writes[-1]["object_type"] == "entry"
    assert writes[-1]["object_id"] == str(entry_id)
    assert writes[-1]["source_address"] == "testclient"
    reader = {"authorization": f"Bearer {clinic.token('clin_read')}"}
    assert (
        client.get(f"/api/v1/people/{owner.journal_id}/scores", headers=reader).status_code == 200
    )
    read = _audit(clinic)[-1]
    assert (read["action"], read["object_type"], read["journal_id"]) == (
        "read",
        "scores",
        owner.journal_id,
    )
    assert audit_log.verify(clinic.base.database).broken is None
