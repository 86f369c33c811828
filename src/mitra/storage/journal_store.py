"""Rows <-> journal records: entries, products, the profile and the action log.

Every method works inside the caller's transaction (a ``Connection`` from
``Database.transaction``); nothing here commits. Deleted entries stay in the table with
``deleted_at`` set and are hidden unless asked for.

Invariant: the store works on the journal its connection is scoped to (``journal_of``):
every statement it sends names that ``journal_id`` (reads, changes and joins on both sides),
and every row it writes carries it. A new entry gets its ``uuid`` here.
"""

from __future__ import annotations

import functools
import json
import operator
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Row,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

from mitra.domain.entries import DoseEntry, Entry, Kind, SubstanceEntry, SymptomEntry
from mitra.domain.products import (
    Basis,
    DoseEstimate,
    Form,
    Potency,
    PotencySource,
    Product,
    Range,
)
from mitra.domain.profile import Profile
from mitra.domain.substances import Route, SubstanceClass
from mitra.storage import entry_cache, write_audit
from mitra.storage import schema as t
from mitra.storage.journal_scope import journal_of


def _range_cols(prefix: str, value: Range) -> dict[str, float]:
    return {
        f"{prefix}_typical": value.typical,
        f"{prefix}_low": value.low,
        f"{prefix}_high": value.high,
    }


def _range_of(row: Row[Any], prefix: str) -> Range:
    m = row._mapping
    return Range(m[f"{prefix}_typical"], m[f"{prefix}_low"], m[f"{prefix}_high"])


@dataclass(frozen=True, slots=True)
class DoseLoad:
    """One dose as the exposure model needs it (``JournalStore.dose_mitragynine``)."""

    at: datetime
    mitragynine_typical: float
    mitragynine_high: float


class JournalStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.journal_id = journal_of(conn)

    # -- entries ---------------------------------------------------------------------------
    def add_entry(self, entry: Entry, *, recorded_at: datetime) -> Entry:
        entry_uuid = entry.uuid or str(uuid.uuid4())
        entry_id = self.conn.execute(
            _insert(t.entries, returning_id=True),
            {
                "journal_id": self.journal_id,
                "uuid": entry_uuid,
                "kind": entry.kind.value,
                "at": entry.at,
                "recorded_at": recorded_at,
                "note": entry.note,
            },
        ).scalar_one()
        write_audit.created("entry", entry_id)
        if isinstance(entry, DoseEntry):
            self.conn.execute(
                _insert(t.doses),
                {
                    "entry_id": entry_id,
                    "journal_id": self.journal_id,
                    "product_id": entry.product_id,
                    "product_name": entry.product_name,
                    "form": entry.form.value,
                    "amount": entry.amount,
                    "unit": entry.unit,
                    "product_mass_g": entry.estimate.product_mass_g,
                    "explanation": entry.estimate.explanation,
                    **_range_cols("mitragynine", entry.estimate.mitragynine_mg),
                    **_range_cols("seven_oh", entry.estimate.seven_oh_mg),
                },
            )
        elif isinstance(entry, SubstanceEntry):
            self.conn.execute(
                _insert(t.substance_uses),
                {
                    "entry_id": entry_id,
                    "journal_id": self.journal_id,
                    "substance_id": entry.substance_id,
                    "name": entry.name,
                    "substance_class": entry.substance_class.value,
                    "amount": entry.amount,
                    "unit": entry.unit,
                    "route": entry.route.value if entry.route else None,
                    "mme": entry.mme,
                },
            )
        else:
            values: dict[str, Any] = {
                "entry_id": entry_id,
                "journal_id": self.journal_id,
                "symptom_id": entry.symptom_id,
                "severity": entry.severity,
            }
            if entry.said is not None:  # a journal not yet at 0005 can still take the rest
                values["said"] = entry.said
            self.conn.execute(_insert(t.symptom_reports), values)
        self.record_action("log", entry_id, recorded_at)
        return replace(entry, id=entry_id, recorded_at=recorded_at, uuid=entry_uuid)

    def _mine(self, table: Any) -> Any:
        """The condition "this journal's rows" on ``table``."""
        return table.c.journal_id == self.journal_id

    def _select(self) -> Any:
        return _entry_select()[0].where(self._mine(t.entries))

    def get_entry(self, entry_id: int) -> tuple[Entry, datetime | None] | None:
        """The entry and its deletion time (None when not deleted), or None if no such id."""
        row = self.conn.execute(self._select().where(t.entries.c.id == entry_id)).first()
        if row is None:
            return None
        return _entry_of(row), row._mapping["deleted_at"]

    def list_entries(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        kinds: Iterable[Kind] | None = None,
        include_deleted: bool = False,
    ) -> list[Entry]:
        """Entries in time order (then id order), optionally within [since, until]."""
        query = _entries_between(
            since is not None, until is not None, kinds is not None, include_deleted
        )
        rows = self.conn.execute(
            query,
            {
                "journal": self.journal_id,
                "since": since,
                "until": until,
                "kinds": None if kinds is None else [k.value for k in kinds],
            },
        )
        return [_entry_of(row) for row in rows]

    def window_entries(self, *, since: datetime, until: datetime) -> list[Entry]:
        """``list_entries(since=since, until=until)``, decoding only the rows this process
        has not decoded before (``entry_cache``): re-judging reads the same weeks on every
        write. One narrow read of the window's row keys, then the rows not kept, by id."""
        bounds = {"journal": self.journal_id, "since": since, "until": until}
        keys: list[entry_cache.RowKey] = [
            (row[0], row[1], row[2]) for row in self.conn.execute(_window_keys(), bounds)
        ]
        cache = entry_cache.for_engine(self.conn.engine)
        found = cache.get_many(self.journal_id, keys)
        missing = [key for key, entry in zip(keys, found, strict=True) if entry is None]
        if not missing:
            return [entry for entry in found if entry is not None]
        decoded: dict[int | None, Entry] = {}
        for start in range(0, len(missing), _IDS_PER_READ):
            ids = [key[0] for key in missing[start : start + _IDS_PER_READ]]
            rows = self.conn.execute(_entries_by_id(), {"journal": self.journal_id, "ids": ids})
            decoded.update((entry.id, entry) for entry in map(_entry_of, rows))
        cache.put_many(self.journal_id, ((key, decoded[key[0]]) for key in missing))
        return [
            entry if entry is not None else decoded[key[0]]
            for key, entry in zip(keys, found, strict=True)
        ]

    def dose_mitragynine(self, *, since: datetime, until: datetime) -> list[DoseLoad]:
        """The doses in [since, until] (not deleted), in time order, as the exposure model
        reads them: the time and the estimated mitragynine (typical, high), without decoding
        whole entries (a month of a daily logger's doses on every today page)."""
        e, d = t.entries.c, t.doses.c
        rows = self.conn.execute(
            select(e.at, d.mitragynine_typical, d.mitragynine_high)
            .join(t.doses, _same_entry(t.doses))
            .where(
                self._mine(t.entries),
                e.kind == Kind.DOSE.value,
                e.at >= since,
                e.at <= until,
                e.deleted_at.is_(None),
            )
            .order_by(e.at, e.id)
        )
        return [DoseLoad(row[0], float(row[1]), float(row[2])) for row in rows]

    def last_entry(
        self, kind: Kind, *, until: datetime, substance_class: str | None = None
    ) -> Entry | None:
        """The newest entry of ``kind`` at or before ``until`` (not deleted; ties by id), and
        of ``substance_class`` when given: one row, however long the journal."""
        query = self._select().where(
            t.entries.c.kind == kind.value,
            t.entries.c.at <= until,
            t.entries.c.deleted_at.is_(None),
        )
        if substance_class is not None:
            query = query.where(t.substance_uses.c.substance_class == substance_class)
        row = self.conn.execute(
            query.order_by(t.entries.c.at.desc(), t.entries.c.id.desc()).limit(1)
        ).first()
        return None if row is None else _entry_of(row)

    def deleted_ids(self) -> set[int]:
        rows = self.conn.execute(
            select(t.entries.c.id).where(self._mine(t.entries), t.entries.c.deleted_at.is_not(None))
        )
        return {row[0] for row in rows}

    def set_deleted(self, entry_id: int, deleted_at: datetime | None) -> None:
        self.conn.execute(
            update(t.entries)
            .where(self._mine(t.entries), t.entries.c.id == entry_id)
            .values(deleted_at=deleted_at)
        )

    def count_entries(self) -> int:
        return int(
            self.conn.execute(
                select(func.count()).select_from(t.entries).where(self._mine(t.entries))
            ).scalar_one()
        )

    def entries_by_id(self, entry_ids: Iterable[int]) -> list[Entry]:
        """The entries with these ids (deleted or not), in no order: one read by primary key."""
        ids = sorted(set(entry_ids))
        if not ids:
            return []
        rows = self.conn.execute(_entries_by_id(), {"journal": self.journal_id, "ids": ids})
        return [_entry_of(row) for row in rows]

    def first_two_live(self) -> list[tuple[int, datetime]]:
        """The journal's first two entries that are not deleted, (id, time) in time order:
        the first rows of ``ix_entries_at``, a step or two however long the journal."""
        rows = self.conn.execute(_first_two_live(), {"journal": self.journal_id})
        return [(row[0], row[1]) for row in rows]

    def last_dose_product(self) -> tuple[int | None, str] | None:
        row = self.conn.execute(_last_dose_product(), {"journal": self.journal_id}).first()
        return None if row is None else (row[0], row[1])

    # -- actions (what undo reverses) --------------------------------------------------------
    def record_action(self, action: str, entry_id: int, at: datetime) -> None:
        self.conn.execute(
            _insert(t.actions),
            {
                "journal_id": self.journal_id,
                "action": action,
                "entry_id": entry_id,
                "at": at,
                "undone": False,
            },
        )

    def last_undoable_action(self) -> tuple[int, str, int] | None:
        row = self.conn.execute(
            select(t.actions.c.id, t.actions.c.action, t.actions.c.entry_id)
            .where(
                self._mine(t.actions),
                t.actions.c.undone.is_(False),
                t.actions.c.action.in_(["log", "delete"]),
            )
            .order_by(t.actions.c.id.desc())
            .limit(1)
        ).first()
        return None if row is None else (row[0], row[1], row[2])

    def log_action_of(self, entry_id: int) -> int | None:
        """The id of the entry's "log" action not yet undone, if any."""
        row = self.conn.execute(
            select(t.actions.c.id).where(
                self._mine(t.actions),
                t.actions.c.entry_id == entry_id,
                t.actions.c.action == "log",
                t.actions.c.undone.is_(False),
            )
        ).first()
        return None if row is None else int(row[0])

    def mark_undone(self, action_id: int) -> None:
        self.conn.execute(
            update(t.actions)
            .where(self._mine(t.actions), t.actions.c.id == action_id)
            .values(undone=True)
        )

    # -- products ----------------------------------------------------------------------------
    def add_product(self, product: Product, *, created_at: datetime) -> Product:
        product_id = self.conn.execute(
            insert(t.products)
            .values(journal_id=self.journal_id, created_at=created_at, **_product_cols(product))
            .returning(t.products.c.id)
        ).scalar_one()
        write_audit.created("product", product_id)
        return replace(product, id=product_id)

    def update_product(self, product_id: int, product: Product) -> Product:
        """Replace a product's name and strength. Doses logged with it keep their own copy of
        the name, amount and estimate (the ``doses`` row), so the past does not change."""
        self.conn.execute(
            update(t.products)
            .where(self._mine(t.products), t.products.c.id == product_id)
            .values(**_product_cols(product))
        )
        return replace(product, id=product_id)

    def dose_counts_by_product(self) -> dict[int, int]:
        """How many doses (deleted ones too) name each product, by product id."""
        rows = self.conn.execute(
            select(t.doses.c.product_id, func.count())
            .where(self._mine(t.doses), t.doses.c.product_id.is_not(None))
            .group_by(t.doses.c.product_id)
        )
        return {int(r[0]): int(r[1]) for r in rows}

    def delete_product(self, product_id: int) -> None:
        """Remove a product. Its doses keep their copied name, amount and estimate and stop
        pointing at it (``product_id`` becomes empty), so no logged entry changes."""
        self.conn.execute(
            update(t.doses)
            .where(self._mine(t.doses), t.doses.c.product_id == product_id)
            .values(product_id=None)
        )
        self.conn.execute(
            delete(t.products).where(self._mine(t.products), t.products.c.id == product_id)
        )

    def find_product(self, name: str) -> Product | None:
        row = self.conn.execute(
            select(t.products).where(
                self._mine(t.products), t.products.c.name_key == name.strip().lower()
            )
        ).first()
        return None if row is None else _product_of(row)

    def get_product(self, product_id: int) -> Product | None:
        row = self.conn.execute(
            select(t.products).where(self._mine(t.products), t.products.c.id == product_id)
        ).first()
        return None if row is None else _product_of(row)

    def list_products(self) -> list[Product]:
        return [
            _product_of(r)
            for r in self.conn.execute(
                select(t.products).where(self._mine(t.products)).order_by(t.products.c.name_key)
            )
        ]

    # -- profile -----------------------------------------------------------------------------
    def has_profile(self) -> bool:
        """Whether a profile was ever saved (``get_profile`` returns a default one until then)."""
        return (
            self.conn.execute(select(t.profile.c.id).where(self._mine(t.profile))).first()
            is not None
        )

    def get_profile(self, default_timezone: str = "UTC") -> Profile:
        """The saved profile; before one is saved, an empty one in ``default_timezone``."""
        row = self.conn.execute(_profile_select(), {"journal": self.journal_id}).first()
        if row is None:
            return Profile(timezone=default_timezone)
        m = row._mapping
        return Profile(
            timezone=m["timezone"],
            pregnant=m["pregnant"],
            breastfeeding=m["breastfeeding"],
            medications=tuple(json.loads(m["medications"])),
            goals=tuple(json.loads(m["goals"])),
            naloxone=m["naloxone"],
            naloxone_expires=m["naloxone_expires"],
        )

    def save_profile(self, profile: Profile, *, at: datetime) -> None:
        values = {
            "timezone": profile.timezone,
            "pregnant": profile.pregnant,
            "breastfeeding": profile.breastfeeding,
            "medications": json.dumps(list(profile.medications)),
            "goals": json.dumps(list(profile.goals)),
            "updated_at": at,
            "naloxone": profile.naloxone,
            "naloxone_expires": profile.naloxone_expires,
        }
        if self.has_profile():
            self.conn.execute(update(t.profile).where(self._mine(t.profile)).values(**values))
        else:
            self.conn.execute(insert(t.profile).values(journal_id=self.journal_id, **values))

    # -- reports (added by the reports branch; kept apart from the queries above) -----------

    def deleted_ids_between(self, since: datetime | None, until: datetime) -> set[int]:
        """Ids of deleted entries whose time is within [since, until] (from the first entry
        when ``since`` is None): a report reads its period's entries once, deleted or not,
        and tells them apart with this."""
        c = t.entries.c
        query = select(c.id).where(self._mine(t.entries), c.deleted_at.is_not(None), c.at <= until)
        if since is not None:
            query = query.where(c.at >= since)
        return {row[0] for row in self.conn.execute(query)}


