"""The PostgreSQL options mitra declares up front are the dialect's own, so declaring them
changes nothing but when the dialect is imported."""

from __future__ import annotations

import sqlalchemy
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlalchemy.sql.base import DialectKWArgs

from mitra.storage import postgresql_options
from mitra.storage import schema as t


def test_the_copy_is_the_installed_dialects_construct_arguments() -> None:
    # Upgrading SQLAlchemy fails here: update the copy and COPIED_FROM together.
    assert sqlalchemy.__version__ == postgresql_options.COPIED_FROM
    real = dict(postgresql.dialect.construct_arguments or [])
    assert postgresql_options.construct_arguments() == real
    assert DialectKWArgs._kw_registry["postgresql"] == real


def test_the_partial_index_still_compiles_for_postgresql() -> None:
    index = next(i for i in t.plans.indexes if i.name == "uq_plans_one_active")
    ddl = str(CreateIndex(index).compile(dialect=postgresql.dialect()))
    assert "WHERE status = 'active'" in ddl
    for table in t.metadata.sorted_tables:
        assert table.name in str(CreateTable(table).compile(dialect=postgresql.dialect()))
        for each in table.indexes:
            assert each.name is not None
            assert str(each.name) in str(CreateIndex(each).compile(dialect=postgresql.dialect()))
