"""Who may reach what: every route of the clinic app (read from the app's own route table) x
every role x, for routes that name a journal, the journal (shared with the caller, not
shared, or not there at all), with the expected status in ``ROUTES`` below.

A route the app has and the table lacks fails the test (so a new route must say who may use
it), and so does a table row for a route the app no longer has. What a person gets on their
own pages (200, 303, 404, 422: the page's own answer to an empty form or a missing id) is in
the table per route; what everyone else gets follows from the route's kind (``KINDS``).
"""

from __future__ import annotations

from typing import Any

from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from mitra.web import csrf
from tests.clinic_web.conftest import Clinic, page_token

ANON, OWNER, OTHER = "anonymous", "owner", "other"
CLIN_READ, CLIN_PLAN, CLIN_NONE, ADMIN = "clin_read", "clin_plan", "clin_none", "admin"
ROLES = (ANON, OWNER, OTHER, CLIN_READ, CLIN_PLAN, CLIN_NONE, ADMIN)
PERSONS = (OWNER, OTHER)
STAFF = (CLIN_READ, CLIN_PLAN, CLIN_NONE, ADMIN)
SIGN_IN, PEOPLE = "-> /sign-in", "-> /clinic"  # a 303 to that page

# Kind of route -> role -> status, where "own" is the route's own answer to a person (below).
KINDS: dict[str, dict[str, int | str]] = {
    # A person's own pages and API: everyone else is sent away.
    "page": {ANON: SIGN_IN, OWNER: "own", OTHER: "own", **dict.fromkeys(STAFF, PEOPLE)},
    "api": {ANON: 401, OWNER: "own", OTHER: "own", **dict.fromkeys(STAFF, 403)},
    # The person's clinic pages (sharing, who looked): staff are refused.
    "person": {ANON: SIGN_IN, OWNER: "own", OTHER: "own", **dict.fromkeys(STAFF, 403)},
    "staff": {ANON: SIGN_IN, OWNER: 403, OTHER: 403, **dict.fromkeys(STAFF, "own")},
    "clinician": {ANON: SIGN_IN, OWNER: 403, OTHER: 403, ADMIN: 403,
                  **dict.fromkeys((CLIN_READ, CLIN_PLAN, CLIN_NONE), "own")},
    "admin": {ANON: SIGN_IN, **dict.fromkeys((OWNER, OTHER, CLIN_READ, CLIN_PLAN, CLIN_NONE),
                                             403), ADMIN: "own"},
    "people-api": {ANON: 401, OWNER: 403, OTHER: 403, **dict.fromkeys(STAFF, "own")},
    # Open to all, signed in or not (the same answer for everyone).
    "public": dict.fromkeys(ROLES, "own"),
    "sign-in-page": {ANON: 200, **dict.fromkeys(ROLES[1:], 303)},
    "signed-in": {ANON: SIGN_IN, **dict.fromkeys(ROLES[1:], "own")},
}  # fmt: skip

# A shared journal's reads: the journal the clinician may see, one they may not, none at all.
JOURNALS = ("shared", "not shared", "missing")
JOURNAL_READ: dict[str, dict[str, int | str]] = {
    ANON: dict.fromkeys(JOURNALS, 401),
    OWNER: dict.fromkeys(JOURNALS, 403),
    OTHER: dict.fromkeys(JOURNALS, 403),
    CLIN_READ: {"shared": 200, "not shared": 404, "missing": 404},
    CLIN_PLAN: {"shared": 200, "not shared": 404, "missing": 404},
    CLIN_NONE: dict.fromkeys(JOURNALS, 404),
    ADMIN: dict.fromkeys(JOURNALS, 404),
}