def _product_cols(product: Product) -> dict[str, Any]:
    p = product.potency
    return {
        "name": product.name,
        "name_key": product.name.lower(),
        "form": product.form.value,
        "basis": p.basis.value,
        "potency_source": p.source.value,
        "potency_why": p.why,
        "potency_sources": ",".join(p.sources),
        "unit_mass_g": product.unit_mass_g,
        "scoop_g": product.scoop_g,
        **_range_cols("mitragynine", p.mitragynine),
        **_range_cols("seven_oh", p.seven_oh),
    }


def _product_of(row: Row[Any]) -> Product:
    m = row._mapping
    potency = Potency(
        basis=Basis(m["basis"]),
        mitragynine=_range_of(row, "mitragynine"),
        seven_oh=_range_of(row, "seven_oh"),
        source=PotencySource(m["potency_source"]),
        why=m["potency_why"],
        sources=tuple(s for s in m["potency_sources"].split(",") if s),
    )
    return Product(
        name=m["name"],
        form=Form(m["form"]),
        potency=potency,
        unit_mass_g=m["unit_mass_g"],
        scoop_g=m["scoop_g"],
        id=m["id"],
    )


def _same_entry(part: Any) -> Any:
    """The join of an entry's part to its entry: the same entry in the same journal (so a
    database that keeps each journal's rows together can join them where they are)."""
    return and_(part.c.entry_id == t.entries.c.id, part.c.journal_id == t.entries.c.journal_id)


