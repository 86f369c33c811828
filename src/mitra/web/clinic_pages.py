"""The clinic server's own pages: sign-in and sign-out, joining by invitation, a person's
sharing and who-looked pages, a clinician's people page with the break-glass form, and the
admin's audit page with its export.

Every POST here is CSRF-checked (the router's dependency, as for the local pages). Signing in
makes a NEW session (the accounts service makes its id) and a new CSRF token, and any session
cookie the browser brought is replaced, never adopted (session fixation). A refused sign-in
says the same words whatever went wrong (unknown email, wrong password or code, locked), so
the page never tells whether an account exists. Dates are in words (``human_time``), in the
person's own time zone; a clinician's page about one person is in that person's zone (their
days are the days the rules count), the other pages of clinicians and admins in the server's.
"""

from __future__ import annotations

import io
import secrets
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from mitra.domain.errors import ConflictError, InputError, NotFoundError
from mitra.domain.human_time import when_words
from mitra.services import care_notes
from mitra.services.catalogue import ProfileService
from mitra.web import clinic_session, csrf
from mitra.web.clinic_auth import caller_of
from mitra.web.clinic_gate import Caller, ClinicGate, LookView, SignInRefused
from mitra.web.clinic_roles import ADMIN, CLINICIAN, PERSON, role_of
from mitra.web.pages.common import FormState, see_other
from mitra.web.render import renderer

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.require_token)])
PER_PAGE = 20
NOTES_SHOWN = 20  # the newest; the API pages through the rest
MAX_PAGE = 100_000
Page = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Token = Annotated[str, Path(max_length=200)]
ShareId = Annotated[int, Path(ge=1, le=2**31 - 1)]

NOT_FOR_ROLE = "this page is not part of your account"


def gate(request: Request) -> ClinicGate:
    found: ClinicGate = request.app.state.clinic.gate
    return found


def _secure(request: Request) -> bool:
    return bool(request.app.state.clinic.secure_cookies)


def signed_in(request: Request, *roles: str) -> Caller:
    """The caller, who must have one of ``roles`` (else 403: the page is not part of their
    account); clinic_auth has already sent anyone not signed in to the sign-in page."""
    caller = caller_of(request)
    if caller is None:
        raise HTTPException(403, NOT_FOR_ROLE)
    if role_of(caller) not in roles:
        raise HTTPException(403, NOT_FOR_ROLE)
    return caller


def zone_of(request: Request, caller: Caller) -> ZoneInfo:
    if caller.journal_id is not None:
        ctx = request.app.state.clinic.contexts.for_journal(caller.journal_id)
        return ProfileService(ctx).show().zone()
    return ZoneInfo(request.app.state.clinic.base.default_timezone)


def words_for(request: Request, caller: Caller) -> Any:
    return words_in(request, zone_of(request, caller))


def words_in(request: Request, zone: ZoneInfo) -> Any:
    """Times in words ("today 09:10") in ``zone``."""
    now = gate(request).now()
    return lambda at: when_words(at, now, zone) if at is not None else None


def clinic_page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Any:
    caller = caller_of(request)
    with_alerts = caller is not None and caller.journal_id is not None
    return renderer(request).page(
        request, template, context, status_code=status, with_alerts=with_alerts
    )


def _safe_next(target: str) -> str:
    """Only a path on this site (never ``//elsewhere`` or a full address)."""
    if target.startswith("/") and not target.startswith(("//", "/\\")) and len(target) <= 2000:
        return target
    return "/"


# -- signing in and out ---------------------------------------------------------------------
class SignInForm(BaseModel):
    email: str = ""
    password: str = ""
    code: str = ""
    next: str = "/"


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, next: str = "/") -> Any:
    if caller_of(request) is not None:
        return see_other(request, "/")
    return clinic_page(
        request,
        "clinic_sign_in.html",
        {"form": FormState(), "refusal": None, "next": next, "notice": None},
    )