# A shared journal's page as a clinician sees it: the same as its API, with a person or an
# anonymous caller answered as the clinic's pages answer them.
JOURNAL_PAGE: dict[str, dict[str, int | str]] = {
    **JOURNAL_READ,
    ANON: dict.fromkeys(JOURNALS, SIGN_IN),
    OWNER: dict.fromkeys(JOURNALS, 403),
    OTHER: dict.fromkeys(JOURNALS, 403),
}
# "I have seen this alert" with an alert that is not there: 404 for every journal, to everyone
# the route lets in (a journal not shared answers as a missing alert).
_SEEN_STAFF = {role: dict.fromkeys(JOURNALS, 404) for role in STAFF}
JOURNAL_SEEN_API: dict[str, dict[str, int | str]] = {**JOURNAL_READ, **_SEEN_STAFF}
JOURNAL_SEEN_PAGE: dict[str, dict[str, int | str]] = {**JOURNAL_PAGE, **_SEEN_STAFF}
# Acting for a person with an empty body (a note, a taper, a step back): refused to a clinician
# who may only read the journal, and 422 (nothing to act on) only for the one it is shared with
# to plan.
_NOTE_STAFF = {
    **_SEEN_STAFF,
    CLIN_READ: {"shared": 403, "not shared": 404, "missing": 404},
    CLIN_PLAN: {"shared": 422, "not shared": 404, "missing": 404},
}
JOURNAL_NOTE_API: dict[str, dict[str, int | str]] = {**JOURNAL_READ, **_NOTE_STAFF}
JOURNAL_NOTE_PAGE: dict[str, dict[str, int | str]] = {**JOURNAL_PAGE, **_NOTE_STAFF}
# Limits put with an empty body (no limits: back to the server's) succeed for the clinician
# the journal is shared with to plan.
JOURNAL_LIMITS_API: dict[str, dict[str, int | str]] = {
    **JOURNAL_NOTE_API,
    CLIN_PLAN: {"shared": 200, "not shared": 404, "missing": 404},
}
JOURNAL_KINDS = {
    "journal-limits-api": JOURNAL_LIMITS_API,
    "journal-note-api": JOURNAL_NOTE_API,
    "journal-note-page": JOURNAL_NOTE_PAGE,
    "journal": JOURNAL_READ,
    "journal-page": JOURNAL_PAGE,
    "journal-seen-api": JOURNAL_SEEN_API,
    "journal-seen-page": JOURNAL_SEEN_PAGE,
}

