"""Request guards and response headers for a server that has no sign-in yet.

- ``CrossSiteGuard`` refuses a state-changing request (POST, PUT, PATCH, DELETE) that a browser
  marks as coming from another site (``Sec-Fetch-Site: cross-site`` or an ``Origin`` whose host
  is not this one). Programs such as curl send neither header and pass; a web page elsewhere
  cannot make a browser undo or delete entries here.
- ``SecurityHeaders`` adds a Content-Security-Policy that lets pages load only this server's
  own files (no CDN, font or analytics request can slip in), and forbids framing. It also adds
  ``Server-Timing: app;dur=<ms>``, the time the app took, which ``bench/web_today.py`` reads.

Both are plain ASGI middleware: they sit in front of every request, so they stay cheap.
Host names are checked by Starlette's ``TrustedHostMiddleware`` (see ``app.py``), which stops
DNS-rebinding pages from reaching a server bound to loopback.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; "
    # Inline SVG charts carry their own <style>; nothing else is inline.
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def is_cross_site(scope: Scope) -> bool:
    """True when the browser says the request comes from another site."""
    fetch_site = _header(scope, b"sec-fetch-site")
    if fetch_site == "cross-site":
        return True
    origin = _header(scope, b"origin")
    if origin is None:
        return False
    if origin == "null":  # sandboxed frames and some redirects: never this app's own pages
        return True
    host = _header(scope, b"host")
    return urlsplit(origin).netloc.lower() != (host or "").lower()


class CrossSiteGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS and is_cross_site(scope):
            body = json.dumps(
                {
                    "error": {
                        "message": "refused: the request came from another web site",
                        "field": None,
                    }
                }
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed_ms = (time.perf_counter() - started) * 1000
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    # "no-referrer" would make browsers send "Origin: null" on our own form posts.
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                    (b"server-timing", f"app;dur={elapsed_ms:.2f}".encode()),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