# The statements of the write path, each built once per process and run with its values:
# building a statement (its clauses, then its cache key) cost several times more CPU than
# running it, on every one of the dozen statements of a write. Bound values go by name
# (``journal``, ``since``...), never a column's name, which an INSERT or UPDATE takes as its.
@functools.cache
def _insert(table: Any, *, returning_id: bool = False) -> Any:
    statement = insert(table)
    return statement.returning(table.c.id) if returning_id else statement


@functools.cache
def _entries_between(since: bool, until: bool, kinds: bool, include_deleted: bool) -> Any:
    """The entries of one journal, in time then id order, within the bounds asked for."""
    e = t.entries.c
    query = _entry_select()[0].where(e.journal_id == bindparam("journal"))
    if since:
        query = query.where(e.at >= bindparam("since"))
    if until:
        query = query.where(e.at <= bindparam("until"))
    if kinds:
        query = query.where(e.kind.in_(bindparam("kinds", expanding=True)))
    if not include_deleted:
        query = query.where(e.deleted_at.is_(None))
    return query.order_by(e.at, e.id)


# Rows read by id at most this many at a time (SQLite's limit on bound values is far above).
_IDS_PER_READ = 500


@functools.cache
def _window_keys() -> Any:
    """A window's live rows as ``entry_cache`` keys them, in time then id order."""
    e = t.entries.c
    return (
        select(e.id, e.uuid, t.doses.c.product_id)
        .outerjoin(t.doses, _same_entry(t.doses))
        .where(
            e.journal_id == bindparam("journal"),
            e.at >= bindparam("since"),
            e.at <= bindparam("until"),
            e.deleted_at.is_(None),
        )
        .order_by(e.at, e.id)
    )


