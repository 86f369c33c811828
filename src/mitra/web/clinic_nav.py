"""The clinic server's menu for the signed-in account, handed to ``base.html``.

A person has the local app's areas in the main menu, and Sharing and Who looked in the account
row under it (with who is signed in and the sign-out button), so the main menu stays one row;
a clinician has Roster and People; an admin has those and Audit (neither has a journal of
their own). Nobody signed in: ``None`` (no account row). The caller comes from
``clinic_auth.CALLER``, set for the request being rendered.
"""

from __future__ import annotations

from dataclasses import dataclass

from mitra.web import nav as menu
from mitra.web.clinic_auth import current_caller, current_path
from mitra.web.clinic_roles import role_of
from mitra.web.nav import NavItem


@dataclass(frozen=True, slots=True)
class ClinicNav:
    nav: tuple[NavItem, ...]
    more: tuple[NavItem, ...]
    account: tuple[NavItem, ...]  # the account row's links
    current: str | None
    home: str
    email: str
    for_person: bool  # a person's own account (clinicians and admins keep no journal)


def clinic_nav(current: str | None) -> ClinicNav | None:
    """The menu for this request's caller; ``current`` is the local menu's current area."""
    caller = current_caller()
    if caller is None:
        return None
    role = role_of(caller)
    items: tuple[NavItem, ...]
    account: tuple[NavItem, ...] = ()
    if role == "person":
        items, account = menu.NAV, menu.CLINIC_PERSON
        home = "/today"
    else:
        items = menu.CLINIC_ADMIN if role == "admin" else menu.CLINIC_CLINICIAN
        home = "/clinic"
    return ClinicNav(
        nav=items,
        more=tuple(item for item in items if not item.core),
        account=account,
        current=current or _clinic_current(items + account),
        home=home,
        email=str(caller.email),
        for_person=role == "person",
    )


def _clinic_current(items: tuple[NavItem, ...]) -> str | None:
    path = current_path()
    return next((i.path for i in items if path == i.path or path.startswith(i.path + "/")), None)
