"""Restoring a SQLite ledger from a backup.

A restore first makes sure of the backup without writing anything (tracker.services.backup:
a sound SQLite ledger, of a schema revision this tracker knows, whose audit chain verifies).
It then stages a copy beside the live file, upgrades the copy if the backup is older, and
adds the restore's own audit entry to the copy's chain. Only then is the live file locked:
the current ledger is kept as `<db>.before-restore-<time>` and the staged one written in, in
one transaction that holds the write lock throughout (see `_take_over`). The restored ledger
is written through a connection, never by copying the file over it: a live file in WAL mode
may have a `-wal` file beside it (left by a writer that was killed) whose pages SQLite would
otherwise apply on top of it.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from tracker import schema
from tracker.db import SQLITE_BUSY_TIMEOUT_MS, make_engine, new_session
from tracker.errors import TrackerError
from tracker.failures import reason_of
from tracker.files import require_not_special, resolved
from tracker.services.audit import add_entry
from tracker.services.backup import (
    backup_revision,
    create_new,
    evidence_beside,
    is_damage,
    verified_entries,
)
from tracker.services.evidence_store import file_sha256, store_file, stored_files, stored_path
from tracker.services.lookup import now as current_time

# The audit entry a restore adds to the restored ledger's chain.
RESTORE_ACTION = "ledger.restore"


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did, and where the database it replaced was kept."""

    db_path: Path
    previous: Path | None
    evidence: Path | None
    evidence_files: int
    # The backup's schema revision (a restored older one is upgraded to schema.HEAD).
    revision: str
    # The entries of the backup's audit chain, all verified, before the restore's own.
    audit_entries: int
    sha256: str  # of the backup file


def restore_sqlite(
    backup: Path,
    db_path: Path,
    *,
    actor: str,
    store: Path | None = None,
    now: datetime | None = None,
) -> RestoreResult:
    """Replace the ledger at `db_path` with the backup, keeping the current one beside it as
    `<db>.before-restore-<time>`; note the restore in the restored ledger's audit chain as
    done by `actor`; bring back the backup's evidence files into `store` (by default the
    store beside the database).

    Nothing is changed when the backup is not a sound ledger of a known revision, its audit
    chain is broken, or the live ledger stays busy for longer than SQLite's busy timeout.

    Nothing acknowledged is lost: the live file's write lock is held from before the kept
    copy is made until the restored ledger is committed (see `_take_over`), so every change
    committed before the restore is in the kept copy, and every change committed after it
    is written into the restored ledger.
    """
    backup, db_path = resolved(backup), resolved(db_path)
    require_not_special(backup)  # a pipe or device is named as such, not as missing
    require_not_special(db_path)
    if not backup.is_file():
        raise TrackerError("file_missing", path=str(backup))
    if db_path.exists() and backup.samefile(db_path):
        raise TrackerError("restore_same_file", path=str(backup))
    revision = backup_revision(backup)
    entries = verified_entries(backup)
    digest = file_sha256(backup)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    kept = _claim_kept(db_path, now or current_time()) if db_path.exists() else None
    detail = {
        "file": str(backup),
        "sha256": digest,
        "kept": str(kept) if kept is not None else None,
        "entries": entries,
        "revision": revision,
    }
    restored = False
    try:
        # The staged copy sits beside the live file: it is as large as the ledger, and
        # the system's temporary folder may be a small one in memory.
        with tempfile.TemporaryDirectory(
            prefix=f".{db_path.name}.restore-", dir=db_path.parent
        ) as folder:
            staged = Path(folder) / "restored.db"
            _stage(backup, staged, revision, detail, actor)
            _take_over(db_path, staged, kept)
            restored = True
    except BaseException:
        if kept is not None and not restored:
            kept.unlink(missing_ok=True)
        raise
    _fold_wal(db_path)
    result = RestoreResult(db_path, kept, None, 0, revision, entries, digest)
    backup_store = evidence_beside(backup)
    if not backup_store.is_dir():
        return result
    root = store if store is not None else evidence_beside(db_path)
    copied = restore_evidence(backup_store, root)
    return replace(result, evidence=root, evidence_files=copied)


