"""``Idempotency-Key`` for every state-changing request: a retry is answered, never redone.

A client (or a page's form, through its hidden ``idempotency_key`` field) sends a key with a
POST, PUT, PATCH or DELETE. The first time, the request runs as usual and the key is claimed
in the same transaction as its write (``storage.idempotency``); a successful answer is then
kept with the key. A retry with the same key and the same request gets that answer again
(header ``Idempotency-Replayed: true``) and nothing is written twice: a double-tapped form
logs one dose, and a client whose connection dropped after the server stored the entry can
simply send the request again. A key reused for a different request is refused (422); a key
whose request was carried out but whose answer was lost (the server stopped in between) is
answered 409, saying the request is already done. A refused request (4xx) keeps no key, so
the corrected request can use it.

Plain ASGI middleware: the body is read once and handed on unchanged.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from urllib.parse import parse_qs

from anyio import to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mitra.services.context import AppContext
from mitra.storage import idempotency

HEADER = b"idempotency-key"
FORM_FIELD = "idempotency_key"
MAX_KEY_LENGTH = 200
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPE = "application/x-www-form-urlencoded"
log = logging.getLogger("mitra.web")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _well_formed(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and all(33 <= ord(ch) <= 126 for ch in key)


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


async def _answer(
    send: Send,
    status: int,
    body: bytes,
    content_type: str,
    *,
    location: str | None = None,
    replayed: bool = False,
) -> None:
    headers = [
        (b"content-type", content_type.encode("latin-1")),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]
    if location:
        headers.append((b"location", location.encode("latin-1")))
    if replayed:
        headers.append((b"idempotency-replayed", b"true"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": {"message": message, "field": "Idempotency-Key"}}).encode()
    await _answer(send, status, body, "application/json")


class IdempotencyGuard:
    def __init__(
        self, app: ASGIApp, source: Callable[[], AppContext], skip_prefix: str | None = None
    ) -> None:
        self.app = app
        self.source = source
        self.skip_prefix = skip_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if (
            scope["type"] != "http"
            or scope["method"] not in UNSAFE_METHODS
            # The demo's own app keys its requests; building it ("/demo-journey") writes
            # only the demo's database, which this app's keys must not claim.
            or (self.skip_prefix is not None and path.startswith(self.skip_prefix))
        ):
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = bool(message.get("more_body", False))

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        key = _header(scope, HEADER)
        if key is None and (_header(scope, b"content-type") or "").startswith(FORM_TYPE):
            fields = parse_qs(body.decode("latin-1"))
            found = fields.get(FORM_FIELD)
            key = found[0] if found else None
        if key is None:
            await self.app(scope, replay, send)
            return
        if not _well_formed(key):
            await _refuse(
                send,
                400,
                f"the Idempotency-Key must be 1 to {MAX_KEY_LENGTH} visible ASCII characters "
                "(a UUID is a good key)",
            )
            return
        await self._keyed(scope, key, body, replay, send)

    async def _keyed(
        self, scope: Scope, key: str, body: bytes, replay: Receive, send: Send
    ) -> None:
        ctx = self.source()
        print_ = fingerprint(scope["method"], scope["path"], scope.get("query_string", b""), body)

        def lookup() -> idempotency.Stored | None:
            with ctx.database.read() as conn:
                return idempotency.lookup(conn, key)

        stored = await to_thread.run_sync(lookup)
        if stored is not None:
            if stored.fingerprint != print_:
                await _refuse(
                    send,
                    422,
                    "this Idempotency-Key was used for a different request; use a new key for "
                    "a new request (nothing was written)",
                )
            elif stored.status is None:
                await _refuse(
                    send,
                    409,
                    "this request was already carried out, but its answer was lost; it was not "
                    "carried out again (see the journal for what it stored)",
                )
            else:
                await _answer(
                    send,
                    stored.status,
                    (stored.response or "").encode("utf-8"),
                    stored.content_type or "application/json",
                    location=stored.location,
                    replayed=True,
                )
            return
        pending = idempotency.Pending(key, print_, ctx.now())
        token = idempotency.PENDING.set(pending)
        started: dict[str, object] = {}
        chunks: list[bytes] = []

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay, record)
        finally:
            idempotency.PENDING.reset(token)
        status = int(str(started.get("status", 500)))
        if not 200 <= status < 400:
            return  # refused or failed: the write (if any) rolled back, the key is free
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1")
            for k, v in started.get("headers", [])  # type: ignore[attr-defined]
        }

        def remember() -> None:
            with ctx.database.transaction() as conn:
                idempotency.remember(
                    conn,
                    pending,
                    status=status,
                    response=b"".join(chunks).decode("utf-8", errors="replace"),
                    content_type=headers.get("content-type"),
                    location=headers.get("location"),
                )

        try:
            await to_thread.run_sync(remember)
        except Exception:  # the answer was given; a lost record only makes a retry say 409
            log.exception("could not keep the answer of Idempotency-Key %s", key)
