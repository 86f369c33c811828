"""The areas in the navigation, in order. One entry per area that has a page.

An area without a working page has no entry. Exposure (the build-up estimate) and Timeline
(withdrawal over time) sit under "More" beside Trends: on a wide screen too they are in the row.

On a phone the header keeps to one row: the ``core`` areas (what a person does several times a
day) stay in view and the rest sit behind a "More" disclosure (a ``<details>`` element, so it
opens without JavaScript); on a wide screen (68rem, where all of them fit) every area is shown
in the row, so the header is one row at every width.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    path: str
    core: bool = False  # stays in view on a phone


NAV = (
    NavItem("Today", "/today", core=True),
    NavItem("Log", "/log/dose", core=True),
    NavItem("Check-in", "/checkin", core=True),
    NavItem("Plan", "/plan"),
    NavItem("History", "/history"),
    NavItem("Alerts", "/alerts"),
    NavItem("Trends", "/trends"),
    NavItem("Exposure", "/exposure"),
    NavItem("Timeline", "/timeline"),
    NavItem("Products", "/products"),
    NavItem("Learn", "/learn"),
    NavItem("Report", "/report"),
    NavItem("Profile", "/profile"),
)

MORE = tuple(item for item in NAV if not item.core)

# Clinic server (web/clinic_nav.py): a person's pages add these; a clinician or an admin has no
# journal of their own, so sees only the clinic's pages.
CLINIC_PERSON = (NavItem("Sharing", "/sharing"), NavItem("Who looked", "/who-looked"))
CLINIC_CLINICIAN = (
    NavItem("Roster", "/clinic", core=True),
    NavItem("People", "/people", core=True),
)
CLINIC_ADMIN = (
    NavItem("Roster", "/clinic", core=True),
    NavItem("People", "/people", core=True),
    NavItem("Audit", "/admin/audit", core=True),
)


def current(path: str) -> str | None:
    """The nav path that ``path`` belongs to (``/log/symptom`` belongs to Log)."""
    for item in NAV:
        prefix = item.path.rsplit("/", 1)[0] if item.path.startswith("/log/") else item.path
        if path == item.path or path.startswith(prefix + "/") or path == prefix:
            return item.path
    return None