def _stage(backup: Path, staged: Path, revision: str, detail: dict[str, Any], actor: str) -> None:
    """Copy the backup to `staged`, upgrade it if it is of an older revision (the backup
    itself is left as it is: it is the copy from before the upgrade), and add the restore's
    entry to its audit chain. All of this before the live ledger is locked, so that others
    wait only for the copy into it."""
    try:
        schema.backup_sqlite(backup, staged)
    except sqlite3.Error as exc:
        raise TrackerError("restore_not_ledger", path=str(backup), reason=reason_of(exc)) from exc
    engine = make_engine(f"sqlite:///{staged}")
    try:
        if revision != schema.HEAD:
            try:
                schema.upgrade(engine)
            except (SQLAlchemyError, RuntimeError) as exc:
                raise TrackerError(
                    "restore_upgrade_failed",
                    path=str(backup),
                    revision=revision,
                    reason=reason_of(exc),
                ) from exc
        with new_session(engine) as session:
            add_entry(session, action=RESTORE_ACTION, target="ledger", detail=detail, actor=actor)
            session.commit()
    finally:
        engine.dispose()


def _take_over(db_path: Path, staged: Path, kept: Path | None) -> None:
    """Write the staged ledger into the live file in one transaction that holds the live
    file's write lock from before the current ledger is kept until the restored one is
    committed.

    BEGIN IMMEDIATE waits (busy timeout) for a writer in the middle of a transaction to
    commit; from then on no one else can commit, so the copy kept next holds every change
    committed before the restore. Writers who come meanwhile wait in turn, and commit into
    the restored ledger once it is in. Readers are not held up (WAL); they see the ledger
    before or after, never half of it.

    The backup is copied table by table rather than with SQLite's online backup: the online
    backup cannot write into a database whose connection holds a transaction, and without
    one a writer could slip in between the kept copy and the restore.
    """
    connection = sqlite3.connect(
        db_path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, isolation_level=None
    )
    try:
        try:
            connection.execute("PRAGMA foreign_keys=OFF")  # tables are emptied in any order
            # Others wait while the lock is held: the dropped tables' pages are not zeroed
            # (their content is in the kept copy anyway), which is most of a drop's time.
            connection.execute("PRAGMA secure_delete=OFF")
            connection.execute("ATTACH DATABASE ? AS restored", (str(staged),))
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            if exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY:
                seconds = SQLITE_BUSY_TIMEOUT_MS // 1000
                raise TrackerError("restore_busy", db=str(db_path), seconds=seconds) from exc
            raise _failure(db_path, exc) from exc
        try:
            if kept is not None:
                _keep_current(db_path, kept)
            _replace_content(connection)
            connection.execute("COMMIT")
        except sqlite3.Error as exc:
            _roll_back(connection)
            raise _failure(db_path, exc) from exc
        except BaseException:
            _roll_back(connection)
            raise
    finally:
        connection.close()


def _roll_back(connection: sqlite3.Connection) -> None:
    """Roll back what is left of the transaction (SQLite may have rolled it back already)."""
    if connection.in_transaction:
        connection.execute("ROLLBACK")


def _failure(db_path: Path, exc: sqlite3.Error) -> TrackerError:
    """The refusal for a restore that failed on the live file: a damaged one cannot be
    emptied table by table and has to be moved aside by hand."""
    key = "restore_live_damaged" if is_damage(exc) else "restore_failed"
    return TrackerError(key, db=str(db_path), reason=reason_of(exc))


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# The tables, indexes, views and triggers of a schema, in the order they were made. SQLite's
# own tables are left to it: sqlite_sequence is made with the first table that needs it (and
# filled below); the statistics of ANALYZE (which the tracker never runs) go with the tables.
_OBJECTS = (
    "SELECT type, name, sql FROM {schema}.sqlite_master"
    " WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
)


def _is_virtual(sql: str) -> bool:
    return sql.upper().startswith("CREATE VIRTUAL TABLE")


def _exists(connection: sqlite3.Connection, name: str) -> bool:
    query = "SELECT 1 FROM main.sqlite_master WHERE name = ?"
    return connection.execute(query, (name,)).fetchone() is not None