@router.post("/sign-in", response_model=None)
def sign_in(request: Request, form: Annotated[SignInForm, Form()]) -> Any:
    client = request.client.host if request.client else None
    try:
        session_id = gate(request).sign_in(
            form.email, form.password, form.code, client, clinic_session.session_id(request)
        )
    except SignInRefused as refused:
        state = FormState({"email": form.email})
        return clinic_page(
            request,
            "clinic_sign_in.html",
            {"form": state, "refusal": refused.message, "next": form.next, "notice": None},
            status=401,
        )
    return _signed_in(request, session_id, _safe_next(form.next))


def _signed_in(request: Request, session_id: str, target: str) -> RedirectResponse:
    response = see_other(request, target)
    clinic_session.set_session(response, session_id, secure=_secure(request))
    # A new CSRF token with the new session: one seen before signing in is not carried over.
    response.set_cookie(
        csrf.COOKIE, secrets.token_urlsafe(32), httponly=True, samesite="strict", path="/"
    )
    return response


@router.post("/sign-out", response_model=None)
def sign_out(request: Request) -> RedirectResponse:
    session_id = clinic_session.session_id(request)
    if session_id is not None:
        gate(request).sign_out(session_id)
    response = see_other(request, "/sign-in", signed_out=1)
    clinic_session.clear_session(response, secure=_secure(request))
    return response


# -- joining with an invitation ---------------------------------------------------------------
class JoinForm(BaseModel):
    password: str = ""
    again: str = ""


@router.get("/join/{token}", response_class=HTMLResponse)
def join_page(request: Request, token: Token) -> Any:
    invitation = gate(request).invitation(token)
    return clinic_page(
        request,
        "clinic_join.html",
        {"invitation": invitation, "token": token, "form": FormState()},
        status=200 if invitation else 404,
    )


@router.post("/join/{token}", response_model=None)
def join(request: Request, token: Token, form: Annotated[JoinForm, Form()]) -> Any:
    invitation = gate(request).invitation(token)
    if invitation is None:
        return join_page(request, token)
    try:
        if form.password != form.again:
            raise InputError("the two passwords are not the same", field="again")
        client = request.client.host if request.client else None
        session_id = gate(request).join(token, form.password, client)
    except InputError as exc:
        state = FormState.failed({}, exc, ("password", "again"))
        return clinic_page(
            request,
            "clinic_join.html",
            {"invitation": invitation, "token": token, "form": state},
            status=422,
        )
    return _signed_in(request, session_id, "/welcome")


# -- a person: sharing and who looked -----------------------------------------------------------
class ShareForm(BaseModel):
    clinician: str = ""
    scope: str = "read"
    ends: str = ""


SCOPE_WORDS = {"read": "Sees your journal", "plan": "Sees your journal and helps with your plan"}
PEOPLE_SCOPE_WORDS = {
    "read": "You see their journal",
    "plan": "You see their journal and help with their plan",
}


def _share_rows(request: Request, caller: Caller) -> list[dict[str, Any]]:
    words = words_for(request, caller)
    rows = []
    for share in gate(request).shares_of(caller):
        rows.append(
            {
                "id": share.share_id,
                "clinician": share.clinician_email,
                "scope": SCOPE_WORDS.get(share.scope, share.scope),
                "since": words(share.starts),
                "until": words(share.revoked_at or share.ends),
                "state": share.state,
                "state_key": share.state_key,
                "revocable": share.state_key in ("active", "waiting"),
            }
        )
    return rows


def _sharing(
    request: Request, caller: Caller, form: FormState, notice: str | None, status: int = 200
) -> Any:
    assert caller.journal_id is not None
    words = words_for(request, caller)
    notes = gate(request).person_notes(caller.journal_id, 0, NOTES_SHOWN)
    limits = gate(request).limits_of(caller.journal_id)
    context = {
        "shares": _share_rows(request, caller),
        "form": form,
        "notice": notice,
        "notes": [
            {"author": n.author_email, "when": words(n.at), "text": n.text} for n in notes.notes
        ],
        "notes_total": notes.total,
        "notes_hidden": notes.private_hidden,
        "notes_rule": care_notes.PERSON_RULE,
        "limits": limits,
        "limits_when": words(limits.set_at),
    }
    return clinic_page(request, "clinic_sharing.html", context, status)


