"""Set-up commands: ``product add|list``, ``profile show|set``, ``symptoms``, ``substances``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mitra.cli.main import state
from mitra.cli.output import dim, emit_json, mg

if TYPE_CHECKING:
    from mitra.domain.profile import Profile

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document instead of text."
)


@click.group("product", help="Your kratom products and their potency.")
def product_group() -> None:
    pass


@product_group.command(
    "add",
    help="""Add a product with its potency from the label or a lab
certificate (COA). Potency you leave out comes from the form's typical value, with a wide
range, so warnings stay on the safe side.

\b
FORM: leaf, capsule, liquid (tea, shots), extract, 7-oh, other.
Per-unit values are per capsule or tablet, or per ml for a liquid.

\b
Examples:
  mitra product add "Red Bali" --form leaf --mitragynine-pct 1.6
  mitra product add "Gold extract" --form extract --mitragynine-pct 45 --source coa
  mitra product add "Green caps" --form capsule --mitragynine-mg-per-unit 9 --unit-mass-g 0.5
  mitra product add "7-OH tabs" --form 7-oh --seven-oh-mg-per-unit 15
  mitra product add "Bulk powder" --form leaf --scoop-g 2.5
""",
)
@click.argument("name")
@click.option(
    "--form", required=True, metavar="FORM", help="leaf, capsule, liquid, extract, 7-oh or other."
)
@click.option("--mitragynine-pct", type=float, metavar="P", help="Mitragynine, % by weight.")
@click.option("--mitragynine-mg-per-g", type=float, metavar="X", help="Mitragynine, mg per g.")
@click.option(
    "--mitragynine-mg-per-unit",
    type=float,
    metavar="X",
    help="Mitragynine, mg per capsule/tablet (per ml for liquids).",
)
@click.option("--seven-oh-mg-per-g", type=float, metavar="X", help="7-OH, mg per g.")
@click.option(
    "--seven-oh-mg-per-unit",
    type=float,
    metavar="X",
    help="7-OH, mg per capsule/tablet (per ml for liquids).",
)
@click.option("--unit-mass-g", type=float, metavar="X", help="Grams of product per capsule/tablet.")
@click.option("--scoop-g", type=float, metavar="X", help="Grams of product per scoop.")
@click.option(
    "--source",
    type=click.Choice(["label", "coa"]),
    default="label",
    show_default=True,
    help="Where the potency figures come from.",
)
@json_option
def product_add(
    name: str,
    form: str,
    mitragynine_pct: float | None,
    mitragynine_mg_per_g: float | None,
    mitragynine_mg_per_unit: float | None,
    seven_oh_mg_per_g: float | None,
    seven_oh_mg_per_unit: float | None,
    unit_mass_g: float | None,
    scoop_g: float | None,
    source: str,
    as_json: bool,
) -> None:
    from mitra.services.catalogue import ProductService  # noqa: PLC0415
    from mitra.services.views import product_view  # noqa: PLC0415

    product = ProductService(state().app()).add(
        name,
        form,
        source=source,
        mitragynine_pct=mitragynine_pct,
        mitragynine_mg_per_g=mitragynine_mg_per_g,
        mitragynine_mg_per_unit=mitragynine_mg_per_unit,
        seven_oh_mg_per_g=seven_oh_mg_per_g,
        seven_oh_mg_per_unit=seven_oh_mg_per_unit,
        unit_mass_g=unit_mass_g,
        scoop_g=scoop_g,
    )
    if as_json:
        emit_json({"product": product_view(product)})
        return
    click.echo(f"Added product '{product.name}' ({product.form.value})")
    _print_product_detail(product_view(product))


def _print_product_detail(view: dict[str, object]) -> None:
    mit = view["mitragynine"]
    seven = view["seven_oh"]
    assert isinstance(mit, dict) and isinstance(seven, dict)
    unit = view["unit"]
    click.echo(
        f"  mitragynine {mg(mit['typical'])} {unit} "
        f"({mg(mit['range'][0])}-{mg(mit['range'][1])}), 7-OH {mg(seven['typical'])} "
        f"{unit} ({mg(seven['range'][0])}-{mg(seven['range'][1])}); "
        f"from: {view['potency_source']}"
    )
    if view.get("unit_mass_g"):
        click.echo(f"  {view['unit_mass_g']} g per capsule/tablet")
    if view.get("scoop_g"):
        click.echo(f"  {view['scoop_g']} g per scoop")
    click.echo(dim(f"  {view['why']}"))


@product_group.command(
    "list",
    help="""List your products and the built-in generic ones.

\b
Example:
  mitra product list --json
