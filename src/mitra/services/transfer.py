"""Export the whole journal (JSON, or CSV for spreadsheets) and import an export back.

Import into an empty or an existing journal. Each record kind has an IDENTITY, so a record
already there is recognised and never written twice:

* profile: there is one; product: its name (case-insensitive, as the journal keeps names);
* entry: its ``uuid`` when the journal has an entry with it; else kind + time + a hash of
  what it records (product, form, amount, unit and estimate; substance, amount, unit, route,
  class and MME; symptom and severity), + which occurrence of that identity it is (two
  identical doses logged for the same minute stay two; an export made before entries had a
  uuid is matched this way). A new entry keeps its uuid (or gets one);
* check-in: instrument + time + a hash of version, rater and every item answer + occurrence;
* alert: its deduplication key (the journal keeps one alert per key);
* action: action + the identity of its entry + time + occurrence;
* plan: kind + strategy + creation time + occurrence; its steps (every revision) and events
  belong to it and are compared with it. An active plan is not added beside another active
  plan (the journal allows one): that is reported as a conflict.

A record whose identity is already in the journal is SKIPPED when it is the same in every
field, and reported as a CONFLICT when it differs (say the note, the deletion mark or the
acknowledgement): the journal's version is kept, nothing is overwritten, and the report says
what differed. Everything else is ADDED. References are remapped to the journal's ids.

Invariants: the file is fully checked before the journal is touched, every record's values
judged as logging judges them (``export_format``, ``import_checks``): one refused record and
nothing is written, and every refusal is reported with its place in the file. The writing
then runs in short batches (``Database.batches``: each commits after about 50 ms), so a
30,000-entry import never keeps the web app or another command waiting; an import that is
interrupted half-way can simply be run again (what is already here is skipped). ``dry_run``
reads in a read-only transaction and writes nothing (new ids are stand-ins); into an EMPTY
journal (the database's only one) the records keep their ids (unless another writer took one
meanwhile), so
export-then-import gives an identical journal, table by table, and so does a second export of
it (apart from ``exported_at``). In a CSV export a
text cell that begins with ``= + - @``, a tab or a carriage return is neutralised with a
leading apostrophe (OWASP's CSV-injection rule), so no spreadsheet runs it as a formula.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from mitra import __version__
from mitra.services.context import AppContext
from mitra.services.export_format import (
    KIND_PARTS,
    ImportRefused,
    document_from_tables,
    tables_from_document,
)
from mitra.storage import journal_dump
from mitra.storage import schema as t
from mitra.storage.database import HEAD_REVISION, Batches, current_revision
from mitra.storage.journal_scope import journal_count, journal_of

Progress = Callable[[int], None]  # called with how many more records are done
_ENTRY_PARTS = {table.name: kind for kind, (_, table) in KIND_PARTS.items()}


def _no_progress(_: int) -> None:
    pass


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class KindReport:
    added: int = 0
    skipped: int = 0
    conflicts: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do), per record kind."""

    dry_run: bool
    kinds: dict[str, KindReport] = field(default_factory=dict)
    kept_ids: bool = False
    refusals: list[str] = field(default_factory=list)  # a dry run of a refused file lists them

    def kind(self, name: str) -> KindReport:
        return self.kinds.setdefault(name, KindReport())

    @property
    def added(self) -> int:
        return sum(k.added for k in self.kinds.values())

    @property
    def skipped(self) -> int:
        return sum(k.skipped for k in self.kinds.values())

    @property
    def conflicts(self) -> int:
        return sum(len(k.conflicts) for k in self.kinds.values())


def _occurrences(keys: list[str]) -> list[str]:
    """Each key with its occurrence number, so equal records are matched one to one."""
    seen: Counter[str] = Counter()
    out = []
    for key in keys:
        out.append(f"{key}#{seen[key]}")
        seen[key] += 1
    return out