@functools.cache
def _entries_by_id() -> Any:
    e = t.entries.c
    return _entry_select()[0].where(
        e.journal_id == bindparam("journal"), e.id.in_(bindparam("ids", expanding=True))
    )


@functools.cache
def _first_two_live() -> Any:
    e = t.entries.c
    live = e.deleted_at.is_(None)
    return (
        select(e.id, e.at).where(e.journal_id == bindparam("journal"), live).order_by(e.at).limit(2)
    )


@functools.cache
def _last_dose_product() -> Any:
    e = t.entries.c
    return (
        select(t.doses.c.product_id, t.doses.c.product_name)
        .join(t.entries, _same_entry(t.doses))
        .where(e.journal_id == bindparam("journal"), e.deleted_at.is_(None))
        .order_by(e.recorded_at.desc(), e.id.desc())
        .limit(1)
    )


@functools.cache
def _profile_select() -> Any:
    return select(t.profile).where(t.profile.c.journal_id == bindparam("journal"))


# The fields an entry is made of: the entry's own, then each kind's part (a row holds one
# kind's part; the other kinds' columns are NULL from the outer joins). ``_entry_of`` unpacks
# each in this order.
_ENTRY_FIELDS = ("kind", "at", "note", "id", "recorded_at", "uuid")
_DOSE_FIELDS = (
    "product_name",
    "form",
    "amount",
    "unit",
    "product_id",
    "product_mass_g",
    "explanation",
    "mitragynine_typical",
    "mitragynine_low",
    "mitragynine_high",
    "seven_oh_typical",
    "seven_oh_low",
    "seven_oh_high",
)
_SUBSTANCE_FIELDS = ("substance_id", "name", "substance_class", "amount", "unit", "route", "mme")
_SYMPTOM_FIELDS = ("symptom_id", "severity", "said")