""",
)
@json_option
def product_list(as_json: bool) -> None:
    from mitra.services.catalogue import ProductService  # noqa: PLC0415
    from mitra.services.views import product_view  # noqa: PLC0415

    own, generic = ProductService(state().app()).list()
    if as_json:
        emit_json({"products": [product_view(p) for p in (*own, *generic)]})
        return
    click.echo(click.style("Your products", bold=True))
    if not own:
        click.echo("  none yet: mitra product add NAME --form leaf --mitragynine-pct 1.5")
    for product in own:
        click.echo(f"  {product.name} ({product.form.value})")
        _print_product_detail(product_view(product))
    click.echo(click.style("Built-in generic products (typical potency, wide range)", bold=True))
    for product in generic:
        click.echo(f"  {product.name} ({product.form.value})")
        _print_product_detail(product_view(product))


@click.group(
    "profile",
    help="Your time zone, pregnancy or breastfeeding, medications, goals, naloxone.",
)
def profile_group() -> None:
    pass


def _profile_view(profile: Profile) -> dict[str, object]:
    from dataclasses import asdict  # noqa: PLC0415

    return {
        key: list(value)
        if isinstance(value, tuple)
        else value.isoformat()
        if hasattr(value, "isoformat")
        else value
        for key, value in asdict(profile).items()
    }


@profile_group.command("show", help="Show your profile.\n\n\b\nExample:\n  mitra profile show")
@json_option
def profile_show(as_json: bool) -> None:
    from mitra.services.catalogue import ProfileService  # noqa: PLC0415

    profile = ProfileService(state().app()).show()
    _print_profile(_profile_view(profile), as_json)


def _print_profile(view: dict[str, object], as_json: bool) -> None:
    if as_json:
        emit_json({"profile": view})
        return
    for key, value in view.items():
        if isinstance(value, list):
            shown = ", ".join(map(str, value)) or "none"
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        else:
            shown = "unknown" if value is None else str(value)
        click.echo(f"  {key:<17} {shown}")


@profile_group.command(
    "set",
    help="""Change your profile; only the options you give change.

\b
Examples:
  mitra profile set --timezone America/New_York
  mitra profile set --pregnant no --medications "sertraline, gabapentin"
  mitra profile set --goals taper-kratom,ease-opioid-withdrawal
  mitra profile set --naloxone yes --naloxone-expires 2027-06
Goals: ease-opioid-withdrawal, taper-kratom, stabilise, track.
Naloxone (Narcan) reverses an opioid overdose; it is sold without a prescription in the US.
""",
)
@click.option("--timezone", metavar="ZONE", help="IANA zone, e.g. Europe/London.")
@click.option("--pregnant", metavar="yes|no|unknown")
@click.option("--breastfeeding", metavar="yes|no|unknown")
@click.option("--medications", metavar="LIST", help="Comma-separated; empty string clears.")
@click.option("--goals", metavar="LIST", help="Comma-separated goal ids.")
@click.option("--naloxone", metavar="yes|no|unknown", help="Do you have naloxone at hand?")
@click.option(
    "--naloxone-expires", metavar="YYYY-MM", help="Its expiry date, as on the box; empty clears."
)
@json_option
def profile_set(
    timezone: str | None,
    pregnant: str | None,
    breastfeeding: str | None,
    medications: str | None,
    goals: str | None,
    naloxone: str | None,
    naloxone_expires: str | None,
    as_json: bool,
) -> None:
    from mitra.services.catalogue import ProfileService  # noqa: PLC0415

    profile = ProfileService(state().app()).set(
        timezone=timezone,
        pregnant=pregnant,
        breastfeeding=breastfeeding,
        medications=medications,
        goals=goals,
        naloxone=naloxone,
        naloxone_expires=naloxone_expires,
    )
    if not as_json:
        click.echo("Profile saved:")
    _print_profile(_profile_view(profile), as_json)


@click.command(
    "symptoms",
    help="List the symptoms mitra knows, with the words it accepts and example phrases.",
)
@json_option
def symptoms_list(as_json: bool) -> None:
    from mitra.domain import symptoms  # noqa: PLC0415

    items = symptoms.catalogue()
    if as_json:
        emit_json(
            {
                "symptoms": [
                    {
                        "id": s.id,
                        "name": s.name,
                        "kind": s.kind,
                        "names": list(s.names),
                        "red_flag_level": s.red_flag_level,
                        "note": s.note,
                    }
                    for s in items
                ],
                "examples": list(SYMPTOM_EXAMPLES),
            }
        )
        return
    for s in items:
        flag = f"  [red flag: {s.red_flag_level}]" if s.red_flag_level else ""
        click.echo(f"  {s.id:<20} {s.name}{flag}")
        if s.names:
            click.echo(dim(f"  {'':<20} also: {', '.join(s.names)}"))
    click.echo("")
    click.echo("Say it in your own words; several at once are fine, and nothing is refused:")
    for example in SYMPTOM_EXAMPLES:
        click.echo(f'  mitra log symptom "{example}"')


# Example phrases for 'mitra symptoms': free text, several symptoms, slang, a curly apostrophe.
SYMPTOM_EXAMPLES = (
    "sweating and shaking, can’t sleep",
    "the runs and stomach cramps",
    "really bad restless legs",
    "my knees feel wobbly",
)


@click.command("substances", help="List the substances mitra recognises by name and class.")
@json_option
def substances_list(as_json: bool) -> None:
    from mitra.domain import substances  # noqa: PLC0415

    items = substances.catalogue()
    if as_json:
        emit_json(
            {
                "substances": [
                    {
                        "id": s.id,
                        "name": s.name,
                        "class": s.substance_class.value,
                        "names": list(s.names),
                        "mme_factor": s.mme_factor,
                        "note": s.note,
                    }
                    for s in items
                ],
                "examples": list(SYMPTOM_EXAMPLES),
            }
        )
        return
    for s in items:
        mme = f"  MME x{s.mme_factor:g} ({s.mme_unit})" if s.mme_factor is not None else ""
        click.echo(f"  {s.name:<16} {s.substance_class.value:<15}{mme}")
        if s.names:
            click.echo(dim(f"  {'':<16} also: {', '.join(s.names)}"))


COMMANDS = (product_group, profile_group, symptoms_list, substances_list)
