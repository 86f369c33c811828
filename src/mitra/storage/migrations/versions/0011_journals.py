"""Journals as tenants: every personal row carries ``journal_id``; entries get stable uuids.

Revision ID: 0011
Revises: 0010

* ``journals`` (id, uuid, created_at), with journal 1: the local single-user journal, which
  every existing row joins;
* ``journal_id INTEGER NOT NULL`` (foreign key to ``journals.id``) on every personal table:
  products, entries, doses, substance_uses, symptom_reports, profile, actions, assessments,
  assessment_items, alerts, plans, plan_steps, plan_events, idempotency_keys;
* ``entries.uuid``: a stable id (for sync and idempotency), a fresh uuid4 for every existing
  entry, unique within a journal;
* uniques per journal: products (journal_id, name_key), alerts (journal_id, key), one profile
  per journal, one active plan per journal (partial unique index on journal_id), and
  idempotency_keys' primary key (journal_id, key);
* every index begins with ``journal_id`` (names kept), so a journal's lookups stay searches;
  ``ix_alerts_open`` also ends with ``acknowledged_at`` (see ``storage.alert_store``).

SQLite cannot add a NOT NULL foreign-key column in place: each table gets the column empty,
then 1, then is rebuilt NOT NULL with its foreign key (Alembic batch mode; foreign keys are
switched off around the migration by ``database.migration_connection``). PostgreSQL alters
in place. The indexes of a table are dropped before its rebuild and made again after it (a
rebuild need not carry a partial index's condition over). Every row is kept.

Downgrading removes it all again, and is refused while the database holds more than one
journal (it would merge their rows).
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from alembic import op

from mitra.storage.journal_scope import local_journal_row
from mitra.storage.schema import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

LOCAL = 1
# Every personal table but idempotency_keys (whose primary key changes: copied below).
TABLES = (
    "products",
    "entries",
    "doses",
    "substance_uses",
    "symptom_reports",
    "profile",
    "actions",
    "assessments",
    "assessment_items",
    "alerts",
    "plans",
    "plan_steps",
    "plan_events",
)
# The columns 0001 declared ``unique=True``: unnamed on SQLite, ``<table>_<column>_key`` on
# PostgreSQL; the naming convention gives the SQLite ones that same name, so both drop alike.
OLD_UNIQUE = {"products": "name_key", "alerts": "key"}
NEW_UNIQUE = {
    "products": ("uq_products_name_key", ["journal_id", "name_key"]),
    "alerts": ("uq_alerts_key", ["journal_id", "key"]),
    "profile": ("uq_profile_journal", ["journal_id"]),
    "entries": ("uq_entries_uuid", ["journal_id", "uuid"]),
}
NAMING = {"uq": "%(table_name)s_%(column_0_name)s_key"}
DELETED = sa.text("deleted_at IS NOT NULL")
OPEN = sa.text("acknowledged_at IS NULL")
ACTIVE = sa.text("status = 'active'")
# (name, table, columns before, columns after, unique, partial condition)
INDEXES: tuple[tuple[str, str, list[str], list[str], bool, sa.TextClause | None], ...] = (
    ("ix_entries_at", "entries", ["at"], ["journal_id", "at"], False, None),
    ("ix_entries_kind_at", "entries", ["kind", "at"], ["journal_id", "kind", "at"], False, None),
    (
        "ix_entries_recorded_at",
        "entries",
        ["recorded_at"],
        ["journal_id", "recorded_at"],
        False,
        None,
    ),
    ("ix_entries_deleted", "entries", ["deleted_at"], ["journal_id", "deleted_at"], False, DELETED),
    (
        "ix_assessments_instrument_at",
        "assessments",
        ["instrument_id", "at"],
        ["journal_id", "instrument_id", "at"],
        False,
        None,
    ),
    ("ix_assessments_at", "assessments", ["at"], ["journal_id", "at"], False, None),
    ("ix_alerts_at", "alerts", ["at"], ["journal_id", "at"], False, None),
    (
        "ix_alerts_open",
        "alerts",
        ["severity", "at", "key"],
        ["journal_id", "severity", "at", "key", "acknowledged_at"],
        False,
        OPEN,
    ),
    ("uq_plans_one_active", "plans", ["status"], ["journal_id"], True, ACTIVE),
    (
        "ix_plan_events_plan",
        "plan_events",
        ["plan_id", "id"],
        ["journal_id", "plan_id", "id"],
        False,
        None,
    ),
)
# Copied as they are when idempotency_keys is rebuilt ("key" quoted: a keyword in SQL).
IDEMPOTENCY_COLUMNS = ", ".join(
    ('"key"', "fingerprint", "status", "response", "content_type", "location", "created_at")
)


def _idempotency_table(name: str, *, scoped: bool) -> list[sa.Column[object]]:
    columns: list[sa.Column[object]] = []
    if scoped:
        columns.append(
            sa.Column(
                "journal_id",
                sa.Integer,
                sa.ForeignKey("journals.id", name="fk_idempotency_keys_journal"),
                primary_key=True,
            )
        )
    columns += [
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("response", sa.Text),
        sa.Column("content_type", sa.String(100)),
        sa.Column("location", sa.Text),
        sa.Column("created_at", UTCDateTime, nullable=False),
    ]
    op.create_table(name, *columns)
    return columns


def _drop_indexes(table: str) -> None:
    for name, on, *_ in INDEXES:
        if on == table:
            op.drop_index(name, table_name=table)


def _create_indexes(table: str, *, after: bool) -> None:
    for name, on, before, now, unique, where in INDEXES:
        if on == table:
            op.create_index(
                name,
                table,
                now if after else before,
                unique=unique,
                sqlite_where=where,
                postgresql_where=where,
            )


def _batch(table: str) -> Any:
    """A batch that rebuilds the table on SQLite, naming its unnamed UNIQUE constraints as
    PostgreSQL does (reflection carries its CHECK constraints and foreign keys over)."""
    return op.batch_alter_table(table, naming_convention=NAMING)


def _name_primary_key(built_as: str) -> None:
    """PostgreSQL named the copied table's primary key after the table it was built as: give
    it the name a table made as ``idempotency_keys`` has (SQLite keeps no such name)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"ALTER TABLE idempotency_keys RENAME CONSTRAINT {built_as}_pkey "
            "TO idempotency_keys_pkey"
        )


