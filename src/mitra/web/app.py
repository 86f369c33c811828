"""Build the web app over an ``AppContext``: routes, error mapping, guards, static files.

``create_app(ctx)`` is the one way to make an app; it keeps everything on the app it returns
(``app.state``), nothing in module globals, so tests build many apps over temporary files.
When ``demo`` is given (``mitra serve`` does), the made-up demo journey is mounted at
``/demo`` as a second app of the same kind over its own database, opened on first use, so
the person's journal and the demo never mix.

The clinic server (``mitra clinic serve``) builds the same app through ``_build`` with a
``clinic`` option (``web/clinic_mode.py``): the same pages and API, each request on the
signed-in person's journal, plus sign-in and the clinic's own pages; it has no demo.

Invariants: the server accepts only the loopback names, its bound address and the host names
in ``WebSettings.allowed_hosts`` (``guards.HostGuard``; there is no wildcard, which stops
DNS-rebinding pages); state-changing requests from other web
sites are refused (``guards.CrossSiteGuard``); every page POST is checked for its CSRF token.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import resources
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.staticfiles import StaticFiles

from mitra import __version__
from mitra.services.context import AppContext
from mitra.web import errors
from mitra.web.flash import FlashStore
from mitra.web.guards import (
    LOOPBACK_NAMES,
    CrossSiteGuard,
    HostGuard,
    SecurityHeaders,
    allowed_names,
)
from mitra.web.idempotency import IdempotencyGuard
from mitra.web.render import PageSettings, Renderer

if TYPE_CHECKING:
    from mitra.web.clinic_mode import ClinicMode

LOOPBACK_HOSTS = LOOPBACK_NAMES

API_DESCRIPTION = """\
mitra's JSON API: the same journal, check-ins, products and profile as the `mitra` command,
with the same checks. Errors have one shape: `{"error": {"message": "...", "field": "..."}}`
with 400 for a malformed request (a body that is not JSON), 422 for input mitra cannot use
(wrong types, control characters, values the services refuse), 404 for something that does
not exist, 409 for a clash with what is stored. Nothing is written when an error is returned.

Every POST, PUT and DELETE accepts an `Idempotency-Key` header (1 to 200 visible ASCII
characters; a UUID is a good key): a retry with the same key and the same request is answered
with the first answer (header `Idempotency-Replayed: true`) and is not carried out again; the
same key with a different request is refused (422); a request carried out whose answer was
lost is answered 409.

mitra has no sign-in yet: serve it on loopback only (the default).
"""


@dataclass(frozen=True, slots=True)
class WebSettings:
    allowed_hosts: tuple[str, ...] = ()  # beyond the loopback names (``--allowed-host``)
    bound_host: str | None = None  # the address ``mitra serve`` listens on
    demo: bool = False  # this app shows the demo journey, not a person's journal


class ContextSource:
    """Gives the app's ``AppContext``, opening it on first use (once, even under threads).

    Writers of a SQLite journal take their turn in ``Database.transaction`` (see
    ``storage.write_turn``), for the transaction only, not here for the whole request.
    """

    def __init__(self, opener: Callable[[], AppContext]) -> None:
        self._opener = opener
        self._ctx: AppContext | None = None
        self._lock = threading.Lock()

    @property
    def opened(self) -> AppContext | None:
        """The context, if it is open already."""
        return self._ctx

    def __call__(self) -> AppContext:
        if self._ctx is None:
            with self._lock:
                if self._ctx is None:
                    self._ctx = self._opener()
        return self._ctx


async def context(request: Request) -> AppContext:
    """FastAPI dependency: the context of the app that received the request. Answered on the
    event loop when it is open (a worker thread would cost every request two hand-overs);
    opening it (the demo journey's, built on first use) is done in a worker thread."""
    source: ContextSource = request.app.state.context
    found = source.opened
    if found is not None:
        return found
    return await run_in_threadpool(source)


def create_app(
    ctx: AppContext,
    *,
    settings: WebSettings | None = None,
    demo: Callable[[], AppContext] | None = None,
) -> FastAPI:
    """The web app over ``ctx``; ``demo`` opens the demo journey's context for ``/demo``."""
    chosen = settings or WebSettings()
    demo_source = ContextSource(demo) if demo is not None and not chosen.demo else None
    app = _build(ContextSource(lambda: ctx), chosen, demo_source)
    if demo_source is not None:
        app.mount("/demo", _build(demo_source, replace(chosen, demo=True), None, outer=False))
    return app


def _build(
    source: ContextSource,
    settings: WebSettings,
    demo: ContextSource | None,
    *,
    outer: bool = True,
    clinic: ClinicMode | None = None,
) -> FastAPI:
    from mitra.web.api import (  # noqa: PLC0415
        alert_routes,
        catalogue_routes,
        checkin_routes,
        entry_routes,
    )
    from mitra.web.pages import router as pages  # noqa: PLC0415

    app = FastAPI(
        title="mitra" + (" (demo journey)" if settings.demo else ""),
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # the interactive docs page loads its script from a CDN
        redoc_url=None,
    )
    app.state.context = source
    app.state.demo_source = demo
    app.state.demo_lock = threading.Lock()  # one demo build at a time
    app.state.flash = FlashStore()
    app.state.renderer = Renderer(PageSettings(demo=settings.demo, demo_mounted=demo is not None))
    errors.install(app)
    app.include_router(entry_routes.router)
    app.include_router(catalogue_routes.router)
    app.include_router(alert_routes.router)
    app.include_router(checkin_routes.router)
    app.include_router(pages.router)
    static = resources.files("mitra.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    if clinic is not None:
        # Clinic mode (web/clinic_mode.py): sign-in, the clinic pages and API, each request on
        # the signed-in person's journal (retries keyed there), audited.
        clinic.install(app)
    else:
        # Each app keys retries in its own journal (the demo's mount is skipped by the outer one).
        app.add_middleware(
            IdempotencyGuard, source=source, skip_prefix="/demo" if demo is not None else None
        )
    if not outer:
        return app  # the outer app's middleware already wraps a mounted one
    # Added last = outermost: hosts are checked before anything else runs.
    app.add_middleware(SecurityHeaders)
    app.add_middleware(CrossSiteGuard)
    allowed = allowed_names(settings.bound_host, settings.allowed_hosts)
    app.add_middleware(HostGuard, allowed=allowed)
    return app
