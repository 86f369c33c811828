"""Clinic mode of the web app: the local app's pages and API, per signed-in person, plus the
clinic's own pages (sign-in, sharing, who looked, people, audit) and ``/api/v1/people``.

``create_clinic_app(base, ...)`` builds the app through ``app._build`` with this mode, so the
pages and API are the local app's own (no second copy). ``ClinicMode.install`` adds, inside
the host, cross-site and header guards (outermost first):

1. ``clinic_auth.ClinicAuth``: who is asking (session cookie or bearer token), where they
   may go, and the audit row in waiting of each write on their journal (stored by the
   write's own transaction: ``storage.write_audit``);
2. ``JournalIdempotency``: the local app's ``Idempotency-Key`` handling, keyed in the
   caller's own journal (requests with no journal of their own, such as signing in, pass
   straight through: they carry no journal to key them in);
3. the routes, each with the caller's journal as its context (``clinic_contexts``).

The clinic server is PostgreSQL only; there is no demo journey on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from mitra.services.clinic_accounts import DEFAULTS, ClinicSettings
from mitra.services.context import AppContext
from mitra.web import clinic_nav
from mitra.web.clinic_auth import ClinicAuth, current_caller, is_clinic, is_public
from mitra.web.clinic_contexts import JournalContexts
from mitra.web.clinic_gate import ClinicGate
from mitra.web.idempotency import IdempotencyGuard

if TYPE_CHECKING:
    from mitra.web.app import WebSettings

API_AUTH_NOTE = """

**On a clinic server** every `/api/v1` request needs `Authorization: Bearer <token>` (a token
the clinic's admin made for the account), or the session of a signed-in browser on this site. A
missing, unknown, revoked or expired token is answered 401 with `WWW-Authenticate: Bearer`; a
token without the `write` scope is answered 403 on POST, PUT and DELETE. `/api/v1/people`
lists the journals shared with a clinician; a journal that is not shared with the caller is
answered 404 exactly as one that does not exist. Every read of a journal by someone other than
its owner, and every write, is kept in the audit log.
"""


class JournalIdempotency:
    """``IdempotencyGuard`` in the caller's own journal, for requests that have one."""

    def __init__(self, app: ASGIApp, contexts: JournalContexts) -> None:
        self.plain = app
        self.guarded = IdempotencyGuard(app, source=contexts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        caller = current_caller()
        path = str(scope.get("path", ""))
        if (
            scope["type"] == "http"
            and caller is not None
            and caller.journal_id is not None
            and not is_public(path)
            and not is_clinic(path)
        ):
            await self.guarded(scope, receive, send)
            return
        await self.plain(scope, receive, send)


@dataclass
class ClinicMode:
    base: AppContext  # the whole clinic database (unscoped), the clock, the settings
    secure_cookies: bool  # Secure cookies: the server is reached beyond loopback
    settings: ClinicSettings = DEFAULTS  # sign-in, session and lockout figures
    contexts: JournalContexts = field(init=False)
    gate: ClinicGate = field(init=False)

    def __post_init__(self) -> None:
        self.contexts = JournalContexts(self.base)
        self.gate = ClinicGate(self.base, self.settings)

    def install(self, app: FastAPI) -> None:
        from mitra.web import clinic_api, clinic_pages, clinic_roster_pages, clinic_sync  # noqa: PLC0415

        app.state.clinic = self
        app.state.renderer.env.globals["clinic_nav"] = clinic_nav.clinic_nav
        app.include_router(clinic_api.router)
        app.include_router(clinic_api.own_router)
        app.include_router(clinic_pages.router)
        app.include_router(clinic_roster_pages.router)
        app.include_router(clinic_sync.router)
        app.add_middleware(JournalIdempotency, contexts=self.contexts)
        app.add_middleware(
            ClinicAuth,
            resolve_token=self.gate.resolve_token,
            resolve_session=self.gate.resolve_session,
            pending_write=self.gate.pending_write,
        )
        app.description += API_AUTH_NOTE
        _document_auth(app)


def _document_auth(app: FastAPI) -> None:
    """Add the bearer scheme and the 401/403 answers to the OpenAPI document."""
    plain: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = plain()
        components = document.setdefault("components", {})
        components.setdefault("securitySchemes", {})["bearer"] = {
            "type": "http",
            "scheme": "bearer",
        }
        document["security"] = [{"bearer": []}]
        error = {"$ref": "#/components/schemas/ErrorOut"}
        for operations in document["paths"].values():
            for operation in operations.values():
                answers = operation.setdefault("responses", {})
                answers.setdefault(
                    "401",
                    {
                        "description": "No valid token (missing, unknown, revoked or expired)",
                        "content": {"application/json": {"schema": error}},
                    },
                )
                answers.setdefault(
                    "403",
                    {
                        "description": "The token or account may not do this",
                        "content": {"application/json": {"schema": error}},
                    },
                )
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def create_clinic_app(
    base: AppContext,
    *,
    secure_cookies: bool,
    settings: WebSettings | None = None,
    clinic_settings: ClinicSettings = DEFAULTS,
) -> FastAPI:
    """The clinic web app over ``base`` (a PostgreSQL database)."""
    from mitra.web.app import WebSettings, _build  # noqa: PLC0415

    mode = ClinicMode(base, secure_cookies, clinic_settings)
    return _build(mode.contexts, settings or WebSettings(), None, clinic=mode)
