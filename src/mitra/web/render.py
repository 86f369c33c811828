"""Render pages: one Jinja2 environment per app, and what every page's template receives.

Every page gets ``base`` (the path the app is mounted at: "" or "/demo"), ``url(path)``,
the CSRF token for its forms, the navigation, the help lines and treatments, and whether it
shows the demo journey. Templates autoescape everything and fail on an undefined name, so a
typo in a template is an error in the tests rather than a blank on a page.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from mitra.domain import severity_looks
from mitra.domain.alerts import default_support
from mitra.web import csrf, nav, words


@dataclass(frozen=True, slots=True)
class PageSettings:
    demo: bool  # this app shows the made-up demo journey
    demo_mounted: bool  # a demo journey can be opened at /demo of this app


def mg(value: float) -> str:
    """A milligram figure for pages: whole numbers from 10 up, fewer digits below."""
    if value >= 10:
        return f"{value:.0f}"
    if value >= 1:
        return f"{value:.1f}".removesuffix(".0")
    return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"


class Renderer:
    def __init__(self, settings: PageSettings) -> None:
        self.settings = settings
        self.env = Environment(
            loader=PackageLoader("mitra.web", "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.env.filters["mg"] = mg
        # Service messages name CLI commands for the terminal; pages say them in page words.
        self.env.filters["plain"] = words.plain
        # One table of severity words and symbols for every template (domain.severity_looks).
        self.env.globals["severity_look"] = severity_looks.look

    def page(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        status_code: int = 200,
        with_alerts: bool = True,
    ) -> HTMLResponse:
        """The page; ``with_alerts=False`` for error pages (the database may be the error)."""
        base = str(request.scope.get("root_path", ""))
        path = request.url.path.removeprefix(base) or "/"
        html = self.env.get_template(template).render(
            {
                "base": base,
                "url": lambda target: base + target,
                "csrf_field": csrf.FIELD,
                "csrf_token": csrf.token_for(request),
                # A fresh key per form: a double submit of that form is stored once.
                "form_key": lambda: secrets.token_urlsafe(16),
                "nav": nav.NAV,
                "nav_more": nav.MORE,
                "current": nav.current(path),
                "crisis_lines": default_support().crisis,
                # By id, for the pages that name one line in a sentence (never a number
                # written into a template: the reviewed table is where they live).
                "crisis_line": {line.id: line for line in default_support().crisis},
                "treatments": words.TREATMENTS,
                "settings": self.settings,
                "open_serious": open_serious(request) if with_alerts else 0,
                **(context or {}),
            }
        )
        response = HTMLResponse(html, status_code=status_code)
        csrf.remember(request, response)
        return response


def open_serious(request: Request) -> int:
    """How many urgent or emergency alerts wait to be read: every page says so until then."""
    from mitra.services.safety import SafetyService  # noqa: PLC0415

    return len(SafetyService(request.app.state.context()).open_serious())


def renderer(request: Request) -> Renderer:
    found: Renderer = request.app.state.renderer
    return found
