"""A built journal and its report data, shared by the report tests (SQLite: the reports read
through the same services on both backends, which the service tests cover)."""

from __future__ import annotations

import pytest

from mitra.services.context import AppContext
from mitra.services.report_data import ReportData, ReportDataService
from tests.support.journal import Built, build_journal


@pytest.fixture
def built(sqlite_ctx: AppContext) -> Built:
    return build_journal(sqlite_ctx)


@pytest.fixture
def report_data(sqlite_ctx: AppContext, built: Built) -> ReportData:
    return ReportDataService(sqlite_ctx).gather(all_time=True)
