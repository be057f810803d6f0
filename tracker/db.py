"""Engines and sessions from a database URL or a file path."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session, create_engine

from tracker.errors import TrackerError
from tracker.files import resolved

# Seconds a SQLite writer waits for another's lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 10_000
# On PostgreSQL, how long a statement waits for a lock another session holds, and how long
# any statement may run: past them the officer is told who holds the ledger
# (tracker.db_errors) instead of waiting forever behind a forgotten `psql` transaction.
LOCK_TIMEOUT_MS = 10_000
STATEMENT_TIMEOUT_MS = 300_000


def database_url(db: str) -> str:
    """A SQLAlchemy URL for `db`, which is either a URL or the path of a SQLite file."""
    if "://" in db:
        try:
            make_url(db)
        except ArgumentError as exc:
            raise TrackerError("db_bad_url", url=db) from exc
        return db
    return f"sqlite:///{resolved(Path(db))}"


# The page cache of each SQLite connection, in KiB.
SQLITE_CACHE_KIB = 16 * 1024


# A warm ledger process (tracker.warm.ledger) keeps the engine of the ledger it serves: each
# command forked from it then finds the statements compiled when it rehearsed, instead of
# compiling them again (a third of a short command's time on a town's ledger).
_kept_url: str | None = None
_kept_engine: Engine | None = None
# While a ledger process rehearses, the connections it opens refuse every write.
_refusing_writes = False


def keep_engine(url: str | None) -> None:
    """From now on in this process (and the processes forked from it), make_engine(url)
    makes one engine and then returns it again (None: no engine is kept)."""
    global _kept_url, _kept_engine
    _kept_url, _kept_engine = url, None


def kept_engine() -> Engine | None:
    return _kept_engine


@contextmanager
def refusing_writes() -> Iterator[None]:
    """Connections opened meanwhile can only read: SQLite's query_only, PostgreSQL's
    read-only transactions. The database, not the caller, then guarantees nothing is
    written (not even an upgrade or a first seed)."""
    global _refusing_writes
    _refusing_writes = True
    try:
        yield
    finally:
        _refusing_writes = False


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    if _refusing_writes:
        cursor.execute("PRAGMA query_only=ON")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # SQLite's default page cache is 2 MiB: on a district's ledger (a million periods) an
    # index lookup per row then reads the same pages from the file again and again, which
    # cost a printout 2-15 s of system time. 16 MiB keeps them; it is only taken as pages
    # are read, so a town's ledger uses no more than before.
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def _postgres_settings(dbapi_connection: Any, _record: Any) -> None:
    # No JIT: the ledger's queries are short, but the correlated subquery of
    # list_filter.effective_due is costed per row, which crosses jit_above_cost on a district
    # database; compiling then takes ~200 ms for a query that runs in ~20 ms.
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    cursor = dbapi_connection.cursor()
    cursor.execute("SET jit = off")
    cursor.execute(f"SET lock_timeout = {int(LOCK_TIMEOUT_MS)}")
    cursor.execute(f"SET statement_timeout = {int(STATEMENT_TIMEOUT_MS)}")
    if _refusing_writes:
        cursor.execute("SET default_transaction_read_only = on")
    cursor.close()
    dbapi_connection.autocommit = autocommit


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get WAL, foreign keys and a busy timeout;
    PostgreSQL sessions run without JIT, with a lock and a statement timeout."""
    global _kept_engine
    if url != _kept_url:
        return _new_engine(url)
    if _kept_engine is None:
        _kept_engine = _new_engine(url)
    return _kept_engine


def _new_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgres_settings)
    return engine


def new_session(engine: Engine) -> Session:
    """A session that keeps loaded objects usable after commit."""
    import tracker.services.audit  # noqa: F401  (registers the listeners that audit every change)

    return Session(engine, expire_on_commit=False)


def begin_writing(session: Session) -> None:
    """Start `session`'s transaction as a writer's, before it reads anything.

    SQLite: BEGIN IMMEDIATE takes the file's single write lock now, waiting up to the busy
    timeout while another writer has it. Otherwise Python's sqlite3 runs the reads outside
    any transaction and takes the lock only at the first INSERT or UPDATE: a writer that
    waited for it there had read a version of the item that the writer before it has since
    changed, and its UPDATE fails (services.retry reruns it, but under many writers most
    tries would fail that way). PostgreSQL: nothing here; an append locks the row it
    changes as it reads it (services.updates.hold).
    """
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")
