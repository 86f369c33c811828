"""The OpenAPI document is valid, and generated requests never make the API fail (no 5xx).

The generated run uses schemathesis as a library (its strategies and checks) under plain
Hypothesis, bounded per operation: its lazy pytest fixture loader does not work with the
installed pytest 9.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate

from mitra.services.context import AppContext
from mitra.storage.database import open_database
from mitra.web.app import create_app
from tests.conftest import FIXED_NOW

EXAMPLES_PER_OPERATION = 25
HOST = {"host": "127.0.0.1"}  # the app answers loopback host names only


def test_the_openapi_document_is_valid_and_covers_the_api(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    validate(document)
    paths = set(document["paths"])
    assert {
        "/api/v1/entries",
        "/api/v1/entries/doses",
        "/api/v1/entries/substances",
        "/api/v1/entries/symptoms",
        "/api/v1/entries/{entry_id}",
        "/api/v1/undo",
        "/api/v1/products",
        "/api/v1/profile",
        "/api/v1/catalogues/symptoms",
        "/api/v1/catalogues/substances",
        "/api/v1/catalogues/forms",
        "/api/v1/instruments",
        "/api/v1/instruments/{instrument_id}",
        "/api/v1/checkins",
        "/api/v1/scores",
    } <= paths
    assert all(p.startswith("/api/v1/") for p in paths), "pages are not part of the API"


def test_generated_requests_never_cause_a_server_error(tmp_path: Path) -> None:
    # One database for every generated request: state builds up as it would in use.
    ctx = AppContext(
        open_database(f"sqlite:///{tmp_path / 'journal.sqlite3'}"), clock=lambda: FIXED_NOW
    )
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(ctx), headers=HOST)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        # The documented examples first (they pass the services' checks, so writes happen),
        # then generated requests (nearly all refused: they must be refused, never crash).
        strategies = [*operation.get_strategies_from_examples(), operation.as_strategy()]
        for strategy in strategies:

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def no_server_error(case: Any) -> None:
                response = case.call(headers=HOST)
                case.validate_response(response, checks=[schemathesis.checks.not_a_server_error])

            no_server_error()
        checked.append(operation.label)
    assert len(checked) >= 16, checked
    ctx.database.dispose()
