"""The areas in the navigation, in order. One entry per area that has a page.

Check-ins, plans and exposure get their entry here when their services and pages land; an
area without a working page has no entry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    path: str


NAV = (
    NavItem("Today", "/today"),
    NavItem("Log", "/log/dose"),
    NavItem("History", "/history"),
    NavItem("Alerts", "/alerts"),
    NavItem("Trends", "/trends"),
    NavItem("Products", "/products"),
    NavItem("Learn", "/learn"),
    NavItem("Profile", "/profile"),
)


def current(path: str) -> str | None:
    """The nav path that ``path`` belongs to (``/log/symptom`` belongs to Log)."""
    for item in NAV:
        prefix = item.path.rsplit("/", 1)[0] if item.path.startswith("/log/") else item.path
        if path == item.path or path.startswith(prefix + "/") or path == prefix:
            return item.path
    return None
