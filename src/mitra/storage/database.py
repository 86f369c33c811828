"""Open the journal database: choose the URL, set SQLite up safely, bring the schema to head.

The default is a SQLite file in the user data directory. ``--db`` or ``MITRA_DATABASE_URL``
choose another file path or a ``postgresql://`` URL. SQLite runs in WAL mode with foreign keys
on, a busy timeout, full fsync, and ``BEGIN IMMEDIATE`` write transactions, so the CLI and
the web app can write at once without losing an acknowledged write. Read-only work uses
``Database.read()``: a deferred transaction (``BEGIN DEFERRED`` and ``PRAGMA query_only`` on
SQLite, ``READ ONLY`` on PostgreSQL), which in WAL mode reads a consistent snapshot without
waiting for a writer, and which the database itself refuses to let write.

Invariants: a connection handed to a service is at the latest schema revision. An existing
SQLite file is looked at read-only BEFORE anything is set or changed (``inspect_sqlite_file``):
a damaged file, another application's database or a journal from a newer mitra is refused
with a one-line message and the next step, and the file stays exactly as it was (not even
switched to WAL). Alembic is imported only when a migration is actually needed (it is slow to
import).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError

from mitra.domain.errors import InputError, MitraError
from mitra.storage import window_slots, write_turn
from mitra.storage.journal_scope import LOCAL_JOURNAL, local_journal_row, scope

if TYPE_CHECKING:
    from mitra.storage.replica import Replica

# Keep in step with the newest file in storage/migrations/versions (a test checks this).
HEAD_REVISION = "0015"
ENV_VAR = "MITRA_DATABASE_URL"
VERSIONS = Path(__file__).parent / "migrations" / "versions"
# SQLite's own bookkeeping tables, present in any database.
SQLITE_INTERNAL = frozenset({"sqlite_sequence", "sqlite_stat1", "sqlite_stat4"})


class DatabaseError(MitraError):
    """The database cannot be opened or used; the message says which and why."""


class JournalFileError(InputError):
    """``--db`` names a file mitra must not open (damaged, another application's, newer); the
    person chose the file, so it is refused like any bad input (exit 2), nothing changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="db")


def default_path(demo: bool = False) -> Path:
    import platformdirs  # noqa: PLC0415

    base = Path(platformdirs.user_data_dir("mitra", appauthor=False))
    return base / ("demo.sqlite3" if demo else "journal.sqlite3")


def resolve_url(db: str | None, *, demo: bool = False) -> str:
    """The SQLAlchemy URL for ``--db`` (a path or URL), the environment, or the default."""
    if demo:
        chosen = db or str(default_path(demo=True))
    else:
        chosen = db or os.environ.get(ENV_VAR) or str(default_path())
    if chosen.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + chosen.split("://", 1)[1]
    if "://" in chosen:
        return chosen
    path = Path(chosen).expanduser()
    if path.is_dir():
        raise DatabaseError(
            f"--db {chosen} is a folder; give a file such as {path}/journal.sqlite3"
        )
    return f"sqlite:///{path}"


def known_revisions() -> list[str]:
    """Every schema revision this mitra can migrate from, oldest first."""
    return sorted(p.name[:4] for p in VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))


def restore_hint(path: Path) -> str:
    return f"if it is your journal, restore a backup: mitra --db {path} restore BACKUP_FILE"


