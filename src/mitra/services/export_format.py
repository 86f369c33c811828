"""The mitra export format, version 1: the whole journal as one JSON document, and back.

Shape (``"format": "mitra-export", "version": 1``): ``profile`` (or null), ``products``,
``entries`` (each with its stable ``uuid`` and its ``dose``, ``substance`` or ``symptom``
part, deleted ones with ``deleted_at``), ``actions`` (the log that undo reads),
``assessments`` (each with its ``items``), ``alerts`` (with ``evidence``, ``entry_ids`` and
any acknowledgement) and ``plans`` (each with every revision of its ``steps`` and its
``events``). Column
names are the database's; times are UTC ISO 8601 with microseconds; numbers are JSON numbers
(Python writes floats so that they read back bit for bit); calendar days are ISO dates.

Invariants: ``document_from_tables`` then ``tables_from_document`` gives back the same rows
(a lossless round trip); ``tables_from_document`` checks EVERYTHING before anything is
written: types and nullability from the schema itself, kinds, forms, classes, severities and
raters from the domain, ranges, that every instrument and item exists, that ids are unique and
that every reference (a dose's product, an action's entry, an alert's entries) points inside
the file; then every record's VALUES as logging judges them (``import_checks``: plausible
amounts, estimates recomputed, item scores, notes, dates). Every refused record is reported
with its place in the file ("entries[12].at: ..."), all of them (``ImportRefused``), so a dry
run lists them; a record that refers to a refused one is refused too. A problem with the file
as a whole (not an export, a newer version, a missing list) stops at once, never half-read.
A file never says which journal it belongs to (no ``journal_id``): it is imported into the
journal the import runs in. An entry's ``uuid`` is optional (an export made before entries had
one); when given it must be a UUID, once per file.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Boolean, Column, Date, Float, Integer, String, Table

from mitra.domain import symptoms as symptom_domain
from mitra.domain.alerts import Severity
from mitra.domain.entries import Kind
from mitra.domain.errors import InputError, MitraError
from mitra.domain.instruments import RATERS, get_instrument
from mitra.domain.products import Basis, Form, PotencySource, Product, Range
from mitra.domain.profile import check_timezone
from mitra.domain.substances import Route, SubstanceClass
from mitra.services import import_checks as checks
from mitra.storage import schema as t
from mitra.storage.schema import UTCDateTime

FORMAT = "mitra-export"
VERSION = 1
KIND_PARTS: dict[str, tuple[str, Table]] = {
    Kind.DOSE.value: ("dose", t.doses),
    Kind.SUBSTANCE.value: ("substance", t.substance_uses),
    Kind.SYMPTOM.value: ("symptom", t.symptom_reports),
}
ACTIONS = ("log", "delete", "undo-log", "undo-delete")
# Columns that hold JSON text in the database and structured data in the file.
_JSON_COLUMNS = {
    "profile": ("medications", "goals"),
    "alerts": ("evidence", "entry_ids"),
}
_DERIVED = {"products": ("name_key",)}  # recomputed on import, never trusted from a file
# The journal a row is in: never written to a file, never read from one.
_SCOPE = "journal_id"
# Fields added after version 1 was first written: a file without them is read with this value
# (an export made before the person's own words were kept has no ``said``; one made before
# naloxone was asked about has no naloxone fields).
_OPTIONAL = {
    "entries": {"uuid": None},
    "symptom_reports": {"said": None},
    "profile": {"naloxone": None, "naloxone_expires": None},
    "assessments": {"pulse_bpm": None},
}
_EVIDENCE_KEYS = ("source_id", "citation", "strength", "claim")


def _time_text(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat(timespec="microseconds")


def _plain(table: Table, row: Mapping[str, Any], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A row as file data: times as text, JSON columns parsed, derived columns left out."""
    out: dict[str, Any] = {}
    json_columns = _JSON_COLUMNS.get(table.name, ())
    for column in table.columns:
        name = column.name
        if name in skip or name == _SCOPE or name in _DERIVED.get(table.name, ()):
            continue
        value = row[name]
        if isinstance(column.type, UTCDateTime):
            value = _time_text(value)
        elif isinstance(column.type, Date) and value is not None:
            value = value.isoformat()
        elif name in json_columns:
            value = json.loads(value)
        out[name] = value
    return out