@router.get("/sharing", response_class=HTMLResponse)
def sharing(request: Request, done: str = "") -> Any:
    caller = signed_in(request, PERSON)
    notices = {
        "shared": "Shared. They can see your journal now.",
        "revoked": "Stopped. They can no longer see your journal.",
    }
    return _sharing(request, caller, FormState({"scope": "read"}), notices.get(done))


@router.post("/sharing", response_model=None)
def share(request: Request, form: Annotated[ShareForm, Form()]) -> Any:
    caller = signed_in(request, PERSON)
    try:
        gate(request).share(caller, form.clinician, form.scope, form.ends, _client(request))
    except (InputError, NotFoundError) as exc:
        state = FormState.failed(form.model_dump(), exc, ("clinician", "scope", "ends"))
        return _sharing(request, caller, state, None, status=422)
    return see_other(request, "/sharing", done="shared")


@router.post("/sharing/{share_id}/revoke", response_model=None)
def revoke(request: Request, share_id: ShareId) -> Any:
    caller = signed_in(request, PERSON)
    gate(request).revoke(caller, share_id, _client(request))
    return see_other(request, "/sharing", done="revoked")


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


ACTION_WORDS = {
    "read": "looked at your journal",
    "write": "changed your journal",
    "break-glass": "opened your journal for emergency access",
    "share": "shared your journal",
    "revoke": "stopped sharing your journal",
    "create": "set up your journal",
    "seen": "marked one of your alerts as seen (it stays open for you)",
}
ROLE_WORDS = {"system": "", "person": "person", "clinician": "clinician",
              "admin": "administrator"}  # fmt: skip
# What a read looked at, by the audit row's object.
READ_WORDS = {
    "entries": "your entries",
    "alerts": "your alerts",
    "scores": "your scores",
    "roster": "your summary on their list",
    "summary": "your summary page",
    "alert": "one of your alerts",
    "notes": "your care team's notes",
}


def look_words(look: LookView) -> str:
    """What someone did, in words: "looked at your entries", "shared your journal (...)"."""
    if look.action_kind == "write" and look.object_type == "note":
        return "wrote a note in your journal"
    if look.action_kind == "write" and look.object_type == "plan":
        return "set or changed your plan"
    if look.action_kind == "write" and look.object_type == "limits":
        return "set your safety limits"
    if look.action_kind == "read" and look.object_type in READ_WORDS:
        return "looked at " + READ_WORDS[look.object_type]
    text = ACTION_WORDS.get(look.action_kind, look.action_text)
    if look.action_kind in ("share", "revoke") and look.reason:
        text += f" ({look.reason})"
    return text


@router.get("/who-looked", response_class=HTMLResponse)
def who_looked(request: Request, page: Page = 1) -> Any:
    caller = signed_in(request, PERSON)
    words = words_for(request, caller)
    found, more = gate(request).who_looked(caller, page, PER_PAGE)
    rows = [
        {
            "who": r.actor_email,
            "role": ROLE_WORDS.get(r.actor_role, r.actor_role),
            "what": look_words(r),
            "when": words(r.at),
            "break_glass": r.break_glass,
            "reason": r.reason,
        }
        for r in found
    ]
    return clinic_page(
        request, "clinic_who_looked.html", {"rows": rows, "page": page, "more": more}
    )


# -- a clinician: people and break-glass ----------------------------------------------------------
class BreakGlassForm(BaseModel):
    email: str = ""
    reason: str = ""
    minutes: str = ""


class InviteForm(BaseModel):
    # Not "email": the break-glass form on the same page has that field (ids stay unique).
    invite_email: str = ""
    role: str = "person"


INVITE_ROLES = (("person", "A person (keeps their own journal)"),
                ("clinician", "A clinician"), ("admin", "An administrator"))  # fmt: skip


