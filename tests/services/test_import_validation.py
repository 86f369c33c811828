"""Import judges every record's values as logging does, lists every refusal by record, writes
nothing when one is refused, and writes in short batches that a re-run can complete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from mitra.services.context import AppContext
from mitra.services.export_format import ImportRefused
from mitra.services.transfer import TransferService
from mitra.storage import schema as t
from tests.services.test_transfer import fresh_ctx, through_text
from tests.support.journal import build_journal

Change = Callable[[dict[str, Any]], None]


def _dose(document: dict[str, Any], index: int = 0) -> dict[str, Any]:
    doses = [e for e in document["entries"] if e["kind"] == "dose"]
    return doses[index]


def _items(document: dict[str, Any]) -> list[dict[str, Any]]:
    return document["assessments"][0]["items"]


# The findings of issue 13 (and neighbours): each change, and where the refusal points.
FINDINGS: list[tuple[str, Change, str]] = [
    ("negative dose", lambda d: _dose(d)["dose"].update(amount=-5.0), "dose.amount"),
    ("zero dose", lambda d: _dose(d)["dose"].update(amount=0.0), "dose.amount"),
    ("astronomic dose", lambda d: _dose(d)["dose"].update(amount=1e308), "dose.amount"),
    ("5 kg dose", lambda d: _dose(d)["dose"].update(amount=5000.0), "dose.amount"),
    ("unknown unit", lambda d: _dose(d)["dose"].update(unit="furlong"), "dose"),
    ("year 9999", lambda d: _dose(d).update(at="9999-01-01T00:00:00+00:00"), ".at"),
    ("year 1970", lambda d: _dose(d).update(at="1970-01-01T00:00:00+00:00"), ".at"),
    ("5 MB note", lambda d: _dose(d).update(note="x" * 5_000_000), ".note"),
    ("control characters", lambda d: _dose(d).update(note="a\x00b\x1bc"), ".note"),
    ("item score 500", lambda d: _items(d)[0].update(score=500), "items[0].score"),
    ("wrong total", lambda d: d["assessments"][0].update(total=99), ".total"),
    ("1e308 substance", lambda d: _substance(d).update(amount=1e308), "substance.amount"),
    ("infinite MME", lambda d: _substance(d).update(mme=1e309), "substance"),
    ("1e308 potency", lambda d: d["products"][0].update(mitragynine_high=1e308), "products[0]"),
    (
        "future check-in",
        lambda d: d["assessments"][0].update(at="2100-01-01T00:00:00+00:00"),
        "assessments[0].at",
    ),
]


def _substance(document: dict[str, Any]) -> dict[str, Any]:
    found = next(
        e for e in document["entries"] if e["kind"] == "substance" and e["substance"]["mme"]
    )
    return found["substance"]


@pytest.fixture
def exported() -> dict[str, Any]:
    with fresh_ctx() as other:
        build_journal(other)
        return through_text(TransferService(other).export_document())


@pytest.mark.parametrize(("name", "change", "where"), FINDINGS, ids=[f[0] for f in FINDINGS])
def test_an_implausible_record_is_refused_and_nothing_is_written(
    sqlite_ctx: AppContext, exported: dict[str, Any], name: str, change: Change, where: str
) -> None:
    change(exported)
    with pytest.raises(ImportRefused) as refused:
        TransferService(sqlite_ctx).import_document(exported)
    first, *consequences = refused.value.refusals
    assert where in first
    # Records about a refused entry (its log action, its alerts) say so, nothing else.
    assert all("refused above" in line for line in consequences), consequences
    assert all(not rows for rows in TransferService(sqlite_ctx).tables().values())


def test_a_dry_run_lists_every_refusal_by_record(
    sqlite_ctx: AppContext, exported: dict[str, Any]
) -> None:
    for _, change, _ in FINDINGS:
        change(exported)
    report = TransferService(sqlite_ctx).import_document(exported, dry_run=True)
    # Some findings hit the same record (the first dose, the first check-in): one line each.
    assert len(report.refusals) >= 8
    places = " ".join(report.refusals)
    for fragment in ("entries[", "assessments[0]", "products[0]"):
        assert fragment in places
    assert report.added == 0
    assert all(not rows for rows in TransferService(sqlite_ctx).tables().values())


def test_an_extract_estimate_is_recomputed_from_its_product(
    sqlite_ctx: AppContext, exported: dict[str, Any]
) -> None:
    extract = next(
        e for e in exported["entries"] if e["kind"] == "dose" and e["dose"]["amount"] == 1.0
    )
    honest = dict(extract["dose"])
    # A 1 g, 45% extract claiming next to no mitragynine: the file is not believed.
    extract["dose"].update(mitragynine_typical=0.01, mitragynine_low=0.01, mitragynine_high=0.01)
    TransferService(sqlite_ctx).import_document(exported)
    with sqlite_ctx.database.read() as conn:
        high = conn.execute(
            select(func.max(t.doses.c.mitragynine_high)).where(t.doses.c.amount == 1.0)
        ).scalar_one()
    assert high == honest["mitragynine_high"] and high > 100


def test_a_dry_run_writes_nothing_and_counts_what_it_would_add(
    sqlite_ctx: AppContext, exported: dict[str, Any]
) -> None:
    dry = TransferService(sqlite_ctx).import_document(exported, dry_run=True)
    assert dry.added > 0 and not dry.refusals
    assert all(not rows for rows in TransferService(sqlite_ctx).tables().values())
    real = TransferService(sqlite_ctx).import_document(exported)
    assert (real.added, real.skipped) == (dry.added, dry.skipped)


def test_an_interrupted_batched_import_completes_when_run_again(
    sqlite_ctx: AppContext, exported: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mitra.storage import database

    monkeypatch.setattr(database, "BATCH_SECONDS", 0.0)  # every record its own batch
    calls = {"n": 0}
    original = database.Batches.due

    def crash_after_ten(self: database.Batches) -> None:
        calls["n"] += 1
        if calls["n"] == 10:
            raise RuntimeError("the power went out")
        original(self)

    monkeypatch.setattr(database.Batches, "due", crash_after_ten)
    with pytest.raises(RuntimeError):
        TransferService(sqlite_ctx).import_document(exported)
    monkeypatch.setattr(database.Batches, "due", original)
    partial = sum(len(r) for r in TransferService(sqlite_ctx).tables().values())
    assert partial > 0  # the committed batches stayed
    TransferService(sqlite_ctx).import_document(exported)
    with fresh_ctx() as clean:
        TransferService(clean).import_document(exported)
        expected = {name: len(rows) for name, rows in TransferService(clean).tables().items()}
    got = {name: len(rows) for name, rows in TransferService(sqlite_ctx).tables().items()}
    assert got == expected  # nothing twice, nothing missing
