"""The schema's version: create it, tell how old it is, upgrade it (Alembic).

A new database gets every table at once and is stamped with the newest revision. An older
one is upgraded by the migrations in `tracker/migrations/versions`. A database made before
migrations existed holds the first revision's tables without Alembic's version table: it is
taken to be at BASELINE.

An officer's SQLite file is backed up and upgraded when the app or a command opens it. A
shared PostgreSQL database is upgraded only on purpose, with `tracker db upgrade`: one
officer's newer version must not change the schema under everyone else's feet.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import SQLModel

from tracker import search_index

if TYPE_CHECKING:
    from alembic.config import Config

# The first released schema: what a database without a version table holds.
BASELINE = "0001"
# The revisions in tracker/migrations/versions, oldest first (a test keeps the two equal).
# Kept here so that opening a database reads one row instead of importing Alembic (~0.15 s).
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011")
HEAD = REVISIONS[-1]


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "tracker:migrations")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def has_schema(engine: Engine) -> bool:
    """Whether the database already holds the ledger's tables."""
    return inspect(engine).has_table("commitment")


def current_revision(engine: Engine) -> str | None:
    """The database's revision; BASELINE for a ledger made before migrations; None if empty."""
    with engine.connect() as connection:
        if _has_version_table(connection):
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return BASELINE if has_schema(engine) else None


def create_schema(engine: Engine) -> None:
    """Every table of the current models, stamped as the newest revision (one transaction);
    on PostgreSQL with the database's own guards and audit chain (tracker.db_guard)."""
    from alembic import command

    import tracker.models  # noqa: F401  (registers the tables on SQLModel.metadata)

    with engine.begin() as connection:
        SQLModel.metadata.create_all(connection)
        search_index.create(connection)
        command.stamp(_config(connection), "head")
        if connection.dialect.name == "postgresql":  # after the stamp: it grants on every table
            from tracker.db_guard import install

            install(connection)


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Upgrade the database to the newest revision; return (from, to).

    SQLite alters a table by copying it (batch mode). Foreign keys are switched off while
    that happens, as SQLite's documentation prescribes, and checked afterwards.
    """
    from alembic import command

    before = current_revision(engine)
    if before == HEAD:
        return before, HEAD
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            config = _config(connection)
            if before == BASELINE and not _has_version_table(connection):
                command.stamp(config, BASELINE)
            command.upgrade(config, "head")
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"foreign keys broken by the upgrade: {broken[:5]}")
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    return before, HEAD


def _has_version_table(connection: Connection) -> bool:
    return inspect(connection).has_table("alembic_version")


def sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite database, or None (PostgreSQL, or in memory)."""
    if engine.dialect.name != "sqlite":
        return None
    database = make_url(str(engine.url)).database
    return Path(database) if database and database != ":memory:" else None


def backup_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database with SQLite's online backup (consistent while others write)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def backup_before_upgrade(path: Path, revision: str | None, now: datetime) -> Path:
    """Back `path` up beside itself, named after its revision and the time, before upgrading:
    tracker.db -> tracker.db.0001-20261127-093000.bak."""
    target = path.with_name(f"{path.name}.{revision or 'none'}-{now:%Y%m%d-%H%M%S}.bak")
    backup_sqlite(path, target)
    return target
