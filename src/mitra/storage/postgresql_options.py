"""PostgreSQL's table and index options, known to SQLAlchemy without importing its dialect.

The schema gives PostgreSQL-only options (``postgresql_where=`` for a partial index). SQLAlchemy
checks each such option as the table is built, against the dialect's ``construct_arguments``,
and to read those it imports the whole PostgreSQL dialect with the modules of its four drivers:
about 20 ms on every command, SQLite or not. ``declare()`` hands SQLAlchemy the same
``construct_arguments`` before the tables are built, so the dialect is imported only when a
PostgreSQL database is actually used.

Invariant: the copy below is used only with the SQLAlchemy release it was copied from
(``COPIED_FROM``); with any other release ``declare()`` does nothing and SQLAlchemy imports the
dialect as before: slower, never wrong. tests/storage/test_postgresql_options.py checks the
copy against the real dialect, so upgrading SQLAlchemy fails that test until the copy and the
release are brought up to date together.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy
from sqlalchemy import schema
from sqlalchemy.sql.base import DialectKWArgConst, DialectKWArgs

COPIED_FROM = "2.1.9"


def construct_arguments() -> dict[Any, dict[str, Any]]:
    """``PGDialect.construct_arguments`` of SQLAlchemy ``COPIED_FROM``, as SQLAlchemy keeps it."""
    return {
        schema.Index: {
            "using": False,
            "include": None,
            "where": None,
            "ops": {},
            "concurrently": False,
            "with": {},
            "tablespace": None,
            "nulls_not_distinct": None,
            "invalid": DialectKWArgConst.REFLECTED_ONLY,
        },
        schema.Table: {
            "ignore_search_path": False,
            "tablespace": None,
            "partition_by": None,
            "with_oids": None,
            "with": None,
            "on_commit": None,
            "inherits": None,
            "using": None,
        },
        schema.CheckConstraint: {"not_valid": False},
        schema.ForeignKeyConstraint: {"not_valid": False},
        schema.PrimaryKeyConstraint: {"include": None},
        schema.UniqueConstraint: {"include": None, "nulls_not_distinct": None},
        schema.CreateView: {"with": None},
    }


def declare() -> None:
    """Tell SQLAlchemy PostgreSQL's options, unless it already knows them or is another release."""
    if sqlalchemy.__version__ != COPIED_FROM:
        return
    # SQLAlchemy's own cache of each dialect's construct_arguments, filled on first use.
    registry: dict[str, Any] = DialectKWArgs._kw_registry
    if "postgresql" not in registry:
        registry["postgresql"] = construct_arguments()
