"""Product and profile use cases."""

from __future__ import annotations

from mitra.domain import products as product_domain
from mitra.domain import profile as profile_domain
from mitra.domain.errors import ConflictError
from mitra.domain.products import Form, PotencySource, Product
from mitra.domain.profile import Profile
from mitra.services.context import AppContext
from mitra.storage.journal_store import JournalStore


class ProductService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def add(
        self, name: str, form: str, *, source: str = "label", **potency: float | None
    ) -> Product:
        parsed_form = product_domain.parse_form(form)
        product = product_domain.define_product(
            name, parsed_form, source=PotencySource(source), **potency
        )
        if any(p.name == product.name.lower() for p in product_domain.generic_products()):
            raise ConflictError(
                f"'{product.name}' is a built-in product name; choose another", field="name"
            )
        with self.ctx.database.transaction() as conn:
            store = JournalStore(conn)
            if store.find_product(product.name) is not None:
                raise ConflictError(
                    f"a product named '{product.name}' already exists; see 'mitra product list'",
                    field="name",
                )
            return store.add_product(product, created_at=self.ctx.now())

    def list(self) -> tuple[list[Product], tuple[Product, ...]]:
        """The person's own products and the built-in generic ones."""
        with self.ctx.database.read() as conn:
            own = JournalStore(conn).list_products()
        return own, product_domain.generic_products()


class ProfileService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def show(self) -> Profile:
        with self.ctx.database.read() as conn:
            return JournalStore(conn).get_profile(self.ctx.default_timezone)

    def is_saved(self) -> bool:
        """Whether the person ever saved a profile: the web's first run is "not yet saved",
        however the saved profile compares with the default."""
        with self.ctx.database.read() as conn:
            return JournalStore(conn).has_profile()

    def set(
        self,
        *,
        timezone: str | None = None,
        pregnant: str | None = None,
        breastfeeding: str | None = None,
        medications: str | None = None,
        goals: str | None = None,
        naloxone: str | None = None,
        naloxone_expires: str | None = None,
    ) -> Profile:
        changes: dict[str, object] = {}
        if naloxone is not None:
            changes["naloxone"] = profile_domain.parse_yes_no_unknown(naloxone, "--naloxone")
        if naloxone_expires is not None:
            changes["naloxone_expires"] = profile_domain.parse_expiry(naloxone_expires)
        if timezone is not None:
            changes["timezone"] = profile_domain.check_timezone(timezone)
        if pregnant is not None:
            changes["pregnant"] = profile_domain.parse_yes_no_unknown(pregnant, "--pregnant")
        if breastfeeding is not None:
            changes["breastfeeding"] = profile_domain.parse_yes_no_unknown(
                breastfeeding, "--breastfeeding"
            )
        if medications is not None:
            changes["medications"] = profile_domain.parse_list(medications)
        if goals is not None:
            changes["goals"] = profile_domain.check_goals(profile_domain.parse_list(goals))
        with self.ctx.database.transaction() as conn:
            store = JournalStore(conn)
            current = store.get_profile(self.ctx.default_timezone)
            updated = profile_domain.updated(current, **changes)
            store.save_profile(updated, at=self.ctx.now())
        return updated


def forms() -> list[tuple[str, str]]:
    return [(f.value, product_domain.FORM_HELP[f]) for f in Form]