def document_from_tables(
    tables: Mapping[str, list[dict[str, Any]]],
    *,
    exported_at: datetime,
    mitra_version: str,
    schema_revision: str,
) -> dict[str, Any]:
    """The export document for the rows ``journal_dump.read_all`` returned."""
    parts: dict[str, dict[int, dict[str, Any]]] = {}
    for kind, (_, table) in KIND_PARTS.items():
        parts[kind] = {
            row["entry_id"]: _plain(table, row, skip=("entry_id",)) for row in tables[table.name]
        }
    entries = []
    for row in tables["entries"]:
        record = _plain(t.entries, row)
        key, _ = KIND_PARTS[row["kind"]]
        record[key] = parts[row["kind"]].get(row["id"])
        entries.append(record)
    items: dict[int, list[dict[str, Any]]] = {}
    for row in tables["assessment_items"]:
        items.setdefault(row["assessment_id"], []).append(
            _plain(t.assessment_items, row, skip=("assessment_id",))
        )
    assessments = []
    for row in tables["assessments"]:
        record = _plain(t.assessments, row)
        record["items"] = sorted(items.get(row["id"], []), key=lambda i: i["position"])
        assessments.append(record)
    steps: dict[int, list[dict[str, Any]]] = {}
    for row in tables["plan_steps"]:
        steps.setdefault(row["plan_id"], []).append(_plain(t.plan_steps, row, skip=("plan_id",)))
    events: dict[int, list[dict[str, Any]]] = {}
    for row in tables["plan_events"]:
        events.setdefault(row["plan_id"], []).append(_plain(t.plan_events, row, skip=("plan_id",)))
    plans = []
    for row in tables["plans"]:
        record = _plain(t.plans, row)
        record["steps"] = steps.get(row["id"], [])
        record["events"] = events.get(row["id"], [])
        plans.append(record)
    profile_rows = tables["profile"]
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _time_text(exported_at),
        "mitra_version": mitra_version,
        "schema_revision": schema_revision,
        "profile": _plain(t.profile, profile_rows[0], skip=("id",)) if profile_rows else None,
        "products": [_plain(t.products, row) for row in tables["products"]],
        "entries": entries,
        "actions": [_plain(t.actions, row) for row in tables["actions"]],
        "assessments": assessments,
        "alerts": [_plain(t.alerts, row) for row in tables["alerts"]],
        "plans": plans,
    }


# ---------------------------------------------------------------------------------------------
# Reading a document back, checking everything first


class FileFormatError(InputError):
    """The file is not a mitra export this version can read; the message says where."""


class ImportRefused(FileFormatError):
    """Records of the file are refused; ``refusals`` lists every one with its place."""

    def __init__(self, refusals: list[str]) -> None:
        count = len(refusals)
        super().__init__(
            f"{count} record{'s' if count != 1 else ''} cannot be imported, so nothing was "
            f"written; {'the first: ' if count > 1 else ''}{refusals[0]}"
            + ("; --dry-run lists every one" if count > 1 else "")
        )
        self.refusals = refusals


class _Refusals:
    """Collects every record's refusal instead of stopping at the first."""

    def __init__(self) -> None:
        self.found: list[str] = []

    @contextlib.contextmanager
    def record(self) -> Iterator[None]:
        try:
            yield
        except InputError as exc:  # FileFormatError and the value checks' RecordError
            self.found.append(exc.message)


def _fail(where: str, message: str) -> FileFormatError:
    return FileFormatError(f"{where}: {message}")


