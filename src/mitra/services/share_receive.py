"""The clinic server's side of ``mitra share push``: a batch of a local journal's entries,
received into the person's journal on the server and judged there by the same engine.

A batch is an export document (format "mitra-export", version 1) holding entries only, each
with its uuid; it is checked in full by the export reader first (one refused record and
nothing is written). Then, in one transaction, each entry is matched by uuid:

- not here and not deleted: added (its log action recorded) and judged, as logging judges a
  new entry (the plan check too, for a dose while a plan is active);
- not here and deleted: nothing to do (it never reached the server);
- here, and its deletion mark differs: deleted or restored, as ``delete`` and ``undo`` do,
  with the same re-judging;
- here and the same: unchanged.

So a batch sent twice, or a push run again after an interruption, changes nothing the second
time: an entry is never doubled, and a deletion travels as a deletion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mitra.domain.entries import DoseEntry
from mitra.domain.errors import InputError
from mitra.services.context import AppContext
from mitra.services.export_format import KIND_PARTS, ImportRefused, tables_from_document
from mitra.services.journal import judge_dose_against_plan, rejudge_deleted
from mitra.services.safety import judge_entry
from mitra.services.safety_rejudge import has_active_plan
from mitra.storage import journal_dump, push_store, write_audit
from mitra.storage import schema as t
from mitra.storage.journal_store import JournalStore

MAX_BATCH = 500
_PART_TABLE = {kind: table for kind, (_, table) in KIND_PARTS.items()}
_OTHER_KINDS = ("products", "actions", "assessments", "alerts", "plans")


@dataclass(frozen=True, slots=True)
class Received:
    added: int
    deleted: int
    restored: int
    unchanged: int


def receive(ctx: AppContext, document: Any) -> Received:
    """Take one pushed batch into ``ctx``'s journal (see the module docstring)."""
    if not isinstance(document, dict):
        raise InputError("a push is an export document (a JSON object)", field="entries")
    entries = document.get("entries")
    if not isinstance(entries, list) or len(entries) > MAX_BATCH:
        raise InputError(f"a push carries a list of 1 to {MAX_BATCH} entries", field="entries")
    if document.get("profile") is not None or any(document.get(k) for k in _OTHER_KINDS):
        raise InputError("a push carries entries only", field="entries")
    try:
        tables = tables_from_document(document, now=ctx.now())
    except ImportRefused as exc:
        first = exc.refusals[0]
        count = len(exc.refusals)
        raise InputError(
            f"{count} pushed record{'s' if count != 1 else ''} refused, nothing was written; "
            f"{first}",
            field="entries",
        ) from None
    rows = tables["entries"]
    if any(row["uuid"] is None for row in rows):
        raise InputError("every pushed entry needs its uuid", field="entries")
    parts = {row["entry_id"]: row for table in _PART_TABLE.values() for row in tables[table.name]}
    added = deleted = restored = unchanged = 0
    with ctx.database.transaction() as conn:
        store = JournalStore(conn)
        profile = store.get_profile(ctx.default_timezone)
        known = push_store.states_by_uuid(conn, [row["uuid"] for row in rows])
        plan_active = has_active_plan(conn)
        now = ctx.now()
        for row in rows:
            gone = row["deleted_at"] is not None
            here = known.get(row["uuid"])
            if here is None and gone:
                unchanged += 1
                continue
            if here is None:
                part = parts[row["id"]]
                values = {k: v for k, v in row.items() if k != "id"}
                entry_id = journal_dump.insert_row(conn, t.entries, values)
                assert entry_id is not None
                table = _PART_TABLE[row["kind"]]
                journal_dump.insert_row(conn, table, {**part, "entry_id": entry_id})
                write_audit.created("entry", entry_id)
                store.record_action("log", entry_id, now)
                found = store.get_entry(entry_id)
                assert found is not None
                entry = found[0]
                judge_entry(conn, ctx, entry, profile, plan_active=plan_active)
                if plan_active and isinstance(entry, DoseEntry):
                    judge_dose_against_plan(conn, ctx, entry, profile)
                known[row["uuid"]] = (entry_id, False)
                added += 1
                continue
            entry_id, was_gone = here
            if gone == was_gone:
                unchanged += 1
                continue
            found = store.get_entry(entry_id)
            assert found is not None
            store.set_deleted(entry_id, row["deleted_at"] if gone else None)
            store.record_action("delete" if gone else "undo-delete", entry_id, now)
            if gone:
                rejudge_deleted(conn, ctx, found[0], store)
                deleted += 1
            else:
                judge_entry(conn, ctx, found[0], profile)
                restored += 1
    return Received(added, deleted, restored, unchanged)