# (method, path) -> (kind, what the route itself answers a person / everyone it lets in).
ROUTES: dict[tuple[str, str], tuple[str, int | str]] = {
    ("GET", "/"): ("page", 303),
    ("GET", "/alerts"): ("page", 200),
    ("GET", "/checkin"): ("page", 200),
    ("GET", "/checkin/{instrument_id}"): ("page", 200),
    ("GET", "/checkin/{instrument_id}/result"): ("page", 200),
    ("GET", "/exposure"): ("page", 200),
    ("GET", "/history"): ("page", 200),
    ("GET", "/learn"): ("page", 200),
    ("GET", "/log/dose"): ("page", 200),
    ("GET", "/log/substance"): ("page", 200),
    ("GET", "/log/symptom"): ("page", 200),
    ("GET", "/plan"): ("page", 200),
    ("GET", "/plan/calendar.ics"): ("page", 404),
    ("GET", "/products"): ("page", 200),
    ("GET", "/products/{product_id}/edit"): ("page", 404),
    ("GET", "/profile"): ("page", 200),
    ("GET", "/report"): ("page", 200),
    ("GET", "/report/export"): ("page", 200),
    ("GET", "/report/fhir"): ("page", 200),
    ("GET", "/report/pdf"): ("page", 200),
    ("GET", "/timeline"): ("page", 200),
    ("GET", "/today"): ("page", 200),
    ("GET", "/trends"): ("page", 200),
    ("GET", "/welcome"): ("page", 200),
    ("POST", "/alerts/mark-read"): ("page", 303),
    ("POST", "/alerts/{alert_id}/acknowledge"): ("page", 404),
    ("POST", "/checkin/{instrument_id}"): ("page", 422),
    ("POST", "/demo-journey"): ("page", 404),
    ("POST", "/entries/{entry_id}/delete"): ("page", 404),
    ("POST", "/entries/{entry_id}/undo"): ("page", 303),
    ("POST", "/log/dose"): ("page", 422),
    ("POST", "/log/substance"): ("page", 422),
    ("POST", "/log/symptom"): ("page", 422),
    ("POST", "/log/usual"): ("page", 422),
    ("POST", "/plan/decide"): ("page", 303),
    ("POST", "/plan/step-back"): ("page", 422),
    ("POST", "/plan/taper"): ("page", 422),
    ("POST", "/plan/titration"): ("page", 303),
    ("POST", "/products"): ("page", 422),
    ("POST", "/products/{product_id}"): ("page", 404),
    ("POST", "/products/{product_id}/delete"): ("page", 404),
    ("POST", "/profile"): ("page", 422),
    ("POST", "/undo"): ("page", 303),
    ("POST", "/welcome"): ("page", 422),
    ("GET", "/api/v1/alerts"): ("api", 200),
    ("GET", "/api/v1/catalogues/forms"): ("api", 200),
    ("GET", "/api/v1/catalogues/goals"): ("api", 200),
    ("GET", "/api/v1/catalogues/substances"): ("api", 200),
    ("GET", "/api/v1/catalogues/symptoms"): ("api", 200),
    ("GET", "/api/v1/entries"): ("api", 200),
    ("GET", "/api/v1/instruments"): ("api", 200),
    ("GET", "/api/v1/instruments/{instrument_id}"): ("api", 200),
    ("GET", "/api/v1/products"): ("api", 200),
    ("GET", "/api/v1/profile"): ("api", 200),
    ("GET", "/api/v1/scores"): ("api", 200),
    ("POST", "/api/v1/alerts/mark-read"): ("api", 200),
    ("POST", "/api/v1/alerts/{alert_id}/acknowledge"): ("api", 404),
    ("POST", "/api/v1/checkins"): ("api", 422),
    ("POST", "/api/v1/entries/doses"): ("api", 422),
    ("POST", "/api/v1/entries/substances"): ("api", 422),
    ("POST", "/api/v1/entries/symptoms"): ("api", 422),
    ("POST", "/api/v1/products"): ("api", 422),
    ("POST", "/api/v1/sync/entries"): ("api", 422),
    ("POST", "/api/v1/undo"): ("api", 404),
    ("DELETE", "/api/v1/entries/{entry_id}"): ("api", 404),
    ("DELETE", "/api/v1/products/{product_id}"): ("api", 404),
    ("PUT", "/api/v1/products/{product_id}"): ("api", 422),
    ("PUT", "/api/v1/profile"): ("api", 200),
    ("GET", "/sharing"): ("person", 200),
    ("POST", "/sharing"): ("person", 422),
    ("POST", "/sharing/{share_id}/revoke"): ("person", 404),
    ("GET", "/who-looked"): ("person", 200),
    ("GET", "/clinic"): ("staff", 200),
    ("GET", "/clinic/people/{journal_id}"): ("journal-page", 0),
    ("POST", "/clinic/people/{journal_id}/alerts/{alert_id}/seen"): ("journal-seen-page", 0),
    ("POST", "/clinic/people/{journal_id}/notes"): ("journal-note-page", 0),
    ("POST", "/clinic/people/{journal_id}/limits"): ("journal-note-page", 0),
    ("POST", "/clinic/people/{journal_id}/plan/taper"): ("journal-note-page", 0),
    ("POST", "/clinic/people/{journal_id}/plan/step-back"): ("journal-note-page", 0),
    ("GET", "/people"): ("staff", 200),
    ("POST", "/people/break-glass"): ("clinician", 422),
    ("POST", "/people/invite"): ("staff", 422),
    ("GET", "/admin/audit"): ("admin", 200),
    ("GET", "/admin/audit/export"): ("admin", 200),
    ("GET", "/api/v1/people"): ("people-api", 200),
    ("GET", "/api/v1/people/{journal_id}/alerts"): ("journal", 0),
    ("GET", "/api/v1/people/{journal_id}/entries"): ("journal", 0),
    ("GET", "/api/v1/people/{journal_id}/scores"): ("journal", 0),
    ("POST", "/api/v1/people/{journal_id}/alerts/{alert_id}/seen"): ("journal-seen-api", 0),
    ("GET", "/api/v1/people/{journal_id}/notes"): ("journal", 0),
    ("POST", "/api/v1/people/{journal_id}/notes"): ("journal-note-api", 0),
    ("GET", "/api/v1/notes"): ("api", 200),
    ("GET", "/api/v1/limits"): ("api", 200),
    ("GET", "/api/v1/people/{journal_id}/limits"): ("journal", 0),
    ("PUT", "/api/v1/people/{journal_id}/limits"): ("journal-limits-api", 0),
    ("POST", "/api/v1/people/{journal_id}/plan/taper"): ("journal-note-api", 0),
    ("POST", "/api/v1/people/{journal_id}/plan/step-back"): ("journal-note-api", 0),
    ("GET", "/api/v1/openapi.json"): ("public", 200),
    ("HEAD", "/api/v1/openapi.json"): ("public", 200),
    ("MOUNT", "/static"): ("public", 200),
    ("GET", "/join/{token}"): ("public", 404),
    ("POST", "/join/{token}"): ("public", 404),
    ("GET", "/sign-in"): ("sign-in-page", 0),
    ("POST", "/sign-in"): ("public", 401),  # an empty form: the one refusal
    ("POST", "/sign-out"): ("signed-in", SIGN_IN),  # asked last: it ends the session
}
PARAMS = {
    "entry_id": "999999",
    "product_id": "999999",
    "alert_id": "999999",
    "share_id": "999999",
    "instrument_id": "cows",
    "token": "not-an-invitation",
}


