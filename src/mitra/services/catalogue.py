"""Product and profile use cases.

Products can be added, changed and deleted. A dose stores its own copy of the product's name,
form, amount and estimate when it is logged, so changing or deleting a product never changes
what was logged: history, trends and reports read the dose's copy.
"""

from __future__ import annotations

from mitra.domain import products as product_domain
from mitra.domain import profile as profile_domain
from mitra.domain.errors import ConflictError, NotFoundError
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
        product = _defined(name, form, source, potency)
        with self.ctx.database.transaction() as conn:
            store = JournalStore(conn)
            if store.find_product(product.name) is not None:
                raise ConflictError(
                    f"a product named '{product.name}' already exists; see 'mitra product list'",
                    field="name",
                )
            return store.add_product(product, created_at=self.ctx.now())

    def get(self, product_id: int) -> Product:
        with self.ctx.database.read() as conn:
            found = JournalStore(conn).get_product(product_id)
        if found is None:
            raise NotFoundError(f"no product with id {product_id}", field="id")
        return found

    def update(
        self,
        product_id: int,
        name: str,
        form: str,
        *,
        source: str = "label",
        **potency: float | None,
    ) -> Product:
        """Replace a product's name, form and strength; doses already logged keep theirs."""
        product = _defined(name, form, source, potency)
        with self.ctx.database.transaction() as conn:
            store = JournalStore(conn)
            if store.get_product(product_id) is None:
                raise NotFoundError(f"no product with id {product_id}", field="id")
            same_name = store.find_product(product.name)
            if same_name is not None and same_name.id != product_id:
                raise ConflictError(
                    f"another product is already named '{product.name}'; choose another name",
                    field="name",
                )
            return store.update_product(product_id, product)

    def delete(self, product_id: int) -> tuple[Product, int]:
        """Delete a product; the doses logged with it keep their name, amount and estimate.
        Returns the product and how many doses had named it."""
        with self.ctx.database.transaction() as conn:
            store = JournalStore(conn)
            found = store.get_product(product_id)
            if found is None:
                raise NotFoundError(f"no product with id {product_id}", field="id")
            doses = store.dose_counts_by_product().get(product_id, 0)
            store.delete_product(product_id)
        return found, doses

    def dose_counts(self) -> dict[int, int]:
        """How many logged doses name each of the person's products, by id."""
        with self.ctx.database.read() as conn:
            return JournalStore(conn).dose_counts_by_product()

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


def _defined(name: str, form: str, source: str, potency: dict[str, float | None]) -> Product:
    product = product_domain.define_product(
        name, product_domain.parse_form(form), source=PotencySource(source), **potency
    )
    if any(p.name == product.name.lower() for p in product_domain.generic_products()):
        raise ConflictError(
            f"'{product.name}' is a built-in product name; choose another", field="name"
        )
    return product


def forms() -> list[tuple[str, str]]:
    return [(f.value, product_domain.FORM_HELP[f]) for f in Form]
