"""The OpenAPI document is valid and tells the server's real limits, and generated requests
pass every schemathesis check (no 5xx, and every conformance check: status codes, content
types, response schemas, headers, negative data refused, positive data accepted).

One setting is ours: schema-valid data may also be answered 422 (or 404/409), because the
services judge meaning a schema cannot say ("3 furlongs" is a valid string, not an amount);
every such answer is still checked against the documented error shape.

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
MEANING_REFUSALS = ["2xx", "404", "409", "422"]  # see the module docstring
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


def test_the_document_tells_the_real_limits_and_errors(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    dose = document["components"]["schemas"]["DoseIn"]["properties"]
    note = next(o for o in dose["note"]["anyOf"] if o.get("type") == "string")
    assert note["maxLength"] == 2000  # what the server keeps, not a larger cap
    assert "pattern" in note and "pattern" in dose["amount"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "delete"):
                assert {"400", "409", "422"} <= set(operation["responses"]), (method, path)


def test_generated_requests_pass_every_conformance_check(tmp_path: Path) -> None:
    from schemathesis.config._checks import PositiveDataAcceptanceConfig

    ctx = AppContext(
        open_database(f"sqlite:///{tmp_path / 'journal.sqlite3'}"), clock=lambda: FIXED_NOW
    )
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(ctx), headers=HOST)
    schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
        expected_statuses=MEANING_REFUSALS
    )
    failures: list[str] = []
    cases = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for strategy in [*operation.get_strategies_from_examples(), operation.as_strategy()]:

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def every_check(case: Any) -> None:
                nonlocal cases
                cases += 1
                response = case.call(headers=HOST)
                try:
                    case.validate_response(response)  # every built-in check
                except Exception as exc:  # collected, so one run shows them all
                    failures.append(f"{case.operation.label}: {str(exc).splitlines()[:3]}")

            every_check()
    ctx.database.dispose()
    assert cases > 300
    assert failures == []
