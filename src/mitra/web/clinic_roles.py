"""Role names of the clinic server as plain words ("person", "clinician", "admin"), whatever
type the accounts service gives them (a plain string or an enum with a string value)."""

from __future__ import annotations

from typing import Any

PERSON = "person"
CLINICIAN = "clinician"
ADMIN = "admin"


def role_of(caller: Any) -> str:
    role = caller.role
    return str(getattr(role, "value", role))