def _replace_content(connection: sqlite3.Connection) -> None:
    """Make the main database of `connection` hold exactly what the attached `restored` one
    does: its schema, rows and user_version. Within the caller's transaction."""
    current = connection.execute(_OBJECTS.format(schema="main")).fetchall()
    for kind in ("view", "trigger", "table"):  # a table's indexes and triggers go with it
        for found, name, _sql in current:
            if found == kind:
                connection.execute(f"DROP {kind.upper()} IF EXISTS main.{_quoted(name)}")
    wanted = connection.execute(_OBJECTS.format(schema="restored")).fetchall()
    # Tables and their indexes first, then the rows: between tables of the same definition
    # and indexes, INSERT … SELECT * is SQLite's transfer optimisation, which copies records
    # and index entries as they are (a district's ledger in half the time of inserting rows
    # and building the indexes after). Triggers would prevent it: they come last, with views.
    # A virtual table (the search index's FTS5 table) makes its own shadow tables: those are
    # not made again but emptied and filled as they are; the virtual tables hold no rows.
    virtual = {name for kind, name, sql in wanted if kind == "table" and _is_virtual(sql)}
    for kind, name, sql in wanted:
        if kind in ("table", "index") and not _exists(connection, name):
            connection.execute(sql)  # unqualified: made in main
        elif kind == "table":
            connection.execute(f"DELETE FROM main.{_quoted(name)}")
    for kind, name, _sql in wanted:
        if kind == "table" and name not in virtual:
            connection.execute(
                f"INSERT INTO main.{_quoted(name)} SELECT * FROM restored.{_quoted(name)}"
            )
    for kind, _name, sql in wanted:
        if kind not in ("table", "index"):
            connection.execute(sql)
    sequences = "SELECT 1 FROM {schema}.sqlite_master WHERE name = 'sqlite_sequence'"
    if connection.execute(sequences.format(schema="restored")).fetchone():
        connection.execute("DELETE FROM main.sqlite_sequence")
        connection.execute(
            "INSERT INTO main.sqlite_sequence SELECT * FROM restored.sqlite_sequence"
        )
    (version,) = connection.execute("PRAGMA restored.user_version").fetchone()
    connection.execute(f"PRAGMA main.user_version = {int(version)}")


def _unused(path: Path) -> Path:
    """`path`, or `path-2`, `path-3` … when two restores fall in the same second."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}-{number}")
    return candidate


def _claim_kept(db_path: Path, moment: datetime) -> Path:
    """A new, empty file `<db>.before-restore-<time>` for the copy of the current ledger."""
    kept = _unused(db_path.with_name(f"{db_path.name}.before-restore-{moment:%Y%m%d-%H%M%S}"))
    create_new(kept)
    return kept


def _keep_current(db_path: Path, kept: Path) -> None:
    """Copy the live database into `kept` (online backup, through a connection of its own:
    the restore's connection holds the write lock, and a reader sees everything committed,
    including what is still in the write-ahead log)."""
    try:
        schema.backup_sqlite(db_path, kept)
    except sqlite3.Error as exc:
        raise TrackerError("restore_keep_failed", path=str(kept), reason=reason_of(exc)) from exc


def _fold_wal(db_path: Path) -> None:
    """Move the restored pages from the write-ahead log into the file, so that the file
    alone is the restored ledger (should someone copy it rather than back it up). The
    restore is done by then: a checkpoint that fails is left to the next one."""
    try:
        connection = sqlite3.connect(db_path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    except sqlite3.Error:
        pass


def restore_evidence(backup_store: Path, root: Path) -> int:
    """Copy into the store at `root` every intact file of `backup_store` that the store is
    missing or holds damaged; the number copied. Files only in `root` are kept: the
    database kept before the restore may refer to them."""
    copied = 0
    for path in stored_files(backup_store):
        live = stored_path(root, path.name)
        if live.is_file() and file_sha256(live) == path.name:
            continue
        if file_sha256(path) != path.name:
            continue  # damaged in the backup as well: a copy would not help
        store_file(root, path)
        copied += 1
    return copied
