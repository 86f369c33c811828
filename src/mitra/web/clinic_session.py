"""The clinic server's session cookie: ``mitra_session``, set at sign-in, cleared at sign-out.

The cookie holds the session id the accounts service made at sign-in (a NEW random id on every
sign-in, so a cookie planted before sign-in never becomes a signed-in session: session
fixation). The server keeps only its hash (``services.clinic_accounts``), with the idle and
absolute timeouts; the cookie itself has no expiry (it ends with the browser), because the
server decides when a session ends.

Flags: HttpOnly (no script reads it), SameSite=Lax (another site's forms and fetches do not
carry it; a link followed from elsewhere does, so people arrive signed in), Path=/, and Secure
whenever the server is reached beyond this computer (bound to a non-loopback address), so it
never travels over plain HTTP on a network.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

COOKIE = "mitra_session"
# Session ids are URL-safe random text; anything longer is not ours and is not looked up.
MAX_LENGTH = 200


def session_id(request: HTTPConnection) -> str | None:
    """The session id the browser sent, if it looks like one."""
    value = request.cookies.get(COOKIE)
    if not value or len(value) > MAX_LENGTH or not all(ch.isalnum() or ch in "-_" for ch in value):
        return None
    return value


def set_session(response: Response, value: str, *, secure: bool) -> None:
    response.set_cookie(COOKIE, value, httponly=True, samesite="lax", secure=secure, path="/")


def clear_session(response: Response, *, secure: bool) -> None:
    response.delete_cookie(COOKIE, httponly=True, samesite="lax", secure=secure, path="/")
