"""Backing the ledger up and restoring it.

A SQLite ledger is copied with SQLite's online backup, which reads one consistent snapshot
while officers keep working, and the copy is checked with `PRAGMA integrity_check`. Its
evidence store goes beside the copy (`backup.db` -> `backup.db.evidence/`), which is where a
ledger opened from that file looks for it.

A restore first makes sure of the backup without writing anything: a sound SQLite ledger, of
a schema revision this tracker knows, whose audit chain verifies. It then stages a copy beside
the live file, upgrades the copy if the backup is older, and adds the restore's own audit
entry to the copy's chain. Only then is the live file locked: the current ledger is kept as
`<db>.before-restore-<time>` and the staged one written in, in one transaction that holds the
write lock throughout (see `_take_over`). The restored ledger is written through a connection,
never by copying the file over it: a live file in WAL mode may have a `-wal` file beside it
(left by a writer that was killed) whose pages SQLite would otherwise apply on top of it.

A PostgreSQL ledger is the database administrator's to back up and restore: the commands are
given, nothing is run.
"""

from __future__ import annotations

import re
import shlex
import sqlite3
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from tracker import schema
from tracker.db import SQLITE_BUSY_TIMEOUT_MS, make_engine, new_session
from tracker.errors import TrackerError
from tracker.files import require_not_special, resolved
from tracker.i18n import t
from tracker.services.audit import add_entry
from tracker.services.audit_chain import verify_chain
from tracker.services.evidence_store import (
    file_sha256,
    store_file,
    stored_files,
    stored_path,
)
from tracker.services.lookup import now as current_time

# `options=-csearch_path=a,b` in a PostgreSQL URL: the schemas the ledger lives in.
SEARCH_PATH = re.compile(r"(?:^|\s)-c\s*search_path\s*=\s*(\S+)")
# The audit entry a restore adds to the restored ledger's chain.
RESTORE_ACTION = "ledger.restore"


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
    # The backup's schema revision (a restored older one is upgraded to schema.HEAD).
    revision: str
    # The entries of the backup's audit chain, all verified, before the restore's own.
    audit_entries: int
    sha256: str  # of the backup file


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


def holds_ledger(path: Path) -> bool:
    """Whether the file at `path` is a database holding the ledger's tables (read only: a
    missing, foreign or unreadable file does not)."""
    if not path.is_file():
        return False
    try:
        connection = _read_only(path)
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
        connection = _read_only(path)
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" in tables:
                rows = connection.execute("SELECT version_num FROM alembic_version")
                versions = [str(row[0]) for row in rows]
        except sqlite3.Error as exc:
            problem = str(exc)
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
    engine = create_engine("sqlite://", creator=lambda: _read_only(path), poolclass=NullPool)
    try:
        if not inspect(engine).has_table("audit"):
            return 0
        with new_session(engine) as session:
            result = verify_chain(session)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise TrackerError("restore_not_ledger", path=str(path), reason=reason) from exc
    finally:
        engine.dispose()
    if result.broken is not None:
        broken = result.broken
        problem = t(f"audit_broken_{broken.reason.value}", position=broken.position, id=broken.id)
        raise TrackerError("restore_audit_broken", path=str(path), problem=problem)
    return result.checked


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
        raise TrackerError("restore_not_ledger", path=str(backup), reason=str(exc)) from exc
    engine = make_engine(f"sqlite:///{staged}")
    try:
        if revision != schema.HEAD:
            try:
                schema.upgrade(engine)
            except (SQLAlchemyError, RuntimeError) as exc:
                reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
                raise TrackerError(
                    "restore_upgrade_failed", path=str(backup), revision=revision, reason=reason
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


def is_damage(exc: BaseException) -> bool:
    """Whether SQLite failed because the file is damaged or not a database at all (also
    when the error comes wrapped by SQLAlchemy)."""
    error = getattr(exc, "orig", None) or exc
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    return code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def _failure(db_path: Path, exc: sqlite3.Error) -> TrackerError:
    """The refusal for a restore that failed on the live file: a damaged one cannot be
    emptied table by table and has to be moved aside by hand."""
    key = "restore_live_damaged" if is_damage(exc) else "restore_failed"
    return TrackerError(key, db=str(db_path), reason=str(exc))


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# The tables, indexes, views and triggers of a schema, in the order they were made. SQLite's
# own tables are left to it: sqlite_sequence is made with the first table that needs it (and
# filled below); the statistics of ANALYZE (which the tracker never runs) go with the tables.
_OBJECTS = (
    "SELECT type, name, sql FROM {schema}.sqlite_master"
    " WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
)


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
    for kind, _name, sql in wanted:
        if kind in ("table", "index"):
            connection.execute(sql)  # unqualified: made in main
    for kind, name, _sql in wanted:
        if kind == "table":
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
    _create_new(kept)
    return kept


def _keep_current(db_path: Path, kept: Path) -> None:
    """Copy the live database into `kept` (online backup, through a connection of its own:
    the restore's connection holds the write lock, and a reader sees everything committed,
    including what is still in the write-ahead log)."""
    try:
        schema.backup_sqlite(db_path, kept)
    except sqlite3.Error as exc:
        raise TrackerError("restore_keep_failed", path=str(kept), reason=str(exc)) from exc


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
