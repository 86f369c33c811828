"""The clinic app as one of several worker processes (``mitra clinic serve --workers N``).

uvicorn starts each worker as a fresh process that imports ``app`` by name and calls it, so
what the command was given travels in one environment variable (``WORKER_ENV``, JSON of
``WorkerConfig``) that the command sets and the workers inherit. Each worker opens its own
connection pool to the same primary (and replica); the schema is already at head, since the
command opened the database once before starting them. Nothing else is shared between
workers, and nothing needs to be: sessions, lockouts, tokens, idempotency keys and the audit
chain are rows in the database (see docs/clinic.md, "Scaling on PostgreSQL").
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

from fastapi import FastAPI

WORKER_ENV = "MITRA_CLINIC_WORKER"


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    db_url: str
    replica_url: str | None
    replica_max_lag: float
    allowed_hosts: tuple[str, ...]
    bound_host: str
    secure_cookies: bool

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls, text: str) -> WorkerConfig:
        values = json.loads(text)
        values["allowed_hosts"] = tuple(values["allowed_hosts"])
        return cls(**values)


def app() -> FastAPI:
    """One worker's app, from the command's ``WorkerConfig`` in the environment."""
    from mitra.services.context import AppContext, default_clock  # noqa: PLC0415
    from mitra.storage.database import open_database, with_replica  # noqa: PLC0415
    from mitra.web.app import WebSettings  # noqa: PLC0415
    from mitra.web.clinic_mode import create_clinic_app  # noqa: PLC0415

    config = WorkerConfig.from_env(os.environ[WORKER_ENV])
    database = open_database(config.db_url)
    if config.replica_url:
        database = with_replica(
            database, config.replica_url, max_lag_seconds=config.replica_max_lag
        )
    base = AppContext(database, clock=default_clock())
    settings = WebSettings(allowed_hosts=config.allowed_hosts, bound_host=config.bound_host)
    return create_clinic_app(base, secure_cookies=config.secure_cookies, settings=settings)
