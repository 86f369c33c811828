"""Generated requests over the clinic API, with a person's token and with a clinician's,
never cause a server error (schemathesis, as tests/web/test_openapi.py runs it); the document
names the bearer scheme and the 401/403 answers, and lists the people routes."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate

from tests.clinic_web.conftest import Clinic

EXAMPLES_PER_OPERATION = 10
HOST = {"host": "127.0.0.1"}


def test_the_clinic_document_is_valid_and_names_bearer_tokens(clinic: Clinic) -> None:
    document = clinic.client().get("/api/v1/openapi.json").json()
    validate(document)
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert {"/api/v1/people", "/api/v1/people/{journal_id}/entries"} <= set(document["paths"])
    for operations in document["paths"].values():
        for operation in operations.values():
            assert {"401", "403"} <= set(operation["responses"])


def _no_server_error(strategy: Any, headers: dict[str, str]) -> None:
    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=[schemathesis.checks.not_a_server_error])

    check()


def test_generated_requests_with_a_token_never_cause_a_server_error(clinic: Clinic) -> None:
    checked = []
    for who in ("owner", "clin_read"):
        headers = {**HOST, "authorization": f"Bearer {clinic.token(who)}"}
        schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", clinic.app, headers=headers)
        for result in schema.get_all_operations():
            operation = result.ok()
            for strategy in [*operation.get_strategies_from_examples(), operation.as_strategy()]:
                _no_server_error(strategy, headers)
            checked.append((who, operation.label))
    assert len(checked) >= 2 * 20, checked