def _people(
    request: Request, caller: Caller, page: int, form: FormState, notice: str | None,
    status: int = 200, *, invite: FormState | None = None, invited: dict[str, str] | None = None,
) -> Any:  # fmt: skip
    words = words_for(request, caller)
    found, more = gate(request).people(caller, page, PER_PAGE)
    people = [
        {
            "email": p.email,
            "scope": PEOPLE_SCOPE_WORDS.get(p.scope, p.scope),
            "until": words(p.ends),
            "activity": words(p.last_activity) or "none yet",
        }
        for p in found
    ]
    context = {
        "people": people,
        "page": page,
        "more": more,
        "form": form,
        "notice": notice,
        "may_break_glass": role_of(caller) == CLINICIAN,
        "max_minutes": gate(request).max_break_glass_minutes(),
        "invite": invite or FormState({"role": "person"}),
        "invited": invited,
        "invite_roles": INVITE_ROLES if role_of(caller) == ADMIN else None,
        "invitation_days": gate(request).invitation_days(),
    }
    return clinic_page(request, "clinic_people.html", context, status)


@router.get("/people", response_class=HTMLResponse)
def people(request: Request, page: Page = 1, opened: str = "") -> Any:
    caller = signed_in(request, CLINICIAN, ADMIN)
    notice = (
        "Emergency access is open. The person will see it, with your reason." if opened else None
    )
    return _people(request, caller, page, FormState(), notice)


@router.post("/people/break-glass", response_model=None)
def break_glass(request: Request, form: Annotated[BreakGlassForm, Form()]) -> Any:
    caller = signed_in(request, CLINICIAN)
    try:
        gate(request).break_glass(caller, form.email, form.reason, form.minutes, _client(request))
    except (InputError, NotFoundError) as exc:
        state = FormState.failed(form.model_dump(), exc, ("email", "reason", "minutes"))
        return _people(request, caller, 1, state, None, status=422)
    return see_other(request, "/people", opened=1)


@router.post("/people/invite", response_model=None)
def invite(request: Request, form: Annotated[InviteForm, Form()]) -> Any:
    """An invitation, shown once on the answer itself: the link is a password-setting key, so
    it is never put in a URL the browser keeps or in a redirect."""
    caller = signed_in(request, CLINICIAN, ADMIN)
    try:
        token = gate(request).invite(caller, form.invite_email, form.role)
    except (InputError, ConflictError) as exc:
        named = "invite_email" if exc.field == "email" else exc.field
        state = FormState.failed(
            form.model_dump(), type(exc)(exc.message, field=named), ("invite_email", "role")
        )
        return _people(request, caller, 1, FormState(), None, status=422, invite=state)
    link = str(request.base_url).rstrip("/") + f"/join/{token}"
    invited = {"email": form.invite_email.strip().lower(), "link": link}
    return _people(request, caller, 1, FormState(), None, invited=invited)


# -- an admin: the audit log ------------------------------------------------------------------
@router.get("/admin/audit", response_class=HTMLResponse)
def admin_audit(request: Request, page: Page = 1) -> Any:
    caller = signed_in(request, ADMIN)
    words = words_for(request, caller)
    found, more = gate(request).break_glass_flags(page, PER_PAGE)
    flags = [
        {
            "who": f.clinician_email,
            "whose": f.person_email,
            "when": words(f.starts),
            "until": words(f.ends),
            "reason": f.reason,
        }
        for f in found
    ]
    return clinic_page(
        request, "clinic_admin_audit.html", {"flags": flags, "page": page, "more": more}
    )


@router.get("/admin/audit/export", response_model=None)
def admin_audit_export(request: Request) -> Response:
    """The whole log as JSON lines, with its hashes (another tool can check the chain)."""
    signed_in(request, ADMIN)
    out = io.StringIO()
    gate(request).export(out)
    return Response(
        out.getvalue(),
        media_type="application/x-ndjson",
        headers={"content-disposition": 'attachment; filename="mitra-audit.jsonl"'},
    )
