"""A new database made at once (``create_at_head``) has exactly the schema the migrations
build step by step, on SQLite and PostgreSQL: columns, types, nullability, keys, foreign keys,
CHECK constraints, indexes (partial ones with their conditions) and the local journal 1.

Alembic's own comparison (tests/storage/test_assessments.py) does not see CHECK constraints
or index conditions, so this compares what each database says of itself."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, text

from mitra.storage.database import HEAD_REVISION, Database, migrate, open_database
from tests.support.pg_cluster import create_database


def _sqlite_schema(conn: Connection) -> dict[str, Any]:
    found: dict[str, Any] = {}
    tables = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).all()
    for name, sql in tables:
        columns = {
            (row[1], row[2].upper(), bool(row[3]), row[5])
            for row in conn.exec_driver_sql(f'PRAGMA table_info("{name}")')
        }
        foreign = {
            (row[2], row[3], row[4])
            for row in conn.exec_driver_sql(f'PRAGMA foreign_key_list("{name}")')
        }
        checks = {re.sub(r"\s+", " ", c) for c in re.findall(r"CHECK \((.*?)\)(?:,|\s*\))", sql)}
        indexes = set()
        for row in conn.exec_driver_sql(f'PRAGMA index_list("{name}")'):
            index = row[1]
            cols = tuple(r[2] for r in conn.exec_driver_sql(f'PRAGMA index_info("{index}")'))
            where = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (index,)
            ).scalar()
            condition = (
                re.sub(r"\s+", " ", where.split(" WHERE ", 1)[1]).strip()
                if where and " WHERE " in where
                else None
            )
            # Autoindexes (UNIQUE constraints) have SQLite's own names: compare by content.
            label = None if index.startswith("sqlite_autoindex") else index
            indexes.add((label, bool(row[2]), cols, condition))
        found[name] = {"columns": columns, "foreign": foreign, "checks": checks, "indexes": indexes}
    return found


def _postgresql_schema(conn: Connection) -> dict[str, Any]:
    columns = {
        tuple(row)
        for row in conn.execute(
            text(
                "SELECT table_name, column_name, data_type, is_nullable, column_default "
                "FROM information_schema.columns WHERE table_schema = 'public'"
            )
        )
    }
    constraints = {
        tuple(row)
        for row in conn.execute(
            text(
                "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
                "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = "
                "c.relnamespace WHERE n.nspname = 'public'"
            )
        )
    }
    indexes = {
        tuple(row)
        for row in conn.execute(
            text(
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            )
        )
    }
    return {"columns": columns, "constraints": constraints, "indexes": indexes}


def _describe(url: str) -> tuple[dict[str, Any], list[Any], str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            schema = (
                _sqlite_schema(conn)
                if engine.dialect.name == "sqlite"
                else _postgresql_schema(conn)
            )
            journals = [tuple(r) for r in conn.execute(text("SELECT id FROM journals"))]
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()
    return schema, journals, str(version)


@pytest.fixture(params=["sqlite", "postgresql"])
def two_urls(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "sqlite":
        return (
            f"sqlite:///{tmp_path / 'made.sqlite3'}",
            f"sqlite:///{tmp_path / 'migrated.sqlite3'}",
        )
    base = request.getfixturevalue("pg_base_url")
    made, migrated = (
        create_database(base, f"fresh_{name}_{tmp_path.name}"[:60]) for name in ("made", "migrated")
    )
    return tuple(u.replace("postgresql://", "postgresql+psycopg://") for u in (made, migrated))  # type: ignore[return-value]


def test_a_new_database_made_at_once_has_the_migrated_schema(two_urls: tuple[str, str]) -> None:
    made_url, migrated_url = two_urls
    open_database(made_url).dispose()  # new and empty: made at once
    engine = create_engine(migrated_url)
    if engine.dialect.name == "sqlite":
        from mitra.storage.database import _sqlite_setup

        _sqlite_setup(engine)
    migrate(Database(url=migrated_url, engine=engine))  # every migration, one after another
    engine.dispose()
    made, migrated = _describe(made_url), _describe(migrated_url)
    assert made[2] == migrated[2] == HEAD_REVISION
    assert made[1] == migrated[1] == [(1,)]  # the local journal
    assert made[0].keys() == migrated[0].keys()
    for part in made[0]:
        assert made[0][part] == migrated[0][part], part


def test_a_database_with_tables_is_migrated_not_made_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    migrate(Database(url=url, engine=engine), "0001")
    engine.dispose()
    open_database(url).dispose()
    schema, journals, version = _describe(url)
    assert version == HEAD_REVISION and journals == [(1,)]
    assert "journal_id" in {column[0] for column in schema["entries"]["columns"]}