class _Pickers(NamedTuple):
    """For a row of the entry select, one call each that takes those fields by position."""

    entry: Callable[[Row[Any]], tuple[Any, ...]]
    dose: Callable[[Row[Any]], tuple[Any, ...]]
    substance: Callable[[Row[Any]], tuple[Any, ...]]
    symptom: Callable[[Row[Any]], tuple[Any, ...]]


@functools.cache
def _entry_select() -> tuple[Select[Any], _Pickers]:
    """The entry select, built once per process (every write reads entries to re-judge), and
    the pickers of its fields (a mapping lookup per column was most of the cost of reading a
    window of entries)."""
    query = (
        select(t.entries, t.doses, t.substance_uses, t.symptom_reports)
        .outerjoin(t.doses, _same_entry(t.doses))
        .outerjoin(t.substance_uses, _same_entry(t.substance_uses))
        .outerjoin(t.symptom_reports, _same_entry(t.symptom_reports))
    )
    position = {column: n for n, column in enumerate(query.selected_columns)}

    def picker(table: Any, names: tuple[str, ...]) -> Callable[[Row[Any]], tuple[Any, ...]]:
        return operator.itemgetter(*(position[table.c[name]] for name in names))

    return query, _Pickers(
        picker(t.entries, _ENTRY_FIELDS),
        picker(t.doses, _DOSE_FIELDS),
        picker(t.substance_uses, _SUBSTANCE_FIELDS),
        picker(t.symptom_reports, _SYMPTOM_FIELDS),
    )


def _entry_of(row: Row[Any]) -> Entry:
    pick = _entry_select()[1]
    kind, at, note, entry_id, recorded_at, entry_uuid = pick.entry(row)
    if kind == Kind.DOSE.value:
        (
            product_name,
            form,
            amount,
            unit,
            product_id,
            product_mass_g,
            explanation,
            mitragynine_typical,
            mitragynine_low,
            mitragynine_high,
            seven_oh_typical,
            seven_oh_low,
            seven_oh_high,
        ) = pick.dose(row)
        estimate = DoseEstimate(
            mitragynine_mg=Range(mitragynine_typical, mitragynine_low, mitragynine_high),
            seven_oh_mg=Range(seven_oh_typical, seven_oh_low, seven_oh_high),
            product_mass_g=product_mass_g,
            explanation=explanation,
        )
        return DoseEntry(
            at=at,
            product_name=product_name,
            form=Form(form),
            amount=amount,
            unit=unit,
            estimate=estimate,
            note=note,
            product_id=product_id,
            id=entry_id,
            recorded_at=recorded_at,
            uuid=entry_uuid,
        )
    if kind == Kind.SUBSTANCE.value:
        substance_id, name, substance_class, amount, unit, route, mme = pick.substance(row)
        return SubstanceEntry(
            at=at,
            substance_id=substance_id,
            name=name,
            substance_class=SubstanceClass(substance_class),
            amount=amount,
            unit=unit,
            route=Route(route) if route else None,
            mme=mme,
            note=note,
            id=entry_id,
            recorded_at=recorded_at,
            uuid=entry_uuid,
        )
    Kind(kind)  # any other kind is a symptom report; an unknown one fails loudly here
    symptom_id, severity, said = pick.symptom(row)
    return SymptomEntry(
        symptom_id=symptom_id,
        severity=severity,
        said=said,
        at=at,
        note=note,
        id=entry_id,
        recorded_at=recorded_at,
        uuid=entry_uuid,
    )
