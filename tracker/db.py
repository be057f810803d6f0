"""Engines and sessions from a database URL or a file path."""

from __future__ import annotations

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


def database_url(db: str) -> str:
    """A SQLAlchemy URL for `db`, which is either a URL or the path of a SQLite file."""
    if "://" in db:
        try:
            make_url(db)
        except ArgumentError as exc:
            raise TrackerError("db_bad_url", url=db) from exc
        return db
    return f"sqlite:///{resolved(Path(db))}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _postgres_settings(dbapi_connection: Any, _record: Any) -> None:
    # No JIT: the ledger's queries are short, but the correlated subquery of
    # listing.effective_due is costed per row, which crosses jit_above_cost on a district
    # database; compiling then takes ~200 ms for a query that runs in ~20 ms.
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    cursor = dbapi_connection.cursor()
    cursor.execute("SET jit = off")
    cursor.close()
    dbapi_connection.autocommit = autocommit


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get WAL, foreign keys and a busy timeout;
    PostgreSQL sessions run without JIT."""
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
