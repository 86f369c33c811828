"""CSRF protection for form posts: a per-session random token in a cookie and in every form.

The first page that renders a form sets the cookie ``mitra_csrf`` (HttpOnly, SameSite=Strict,
no expiry, so it lasts the browser session) and puts the same value in a hidden field. Every
POST to a page must bring both, equal; they are compared in constant time. Another site can
make a browser send a form here, but cannot read the cookie, so it cannot fill in the field.

Invariant: every POST route of the pages router passes ``require_token`` (it is a router-level
dependency, so a new form cannot forget it; a test enumerates the routes). The JSON API takes
no cookies and is guarded by ``guards.CrossSiteGuard`` instead.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request
from starlette.responses import Response

from mitra.web.words import CSRF_REFUSED

COOKIE = "mitra_csrf"
FIELD = "csrf_token"
_TOKEN_BYTES = 32
# token_urlsafe(32) gives 43 characters; anything else in the cookie is not ours.
_TOKEN_LENGTH = 43


def _well_formed(value: str | None) -> bool:
    return (
        value is not None
        and len(value) == _TOKEN_LENGTH
        and all(ch.isalnum() or ch in "-_" for ch in value)
    )


def token_for(request: Request) -> str:
    """The session's token, making one (to be set by ``remember``) on the first form."""
    existing = request.cookies.get(COOKIE)
    if _well_formed(existing):
        assert existing is not None
        return existing
    made: str | None = getattr(request.state, "new_csrf_token", None)
    if made is None:
        made = secrets.token_urlsafe(_TOKEN_BYTES)
        request.state.new_csrf_token = made
    return made


def remember(request: Request, response: Response) -> None:
    """Set the cookie if this request made a new token."""
    made: str | None = getattr(request.state, "new_csrf_token", None)
    if made is not None:
        response.set_cookie(COOKIE, made, httponly=True, samesite="strict", path="/")


async def require_token(request: Request) -> None:
    """Refuse a POST whose form field does not match the cookie (403, nothing is written)."""
    if request.method != "POST":
        return
    form = await request.form()
    sent = form.get(FIELD)
    cookie = request.cookies.get(COOKIE)
    if not (
        isinstance(sent, str)
        and _well_formed(cookie)
        and hmac.compare_digest(sent.encode(), str(cookie).encode())
    ):
        raise HTTPException(status_code=403, detail=CSRF_REFUSED)