def _value(column: Column[Any], value: Any, where: str) -> Any:
    if value is None:
        if not column.nullable or column.primary_key:
            raise _fail(where, "is missing (null is not allowed here)")
        return None
    kind = column.type
    if isinstance(kind, UTCDateTime):
        if not isinstance(value, str):
            raise _fail(where, "must be an ISO 8601 time as text")
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise _fail(where, f"{value!r} is not an ISO 8601 time") from None
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise _fail(where, f"{value!r} has no time zone offset")
        return moment.astimezone(UTC)
    if isinstance(kind, Date):
        if not isinstance(value, str):
            raise _fail(where, "must be an ISO 8601 date as text")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _fail(where, f"{value!r} is not an ISO 8601 date") from None
    if isinstance(kind, Boolean):
        if not isinstance(value, bool):
            raise _fail(where, "must be true or false")
        return value
    if isinstance(kind, Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(where, "must be a whole number")
        return value
    if isinstance(kind, Float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _fail(where, "must be a number")
        return float(value)
    if not isinstance(value, str):
        raise _fail(where, "must be text")
    if isinstance(kind, String) and kind.length is not None and len(value) > kind.length:
        raise _fail(where, f"is longer than {kind.length} characters")
    return value


def _row(
    table: Table,
    data: Any,
    where: str,
    *,
    skip: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The database row for a file record: every column checked against the schema."""
    if not isinstance(data, dict):
        raise _fail(where, "must be an object")
    json_columns = _JSON_COLUMNS.get(table.name, ())
    names = [
        c.name
        for c in table.columns
        if c.name not in skip and c.name != _SCOPE and c.name not in _DERIVED.get(table.name, ())
    ]
    unknown = sorted(set(data) - set(names) - set(extra))
    if unknown:
        raise _fail(where, f"unknown field(s) {', '.join(unknown)}")
    row: dict[str, Any] = {}
    for name in names:
        if name not in data:
            optional = _OPTIONAL.get(table.name, {})
            if name in optional:
                row[name] = optional[name]
                continue
            raise _fail(f"{where}.{name}", "is missing")
        if name in json_columns:
            row[name] = data[name]  # checked by the caller, stored as JSON text
            continue
        row[name] = _value(table.c[name], data[name], f"{where}.{name}")
    return row


def _entry_uuid(value: str | None, where: str) -> str | None:
    """An entry's uuid as stored (lower-case, hyphenated), or None when the file has none."""
    if value is None:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise _fail(where, f"{value!r} is not a UUID") from None


def _choice(value: Any, allowed: tuple[str, ...] | list[str], where: str) -> None:
    if value not in allowed:
        raise _fail(where, f"{value!r} is not one of {', '.join(allowed)}")


def _range(row: dict[str, Any], prefix: str, where: str) -> None:
    try:
        Range(row[f"{prefix}_typical"], row[f"{prefix}_low"], row[f"{prefix}_high"])
    except MitraError as exc:
        raise _fail(f"{where}.{prefix}", exc.message) from None


def _ids(records: list[dict[str, Any]], where: str) -> set[int]:
    seen: set[int] = set()
    for index, row in enumerate(records):
        if row["id"] < 1 or row["id"] in seen:
            raise _fail(f"{where}[{index}].id", f"{row['id']} is not a new positive id")
        seen.add(row["id"])
    return seen


def _list(document: Mapping[str, Any], key: str) -> list[Any]:
    value = document.get(key)
    if not isinstance(value, list):
        raise _fail(key, "must be a list")
    return value


def check_header(document: Any) -> None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise FileFormatError('this is not a mitra export (no "format": "mitra-export")')
    version = document.get("version")
    if version != VERSION:
        if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
            raise FileFormatError(
                f"this export is format version {version}, from a newer mitra; this mitra "
                f"reads version {VERSION}: update mitra to import it"
            )
        raise FileFormatError(f"unknown export format version {version!r}")


def tables_from_document(
    document: Any, *, now: datetime | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Database rows for every record in ``document`` (ids as in the file), all checked;
    ``ImportRefused`` lists every refused record. ``now`` bounds the times (default: the
    latest time in the file is not bounded above, for callers without a clock)."""
    check_header(document)
    limit = now or datetime.max.replace(tzinfo=UTC) - checks.FUTURE_ALLOWANCE
    refusals = _Refusals()
    rows: dict[str, list[dict[str, Any]]] = {table.name: [] for table in t.metadata.sorted_tables}
    profile = document.get("profile")
    if profile is not None:
        with refusals.record():
            row = _row(t.profile, profile, "profile", skip=("id",))
            try:
                check_timezone(row["timezone"])
            except MitraError as exc:
                raise _fail("profile.timezone", exc.message) from None
            for key in ("medications", "goals"):
                value = row[key]
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise _fail(f"profile.{key}", "must be a list of texts")
                row[key] = json.dumps(value)
            rows["profile"].append({"id": 1, **row})

    products: dict[int, Product] = {}
    refused_products: set[Any] = set()
    for index, data in enumerate(_list(document, "products")):
        where = f"products[{index}]"
        before = len(refusals.found)
        with refusals.record():
            row = _row(t.products, data, where)
            _choice(row["form"], [f.value for f in Form], f"{where}.form")
            _choice(row["basis"], [b.value for b in Basis], f"{where}.basis")
            _choice(
                row["potency_source"], [s.value for s in PotencySource], f"{where}.potency_source"
            )
            _range(row, "mitragynine", where)
            _range(row, "seven_oh", where)
            checks.check_product(row, where)
            checks.check_time(row["created_at"], limit, f"{where}.created_at")
            row["name_key"] = row["name"].lower()
            products[row["id"]] = checks.product_of(row)
            rows["products"].append(row)
        if len(refusals.found) > before and isinstance(data, dict):
            refused_products.add(data.get("id"))
    with refusals.record():
        _ids(rows["products"], "products")
        names = [r["name_key"] for r in rows["products"]]
        if len(set(names)) != len(names):
            raise _fail("products", "two products have the same name")
    product_ids = set(products)

    refused_entries: set[Any] = set()
    for index, data in enumerate(_list(document, "entries")):
        where = f"entries[{index}]"
        before = len(refusals.found)
        with refusals.record():
            if not isinstance(data, dict):
                raise _fail(where, "must be an object")
            _choice(data.get("kind"), list(KIND_PARTS), f"{where}.kind")
            kind = str(data["kind"])
            part_key, part_table = KIND_PARTS[kind]
            others = tuple(k for k, _ in KIND_PARTS.values() if k != part_key)
            row = _row(
                t.entries, {k: v for k, v in data.items() if k not in (part_key, *others)}, where
            )
            if any(data.get(other) is not None for other in others):
                raise _fail(where, f"a {kind} entry holds another kind's part")
            part = _row(part_table, data.get(part_key), f"{where}.{part_key}", skip=("entry_id",))
            if part.get("product_id") in refused_products:
                raise _fail(
                    f"{where}.{part_key}.product_id",
                    f"product {part['product_id']} is refused above",
                )
            _entry_part(kind, part, product_ids, f"{where}.{part_key}")
            for name in ("at", "recorded_at", "deleted_at"):
                checks.check_time(row[name], limit, f"{where}.{name}")
            checks.check_note_value(row, where)
            row["uuid"] = _entry_uuid(row["uuid"], f"{where}.uuid")
            if kind == Kind.DOSE.value:
                checks.check_dose(part, products, f"{where}.{part_key}")
            elif kind == Kind.SUBSTANCE.value:
                checks.check_substance(part, f"{where}.{part_key}")
            rows["entries"].append(row)
            rows[part_table.name].append({"entry_id": row["id"], **part})
        if len(refusals.found) > before and isinstance(data, dict):
            refused_entries.add(data.get("id"))
    with refusals.record():
        _ids(rows["entries"], "entries")
        uuids = [r["uuid"] for r in rows["entries"] if r["uuid"] is not None]
        if len(set(uuids)) != len(uuids):
            raise _fail("entries", "two entries have the same uuid")
    entry_ids = {r["id"] for r in rows["entries"]}

    for index, data in enumerate(_list(document, "actions")):
        where = f"actions[{index}]"
        with refusals.record():
            row = _row(t.actions, data, where)
            _choice(row["action"], ACTIONS, f"{where}.action")
            if row["entry_id"] in refused_entries:
                raise _fail(f"{where}.entry_id", f"entry {row['entry_id']} is refused above")
            if row["entry_id"] not in entry_ids:
                raise _fail(f"{where}.entry_id", f"entry {row['entry_id']} is not in the file")
            checks.check_time(row["at"], limit, f"{where}.at")
            rows["actions"].append(row)
    with refusals.record():
        _ids(rows["actions"], "actions")

    for index, data in enumerate(_list(document, "assessments")):
        where = f"assessments[{index}]"
        with refusals.record():
            if not isinstance(data, dict):
                raise _fail(where, "must be an object")
            row = _row(t.assessments, {k: v for k, v in data.items() if k != "items"}, where)
            items = _assessment_items(row, data.get("items"), where)
            for name in ("at", "recorded_at", "deleted_at"):
                checks.check_time(row[name], limit, f"{where}.{name}")
            checks.check_note_value(row, where)
            checks.check_assessment(row, items, where)
            rows["assessments"].append(row)
            rows["assessment_items"] += items
    with refusals.record():
        _ids(rows["assessments"], "assessments")

    for index, data in enumerate(_list(document, "alerts")):
        where = f"alerts[{index}]"
        with refusals.record():
            row = _row(t.alerts, data, where)
            _choice(row["severity"], [s.value for s in Severity], f"{where}.severity")
            _check_evidence(row["evidence"], f"{where}.evidence")
            refs = row["entry_ids"]
            if not isinstance(refs, list) or not all(
                isinstance(i, int) and not isinstance(i, bool) for i in refs
            ):
                raise _fail(f"{where}.entry_ids", "must be a list of entry ids")
            if refused_entries.intersection(refs):
                raise _fail(f"{where}.entry_ids", "an entry it is about is refused above")
            missing = [i for i in refs if i not in entry_ids]
            if missing:
                raise _fail(f"{where}.entry_ids", f"entry {missing[0]} is not in the file")
            row["evidence"] = json.dumps(row["evidence"])
            row["entry_ids"] = json.dumps(refs)
            rows["alerts"].append(row)
    with refusals.record():
        _ids(rows["alerts"], "alerts")
        keys = [r["key"] for r in rows["alerts"]]
        if len(set(keys)) != len(keys):
            raise _fail("alerts", "two alerts have the same key")
    _plans(document, rows, refusals)
    if refusals.found:
        raise ImportRefused(refusals.found)
    return rows


def _plans(
    document: Mapping[str, Any], rows: dict[str, list[dict[str, Any]]], refusals: _Refusals
) -> None:
    for index, data in enumerate(_list(document, "plans")):
        where = f"plans[{index}]"
        with refusals.record():
            if not isinstance(data, dict):
                raise _fail(where, "must be an object")
            row = _row(
                t.plans, {k: v for k, v in data.items() if k not in ("steps", "events")}, where
            )
            _choice(row["kind"], ("titration", "taper"), f"{where}.kind")
            _choice(row["status"], ("active", "ended"), f"{where}.status")
            parts_of: dict[str, list[dict[str, Any]]] = {}
            for key, table in (("steps", t.plan_steps), ("events", t.plan_events)):
                parts = data.get(key)
                if not isinstance(parts, list):
                    raise _fail(f"{where}.{key}", "must be a list")
                parts_of[table.name] = [
                    {
                        "plan_id": row["id"],
                        **_row(table, part, f"{where}.{key}[{number}]", skip=("plan_id",)),
                    }
                    for number, part in enumerate(parts)
                ]
            for name, found in parts_of.items():
                rows[name] += found
            rows["plans"].append(row)
    with refusals.record():
        _ids(rows["plans"], "plans")
        _ids(rows["plan_events"], "plans[].events")
        if sum(1 for r in rows["plans"] if r["status"] == "active") > 1:
            raise _fail("plans", "more than one plan is active")


def _entry_part(kind: str, part: dict[str, Any], product_ids: set[int], where: str) -> None:
    if kind == Kind.DOSE.value:
        _choice(part["form"], [f.value for f in Form], f"{where}.form")
        _range(part, "mitragynine", where)
        _range(part, "seven_oh", where)
        if part["product_id"] is not None and part["product_id"] not in product_ids:
            raise _fail(f"{where}.product_id", f"product {part['product_id']} is not in the file")
    elif kind == Kind.SUBSTANCE.value:
        _choice(part["substance_class"], [c.value for c in SubstanceClass], f"{where}.class")
        if part["route"] is not None:
            _choice(part["route"], [r.value for r in Route], f"{where}.route")
    else:
        if not 0 <= part["severity"] <= 3:
            raise _fail(f"{where}.severity", "must be 0, 1, 2 or 3")
        try:
            known = symptom_domain.resolve(part["symptom_id"]).id
        except MitraError:
            known = None
        if known != part["symptom_id"]:
            raise _fail(f"{where}.symptom_id", f"{part['symptom_id']!r} is not a symptom id")


def _assessment_items(row: dict[str, Any], items: Any, where: str) -> list[dict[str, Any]]:
    try:
        instrument = get_instrument(row["instrument_id"])
    except MitraError:
        raise _fail(
            f"{where}.instrument_id", f"unknown instrument {row['instrument_id']!r}"
        ) from None
    _choice(row["rater"], RATERS, f"{where}.rater")
    if not isinstance(items, list):
        raise _fail(f"{where}.items", "must be a list")
    found = []
    for index, data in enumerate(items):
        item = _row(t.assessment_items, data, f"{where}.items[{index}]", skip=("assessment_id",))
        try:
            instrument.item(item["item_id"])
        except KeyError:
            raise _fail(
                f"{where}.items[{index}].item_id",
                f"{item['item_id']!r} is not an item of {instrument.short_name}",
            ) from None
        found.append({"assessment_id": row["id"], **item})
    if len({i["item_id"] for i in found}) != len(found):
        raise _fail(f"{where}.items", "an item is answered twice")
    return found


def _check_evidence(value: Any, where: str) -> None:
    if not isinstance(value, list) or not value:
        raise _fail(where, "must be a non-empty list")
    for index, row in enumerate(value):
        if not isinstance(row, dict) or sorted(row) != sorted(_EVIDENCE_KEYS):
            raise _fail(f"{where}[{index}]", f"must have exactly {', '.join(_EVIDENCE_KEYS)}")
        if not all(isinstance(v, str) for v in row.values()):
            raise _fail(f"{where}[{index}]", "values must be texts")
