"""Who is asking: the clinic server's sign-in check in front of every request.

``ClinicAuth`` (plain ASGI middleware, inside the host and cross-site guards) finds the caller
of each request and decides whether the request may reach a route at all:

- ``/api/v1/*`` takes ``Authorization: Bearer <token>``; a missing, malformed, unknown,
  revoked or expired token is 401 with the API's one error shape and ``WWW-Authenticate:
  Bearer``. The pages' own fetches may use the session cookie instead; a state-changing API
  request on a session must come from this site (``Sec-Fetch-Site: same-origin`` or an
  ``Origin`` naming this host), since the API takes no CSRF token. A token without the
  ``write`` scope gets 403 on POST, PUT, PATCH and DELETE of a person's own journal; the
  clinic's routes (``/api/v1/people/...``) check the scope their action needs themselves.
- Pages take the ``mitra_session`` cookie; without a live session they send the browser to
  ``/sign-in`` (303), remembering the page to come back to.
- Public paths (sign-in, invitations, the static files, the API description) need no caller.
- A clinician or admin has no journal of their own: the personal pages send them to
  ``/people`` and the personal API answers 403.

The caller is put in ``CALLER`` (a context variable, seen by the route, its dependencies and
the threads they run in) and in ``scope["mitra_caller"]``; the journal contexts
(``clinic_contexts.JournalContexts``) read it to give each request its caller's journal.

A state-changing request on the caller's journal runs with its audit row in waiting
(``storage.write_audit.PENDING``): each write transaction it makes stores the row with the
write (who, role, journal, the object created or named by the path, the source address), so
nothing written is ever unaudited and nothing refused is audited as a write. Clinic routes
(sharing, break-glass) audit through their services.

Each request reads a journal's limits once (``services.person_limits.read_once``).
"""

from __future__ import annotations

import contextvars
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from anyio import to_thread
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from mitra.services import person_limits
from mitra.storage import write_audit
from mitra.web import clinic_session
from mitra.web.guards import UNSAFE_METHODS

if TYPE_CHECKING:
    from mitra.services.clinic_accounts import Caller

CALLER: contextvars.ContextVar[Caller | None] = contextvars.ContextVar(
    "mitra_clinic_caller", default=None
)
# The path being answered (under the app's mount), for the menu's current area.
PATH: contextvars.ContextVar[str] = contextvars.ContextVar("mitra_clinic_path", default="/")
SCOPE_KEY = "mitra_caller"
API_PREFIX = "/api/"
# Reachable without signing in.
PUBLIC_EXACT = frozenset({"/sign-in", "/api/v1/openapi.json"})
PUBLIC_PREFIXES = ("/static/", "/join/")
# Pages and API of the clinic itself: for every role, each route checks who may use it.
CLINIC_EXACT = frozenset(
    {
        "/sign-out",
        "/clinic",
        "/people",
        "/people/break-glass",
        "/people/invite",
        "/sharing",
        "/who-looked",
    }
)
CLINIC_PREFIXES = ("/sharing/", "/admin/", "/clinic/", "/api/v1/people")
PERSONAL_FOR_OTHERS = "/clinic"  # where a clinician or admin goes instead of a personal page
BEARER = re.compile(r"Bearer ([A-Za-z0-9._~+/=-]{1,400})", re.IGNORECASE)

UNAUTHENTICATED = "sign in first: send Authorization: Bearer <token> (a token from your clinic)"
READ_ONLY_TOKEN = "this token may only read; a write needs a token with the write scope"
OTHER_SITE = "refused: a change through the API on a browser session must come from this site"
NO_JOURNAL = (
    "this account has no journal of its own; journals shared with you are under /api/v1/people"
)


def current_caller() -> Caller | None:
    return CALLER.get()


def current_path() -> str:
    return PATH.get()


def caller_of(request: HTTPConnection) -> Caller | None:
    found: Caller | None = request.scope.get(SCOPE_KEY)
    return found


def is_public(path: str) -> bool:
    return path in PUBLIC_EXACT or path.startswith(PUBLIC_PREFIXES)


def is_clinic(path: str) -> bool:
    return path in CLINIC_EXACT or path.startswith(CLINIC_PREFIXES)


