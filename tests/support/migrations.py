"""Take a test database back to an earlier schema revision (Alembic downgrade), so a
migration's upgrade can be tested from the revision before it."""

from __future__ import annotations

from pathlib import Path

import mitra.storage.database as db_module
from mitra.storage.database import Database


def downgrade(database: Database, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(db_module.__file__).parent / "migrations"))
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
