"""Backing the ledger up and restoring it.

A SQLite ledger is copied with SQLite's online backup, which reads one consistent snapshot
while officers keep working, and the copy is checked with `PRAGMA integrity_check`. Its
evidence store goes beside the copy (`backup.db` -> `backup.db.evidence/`), which is where a
ledger opened from that file looks for it.

Restoring writes the backup into the live file through the same online backup, never by
copying the file over it: a live file in WAL mode may have a `-wal` file beside it (left by a
writer that was killed) whose pages SQLite would otherwise apply on top of the restored file.
Written through a connection, the restored pages supersede everything in the WAL.

A PostgreSQL ledger is the database administrator's to back up: the commands are given,
nothing is run.
"""

from __future__ import annotations

import re
import shlex
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from tracker import schema
from tracker.db import SQLITE_BUSY_TIMEOUT_MS
from tracker.errors import TrackerError
from tracker.files import require_not_special, resolved
from tracker.i18n import t
from tracker.services.evidence_store import (
    file_sha256,
    store_file,
    stored_files,
    stored_path,
)
from tracker.services.lookup import now as current_time

# `options=-csearch_path=a,b` in a PostgreSQL URL: the schemas the ledger lives in.
SEARCH_PATH = re.compile(r"(?:^|\s)-c\s*search_path\s*=\s*(\S+)")


@dataclass(frozen=True)
class BackupResult:
    """What a backup wrote: the database copy and, when there was a store, its copy."""

    target: Path
    evidence: Path | None
    evidence_files: int
    # Stored files whose content no longer matched their name: copied as they are.
    evidence_damaged: int


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did, and where the database it replaced was kept."""

    db_path: Path
    previous: Path | None
    evidence: Path | None
    evidence_files: int


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
    _create_new(target)
    try:
        schema.backup_sqlite(db_path, target)
        problem = integrity_problem(target)
        if problem is not None:
            raise TrackerError("backup_check_failed", path=str(target), reason=problem)
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)
        raise TrackerError("backup_failed", path=str(target), reason=str(exc)) from exc
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


def _create_new(target: Path) -> None:
    """Claim `target` as a new, empty file (an empty file is an empty SQLite database), so
    that a file appearing meanwhile is not overwritten either."""
    try:
        target.open("xb").close()
    except FileExistsError as exc:
        raise TrackerError("backup_exists", path=str(target)) from exc
    except OSError as exc:
        raise TrackerError("backup_failed", path=str(target), reason=str(exc)) from exc


def _read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot change the file at `path`."""
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)


def integrity_problem(path: Path) -> str | None:
    """What `PRAGMA integrity_check` finds wrong with the SQLite file at `path`; None if ok."""
    try:
        connection = _read_only(path)
        try:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return str(exc)
    found = "; ".join(str(row[0]) for row in rows)
    return None if found == "ok" else found


def check_ledger(path: Path) -> None:
    """Refuse, with a TrackerError, a file that is not a sound ledger of a known revision."""
    problem = integrity_problem(path)
    if problem is None:
        connection = _read_only(path)
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            revision = None
            if "alembic_version" in tables:
                query = "SELECT version_num FROM alembic_version"
                revision = connection.execute(query).fetchone()
        except sqlite3.Error as exc:
            problem = str(exc)
        finally:
            connection.close()
    if problem is None and "commitment" not in tables:
        problem = t("restore_no_ledger_tables")
    if problem is not None:
        raise TrackerError("restore_not_ledger", path=str(path), reason=problem)
    if revision is not None and revision[0] not in schema.REVISIONS:
        raise TrackerError("db_newer", db=str(path), revision=revision[0], head=schema.HEAD)


def restore_sqlite(
    backup: Path, db_path: Path, *, store: Path | None = None, now: datetime | None = None
) -> RestoreResult:
    """Replace the ledger at `db_path` with the backup, keeping the current one beside it
    as `<db>.before-restore-<time>`; bring back the backup's evidence files into `store`
    (by default the store beside the database).

    Nothing is changed when `backup` is not a sound ledger.
    """
    backup, db_path = resolved(backup), resolved(db_path)
    require_not_special(backup)  # a pipe or device is named as such, not as missing
    require_not_special(db_path)
    if not backup.is_file():
        raise TrackerError("file_missing", path=str(backup))
    if db_path.exists() and backup.samefile(db_path):
        raise TrackerError("restore_same_file", path=str(backup))
    check_ledger(backup)
    previous = _keep_current(db_path, now or current_time()) if db_path.exists() else None
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        schema.backup_sqlite(backup, db_path)
        _fold_wal(db_path)
    except sqlite3.Error as exc:
        raise TrackerError("restore_failed", db=str(db_path), reason=str(exc)) from exc
    backup_store = evidence_beside(backup)
    if not backup_store.is_dir():
        return RestoreResult(db_path, previous, None, 0)
    root = store if store is not None else evidence_beside(db_path)
    return RestoreResult(db_path, previous, root, restore_evidence(backup_store, root))


def _unused(path: Path) -> Path:
    """`path`, or `path-2`, `path-3` … when two restores fall in the same second."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}-{number}")
    return candidate


def _keep_current(db_path: Path, moment: datetime) -> Path:
    """Copy the live database to `<db>.before-restore-<time>` (online backup: it includes
    what is still in the write-ahead log)."""
    kept = _unused(db_path.with_name(f"{db_path.name}.before-restore-{moment:%Y%m%d-%H%M%S}"))
    _create_new(kept)
    try:
        schema.backup_sqlite(db_path, kept)
    except sqlite3.Error as exc:
        kept.unlink(missing_ok=True)
        raise TrackerError("backup_failed", path=str(kept), reason=str(exc)) from exc
    return kept


def _fold_wal(db_path: Path) -> None:
    """Move the restored pages from the write-ahead log into the file, so that the file
    alone is the restored ledger (should someone copy it rather than back it up)."""
    connection = sqlite3.connect(db_path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


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


def _pg_connection(url: URL) -> list[str]:
    """The host, port, user and database options of the PostgreSQL client tools."""
    args: list[str] = []
    host = url.host or url.query.get("host")
    if host:
        args += ["-h", str(host)]
    if url.port:
        args += ["-p", str(url.port)]
    if url.username:
        args += ["-U", url.username]
    if url.database:
        args += ["-d", url.database]
    return args


def _pg_schemas(url: URL) -> list[str]:
    """The schemas of `options=-csearch_path=…` (the ledger's tables are there), if given."""
    options = url.query.get("options")
    text = " ".join(options) if isinstance(options, tuple) else options or ""
    match = SEARCH_PATH.search(text)
    if match is None:
        return []
    names = (name.strip().strip('"') for name in match.group(1).split(","))
    return [name for name in names if name and name != "$user"]


def pg_dump_command(url: str | URL, target: Path) -> str:
    """The pg_dump command that backs up the ledger at `url` into `target` (custom format).

    The password is left out: pg_dump asks for it, or reads PGPASSWORD or ~/.pgpass.
    """
    parsed = make_url(url)
    schemas = [arg for name in _pg_schemas(parsed) for arg in ("-n", name)]
    return shlex.join(["pg_dump", *_pg_connection(parsed), *schemas, "-Fc", "-f", str(target)])


def pg_restore_command(url: str | URL, backup: Path) -> str:
    """The pg_restore command that puts the dump `backup` back into the database at `url`:
    the ledger's tables are dropped and recreated in one transaction."""
    parsed = make_url(url)
    options = ["--clean", "--if-exists", "--single-transaction"]
    return shlex.join(["pg_restore", *_pg_connection(parsed), *options, str(backup)])