# The first path segment after /api/v1 (or of a page) -> the kind of object it writes.
_OBJECT_TYPES = {
    "entries": "entry",
    "log": "entry",
    "undo": "entry",
    "alerts": "alert",
    "plan": "plan",
    "products": "product",
    "profile": "profile",
    "welcome": "profile",
    "checkin": "checkin",
    "checkins": "checkin",
}


def object_of(path: str) -> tuple[str, str]:
    """What a write names: its kind from the path's first segment, its id from the path's
    first number (``/api/v1/alerts/7/ack`` -> alert 7), else the path itself. What a write
    creates is named by the store that creates it (``storage.write_audit``)."""
    parts = [p for p in path.removeprefix("/api/v1").split("/") if p]
    kind = _OBJECT_TYPES.get(parts[0], "page") if parts else "page"
    for part in parts[1:]:
        if part.isdigit():
            return kind, part
    return kind, path


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def same_site(scope: Scope) -> bool:
    """The browser says this request comes from this site's own pages."""
    if _header(scope, b"sec-fetch-site") == "same-origin":
        return True
    origin = _header(scope, b"origin")
    host = _header(scope, b"host")
    return origin is not None and urlsplit(origin).netloc.lower() == (host or "").lower()


async def _json(send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"error": {"message": message, "field": None}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, location: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", location.encode("latin-1")), (b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})


class ClinicAuth:
    """See the module docstring. ``resolve_token`` and ``resolve_session`` give the caller of a
    bearer token or session id (or None), in a worker thread since they touch the database;
    ``pending_write`` gives the audit row in waiting of a write by a caller on a path from a
    source address (``storage.write_audit``)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        resolve_token: Callable[[str], Caller | None],
        resolve_session: Callable[[str, str | None], Caller | None],
        pending_write: Callable[[Caller, str, str | None], write_audit.PendingWrite],
    ) -> None:
        self.app = app
        self.resolve_token = resolve_token
        self.resolve_session = resolve_session
        self.pending_write = pending_write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        root = str(scope.get("root_path", ""))
        path = str(scope.get("path", "")).removeprefix(root) or "/"
        method = str(scope["method"])
        api = path.startswith(API_PREFIX)
        request = HTTPConnection(scope)
        source = request.client.host if request.client else None
        caller: Caller | None = None
        via = None
        authorization = _header(scope, b"authorization")
        if api and authorization is not None:
            match = BEARER.fullmatch(authorization.strip())
            if match is not None:
                caller = await to_thread.run_sync(self.resolve_token, match.group(1))
            via = "token"
        else:
            sid = clinic_session.session_id(request)
            if sid is not None:
                caller = await to_thread.run_sync(self.resolve_session, sid, source)
                via = "session"
        if caller is None and not is_public(path):
            if api:
                await _json(send, 401, UNAUTHENTICATED, [(b"www-authenticate", b"Bearer")])
            else:
                back = path + (
                    "?" + scope["query_string"].decode("latin-1") if scope["query_string"] else ""
                )
                wanted = "" if method != "GET" or path in ("/", "/today") else back
                await _redirect(
                    send, root + "/sign-in" + (f"?next={quote(wanted)}" if wanted else "")
                )
            return
        unsafe = method in UNSAFE_METHODS
        if caller is not None and api and unsafe:
            # A change to a person's own journal needs the write scope; a clinic route (a
            # clinician marking an alert seen) checks its own scope through the sharing service.
            if via == "token" and "write" not in tuple(caller.scopes) and not is_clinic(path):
                await _json(send, 403, READ_ONLY_TOKEN, [])
                return
            if via == "session" and not same_site(scope):
                await _json(send, 403, OTHER_SITE, [])
                return
        personal = not is_public(path) and not is_clinic(path)
        if caller is not None and personal and caller.journal_id is None:
            if api:
                await _json(send, 403, NO_JOURNAL, [])
            else:
                await _redirect(send, root + PERSONAL_FOR_OTHERS)
            return
        scope[SCOPE_KEY] = caller
        token = CALLER.set(caller)
        path_token = PATH.set(path)
        try:
            # One request is judged with one reading of a journal's limits (read at first use).
            with person_limits.read_once():
                if caller is None or not (unsafe and personal):
                    await self.app(scope, receive, send)
                    return
                pending = write_audit.PENDING.set(self.pending_write(caller, path, source))
                try:
                    await self.app(scope, receive, send)
                finally:
                    write_audit.PENDING.reset(pending)
        finally:
            CALLER.reset(token)
            PATH.reset(path_token)
