"""Helpers for the browser tests: setting up a journal, moving through the navigation the way a
person would at the page's width, and the axe-core accessibility check."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from mitra.services.catalogue import ProfileService
from tests.support.clock import FIXED_NOW
from tests.web.conftest import LiveServer


def set_up(server: LiveServer) -> None:
    ProfileService(server.ctx).set(timezone="America/New_York", goals="taper-kratom")


def hours_ago(hours: float) -> datetime:
    return FIXED_NOW - timedelta(hours=hours)


def nav_to(page: Any, label: str) -> None:
    """Follow the main navigation to ``label``: straight from the row where it shows, else
    through the "More" menu (on a phone only the core areas are in the row)."""
    nav = page.locator("nav[aria-label=Main]")
    direct = nav.locator(".nav-row > li > a", has_text=label)
    if direct.count() and direct.first.is_visible():
        direct.first.click()
        return
    nav.locator(".nav-more summary").click()
    nav.locator(".nav-more a", has_text=label).click()


def axe_violations(page: Any) -> list[str]:
    """Serious and critical WCAG 2.1 A/AA violations axe-core finds on the page."""
    page.add_script_tag(url="/static/vendor/axe.min.js")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}));
        }"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['nodes']}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]