def inspect_sqlite_file(path: Path) -> str | None:
    """Refuse a file mitra must not open, reading it read-only (see the module docstring);
    the journal's schema revision, or None for a new or empty file."""
    if not path.exists() or path.stat().st_size == 0:
        return None  # a new journal
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=10)
        try:
            tables = {
                str(row[0])
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            row = (
                conn.execute("SELECT version_num FROM alembic_version").fetchone()
                if "alembic_version" in tables
                else None
            )
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise JournalFileError(
            f"{path} is damaged or is not a SQLite database ({exc}); nothing was changed; "
            + restore_hint(path)
        ) from None
    if not tables - SQLITE_INTERNAL:
        return None  # an empty SQLite file: mitra sets it up
    if "alembic_version" not in tables or "entries" not in tables:
        raise JournalFileError(
            f"{path} is another application's SQLite database, not a mitra journal; nothing "
            "was changed. Give mitra a file of its own with --db"
        )
    revision = "" if row is None else str(row[0])
    if revision not in known_revisions():
        if revision > HEAD_REVISION:
            raise JournalFileError(
                f"{path} was written by a newer mitra (schema revision {revision}; this mitra "
                f"knows up to {HEAD_REVISION}); nothing was changed. Update mitra to open it"
            )
        raise JournalFileError(
            f"{path} has a schema revision this mitra does not know ({revision or 'none'}); "
            "nothing was changed. " + restore_hint(path)
        )
    return revision


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            # A reader takes no lock up front and, in WAL mode, never waits for a writer.
            conn.exec_driver_sql("BEGIN DEFERRED")
            return
        # IMMEDIATE takes the write lock up front, so a read-then-write never fails half-way.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        # Any write may change what the last write's judging window kept: set it aside for
        # this transaction's own window, which alone may keep it again (``judging_window``).
        window_slots.on_write_begin(conn.info)


READ_ONLY = "mitra_read_only"


# A long write (an import) commits about this often, then leaves the lock free as long again:
# another writer waits in SQLite's busy handler, which retries only every 50-100 ms, so without
# the pause the importer would take the lock back before the other writer ever looked.
BATCH_SECONDS = 0.05


class Batches:
    """One connection writing in a series of short transactions (see ``Database.batches``).

    A batch begins with its first write (``begin``), not before, so work done between writes
    (checking, matching) never holds the lock; ``pause`` ends the open batch before such work.
    """

    def __init__(
        self,
        conn: Connection,
        *,
        seconds: float | None = None,
        turn: contextlib.AbstractContextManager[object] | None = None,
    ) -> None:
        self.conn = conn
        # Taken at each batch's first write, given back at its commit or roll-back.
        self._turn = turn if turn is not None else contextlib.nullcontext()
        self.seconds = BATCH_SECONDS if seconds is None else seconds
        self.committed = 0
        self._before_commit: list[Any] = []
        self._transaction: Any = None
        self._started = 0.0

    def before_commit(self, action: Any) -> None:
        """Run ``action(conn)`` at the end of every batch (e.g. move id sequences on)."""
        self._before_commit.append(action)

    def begin(self) -> Connection:
        """The connection, inside an open batch (beginning one if none is open)."""
        if self._transaction is None:
            self._turn.__enter__()
            try:
                self._transaction = self.conn.begin()
            except BaseException:
                self._turn.__exit__(None, None, None)
                raise
            # A duration, not a time of day (so not the app's clock): how long the lock is held.
            self._started = time.perf_counter()
        return self.conn

    def due(self) -> None:
        """End the batch when it has held the lock long enough (the next write begins one)."""
        if self._transaction is not None and time.perf_counter() - self._started >= self.seconds:
            self.pause()
            time.sleep(self.seconds)  # the lock is free: let a waiting writer in

    def pause(self) -> None:
        """Commit the open batch, if any."""
        if self._transaction is None:
            return
        from mitra.storage import write_audit  # noqa: PLC0415

        for action in self._before_commit:
            action(self.conn)
        write_audit.record(self.conn)
        try:
            self._transaction.commit()
        finally:
            self._transaction = None
            self._turn.__exit__(None, None, None)
        self.committed += 1

    def abandon(self) -> None:
        from mitra.storage import write_audit  # noqa: PLC0415

        write_audit.forget_created()
        if self._transaction is not None:
            try:
                self._transaction.rollback()
            finally:
                self._transaction = None
                self._turn.__exit__(None, None, None)


# A PostgreSQL server process's connections: kept open for the requests served at once (the
# web app's worker threads), so a busy moment does not open and close connections per
# request (each a new server process); past them, more are opened and closed again. The
# side pool serves the one small read a request may make while holding a write.
POOL = {"pool_size": 10, "max_overflow": 10}
SIDE_POOL = {"pool_size": 4, "max_overflow": 8}


@dataclass
class Database:
    """An engine at the latest schema, scoped to one journal: ``transaction()`` yields a
    connection in one transaction, carrying ``journal_id`` (``storage.journal_scope``), so
    every store on it reads and writes that journal's rows only. The local app is journal 1;
    ``for_journal`` gives the same engine scoped to another journal."""

    url: str
    engine: Engine
    journal_id: int = LOCAL_JOURNAL
    # The clinic server's streaming replica, if it has one (``storage.replica``), and whether
    # this copy's reads may go there (``on_replica``); writes always go to ``engine``.
    replica: Replica | None = None
    reads_from_replica: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def for_journal(self, journal_id: int) -> Database:
        """This database (the same engine and pool) scoped to ``journal_id``."""
        return dataclasses.replace(self, journal_id=journal_id)

    def on_replica(self) -> Database:
        """This database, with its reads served by the replica while it is close enough to
        the primary (``Replica.usable``), else by the primary; writes are unchanged."""
        return dataclasses.replace(self, reads_from_replica=self.replica is not None)

    def _read_connection(self) -> Connection:
        replica = self.replica
        if self.reads_from_replica and replica is not None and replica.usable():
            try:
                return replica.engine.connect()
            except DBAPIError:
                replica.forget()  # unreachable now: the primary answers, and it is checked again
        return self.engine.connect()

    def write_turn(self) -> contextlib.AbstractContextManager[object]:
        """This process's turn to write (``storage.write_turn``): SQLite's, else none."""
        return write_turn.of(self.engine) if self.is_sqlite else contextlib.nullcontext()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        from mitra.storage import idempotency, write_audit  # noqa: PLC0415

        try:
            with self.write_turn(), self.engine.connect() as plain:
                conn = scope(plain, self.journal_id)
                with conn.begin():
                    try:
                        yield conn
                    except BaseException:
                        write_audit.forget_created()
                        raise
                    # A request's Idempotency-Key and its audit row (clinic server) are
                    # stored with its write, in this transaction.
                    idempotency.claim(conn)
                    write_audit.record(conn)
                # Committed: what this write's judging window kept is now usable by the next.
                window_slots.settle(plain.info)
        except IntegrityError:
            raise  # a constraint a service relies on (it checks first; this is the backstop)
        except DBAPIError as exc:
            raise DatabaseError(self._failure("could not complete the change", exc)) from exc

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction: a consistent snapshot that waits for no writer and cannot
        write (the database refuses: a read path that tried would fail loudly in tests)."""
        try:
            with self._read_connection() as plain:
                conn = scope(plain.execution_options(**{READ_ONLY: True}), self.journal_id)
                driver = None if self.is_sqlite else plain.connection.driver_connection
                if driver is not None:
                    # psycopg begins the transaction as BEGIN READ ONLY: no statement of its
                    # own. Put back to the server's default (not "read write", which a
                    # standby refuses) before the connection goes back to the pool.
                    driver.read_only = True
                try:
                    with conn.begin():
                        if self.is_sqlite:
                            conn.exec_driver_sql("PRAGMA query_only=ON")
                        try:
                            yield conn
                        finally:
                            if self.is_sqlite:
                                conn.exec_driver_sql("PRAGMA query_only=OFF")
                finally:
                    if driver is not None and not plain.invalidated:
                        driver.read_only = None
        except DBAPIError as exc:
            raise DatabaseError(self._failure("could not be read", exc)) from exc

    @contextlib.contextmanager
    def batches(self) -> Iterator[Batches]:
        """A long write as short transactions: the caller calls ``due()`` after each record,
        and each batch commits after about ``BATCH_SECONDS`` so other writers (the web app,
        another command) get their turn. An error rolls back the current batch only: the
        caller must make a re-run safe (the import skips what is already there)."""
        try:
            with self.engine.connect() as plain:
                batches = Batches(scope(plain, self.journal_id), turn=self.write_turn())
                try:
                    yield batches
                except BaseException:
                    batches.abandon()
                    raise
                batches.pause()
        except IntegrityError:
            raise
        except DBAPIError as exc:
            raise DatabaseError(self._failure("could not complete the change", exc)) from exc

    def _failure(self, what: str, exc: DBAPIError) -> str:
        """One line for a database failure: the driver's words (never the SQL) and the next
        step where there is one."""
        words = str(exc.orig)
        if self.is_sqlite and ("malformed" in words or "not a database" in words):
            path = Path(self.url.removeprefix("sqlite:///"))
            return f"the journal {path} is damaged ({words}); {restore_hint(path)}"
        if "locked" in words or "busy" in words:
            return (
                f"the journal {what}: another mitra is writing a large change ({words}); "
                "try again in a moment"
            )
        if "readonly" in words or "read-only" in words:
            return (
                f"the journal {what}: the file is read-only ({words}); changes need "
                "permission to write it and its folder"
            )
        return f"the database {what}: {words}"

    def side_pool(self) -> Database:
        """This database on an engine and pool of its own, for the small reads a write needs
        while it holds its own connection (a journal's limits, read at each use of the
        rules): taking a second connection from the write's pool could leave every pooled
        connection held by a write waiting for another, and no write would ever finish."""
        engine = create_engine(self.engine.url, pool_pre_ping=True, **SIDE_POOL)
        return dataclasses.replace(self, engine=engine, replica=None, reads_from_replica=False)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.replica is not None:
            self.replica.engine.dispose()

    def display(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)


def open_database(url: str) -> Database:
    """Connect to ``url``, creating a SQLite file's folder and migrating the schema as needed."""
    seen_revision: str | None = None
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        seen_revision = inspect_sqlite_file(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"cannot create the folder for {path}: {exc.strerror}") from exc
        engine = create_engine(url, connect_args={"timeout": 10})
        _sqlite_setup(engine)
    else:
        try:
            engine = create_engine(url, pool_pre_ping=True, **POOL)
        except Exception as exc:
            raise DatabaseError(f"cannot use database URL {url!r}: {exc}") from exc
    database = Database(url=url, engine=engine)
    try:
        # A journal already at head (the usual case, just read from the file) needs neither
        # another look nor Alembic, which is imported only to migrate.
        behind = seen_revision != HEAD_REVISION and current_revision(database) != HEAD_REVISION
        if behind and not create_at_head(database):
            migrate(database)
    except (OperationalError, DBAPIError) as exc:
        engine.dispose()
        raise DatabaseError(f"cannot open the database {database.display()}: {exc.orig}") from exc
    except Exception as exc:  # alembic's own errors, e.g. a revision it cannot find
        engine.dispose()
        raise DatabaseError(
            f"cannot bring the database {database.display()} to this mitra's schema: {exc}"
        ) from exc
    return database


def with_replica(database: Database, url: str, *, max_lag_seconds: float) -> Database:
    """``database`` with the streaming replica at ``url`` for reads that may be a little
    behind (``Database.on_replica``). The replica is only read, never migrated: it follows
    the primary's schema by replication."""
    from mitra.storage.replica import Replica  # noqa: PLC0415

    if not url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        raise InputError(
            "the replica must be a PostgreSQL URL (postgresql://...), not "
            f"{url.partition(':')[0]!r}",
            field="replica_url",
        )
    try:
        engine = create_engine(resolve_url(url), pool_pre_ping=True)
    except Exception as exc:
        raise DatabaseError(f"cannot use replica URL: {exc}") from exc
    replica = Replica(engine=engine, primary=database.engine, max_lag_seconds=max_lag_seconds)
    return dataclasses.replace(database, replica=replica)


def create_at_head(database: Database) -> bool:
    """Make a brand-new, empty database's schema at once, as the migrations would leave it
    (tables from ``schema.metadata``, the local journal 1, stamped at ``HEAD_REVISION``);
    False, touching nothing, when the database already holds any table.

    Running every migration on a new journal rebuilds each table on SQLite several times
    (about 0.7 s, most of a short command's time); this takes a few milliseconds.
    tests/storage/test_fresh_schema.py holds the two ways to the same schema on both backends.
    Two processes making the same new file at once are one after the other: the check and
    the creation share one write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
    from sqlalchemy import insert, inspect  # noqa: PLC0415

    from mitra.storage import schema  # noqa: PLC0415  (with the clinic's tables)

    with database.engine.begin() as conn:
        if inspect(conn).get_table_names():
            return False
        schema.metadata.create_all(conn)
        conn.exec_driver_sql(
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
            "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
        )
        conn.execute(
            text("INSERT INTO alembic_version (version_num) VALUES (:head)"),
            {"head": HEAD_REVISION},
        )
        # No explicit id: PostgreSQL's sequence moves past it, as after migration 0011.
        conn.execute(insert(schema.journals).values(**local_journal_row()))
    return True


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as conn:
        try:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        except (OperationalError, ProgrammingError):
            return None
    return None if row is None else str(row[0])


@contextlib.contextmanager
def migration_connection(database: Database) -> Iterator[Connection]:
    """A connection in one transaction for Alembic. On SQLite, foreign keys are switched off
    around it (the pragma is ignored inside a transaction, so before it begins): a migration
    that rebuilds a table others refer to (batch mode) would otherwise be refused, or cascade.
    ``PRAGMA foreign_key_check`` must then find nothing before the migration commits, and
    foreign keys are on again afterwards whatever happened (SQLite's documented procedure)."""
    with database.engine.connect() as conn:
        raw = conn.connection.driver_connection if database.is_sqlite else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                yield conn
                if raw is not None:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise DatabaseError(
                            f"the migration left a row of {broken[0]} pointing at a missing "
                            f"{broken[2]} row; nothing was changed"
                        )
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def migrate(database: Database, revision: str = "head") -> None:
    """Run Alembic migrations up to ``revision`` on this database."""
    from alembic import command  # noqa: PLC0415  (slow import, needed only here)
    from alembic.config import Config  # noqa: PLC0415

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with migration_connection(database) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
