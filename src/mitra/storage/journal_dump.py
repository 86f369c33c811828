"""Every row of the journal's tables, read and written as plain dicts (for export and import).

Unlike the record stores, this module sees the tables as they are, column by column, so an
export can be lossless (deleted marks, acknowledgements, the action log, raw texts) and an
import can write exactly what was exported.

Invariants: rows are read in primary-key order; writes happen inside the caller's transaction
(nothing here commits); after rows are written with their own ids, ``sync_sequences`` brings
PostgreSQL's id sequences past them (never back), so the next ordinary insert cannot collide.

Scope: only the rows of the journal the connection is scoped to (``journal_of``) are read,
counted or written. ``journal_id`` itself is not part of a row here: it is where the rows
are, not what they say, so an export of one journal imports into another unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, func, insert, select, text

from mitra.storage import schema as t
from mitra.storage.journal_scope import journal_of

# The tables an export holds, parents before children (the order rows can be inserted in).
TABLES: tuple[Table, ...] = (
    t.profile,
    t.products,
    t.entries,
    t.doses,
    t.substance_uses,
    t.symptom_reports,
    t.actions,
    t.assessments,
    t.assessment_items,
    t.alerts,
    t.plans,
    t.plan_steps,
    t.plan_events,
)
# Tables whose ``id`` is a surrogate key assigned by the database.
ID_TABLES: tuple[Table, ...] = (
    t.products,
    t.entries,
    t.actions,
    t.assessments,
    t.alerts,
    t.plans,
    t.plan_events,
)


def read_table(
    conn: Connection, table: Table, *, where: ColumnElement[bool] | None = None
) -> list[dict[str, Any]]:
    """The journal's rows of ``table`` (only those matching ``where``, when given)."""
    order = list(table.primary_key.columns)
    columns = [c for c in table.columns if c.name != "journal_id"]
    query = select(*columns).where(table.c.journal_id == journal_of(conn)).order_by(*order)
    if where is not None:
        query = query.where(where)
    return [dict(row._mapping) for row in conn.execute(query)]


def read_all(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows, keyed by table name."""
    return {table.name: read_table(conn, table) for table in TABLES}


def count_rows(conn: Connection, table: Table) -> int:
    mine = table.c.journal_id == journal_of(conn)
    return int(conn.execute(select(func.count()).select_from(table).where(mine)).scalar_one())


def is_empty(conn: Connection) -> bool:
    """True when the journal holds no records at all (the profile aside)."""
    return all(count_rows(conn, table) == 0 for table in ID_TABLES)


def insert_row(conn: Connection, table: Table, row: dict[str, Any]) -> int | None:
    """Insert one row into the connection's journal; return its id when the table has a
    surrogate ``id``."""
    values = {**row, "journal_id": journal_of(conn)}
    if "id" in table.c and table in ID_TABLES:
        return int(conn.execute(insert(table).values(**values).returning(table.c.id)).scalar_one())
    conn.execute(insert(table).values(**values))
    return None


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        journal_id = journal_of(conn)
        conn.execute(insert(table), [{**row, "journal_id": journal_id} for row in rows])


def sync_sequences(conn: Connection) -> None:
    """After rows were written with explicit ids, move PostgreSQL's sequences past them
    (the journal's own rows; a sequence is only ever moved forward, so other journals' ids
    stay behind it too)."""
    if conn.dialect.name != "postgresql":
        return  # SQLite picks max(id) + 1 by itself
    journal_id = journal_of(conn)
    for table in ID_TABLES:
        sequence = f"pg_get_serial_sequence('{table.name}', 'id')"
        conn.execute(
            text(
                f"SELECT setval({sequence}, GREATEST(COALESCE((SELECT MAX(id) FROM "
                f"{table.name} WHERE {table.name}.journal_id = :journal_id), 0) + 1, "
                f"nextval({sequence})), "
                "false)"
            ),
            {"journal_id": journal_id},
        )
