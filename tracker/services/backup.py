"""Backing the ledger up, and making sure of a backup before it is restored.

A SQLite ledger is copied with SQLite's online backup, which reads one consistent snapshot
while officers keep working, and the copy is checked with `PRAGMA integrity_check`. Its
evidence store goes beside the copy (`backup.db` -> `backup.db.evidence/`), which is where a
ledger opened from that file looks for it.

A backup is sound when it is a SQLite ledger of a schema revision this tracker knows, whose
audit chain verifies (`backup_revision`, `verified_entries`): all read only. Restoring it is
`tracker.services.restore`'s; a PostgreSQL ledger is the database administrator's to back up
and restore (`tracker.services.pg_commands` gives the commands, nothing is run).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from tracker import schema
from tracker.db import new_session
from tracker.errors import TrackerError
from tracker.failures import log, reason_of
from tracker.files import require_not_special, resolved
from tracker.i18n import t
from tracker.services.audit_chain import verify_chain
from tracker.services.evidence_store import store_file, stored_files


@dataclass(frozen=True)
class BackupResult:
    """What a backup wrote: the database copy and, when there was a store, its copy."""

    target: Path
    evidence: Path | None
    evidence_files: int
    # Stored files whose content no longer matched their name: copied as they are.
    evidence_damaged: int


def evidence_beside(path: Path) -> Path:
    """The evidence store that belongs with a SQLite file: tracker.db -> tracker.db.evidence."""
    return path.with_name(f"{path.name}.evidence")


def backup_sqlite(db_path: Path, target: Path, *, store: Path | None = None) -> BackupResult:
    """Copy the ledger at `db_path` to the new file `target`, check the copy, and copy the
    evidence store (`store`, by default the one beside the database) beside it.

    An existing `target` is never overwritten, and its folder must exist already.
    """
    db_path, target = resolved(db_path), resolved(target)
    require_not_special(db_path)
    if not db_path.is_file():
        raise TrackerError("db_missing", path=str(db_path))
    if not target.parent.is_dir():
        raise TrackerError("backup_dir_missing", path=str(target.parent))
    copied_store = evidence_beside(target)
    if copied_store.exists():
        raise TrackerError("backup_exists", path=str(copied_store))
    create_new(target)
    try:
        schema.backup_sqlite(db_path, target)
        problem = integrity_problem(target)
        if problem is not None:
            raise TrackerError("backup_check_failed", path=str(target), reason=problem)
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)
        raise TrackerError("backup_failed", path=str(target), reason=reason_of(exc)) from exc
    except TrackerError:
        target.unlink(missing_ok=True)
        raise
    source_store = store if store is not None else evidence_beside(db_path)
    if not source_store.is_dir():
        return BackupResult(target, None, 0, 0)
    files = damaged = 0
    for path in stored_files(source_store):
        files += 1
        damaged += store_file(copied_store, path).sha256 != path.name
    return BackupResult(target, copied_store, files, damaged)


def create_new(target: Path) -> None:
    """Claim `target` as a new, empty file (an empty file is an empty SQLite database), so
    that a file appearing meanwhile is not overwritten either."""
    try:
        target.open("xb").close()
    except FileExistsError as exc:
        raise TrackerError("backup_exists", path=str(target)) from exc
    except OSError as exc:
        raise TrackerError("backup_failed", path=str(target), reason=reason_of(exc)) from exc


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot change the file at `path`."""
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)


def integrity_problem(path: Path) -> str | None:
    """What `PRAGMA integrity_check` finds wrong with the SQLite file at `path`; None if ok."""
    try:
        connection = read_only(path)
        try:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return reason_of(exc)
    found = "; ".join(str(row[0]) for row in rows)
    # What the check lists is SQLite's own (page numbers, btree errors): the officer is
    # told the file is damaged, the list goes to the log.
    if found == "ok":
        return None
    log.info("integrity check of %s: %s", path, found)
    return t("reason.database_damaged")


def holds_ledger(path: Path) -> bool:
    """Whether the file at `path` is a database holding the ledger's tables (read only: a
    missing, foreign or unreadable file does not)."""
    if not path.is_file():
        return False
    try:
        connection = read_only(path)
        try:
            query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'commitment'"
            found = connection.execute(query).fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return found is not None


def backup_revision(path: Path) -> str:
    """The schema revision of the ledger in the SQLite file at `path`; a TrackerError for a
    file that is not a sound ledger of a revision this tracker knows.

    A ledger made before migrations has no version table, and is at BASELINE only if it also
    lacks the audit table every later revision has: a version table missing from a newer
    ledger, or one left empty, does not say which migrations its tables have had, and every
    command would fail on it.
    """
    problem = integrity_problem(path)
    tables: set[str] = set()
    versions: list[str] = []
    if problem is None:
        connection = read_only(path)
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" in tables:
                rows = connection.execute("SELECT version_num FROM alembic_version")
                versions = [str(row[0]) for row in rows]
        except sqlite3.Error as exc:
            problem = reason_of(exc)
        finally:
            connection.close()
    if problem is None and "commitment" not in tables:
        problem = t("restore_no_ledger_tables")
    if problem is not None:
        raise TrackerError("restore_not_ledger", path=str(path), reason=problem)
    if "alembic_version" not in tables and "audit" not in tables:
        return schema.BASELINE
    if len(versions) != 1:
        raise TrackerError("restore_no_revision", path=str(path))
    if versions[0] not in schema.REVISIONS:
        raise TrackerError("db_newer", db=str(path), revision=versions[0], head=schema.HEAD)
    return versions[0]


def verified_entries(path: Path) -> int:
    """How many entries the audit chain of the ledger at `path` holds, all verified; a
    TrackerError naming the first broken link otherwise. Read only (a ledger of the first
    schema has no audit table: no entries)."""
    engine = create_engine("sqlite://", creator=lambda: read_only(path), poolclass=NullPool)
    try:
        if not inspect(engine).has_table("audit"):
            return 0
        with new_session(engine) as session:
            result = verify_chain(session)
    except SQLAlchemyError as exc:
        raise TrackerError("restore_not_ledger", path=str(path), reason=reason_of(exc)) from exc
    finally:
        engine.dispose()
    if result.broken is not None:
        broken = result.broken
        problem = t(f"audit_broken_{broken.reason.value}", position=broken.position, id=broken.id)
        raise TrackerError("restore_audit_broken", path=str(path), problem=problem)
    return result.checked


def is_damage(exc: BaseException) -> bool:
    """Whether SQLite failed because the file is damaged or not a database at all (also
    when the error comes wrapped by SQLAlchemy)."""
    error = getattr(exc, "orig", None) or exc
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    return code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
