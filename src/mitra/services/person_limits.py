"""A clinician's limits for one person on the clinic server: safety thresholds made stricter
than the server's for that journal, never looser (``domain.ruleset.tighten_only``).

Setting limits needs a share to plan; it is checked and audited (``plan``, object ``limits``)
in the transaction that stores them, and a refused value stores nothing and says why. The
limits in force are the journal's newest row; its context reads them at each use of the
rules (``limits_source``), so the next write and the plans are judged with them. Inside
``read_once`` (the clinic server opens it around each request) a journal's limits are read
at most once, at their first use: one request is judged with one set of limits, as if it had
happened just before or just after a concurrent change, never half and half. What the
person sees lists each limit beside the server's value, who set it and when. Times are
passed in.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Connection

from mitra.domain.errors import InputError
from mitra.domain.ruleset import Ruleset, tighten_only
from mitra.services import clinic_sharing
from mitra.services.clinic_accounts import Caller
from mitra.services.context import LimitsSource
from mitra.storage import journal_limits_store
from mitra.storage.database import Database
from mitra.storage.journal_limits_store import Overrides

MAX_LIMITS = 50  # thresholds in one setting: far more than the rules have that matter here


@dataclass(frozen=True, slots=True)
class LimitView:
    rule_id: str
    rule_title: str
    threshold: str
    unit: str
    value: float
    server_value: float
    why: str


@dataclass(frozen=True, slots=True)
class LimitsView:
    limits: list[LimitView]
    set_by: str | None
    set_at: datetime | None


InForce = tuple[int | None, Overrides]
# The limits read in the current request, by journal (None: outside ``read_once``, read at
# every use). The dict is shared by the threads the request runs in (each has a copy of
# the context, holding this same dict).
_READ: contextvars.ContextVar[dict[int, InForce] | None] = contextvars.ContextVar(
    "mitra_limits_read", default=None
)


@contextlib.contextmanager
def read_once() -> Iterator[None]:
    """Within this block, each journal's limits are read at their first use only."""
    token = _READ.set({})
    try:
        yield
    finally:
        _READ.reset(token)


def in_force(database: Database, journal_id: int) -> InForce:
    """The journal's limits version and overrides (None and {}: the server's own)."""
    read = _READ.get()
    if read is not None and journal_id in read:
        return read[journal_id]
    with database.read() as conn:
        found = journal_limits_store.in_force(conn, journal_id)
    result: InForce = (None, {}) if found is None else (found.version, found.overrides)
    if read is not None:
        read[journal_id] = result
    return result


def source_for(database: Database, journal_id: int) -> LimitsSource:
    """What a journal's context asks for its limits (one indexed read on ``database``)."""
    return functools.partial(in_force, database, journal_id)


def _parsed(given: Mapping[str, object]) -> dict[str, dict[str, object]]:
    if len(given) > MAX_LIMITS:
        raise InputError(f"at most {MAX_LIMITS} rules in one setting", field="limits")
    parsed: dict[str, dict[str, object]] = {}
    for rule_id, values in given.items():
        if not isinstance(values, Mapping):
            raise InputError(
                f"'{rule_id}' must be an object of threshold: number, such as {{\"max_mg\": 20}}",
                field="limits",
            )
        parsed[str(rule_id)] = {str(k): v for k, v in values.items()}
    return parsed


def set_limits(
    database: Database,
    caller: Caller,
    journal_id: int,
    limits: Mapping[str, object],
    *,
    server: Ruleset,
    at: datetime,
    source: str | None,
) -> int:
    """Put ``limits`` in force for the journal (they replace the ones before; an empty set
    returns the journal to the server's limits). Each must be at least as strict as
    ``server`` (the server's rules): ``InputError`` lists every value refused, and nothing is
    stored. ``NotAllowed`` without a share to plan (the refusal is audited)."""
    parsed = _parsed(limits)

    def store(conn: Connection) -> int:
        _, errors = tighten_only(server, parsed)
        if errors:
            raise InputError("; ".join(errors), field="limits")
        # Every value passed tighten_only's check: a finite number.
        overrides = {
            r: {k: float(cast(float, v)) for k, v in vs.items()} for r, vs in parsed.items()
        }
        return journal_limits_store.insert_limits(
            conn, journal_id, overrides, set_by=caller.account_id, at=at
        )

    version = clinic_sharing.act_for(
        database, caller, journal_id, store, at=at, source=source, object_type="limits"
    )
    read = _READ.get()
    if read is not None:
        read.pop(journal_id, None)  # what this request reads next is what it just set
    return version


def view(database: Database, journal_id: int, server: Ruleset) -> LimitsView:
    """The journal's limits in force, each beside the server's value."""
    with database.read() as conn:
        found = journal_limits_store.in_force(conn, journal_id)
    if found is None:
        return LimitsView([], None, None)
    shown = []
    for rule_id, values in sorted(found.overrides.items()):
        rule = server.rule(rule_id)
        for name, value in sorted(values.items()):
            threshold = rule.threshold(name)
            shown.append(
                LimitView(
                    rule_id, rule.title, name, threshold.unit, value, threshold.value, threshold.why
                )
            )
    return LimitsView(shown, found.set_by_email, found.set_at)