def app_routes(clinic: Clinic) -> set[tuple[str, str]]:
    found = set()
    for route in iter_route_contexts(clinic.app.router.routes):
        for method in route.methods or {"MOUNT"}:
            found.add((method, str(route.path)))
    return found


def test_the_table_names_every_route_of_the_app(clinic: Clinic) -> None:
    routes = app_routes(clinic)
    assert sorted(routes - set(ROUTES)) == [], "routes the table does not say who may use"
    assert sorted(set(ROUTES) - routes) == [], "table rows for routes the app does not have"


def _status(answer: Any) -> int | str:
    if answer.status_code == 303:
        target = answer.headers["location"].split("?", 1)[0]
        if target in ("/sign-in", "/clinic"):
            return f"-> {target}"
    return int(answer.status_code)


def _call(
    clinic: Clinic,
    client: TestClient,
    role: str,
    tokens: dict[str, str],
    method: str,
    path: str,
) -> int | str:
    target = path
    for name, value in PARAMS.items():
        target = target.replace("{" + name + "}", value)
    if method == "MOUNT":
        return _status(client.get("/static/app.css"))
    if target.startswith("/api/"):
        headers = {"authorization": f"Bearer {tokens[role]}"} if role in tokens else {}
        body: dict[str, object] | None = {} if method in ("POST", "PUT") else None
        return _status(client.request(method, target, json=body, headers=headers))
    if method == "POST":
        # A signed-in person's form brings its CSRF token, so what answers is the route.
        return _status(client.post(target, data={csrf.FIELD: tokens.get(f"{role}-csrf", "")}))
    return _status(client.request(method, target))


def test_every_route_answers_every_role_as_the_table_says(clinic: Clinic) -> None:
    assert app_routes(clinic) == set(ROUTES)
    clients = {ANON: clinic.client()}
    tokens: dict[str, str] = {}
    for role in ROLES[1:]:
        clients[role] = clinic.sign_in(role)
        tokens[role] = clinic.token(role)
        tokens[f"{role}-csrf"] = page_token(clients[role], _form(role))
    tokens[f"{ANON}-csrf"] = page_token(clients[ANON], "/sign-in")
    journals = {
        "shared": clinic.accounts[OWNER].journal_id,
        "not shared": clinic.accounts[OTHER].journal_id,
        "missing": 999999,
    }
    wrong: list[tuple[str, str, str, str, int | str, int | str]] = []
    ordered = sorted(ROUTES, key=lambda r: r == ("POST", "/sign-out"))
    for method, path in ordered:
        kind, own = ROUTES[(method, path)]
        for role in ROLES:
            if kind in JOURNAL_KINDS:
                for journal, journal_id in journals.items():
                    got = _call(
                        clinic,
                        clients[role],
                        role,
                        tokens,
                        method,
                        path.replace("{journal_id}", str(journal_id)),
                    )
                    wanted = JOURNAL_KINDS[kind][role][journal]
                    if got != wanted:
                        wrong.append((method, path, role, journal, wanted, got))
                continue
            expected = KINDS[kind][role]
            want = own if expected == "own" else expected
            got = _call(clinic, clients[role], role, tokens, method, path)
            if got != want:
                wrong.append((method, path, role, "-", want, got))
    assert wrong == []


def _form(role: str) -> str:
    """A page with a form this role can open (its CSRF token is the session's)."""
    return "/today" if role in PERSONS else "/people"
