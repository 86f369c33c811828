"""Products: the person's own (with potency from a label or certificate) and the built-in
generic ones; a form to add one. Potency left out comes from the form's typical value with a
wide range, so estimates stay on the safe side."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from mitra.domain.errors import InputError
from mitra.services.catalogue import ProductService, forms
from mitra.services.context import AppContext
from mitra.services.views import product_view
from mitra.web.pages.common import PERSON_ERRORS, Context, FormState, flash_store, see_other
from mitra.web.render import renderer

router = APIRouter()

POTENCY_FIELDS = (
    "mitragynine_pct",
    "mitragynine_mg_per_g",
    "mitragynine_mg_per_unit",
    "seven_oh_mg_per_g",
    "seven_oh_mg_per_unit",
    "unit_mass_g",
    "scoop_g",
)


class ProductForm(BaseModel):
    name: str = ""
    form: str = "leaf"
    source: str = "label"
    mitragynine_pct: str = ""
    mitragynine_mg_per_g: str = ""
    mitragynine_mg_per_unit: str = ""
    seven_oh_mg_per_g: str = ""
    seven_oh_mg_per_unit: str = ""
    unit_mass_g: str = ""
    scoop_g: str = ""


FIELDS = (*ProductForm.model_fields, "potency")
SOURCES = {"label": "the label", "coa": "a lab certificate (COA)"}


def _number(form: ProductForm, name: str) -> float | None:
    text = getattr(form, name).strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(f"'{text}' is not a number", field=name) from None


def _page(
    request: Request,
    ctx: AppContext,
    state: FormState,
    *,
    status: int = 200,
    notice: dict[str, Any] | None = None,
) -> HTMLResponse:
    own, generic = ProductService(ctx).list()
    return renderer(request).page(
        request,
        "products.html",
        {
            "form": state,
            "own": [product_view(p) for p in own],
            "generic": [product_view(p) for p in generic],
            "forms": forms(),
            "sources": SOURCES,
            "notice": notice,
        },
        status_code=status,
    )


@router.get("/products", response_class=HTMLResponse)
def products(request: Request, ctx: Context, added: str | None = None) -> HTMLResponse:
    state = FormState({"form": "leaf", "source": "label"})
    return _page(request, ctx, state, notice=flash_store(request).get(added))


@router.post("/products", response_model=None)
def add(
    request: Request, ctx: Context, form: Annotated[ProductForm, Form()]
) -> HTMLResponse | RedirectResponse:
    try:
        if form.source not in SOURCES:
            raise InputError("choose where the potency comes from: label or coa", field="source")
        potency = {name: _number(form, name) for name in POTENCY_FIELDS}
        product = ProductService(ctx).add(form.name, form.form, source=form.source, **potency)
    except PERSON_ERRORS as exc:
        state = FormState.failed(form.model_dump(), exc, FIELDS)
        return _page(request, ctx, state, status=422)
    token = flash_store(request).put({"action": "added", "name": product.name})
    return see_other(request, "/products", added=token)
