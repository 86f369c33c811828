"""One ``AppContext`` per journal on the clinic server, made on first use and kept.

The clinic server serves many journals from one PostgreSQL database. Each request acts on one
journal: its caller's own (``__call__``, which reads the caller ``clinic_auth`` found) or, for
a clinician's reads, the journal named in the path (``for_reader``: reads from the streaming
replica when the server has one, see ``storage.replica``). Every context shares the
base context's clock, settings and safety rules (loaded once per process, before the first
copy is made), and differs only in its database's journal scope (``Database.for_journal``), so
a service handed one context can only see that journal.

``JournalContexts`` stands where the local app's ``ContextSource`` stands (``app.state.context``):
the same call gives the request's context, and ``turn`` exists for the same dependency (it is
never taken: PostgreSQL serves concurrent writers itself).
"""

from __future__ import annotations

import threading
from dataclasses import replace

from mitra.services import person_limits
from mitra.services.context import AppContext
from mitra.storage.database import Database
from mitra.web.app import ContextSource
from mitra.web.clinic_auth import current_caller


class NoJournalError(LookupError):
    """The request's caller has no journal of its own (``clinic_auth`` sends such callers
    elsewhere before a route runs, so reaching this is a routing mistake)."""


class JournalContexts(ContextSource):
    def __init__(self, base: AppContext) -> None:
        super().__init__(lambda: base)
        self.base = base
        self._by_journal: dict[int, AppContext] = {}
        self._for_readers: dict[int, AppContext] = {}
        self._journal_lock = threading.Lock()
        # The journals' limits are read on a pool of their own (``Database.side_pool``).
        self._limits_database: Database | None = None

    def __call__(self) -> AppContext:
        caller = current_caller()
        if caller is None or caller.journal_id is None:
            raise NoJournalError("this request has no journal of its own")
        return self.for_journal(caller.journal_id)

    def for_journal(self, journal_id: int) -> AppContext:
        found = self._by_journal.get(journal_id)
        if found is not None:
            return found
        with self._journal_lock:
            found = self._by_journal.get(journal_id)
            if found is None:
                self.base.rules()  # loaded once: every copy carries the loaded rules
                database = self.base.database.for_journal(journal_id)
                found = replace(
                    self.base,
                    database=database,
                    # The care team's limits for this person apply to every use of its rules.
                    limits_source=person_limits.source_for(self._limits(), journal_id),
                )
                self._by_journal[journal_id] = found
        return found

    def _limits(self) -> Database:
        """Made on first use, under ``_journal_lock`` (the caller holds it)."""
        if self._limits_database is None:
            self._limits_database = self.base.database.side_pool()
        return self._limits_database

    def dispose(self) -> None:
        if self._limits_database is not None:
            self._limits_database.engine.dispose()

    def for_reader(self, journal_id: int) -> AppContext:
        """A clinician's context for reading a shared journal: as ``for_journal``, with its
        reads served by the replica while it is close enough (``Database.on_replica``); the
        caller has been let in (and audited) on the primary first."""
        found = self._for_readers.get(journal_id)
        if found is not None:
            return found
        own = self.for_journal(journal_id)
        with self._journal_lock:
            found = self._for_readers.get(journal_id)
            if found is None:
                found = replace(own, database=own.database.on_replica())
                self._for_readers[journal_id] = found
        return found
