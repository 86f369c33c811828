"""Request guards and response headers for a server that has no sign-in yet.

- ``CrossSiteGuard`` refuses a state-changing request (POST, PUT, PATCH, DELETE) that a browser
  marks as coming from another site (``Sec-Fetch-Site: cross-site`` or an ``Origin`` whose host
  is not this one). Programs such as curl send neither header and pass; a web page elsewhere
  cannot make a browser undo or delete entries here.
- ``SecurityHeaders`` adds a Content-Security-Policy that lets pages load only this server's
  own files (no CDN, font or analytics request can slip in), and forbids framing. It also adds
  ``Server-Timing: app;dur=<ms>``, the time the app took, which ``bench/web_today.py`` reads.

- ``HostGuard`` answers 400 to a request whose ``Host`` is not on the allowlist: the loopback
  names (``localhost``, ``127.0.0.1``, ``[::1]``), the address the server is bound to, and the
  names the person gave with ``mitra serve --allowed-host``. There is no wildcard: a web page
  that rebinds its own name to this computer's address (DNS rebinding) is refused, also when
  the server listens beyond loopback. IPv6 literals are read with their brackets, so
  ``[::1]:8000`` is ``::1``.
- Every response carries ``Cache-Control: no-store`` except the static files: pages,
  downloads and API answers hold personal health data, which must not stay in a browser's or
  a proxy's cache.

All are plain ASGI middleware: they sit in front of every request, so they stay cheap.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
STATIC_PREFIX = "/static/"

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


def host_name(header: str) -> str:
    """The host of a ``Host`` header without its port, lower case; IPv6 without brackets."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def allowed_names(bound: str | None, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """The allowlist: loopback names, the bound address (unless it is the any-address) and the
    names given with ``--allowed-host``, all as ``host_name`` reads them."""
    names = {host_name(n) if n.startswith("[") else n.lower() for n in (*LOOPBACK_NAMES, *extra)}
    if bound and bound.strip("[]") not in ("0.0.0.0", "::"):
        names.add(bound.strip("[]").lower())
    return frozenset(names)


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": {"message": message, "field": None}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class HostGuard:
    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            host = host_name(_header(scope, b"host") or "")
            if host not in self.allowed:
                await _refuse(
                    send,
                    400,
                    "refused: this server answers only to its own address (the Host header "
                    f"{host or 'is missing'}{'' if not host else ' is not one of them'})",
                )
                return
        await self.app(scope, receive, send)


class CrossSiteGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS and is_cross_site(scope):
            await _refuse(send, 403, "refused: the request came from another web site")
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
        path = str(scope.get("path", ""))
        root = str(scope.get("root_path", ""))
        cacheable = path.removeprefix(root).startswith(STATIC_PREFIX) or path.startswith(
            STATIC_PREFIX
        )

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
                if not cacheable:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
