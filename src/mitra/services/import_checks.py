"""The values of an imported record, judged as logging judges them (the file is not trusted).

``export_format.tables_from_document`` checks a file's structure (types, choices, references);
these checks then apply the same domain rules a person meets when logging, per record:

* times between 2000-01-01 and a day after now (``FUTURE_ALLOWANCE``: clocks differ);
* notes through ``entries.check_note`` (length, control characters);
* a dose's amount through ``products.check_dose_amount`` (more than zero, one plausible dose)
  and its estimate RECOMPUTED from its product (the file's own product record, or the
  built-in product of its form), never taken from the file;
* another substance's amount and MME finite, more than zero and below ``MAX_SUBSTANCE``;
* a product's potency within what a product can hold (``MAX_POTENCY_MG``);
* every item score accepted by its instrument's definition, and the total recomputed.

Each check raises ``FileFormatError`` naming the record ("entries[12].dose.amount: ..."),
which the caller collects so a dry run can list every refusal.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from mitra.domain.entries import check_note
from mitra.domain.errors import InputError, MitraError
from mitra.domain.instruments import get_instrument
from mitra.domain.products import (
    Basis,
    Form,
    Potency,
    PotencySource,
    Product,
    Range,
    check_dose_amount,
    estimate_dose,
    generic_for,
)
from mitra.domain.quantities import Amount
from mitra.domain.scoring import score

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_ALLOWANCE = timedelta(days=1)
# mitra's judgement: far above any real amount, far below what breaks arithmetic (1e308).
MAX_SUBSTANCE = 100_000.0
MAX_MME = 100_000.0
MAX_POTENCY_MG = 1000.0  # per g (no more than the gram itself), per ml or per unit


class RecordError(InputError):
    """One record's value is refused; ``where`` is its place in the file."""


def _refuse(where: str, message: str) -> RecordError:
    return RecordError(f"{where}: {message}")


def check_time(value: datetime | None, now: datetime, where: str) -> None:
    if value is None:
        return
    if not EARLIEST <= value <= now + FUTURE_ALLOWANCE:
        raise _refuse(
            where,
            f"{value.isoformat()} is outside the years mitra accepts (from 2000 to now)",
        )


def check_note_value(row: dict[str, Any], where: str) -> None:
    """The note as logging would keep it (stripped), or refused."""
    if row.get("note") is None:
        return
    try:
        row["note"] = check_note(row["note"])
    except MitraError as exc:
        raise _refuse(f"{where}.note", exc.message) from None


def _finite(value: float, where: str, *, upper: float, zero_ok: bool = False) -> None:
    low_ok = value >= 0 if zero_ok else value > 0
    if not (math.isfinite(value) and low_ok and value <= upper):
        bound = "0 or more" if zero_ok else "more than 0"
        raise _refuse(where, f"{value!r} is not a plausible amount ({bound}, at most {upper:g})")


def product_of(row: Mapping[str, Any]) -> Product:
    """The domain product of a file's product record (already structure-checked)."""
    return Product(
        name=row["name"],
        form=Form(row["form"]),
        potency=Potency(
            basis=Basis(row["basis"]),
            mitragynine=Range(
                row["mitragynine_typical"], row["mitragynine_low"], row["mitragynine_high"]
            ),
            seven_oh=Range(row["seven_oh_typical"], row["seven_oh_low"], row["seven_oh_high"]),
            source=PotencySource(row["potency_source"]),
            why=row["potency_why"],
            sources=tuple(s for s in row["potency_sources"].split(",") if s),
        ),
        unit_mass_g=row["unit_mass_g"],
        scoop_g=row["scoop_g"],
        id=row["id"],
    )


def check_product(row: dict[str, Any], where: str) -> None:
    for prefix in ("mitragynine", "seven_oh"):
        for end in ("typical", "low", "high"):
            _finite(
                row[f"{prefix}_{end}"],
                f"{where}.{prefix}_{end}",
                upper=MAX_POTENCY_MG,
                zero_ok=True,
            )
    for name in ("unit_mass_g", "scoop_g"):
        if row[name] is not None:
            _finite(row[name], f"{where}.{name}", upper=1000.0)


def check_dose(part: dict[str, Any], products: Mapping[int, Product], where: str) -> None:
    """Refuse an implausible amount; replace the estimate with the one mitra computes."""
    _finite(part["amount"], f"{where}.amount", upper=MAX_SUBSTANCE)
    try:
        amount = Amount(part["amount"], part["unit"])
        check_dose_amount(amount)
        product_id = part["product_id"]
        product = (
            products[product_id] if product_id is not None else generic_for(Form(part["form"]))
        )
        estimate = estimate_dose(product, amount)
    except InputError as exc:
        raise _refuse(f"{where}.amount", exc.message) from None
    except Exception:  # an unknown unit: pint has its own errors
        raise _refuse(f"{where}.unit", f"{part['unit']!r} is not a unit mitra knows") from None
    for prefix, found in (
        ("mitragynine", estimate.mitragynine_mg),
        ("seven_oh", estimate.seven_oh_mg),
    ):
        part[f"{prefix}_typical"] = found.typical
        part[f"{prefix}_low"] = found.low
        part[f"{prefix}_high"] = found.high
    part["product_mass_g"] = estimate.product_mass_g
    part["explanation"] = estimate.explanation


def check_substance(part: dict[str, Any], where: str) -> None:
    _finite(part["amount"], f"{where}.amount", upper=MAX_SUBSTANCE)
    if part["mme"] is not None:
        _finite(part["mme"], f"{where}.mme", upper=MAX_MME, zero_ok=True)


def check_assessment(row: dict[str, Any], items: list[dict[str, Any]], where: str) -> None:
    """Every item score accepted by the instrument; the total recomputed from the answers."""
    instrument = get_instrument(row["instrument_id"])
    for index, item in enumerate(items):
        definition = instrument.item(item["item_id"])
        if not definition.accepts(item["score"]):
            raise _refuse(
                f"{where}.items[{index}].score",
                f"{item['score']!r} is not a score of {instrument.short_name} item "
                f"{definition.number}; allowed: {definition.allowed_text()}",
            )
    answered = {i["item_id"]: i["score"] for i in items}
    if set(answered) != {i.id for i in instrument.items}:
        return  # a partial set cannot be re-scored; each answer was checked above
    try:
        scored = score(
            instrument, [answered[i.id] for i in instrument.items], rater=row["rater"], at=row["at"]
        )
    except MitraError as exc:
        raise _refuse(f"{where}.items", exc.message) from None
    if scored.total != row["total"]:
        raise _refuse(
            f"{where}.total", f"{row['total']} is not the total of its answers ({scored.total})"
        )
    row["band"] = scored.band
