"""Products: the person's own (with potency from a label or certificate) and the built-in
generic ones; a form to add one, and a page to change or delete one. Potency left out comes
from the form's typical value with a wide range, so estimates stay on the safe side.

Invariant: changing or deleting a product never changes a logged dose. Each dose keeps its own
copy of the product's name, amount and estimate (``ProductService``), and the pages say so
before the person confirms. Every form posts with the CSRF token; a refusal shows the form
again with the message beside its field (in page words, no terminal commands) and writes
nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from mitra.domain.errors import InputError, MitraError
from mitra.domain.products import PotencySource, Product, Range, label_margin
from mitra.services.catalogue import ProductService, forms
from mitra.services.context import AppContext
from mitra.services.views import product_view
from mitra.web.pages.common import PERSON_ERRORS, Context, FormState, flash_store, see_other
from mitra.web.render import renderer
from mitra.web.words import plain

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


def _failed(form: ProductForm, exc: MitraError) -> FormState:
    state = FormState.failed(form.model_dump(), exc, FIELDS)
    state.errors = {name: plain(text) for name, text in state.errors.items()}
    return state


def _potency(form: ProductForm) -> dict[str, float | None]:
    if form.source not in SOURCES:
        raise InputError("choose where the potency comes from: label or coa", field="source")
    return {name: _number(form, name) for name in POTENCY_FIELDS}


def _stated(found: Range, margin: float) -> str:
    """The typical figure if the person stated it (its range is the label's margin around
    it), else "" (it was derived from the other alkaloid and stays so when saved again)."""
    if found.typical <= 0 or Range.widened(found.typical, margin) != found:
        return ""
    return f"{found.typical:g}"


def edit_state(product: Product) -> FormState:
    """The form filled with the product as stored, so saving it unchanged changes nothing."""
    p = product.potency
    values = {"name": product.name, "form": product.form.value}
    values["source"] = p.source.value if p.source.value in SOURCES else "label"
    if p.source is not PotencySource.TYPICAL:
        margin = label_margin(p.source)
        per = "g" if p.basis.value == "per_g" else "unit"
        values[f"mitragynine_mg_per_{per}"] = _stated(p.mitragynine, margin)
        values[f"seven_oh_mg_per_{per}"] = _stated(p.seven_oh, margin)
    for name, number in (("unit_mass_g", product.unit_mass_g), ("scoop_g", product.scoop_g)):
        values[name] = "" if number is None else f"{number:g}"
    return FormState(values)


def _page(
    request: Request,
    ctx: AppContext,
    state: FormState,
    *,
    status: int = 200,
    notice: dict[str, Any] | None = None,
) -> HTMLResponse:
    service = ProductService(ctx)
    own, generic = service.list()
    counts = service.dose_counts()
    return renderer(request).page(
        request,
        "products.html",
        {
            "form": state,
            "own": [{**product_view(p), "doses": counts.get(p.id or 0, 0)} for p in own],
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
        potency = _potency(form)
        product = ProductService(ctx).add(form.name, form.form, source=form.source, **potency)
    except PERSON_ERRORS as exc:
        return _page(request, ctx, _failed(form, exc), status=422)
    token = flash_store(request).put({"action": "added", "name": product.name})
    return see_other(request, "/products", added=token)


ProductId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _edit_page(
    request: Request, ctx: AppContext, product: Product, state: FormState, *, status: int = 200
) -> HTMLResponse:
    doses = ProductService(ctx).dose_counts().get(product.id or 0, 0)
    return renderer(request).page(
        request,
        "product_edit.html",
        {
            "form": state,
            "product": product_view(product),
            "doses": doses,
            "forms": forms(),
            "sources": SOURCES,
        },
        status_code=status,
    )


@router.get("/products/{product_id}/edit", response_class=HTMLResponse)
def edit(request: Request, ctx: Context, product_id: ProductId) -> HTMLResponse:
    product = ProductService(ctx).get(product_id)
    return _edit_page(request, ctx, product, edit_state(product))


@router.post("/products/{product_id}", response_model=None)
def change(
    request: Request, ctx: Context, product_id: ProductId, form: Annotated[ProductForm, Form()]
) -> HTMLResponse | RedirectResponse:
    service = ProductService(ctx)
    before = service.get(product_id)
    try:
        potency = _potency(form)
        product = service.update(product_id, form.name, form.form, source=form.source, **potency)
    except PERSON_ERRORS as exc:
        return _edit_page(request, ctx, before, _failed(form, exc), status=422)
    token = flash_store(request).put({"action": "changed", "name": product.name})
    return see_other(request, "/products", added=token)


@router.post("/products/{product_id}/delete", response_model=None)
def delete(request: Request, ctx: Context, product_id: ProductId) -> RedirectResponse:
    product, doses = ProductService(ctx).delete(product_id)
    token = flash_store(request).put({"action": "deleted", "name": product.name, "doses": doses})
    return see_other(request, "/products", added=token)
