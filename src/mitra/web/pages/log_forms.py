"""Log a dose, another substance, or a symptom: forms posted to the journal service.

Each form sends exactly what was typed; the service checks it as it does for the CLI. On
success the person lands on today with a notice of what was recorded (and any alerts).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from mitra.domain import substances as substance_domain
from mitra.domain import symptoms as symptom_domain
from mitra.domain.errors import InputError
from mitra.domain.substances import Route
from mitra.services.catalogue import ProductService
from mitra.services.context import AppContext
from mitra.services.journal import JournalService
from mitra.web.pages.common import PERSON_ERRORS, Context, FormState, blank
from mitra.web.pages.today import logged_redirect, symptoms_logged_redirect
from mitra.web.render import renderer
from mitra.web.words import ESTIMATE_CAVEAT, SLIP_NOTE

router = APIRouter()


class DoseForm(BaseModel):
    amount: str = ""
    product: str = ""
    at: str = ""
    note: str = ""


class SubstanceForm(BaseModel):
    name: str = ""
    amount: str = ""
    route: str = ""
    at: str = ""
    note: str = ""


class SymptomForm(BaseModel):
    name: str = ""
    chips: list[str] = []
    severity: str = ""
    at: str = ""
    note: str = ""


# The chips on the log-symptom page: the common withdrawal symptoms, then the warning signs,
# each a catalogue id with a short label that fits a phone screen.
COMMON_CHIPS = (
    ("sweating", "Sweating"),
    ("chills", "Chills, goosebumps"),
    ("runny-nose", "Runny nose, teary eyes"),
    ("yawning", "Yawning"),
    ("muscle-aches", "Aches"),
    ("restlessness", "Restless, restless legs"),
    ("tremor", "Shaking"),
    ("stomach-cramps", "Stomach cramps"),
    ("diarrhea", "Diarrhoea"),
    ("nausea", "Nausea"),
    ("vomiting", "Vomiting"),
    ("insomnia", "Can’t sleep"),
    ("anxiety", "Anxious"),
    ("craving", "Craving"),
    ("headache", "Headache"),
    ("fatigue", "Tired"),
)
WARNING_CHIPS = (
    ("overdose-signs", "Blue lips, not breathing, won’t wake"),
    ("trouble-breathing", "Trouble breathing"),
    ("chest-pain", "Chest pain or tightness"),
    ("fainting", "Fainted"),
    ("seizure", "Seizure"),
    ("confusion", "Confused"),
    ("anaphylaxis", "Face, lips or throat swelling"),
    ("suicidal-thoughts", "Thoughts of suicide"),
    ("jaundice", "Yellow skin or eyes"),
    ("dark-urine", "Dark urine"),
    ("pale-stool", "Pale stool"),
    ("high-fever", "High fever"),
)


def _dose_page(
    request: Request, ctx: AppContext, state: FormState, status: int = 200
) -> HTMLResponse:
    own, generic = ProductService(ctx).list()
    return renderer(request).page(
        request,
        "log_dose.html",
        {"form": state, "own": own, "generic": generic, "caveat": ESTIMATE_CAVEAT},
        status_code=status,
    )


@router.get("/log/dose", response_class=HTMLResponse)
def dose_form(request: Request, ctx: Context) -> HTMLResponse:
    return _dose_page(request, ctx, FormState())


@router.post("/log/dose", response_model=None)
def log_dose(
    request: Request, ctx: Context, form: Annotated[DoseForm, Form()]
) -> HTMLResponse | RedirectResponse:
    try:
        result = JournalService(ctx).log_dose(
            form.amount, product=blank(form.product), at=blank(form.at), note=blank(form.note)
        )
    except PERSON_ERRORS as exc:
        state = FormState.failed(form.model_dump(), exc, DoseForm.model_fields)
        return _dose_page(request, ctx, state, 422)
    return logged_redirect(request, result)


def _substance_page(request: Request, state: FormState, status: int = 200) -> HTMLResponse:
    return renderer(request).page(
        request,
        "log_substance.html",
        {
            "form": state,
            "substances": substance_domain.catalogue(),
            "routes": [r.value for r in Route],
            "slip_note": SLIP_NOTE,
        },
        status_code=status,
    )


@router.get("/log/substance", response_class=HTMLResponse)
def substance_form(request: Request) -> HTMLResponse:
    return _substance_page(request, FormState())


@router.post("/log/substance", response_model=None)
def log_substance(
    request: Request, ctx: Context, form: Annotated[SubstanceForm, Form()]
) -> HTMLResponse | RedirectResponse:
    try:
        result = JournalService(ctx).log_substance(
            form.name,
            form.amount,
            route=blank(form.route),
            at=blank(form.at),
            note=blank(form.note),
        )
    except PERSON_ERRORS as exc:
        state = FormState.failed(form.model_dump(), exc, SubstanceForm.model_fields)
        return _substance_page(request, state, 422)
    return logged_redirect(request, result)


def _symptom_page(request: Request, state: FormState, status: int = 200) -> HTMLResponse:
    return renderer(request).page(
        request,
        "log_symptom.html",
        {
            "form": state,
            "symptoms": symptom_domain.catalogue(),
            "severities": list(enumerate(symptom_domain.SEVERITY_LABELS)),
            "common_chips": COMMON_CHIPS,
            "warning_chips": WARNING_CHIPS,
            "checked": set(state.value("chips").split(",")),
        },
        status_code=status,
    )


@router.get("/log/symptom", response_class=HTMLResponse)
def symptom_form(request: Request) -> HTMLResponse:
    return _symptom_page(request, FormState())


@router.post("/log/symptom", response_model=None)
def log_symptom(
    request: Request, ctx: Context, form: Annotated[SymptomForm, Form()]
) -> HTMLResponse | RedirectResponse:
    try:
        severity = _severity(form.severity)
        result = JournalService(ctx).log_symptom(
            form.name,
            severity=severity,
            at=blank(form.at),
            note=blank(form.note),
            chosen=form.chips,
        )
    except PERSON_ERRORS as exc:
        values = {**form.model_dump(), "chips": ",".join(form.chips)}
        state = FormState.failed(values, exc, SymptomForm.model_fields)
        return _symptom_page(request, state, 422)
    return symptoms_logged_redirect(request, result)


def _severity(text: str) -> float | None:
    if not text.strip():
        return None  # not given: read from the words, else moderate (the notice says so)
    try:
        return float(text)
    except ValueError:
        raise InputError(
            "choose a severity: 0 none, 1 mild, 2 moderate, 3 severe", field="severity"
        ) from None