def upgrade() -> None:
    op.create_table(
        "journals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    journals = sa.table(
        "journals",
        sa.column("id", sa.Integer),
        sa.column("uuid", sa.String),
        sa.column("created_at", UTCDateTime),
    )
    # A fresh uuid and the moment of this run (``local_journal_row``, the storage layer's one
    # reading of the wall clock: a fact of the file's making, not app logic).
    bind = op.get_bind()
    # No explicit id, so PostgreSQL's sequence is used (and moves past it): a new table's
    # first id is 1 on both backends.
    local = bind.execute(
        journals.insert().values(**local_journal_row()).returning(journals.c.id)
    ).scalar_one()
    if local != LOCAL:
        raise RuntimeError(f"the local journal was given id {local}, not {LOCAL}")
    for table in TABLES:
        _drop_indexes(table)
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("journal_id", sa.Integer, nullable=True))
            if table == "entries":
                batch.add_column(sa.Column("uuid", sa.String(36), nullable=True))
        rows = sa.table(table, sa.column("journal_id", sa.Integer))
        op.execute(rows.update().values(journal_id=LOCAL))
        if table == "entries":
            entries = sa.table("entries", sa.column("id", sa.Integer), sa.column("uuid", sa.String))
            ids = [row[0] for row in bind.execute(sa.select(entries.c.id))]
            if ids:
                bind.execute(
                    entries.update()
                    .where(entries.c.id == sa.bindparam("entry_id"))
                    .values(uuid=sa.bindparam("new_uuid")),
                    [{"entry_id": i, "new_uuid": str(uuid.uuid4())} for i in ids],
                )
        with _batch(table) as batch:
            batch.alter_column("journal_id", existing_type=sa.Integer, nullable=False)
            batch.create_foreign_key(f"fk_{table}_journal", "journals", ["journal_id"], ["id"])
            if table == "entries":
                batch.alter_column("uuid", existing_type=sa.String(36), nullable=False)
            if table in OLD_UNIQUE:
                column = OLD_UNIQUE[table]
                batch.drop_constraint(f"{table}_{column}_key", type_="unique")
            if table in NEW_UNIQUE:
                name, columns = NEW_UNIQUE[table]
                batch.create_unique_constraint(name, columns)
        _create_indexes(table, after=True)
    _idempotency_table("idempotency_keys_scoped", scoped=True)
    listed = IDEMPOTENCY_COLUMNS
    op.execute(
        f"INSERT INTO idempotency_keys_scoped (journal_id, {listed}) "
        f"SELECT {LOCAL}, {listed} FROM idempotency_keys"
    )
    op.drop_table("idempotency_keys")
    op.rename_table("idempotency_keys_scoped", "idempotency_keys")
    _name_primary_key("idempotency_keys_scoped")


def downgrade() -> None:
    bind = op.get_bind()
    count = bind.execute(sa.text("SELECT count(*) FROM journals")).scalar_one()
    if count > 1:
        raise RuntimeError(
            f"the database holds {count} journals; revision 0010 has room for one (nothing "
            "was changed)"
        )
    _idempotency_table("idempotency_keys_unscoped", scoped=False)
    listed = IDEMPOTENCY_COLUMNS
    op.execute(
        f"INSERT INTO idempotency_keys_unscoped ({listed}) SELECT {listed} FROM idempotency_keys"
    )
    op.drop_table("idempotency_keys")
    op.rename_table("idempotency_keys_unscoped", "idempotency_keys")
    _name_primary_key("idempotency_keys_unscoped")
    for table in reversed(TABLES):
        _drop_indexes(table)
        with _batch(table) as batch:
            if table in NEW_UNIQUE:
                batch.drop_constraint(NEW_UNIQUE[table][0], type_="unique")
            if table in OLD_UNIQUE:
                column = OLD_UNIQUE[table]
                batch.create_unique_constraint(f"{table}_{column}_key", [column])
            batch.drop_constraint(f"fk_{table}_journal", type_="foreignkey")
            batch.drop_column("journal_id")
            if table == "entries":
                batch.drop_column("uuid")
        _create_indexes(table, after=False)
    op.drop_table("journals")