def _entry_parts(tables: Mapping[str, list[dict[str, Any]]]) -> dict[int, dict[str, Any]]:
    parts: dict[int, dict[str, Any]] = {}
    for name in _ENTRY_PARTS:
        for row in tables[name]:
            parts[row["entry_id"]] = row
    return parts


def _entry_identity(entry: Mapping[str, Any], part: Mapping[str, Any]) -> str:
    what = {k: v for k, v in part.items() if k not in ("entry_id", "product_id", "explanation")}
    return f"{entry['kind']}|{entry['at'].isoformat()}|{_digest(what)}"


def _entry_keys(tables: Mapping[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    parts = _entry_parts(tables)
    rows = tables["entries"]
    keys = _occurrences([_entry_identity(e, parts[e["id"]]) for e in rows])
    return {key: {"entry": e, "part": parts[e["id"]]} for key, e in zip(keys, rows, strict=True)}


def _assessment_keys(tables: Mapping[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    items: dict[int, list[dict[str, Any]]] = {}
    for item in tables["assessment_items"]:
        items.setdefault(item["assessment_id"], []).append(item)
    rows = tables["assessments"]
    identities = []
    for row in rows:
        answers = sorted(
            (i["position"], i["item_id"], i["score"]) for i in items.get(row["id"], [])
        )
        what = [row["instrument_version"], row["rater"], answers]
        identities.append(f"{row['instrument_id']}|{row['at'].isoformat()}|{_digest(what)}")
    return {
        key: {"row": row, "items": items.get(row["id"], [])}
        for key, row in zip(_occurrences(identities), rows, strict=True)
    }


def _differences(ours: Mapping[str, Any], theirs: Mapping[str, Any], skip: set[str]) -> list[str]:
    return sorted(k for k in ours if k not in skip and ours[k] != theirs.get(k))


class TransferService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    # -- export ------------------------------------------------------------------------------
    def tables(self) -> dict[str, list[dict[str, Any]]]:
        with self.ctx.database.read() as conn:
            return journal_dump.read_all(conn)

    def export_document(self, progress: Progress = _no_progress) -> dict[str, Any]:
        """The whole journal as a version-1 export document."""
        tables = self.tables()
        document = document_from_tables(
            tables,
            exported_at=self.ctx.now(),
            mitra_version=__version__,
            schema_revision=current_revision(self.ctx.database) or HEAD_REVISION,
        )
        progress(sum(len(rows) for rows in tables.values()))
        return document

    def export_csv(self, progress: Progress = _no_progress) -> dict[str, str]:
        """One CSV text per table (for spreadsheets; the JSON export is the one to import)."""
        tables = self.tables()
        files: dict[str, str] = {}
        for table in journal_dump.TABLES:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            columns = [c.name for c in table.columns if c.name != "journal_id"]
            writer.writerow(columns)
            for row in tables[table.name]:
                writer.writerow(["" if row[c] is None else _csv_value(row[c]) for c in columns])
            files[f"{table.name}.csv"] = buffer.getvalue()
            progress(len(tables[table.name]))
        return files

    # -- import ------------------------------------------------------------------------------
    @staticmethod
    def record_count(document: Mapping[str, Any]) -> int:
        return sum(
            len(document.get(key) or [])
            for key in ("products", "entries", "actions", "assessments", "alerts", "plans")
        ) + (1 if document.get("profile") else 0)

    def import_document(
        self, document: Any, *, dry_run: bool = False, progress: Progress = _no_progress
    ) -> ImportReport:
        """Import an export document (checked in full first); see the module docstring.

        A refused file raises ``ImportRefused`` (every refusal in it), except in a dry run,
        whose report lists the refusals instead."""
        try:
            incoming = tables_from_document(document, now=self.ctx.now())
        except ImportRefused as exc:
            if not dry_run:
                raise
            return ImportReport(dry_run=True, refusals=exc.refusals)
        report = ImportReport(dry_run=dry_run)
        with self.ctx.database.read() as conn:
            existing = journal_dump.read_all(conn)
            # Ids are kept only where no other journal's rows can hold them.
            empty = journal_dump.is_empty(conn) and journal_count(conn) == 1
        if dry_run:
            with self.ctx.database.read() as conn:
                _Importer(_Writes(conn, None), incoming, existing, empty, report, progress).run()
            return report
        with self.ctx.database.batches() as batches:
            writes = _Writes(batches.conn, batches)
            if empty:
                batches.before_commit(journal_dump.sync_sequences)
            _Importer(writes, incoming, existing, empty, report, progress).run()
        return report


# A spreadsheet runs a cell that begins with one of these as a formula (=HYPERLINK(...) can
# leak data, =cmd|... can run a program): OWASP's CSV injection rule.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it but never runs it: a leading apostrophe is added to
    a cell that begins with a formula character (OWASP); any other text is unchanged."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)  # a number is a number, even when negative
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return neutralise_cell(str(value))


class _Writes:
    """Where the importer writes: the batches of a real import, or nowhere (a dry run, whose
    new ids are negative stand-ins so references still resolve)."""

    def __init__(self, conn: Connection, batches: Batches | None) -> None:
        self.conn = conn
        self.batches = batches
        self._stand_in = 0

    def row(self, table: Any, values: dict[str, Any], *, keep_id: bool) -> int | None:
        if self.batches is None:
            self._stand_in -= 1
            return self._stand_in
        conn = self.batches.begin()
        if keep_id and "id" in values and self._taken(table, values["id"]):
            values = {k: v for k, v in values.items() if k != "id"}  # another writer took it
        return journal_dump.insert_row(conn, table, values)

    def rows(self, table: Any, rows: list[dict[str, Any]]) -> None:
        if self.batches is not None:
            journal_dump.insert_rows(self.batches.begin(), table, rows)

    def _taken(self, table: Any, row_id: int) -> bool:
        mine = table.c.journal_id == journal_of(self.conn)
        return (
            self.conn.execute(select(table.c.id).where(mine, table.c.id == row_id)).first()
            is not None
        )

    def record_done(self) -> None:
        if self.batches is not None:
            self.batches.due()

    def pause(self) -> None:
        """Before matching work: commit what is written, so the lock is not held meanwhile."""
        if self.batches is not None:
            self.batches.pause()


class _Importer:
    def __init__(
        self,
        writes: _Writes,
        incoming: dict[str, list[dict[str, Any]]],
        existing: dict[str, list[dict[str, Any]]],
        empty: bool,
        report: ImportReport,
        progress: Progress,
    ) -> None:
        self.writes = writes
        self.incoming = incoming
        self.report = report
        self.existing = existing
        self.keep_ids = empty
        report.kept_ids = self.keep_ids
        self.product_ids: dict[int, int] = {}
        self.entry_ids: dict[int, int] = {}
        self.entry_keys: dict[int, str] = {}
        self.progress = self._progress_and_batches(progress)

    def _progress_and_batches(self, progress: Progress) -> Progress:
        def done(count: int) -> None:
            progress(count)
            self.writes.record_done()  # a record is whole: a batch may end here

        return done

    def _insert(self, table: Any, row: dict[str, Any]) -> int:
        values = dict(row)
        if not self.keep_ids:
            values.pop("id", None)
        new_id = self.writes.row(table, values, keep_id=self.keep_ids)
        assert new_id is not None
        return new_id

    def run(self) -> None:
        self.profile()
        self.products()
        self.entries()
        self.actions()
        self.assessments()
        self.alerts()
        self.plans()

    def profile(self) -> None:
        kind = self.report.kind("profile")
        for row in self.incoming["profile"]:
            ours = self.existing["profile"]
            if not ours:
                values = row if self.keep_ids else {k: v for k, v in row.items() if k != "id"}
                self.writes.row(t.profile, values, keep_id=False)
                kind.added += 1
            else:
                diff = _differences(row, ours[0], {"id"})
                if diff:
                    kind.conflicts.append(f"profile differs in {', '.join(diff)}; kept yours")
                else:
                    kind.skipped += 1
            self.progress(1)

    def products(self) -> None:
        self.writes.pause()
        kind = self.report.kind("products")
        ours = {row["name_key"]: row for row in self.existing["products"]}
        for row in self.incoming["products"]:
            found = ours.get(row["name_key"])
            if found is None:
                self.product_ids[row["id"]] = self._insert(t.products, row)
                kind.added += 1
            else:
                self.product_ids[row["id"]] = found["id"]
                diff = _differences(row, found, {"id"})
                if diff:
                    kind.conflicts.append(
                        f"product {row['name']!r} differs in {', '.join(diff)}; kept yours"
                    )
                else:
                    kind.skipped += 1
            self.progress(1)

    def entries(self) -> None:
        self.writes.pause()
        kind = self.report.kind("entries")
        ours = _entry_keys(self.existing)
        ours_by_uuid = {r["entry"]["uuid"]: (k, r) for k, r in ours.items()}
        theirs = _entry_keys(self.incoming)
        for their_key, record in theirs.items():
            entry, part = record["entry"], record["part"]
            key = their_key
            if entry["uuid"] in ours_by_uuid:  # the same entry, whatever its copy says now
                key = ours_by_uuid[entry["uuid"]][0]
            part_table = KIND_PARTS[entry["kind"]][1]
            mapped_part = dict(part)
            if "product_id" in mapped_part and mapped_part["product_id"] is not None:
                mapped_part["product_id"] = self.product_ids[mapped_part["product_id"]]
            found = ours.get(key)
            if found is None:
                new_id = self._insert(t.entries, {**entry, "uuid": entry["uuid"] or _new_uuid()})
                self.writes.rows(part_table, [{**mapped_part, "entry_id": new_id}])
                kind.added += 1
            else:
                new_id = found["entry"]["id"]
                diff = _differences(entry, found["entry"], {"id", "uuid"})
                diff += [
                    f"{entry['kind']}.{d}"
                    for d in _differences(mapped_part, found["part"], {"entry_id"})
                ]
                if diff:
                    kind.conflicts.append(
                        f"{entry['kind']} at {entry['at'].isoformat()} differs in "
                        f"{', '.join(diff)}; kept yours"
                    )
                else:
                    kind.skipped += 1
            self.entry_ids[entry["id"]] = new_id
            self.entry_keys[entry["id"]] = key
            self.progress(1)

    def actions(self) -> None:
        self.writes.pause()
        kind = self.report.kind("actions")
        our_entry_keys = {v["entry"]["id"]: k for k, v in _entry_keys(self.existing).items()}

        def identities(rows: list[dict[str, Any]], keys: Mapping[int, str]) -> list[str]:
            return _occurrences(
                [f"{r['action']}|{keys[r['entry_id']]}|{r['at'].isoformat()}" for r in rows]
            )

        ours = dict(
            zip(
                identities(self.existing["actions"], our_entry_keys),
                self.existing["actions"],
                strict=True,
            )
        )
        for key, row in zip(
            identities(self.incoming["actions"], self.entry_keys),
            self.incoming["actions"],
            strict=True,
        ):
            found = ours.get(key)
            if found is None:
                self._insert(t.actions, {**row, "entry_id": self.entry_ids[row["entry_id"]]})
                kind.added += 1
            elif found["undone"] != row["undone"]:
                kind.conflicts.append(
                    f"{row['action']} action at {row['at'].isoformat()} differs in undone; "
                    "kept yours"
                )
            else:
                kind.skipped += 1
            self.progress(1)

    def assessments(self) -> None:
        self.writes.pause()
        kind = self.report.kind("assessments")
        ours = _assessment_keys(self.existing)
        for key, record in _assessment_keys(self.incoming).items():
            row = record["row"]
            found = ours.get(key)
            if found is None:
                new_id = self._insert(t.assessments, row)
                self.writes.rows(
                    t.assessment_items,
                    [{**item, "assessment_id": new_id} for item in record["items"]],
                )
                kind.added += 1
            else:
                diff = _differences(row, found["row"], {"id"})
                if diff:
                    kind.conflicts.append(
                        f"{row['instrument_id']} check-in at {row['at'].isoformat()} differs "
                        f"in {', '.join(diff)}; kept yours"
                    )
                else:
                    kind.skipped += 1
            self.progress(1)

    def alerts(self) -> None:
        self.writes.pause()
        kind = self.report.kind("alerts")
        ours = {row["key"]: row for row in self.existing["alerts"]}
        for row in self.incoming["alerts"]:
            mapped = {
                **row,
                "entry_ids": json.dumps([self.entry_ids[i] for i in json.loads(row["entry_ids"])]),
            }
            found = ours.get(row["key"])
            if found is None:
                self._insert(t.alerts, mapped)
                kind.added += 1
            else:
                diff = _differences(mapped, found, {"id"})
                if diff:
                    kind.conflicts.append(
                        f"alert {row['key']} differs in {', '.join(diff)}; kept yours"
                    )
                else:
                    kind.skipped += 1
            self.progress(1)

    def plans(self) -> None:
        self.writes.pause()
        kind = self.report.kind("plans")
        ours = _plan_keys(self.existing)
        active_here = any(p["status"] == "active" for p in self.existing["plans"])
        for key, record in _plan_keys(self.incoming).items():
            row = record["row"]
            found = ours.get(key)
            if found is not None:
                diff = _differences(row, found["row"], {"id"})
                if _parts(record) != _parts(found):
                    diff.append("steps or events")
                if diff:
                    kind.conflicts.append(
                        f"{row['kind']} plan created {row['created_at'].isoformat()} differs in "
                        f"{', '.join(diff)}; kept yours"
                    )
                else:
                    kind.skipped += 1
            elif row["status"] == "active" and active_here:
                kind.conflicts.append(
                    f"{row['kind']} plan created {row['created_at'].isoformat()} is active, and "
                    "this journal already has an active plan; not added"
                )
            else:
                new_id = self._insert(t.plans, row)
                self.writes.rows(t.plan_steps, [{**s, "plan_id": new_id} for s in record["steps"]])
                for event in record["events"]:
                    self._insert(t.plan_events, {**event, "plan_id": new_id})
                active_here = active_here or row["status"] == "active"
                kind.added += 1
            self.progress(1)


def _new_uuid() -> str:
    return str(uuid.uuid4())


def _plan_keys(tables: Mapping[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    steps: dict[int, list[dict[str, Any]]] = {}
    for step in tables["plan_steps"]:
        steps.setdefault(step["plan_id"], []).append(step)
    events: dict[int, list[dict[str, Any]]] = {}
    for event in tables["plan_events"]:
        events.setdefault(event["plan_id"], []).append(event)
    rows = tables["plans"]
    identities = [f"{r['kind']}|{r['strategy']}|{r['created_at'].isoformat()}" for r in rows]
    return {
        key: {"row": row, "steps": steps.get(row["id"], []), "events": events.get(row["id"], [])}
        for key, row in zip(_occurrences(identities), rows, strict=True)
    }


def _parts(record: Mapping[str, Any]) -> tuple[list[Any], list[Any]]:
    """A plan's steps and events without the ids that differ between journals."""
    steps = sorted(
        (tuple((k, v) for k, v in sorted(s.items()) if k != "plan_id") for s in record["steps"]),
        key=str,
    )
    events = [
        tuple((k, v) for k, v in sorted(e.items()) if k not in ("id", "plan_id"))
        for e in sorted(record["events"], key=lambda e: e["id"])
    ]
    return list(steps), events
