"""Products, the profile and the catalogues (symptoms, substances, forms, goals) over HTTP."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from mitra.domain import substances as substance_domain
from mitra.domain import symptoms as symptom_domain
from mitra.domain.errors import InputError
from mitra.domain.profile import GOALS, Profile
from mitra.services.catalogue import ProductService, ProfileService, forms
from mitra.services.context import AppContext
from mitra.services.views import product_view
from mitra.web.api.entry_routes import ERRORS
from mitra.web.api.models import (
    FormsOut,
    GoalsOut,
    ProductIn,
    ProductOneOut,
    ProductsOut,
    ProfileIn,
    ProfileOut,
    SubstancesOut,
    SymptomsOut,
)
from mitra.web.app import context

router = APIRouter(prefix="/api/v1", responses=ERRORS)
Context = Annotated[AppContext, Depends(context)]


@router.get("/products", response_model=ProductsOut, tags=["products"])
def list_products(ctx: Context) -> dict[str, Any]:
    """The person's products, then the built-in generic ones (typical potency, wide range)."""
    own, generic = ProductService(ctx).list()
    return {"products": [product_view(p) for p in (*own, *generic)]}


@router.post("/products", status_code=201, response_model=ProductOneOut, tags=["products"])
def add_product(body: ProductIn, ctx: Context) -> dict[str, Any]:
    """Add a product with potency from its label or certificate; missing values are typical."""
    potency = body.model_dump(exclude={"name", "form", "source"})
    product = ProductService(ctx).add(body.name, body.form, source=body.source, **potency)
    return {"product": product_view(product)}


ProductId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.put("/products/{product_id}", response_model=ProductOneOut, tags=["products"])
def change_product(product_id: ProductId, body: ProductIn, ctx: Context) -> dict[str, Any]:
    """Replace a product's name, form and strength. Doses already logged keep the name,
    amount and estimate they were logged with."""
    potency = body.model_dump(exclude={"name", "form", "source"})
    product = ProductService(ctx).update(
        product_id, body.name, body.form, source=body.source, **potency
    )
    return {"product": product_view(product)}


@router.delete("/products/{product_id}", status_code=204, tags=["products"])
def delete_product(product_id: ProductId, ctx: Context) -> Response:
    """Delete a product; the doses logged with it keep their name, amount and estimate."""
    ProductService(ctx).delete(product_id)
    return Response(status_code=204)


def profile_view(profile: Profile) -> dict[str, Any]:
    return {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in asdict(profile).items()
    }


@router.get("/profile", response_model=ProfileOut, tags=["profile"])
def show_profile(ctx: Context) -> dict[str, Any]:
    return {"profile": profile_view(ProfileService(ctx).show())}


def _list_text(items: list[str] | None, field: str) -> str | None:
    """The service reads lists as comma-separated text; an item may not hold a comma."""
    if items is None:
        return None
    if any("," in item for item in items):
        raise InputError(f"each item of {field} is one name, without commas", field=field)
    return ",".join(items)


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


@router.put("/profile", response_model=ProfileOut, tags=["profile"])
def update_profile(body: ProfileIn, ctx: Context) -> dict[str, Any]:
    """Change the profile: fields left out stay as they are (``null`` = unknown or none)."""
    given = body.model_fields_set
    profile = ProfileService(ctx).set(
        timezone=body.timezone,
        pregnant=_yes_no(body.pregnant) if "pregnant" in given else None,
        breastfeeding=_yes_no(body.breastfeeding) if "breastfeeding" in given else None,
        medications=_list_text(body.medications or [], "medications")
        if "medications" in given
        else None,
        goals=_list_text(body.goals or [], "goals") if "goals" in given else None,
        naloxone=_yes_no(body.naloxone) if "naloxone" in given else None,
        naloxone_expires=(body.naloxone_expires or "") if "naloxone_expires" in given else None,
    )
    return {"profile": profile_view(profile)}


@router.get("/catalogues/symptoms", response_model=SymptomsOut, tags=["catalogues"])
def symptom_catalogue() -> dict[str, Any]:
    return {
        "symptoms": [
            {
                "id": s.id,
                "name": s.name,
                "kind": s.kind,
                "names": list(s.names),
                "red_flag_level": s.red_flag_level,
                "note": s.note,
            }
            for s in symptom_domain.catalogue()
        ]
    }


@router.get("/catalogues/substances", response_model=SubstancesOut, tags=["catalogues"])
def substance_catalogue() -> dict[str, Any]:
    return {
        "substances": [
            {
                "id": s.id,
                "name": s.name,
                "class": s.substance_class.value,
                "names": list(s.names),
                "mme_factor": s.mme_factor,
                "note": s.note,
            }
            for s in substance_domain.catalogue()
        ]
    }


@router.get("/catalogues/forms", response_model=FormsOut, tags=["catalogues"])
def form_catalogue() -> dict[str, Any]:
    return {"forms": [{"id": form, "help": text} for form, text in forms()]}


@router.get("/catalogues/goals", response_model=GoalsOut, tags=["catalogues"])
def goal_catalogue() -> dict[str, Any]:
    return {"goals": [{"id": goal, "text": text} for goal, text in GOALS.items()]}
