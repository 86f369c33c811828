"""What the page modules share: the context dependency, form state, redirects, entry rows.

Forms: a page posts what a person typed to a service unchanged (empty fields become None).
When the service refuses it, the page is shown again with what was typed and the service's
message next to the field it names (``FormState``), with status 422. Only errors a person can
cause are shown this way; a database failure goes to the error page.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse

from mitra.domain import symptoms as symptom_domain
from mitra.domain.entries import DoseEntry, Entry, SubstanceEntry
from mitra.domain.errors import ConflictError, InputError, MitraError, NotFoundError
from mitra.services.catalogue import ProfileService
from mitra.services.context import AppContext
from mitra.services.views import amount_text
from mitra.web.app import context
from mitra.web.render import mg
from mitra.web.words import red_flag_advice

Context = Annotated[AppContext, Depends(context)]

# Errors a person can cause and correct in the form; others go to the error page.
PERSON_ERRORS = (InputError, NotFoundError, ConflictError)

FORM_LEVEL = ""


@dataclass
class FormState:
    """What a form shows: the values typed and the errors by field ("" for the whole form)."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    @classmethod
    def failed(cls, values: dict[str, Any], exc: MitraError, fields: Collection[str]) -> FormState:
        shown = {k: "" if v is None else str(v) for k, v in values.items()}
        return cls(shown, {form_field(exc.field, fields): exc.message})


def form_field(error_field: str | None, fields: Collection[str]) -> str:
    """The form field a service error names ("--pregnant" names "pregnant"), or the form."""
    if error_field is None:
        return FORM_LEVEL
    name = error_field.lstrip("-").replace("-", "_")
    return name if name in fields else FORM_LEVEL


def never_set_up(ctx: AppContext) -> bool:
    """True while the profile was never saved (a saved profile equal to the default counts as
    set up: the person chose it)."""
    return not ProfileService(ctx).is_saved()


def blank(text: str) -> str | None:
    return text if text.strip() else None


def see_other(request: Request, path: str, **params: str | int) -> RedirectResponse:
    """Redirect after a POST (303), within the app's mount point."""
    base = str(request.scope.get("root_path", ""))
    query = f"?{urlencode(params)}" if params else ""
    return RedirectResponse(base + path + query, status_code=303)


def flash_store(request: Request) -> Any:
    return request.app.state.flash


# -- entries as rows on a page -----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EntryRow:
    id: int
    kind: str
    day: date
    time: str
    title: str
    detail: str | None
    note: str | None
    deleted: bool
    red_flag: bool


def entry_row(entry: Entry, zone: ZoneInfo, *, deleted: bool = False) -> EntryRow:
    local = entry.at.astimezone(zone)
    red_flag = False
    detail: str | None
    if isinstance(entry, DoseEntry):
        est = entry.estimate.mitragynine_mg
        title = f"{amount_text(entry.amount, entry.unit)} {entry.product_name}"
        detail = (
            f"about {mg(est.typical)} mg mitragynine (range {mg(est.low)} to {mg(est.high)} mg)"
        )
    elif isinstance(entry, SubstanceEntry):
        route = f", {entry.route.value}" if entry.route else ""
        title = f"{entry.name} {amount_text(entry.amount, entry.unit)}{route}"
        detail = entry.substance_class.value + (
            f", {mg(entry.mme)} MME" if entry.mme is not None else ""
        )
    else:
        symptom = symptom_domain.resolve(entry.symptom_id)
        label = symptom_domain.SEVERITY_LABELS[entry.severity]
        name = f"In your words: “{entry.said}”" if symptom.id == "other" else symptom.name
        title = f"{name}: {label} ({entry.severity} of 3)"
        red_flag = symptom_domain.is_red_flag(symptom, entry.severity)
        level = symptom.red_flag_level or "emergency"
        detail = red_flag_advice(level) if red_flag else None
        if entry.said and symptom.id != "other":
            wrote = f"You wrote: “{entry.said}”"
            detail = f"{detail} {wrote}" if detail else wrote
    assert entry.id is not None  # stored entries always have an id
    return EntryRow(
        id=entry.id,
        kind=entry.kind.value,
        day=local.date(),
        time=f"{local:%H:%M}",
        title=title,
        detail=detail,
        note=entry.note,
        deleted=deleted,
        red_flag=red_flag,
    )


@dataclass(frozen=True, slots=True)
class DayGroup:
    day: date
    label: str
    rows: list[EntryRow]


def by_day(rows: Iterable[EntryRow]) -> list[DayGroup]:
    groups: list[DayGroup] = []
    for row in rows:
        if not groups or groups[-1].day != row.day:
            groups.append(DayGroup(row.day, f"{row.day:%A} {row.day.day} {row.day:%B %Y}", []))
        groups[-1].rows.append(row)
    return groups
