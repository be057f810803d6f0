"""The evidence store: every file attached to an event, kept by its SHA-256.

A stored file lives at `<root>/<sha[:2]>/<sha>`. It is written to a temporary file in the
store and renamed into place, so a reader never sees half a file; it is made read-only; and
the same content attached twice is stored once. The ledger's `Evidence` rows keep the path
the officer gave and the fingerprint, which is all that is needed to find the stored copy.

The store is the configured folder (TRACKER_EVIDENCE_DIR or `evidence_dir` in config.toml),
else a folder beside a SQLite file (`tracker.db.evidence/`). A PostgreSQL ledger is shared,
so its store must be a folder every officer can reach: there is no default for it.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

try:  # advisory file locks (POSIX); Windows protects an open file in its own way
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from sqlalchemy.engine import URL, make_url
from sqlmodel import Session, col, func, select

from tracker.config import evidence_dir_setting
from tracker.errors import TrackerError
from tracker.failures import reason_of
from tracker.files import open_regular, resolved
from tracker.models import Commitment, Event, Evidence, Report

# Read and write in blocks of this size: evidence can be a long video.
BLOCK = 1 << 20
# Distinct fingerprints read from the database at a time, and looked up per query.
BATCH = 500
READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
SHARD = re.compile(r"[0-9a-f]{2}")
DIGEST = re.compile(r"[0-9a-f]{64}")
TEMP_PREFIX = ".incoming-"
# A temporary file is an orphan to delete when its writer is surely gone. Two tests, both
# needed (see `remove_orphans`): nobody has written to it for this long, and no live writer
# holds its lock.
ORPHAN_AGE_SECONDS = 3600


@dataclass(frozen=True)
class StoredFile:
    """A file in the store: its fingerprint, its size and where the copy is."""

    sha256: str
    size: int
    stored_path: Path


class ProblemKind(StrEnum):
    MISSING = "missing"  # no file in the store under the fingerprint
    CHANGED = "changed"  # the stored file no longer has the fingerprint


@dataclass(frozen=True)
class EvidenceUse:
    """Where a stored file is used: the name the officer gave it and the item it proves."""

    name: str
    path: str
    report: str
    code: str


@dataclass(frozen=True)
class EvidenceProblem:
    """A stored file that is missing or changed, and every item that relies on it."""

    kind: ProblemKind
    sha256: str
    stored_path: Path
    uses: tuple[EvidenceUse, ...]


def evidence_root(db_url: str | URL, configured: Path | None) -> Path:
    """Where the store of the database at `db_url` is: the configured folder, else
    `<db file>.evidence` beside a SQLite file. A shared database needs a configured folder."""
    if configured is not None:
        return resolved(configured)
    url = make_url(db_url)
    database = url.database
    if url.get_backend_name() == "sqlite" and database and database != ":memory:":
        path = resolved(Path(database))
        return path.with_name(f"{path.name}.evidence")
    raise TrackerError("evidence_store_unset")


def session_evidence_root(session: Session) -> Path:
    """The store of the database `session` works on (for services given only a session)."""
    return evidence_root(session.get_bind().engine.url, evidence_dir_setting())


def stored_path(root: Path, sha256: str) -> Path:
    """Where the file with fingerprint `sha256` is kept in the store at `root`."""
    return root / sha256[:2] / sha256


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's content, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def store_file(root: Path, source: Path) -> StoredFile:
    """Copy `source` into the store at `root`, hashing it on the way; return where it is.

    The copy is made in a temporary file in the store and renamed to its fingerprint, so
    the store never holds part of a file under a name. Content stored before is kept as it
    is, unless that copy has been damaged: then the good copy replaces it.
    """
    try:
        root.mkdir(parents=True, exist_ok=True)
        remove_orphans(root)
        handle, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=root)
    except OSError as exc:
        raise TrackerError(
            "evidence_store_failed", path=str(source), store=str(root), reason=reason_of(exc)
        ) from exc
    temp = Path(temp_name)
    try:
        _hold(handle)  # released when the file is closed, or this process dies
        with os.fdopen(handle, "wb") as target:
            sha256, size = _copy_hashing(source, target)
            target.flush()
            # On disk before the rename: after a crash the name never points at a stub.
            os.fsync(target.fileno())
        final = stored_path(root, sha256)
        if final.is_file() and file_sha256(final) == sha256:
            temp.unlink()
            return StoredFile(sha256, size, final)
        temp.chmod(READ_ONLY)
        final.parent.mkdir(exist_ok=True)
        if final.exists():
            # A damaged copy: made writable first, as Windows refuses to replace a
            # read-only file.
            final.chmod(READ_ONLY | stat.S_IWUSR)
        os.replace(temp, final)
        _sync_directory(final.parent)
    except TrackerError:
        temp.unlink(missing_ok=True)
        raise
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise TrackerError(
            "evidence_store_failed", path=str(source), store=str(root), reason=reason_of(exc)
        ) from exc
    return StoredFile(sha256, size, final)


def remove_orphans(root: Path, now: float | None = None) -> list[Path]:
    """Delete the temporary files that writers killed mid-copy left in the store at `root`
    (`now`: the time to judge their age by, default the clock's); the ones deleted.

    A temporary file is deleted only when both say its writer is gone:

    * no write to it for ORPHAN_AGE_SECONDS. A live writer's file is written block after
      block and then renamed at once, so its time is always recent; and this is the one test
      that holds where the other cannot see: a writer that has created its file but not yet
      locked it, or one on another machine sharing the store over a network file system,
      whose locks may not reach us. The writer's process id would say nothing there either
      (another machine's, or reused).
    * no process holds its lock (POSIX: an advisory flock the writer takes at once, which the
      system releases when the writer dies, SIGKILL included). This keeps the file of a live
      writer that has been stalled for an hour (a source on a hung network share).

    Windows has no flock, but will not delete a file a live writer has open: the unlink
    fails, and the file is kept. Were a live writer's file deleted all the same, its rename
    would fail and its event not be recorded: nothing half-written is ever kept.
    """
    cutoff = (time.time() if now is None else now) - ORPHAN_AGE_SECONDS
    removed: list[Path] = []
    for path in root.glob(f"{TEMP_PREFIX}*"):
        try:
            if path.stat().st_mtime > cutoff or _held_by_a_writer(path):
                continue
            path.unlink()
        except OSError:
            continue  # renamed or deleted meanwhile, or (Windows) open in a live writer
        removed.append(path)
    return removed


def _hold(handle: int) -> None:
    """Lock a new temporary file of this writer (see `remove_orphans`)."""
    if fcntl is not None:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _held_by_a_writer(path: Path) -> bool:
    """Whether a live process holds `path`'s lock (never, where there are no flocks)."""
    if fcntl is None:
        return False
    with path.open("rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
    return False  # closing the handle released the lock taken to test it


def _copy_hashing(source: Path, target: BinaryIO) -> tuple[str, int]:
    """Copy `source` into `target`; its SHA-256 and size.

    Reading errors name the source; a writing error (a full disk) is left to the caller,
    which names the store.
    """
    try:
        # A pipe or device (swapped in since the file was checked) is refused, not waited on.
        handle = open_regular(source)
    except TrackerError as exc:
        if exc.key == "file_missing":
            raise TrackerError("evidence_missing", path=str(source)) from exc
        raise
    digest = hashlib.sha256()
    size = 0
    with handle:
        while True:
            try:
                block = handle.read(BLOCK)
            except OSError as exc:
                raise TrackerError(
                    "evidence_unreadable", path=str(source), reason=reason_of(exc)
                ) from exc
            if not block:
                break
            digest.update(block)
            target.write(block)
            size += len(block)
    return digest.hexdigest(), size


def _sync_directory(path: Path) -> None:
    """Make a rename in `path` durable; a no-op where directories cannot be opened."""
    if os.name != "posix":
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def stored_files(root: Path) -> Iterator[Path]:
    """Every file of the store at `root` (not temporary files left by an interrupted copy)."""
    if not root.is_dir():
        return
    for shard in sorted(root.iterdir()):
        if not (shard.is_dir() and SHARD.fullmatch(shard.name)):
            continue
        for path in sorted(shard.iterdir()):
            if path.is_file() and DIGEST.fullmatch(path.name):
                yield path


def evidence_count(session: Session) -> int:
    """How many distinct files the ledger's evidence rows refer to."""
    query = select(func.count(func.distinct(Evidence.sha256)))
    return int(session.exec(query).one())


def verify_store(session: Session, root: Path) -> list[EvidenceProblem]:
    """Re-hash the stored copy of every file the ledger refers to; the missing and changed
    ones, each with the names and items that use it.

    The fingerprints are read in batches, so a district's ledger is never loaded whole.
    """
    found: list[tuple[ProblemKind, str]] = []
    query = (
        select(Evidence.sha256)
        .distinct()
        .order_by(col(Evidence.sha256))
        .execution_options(yield_per=BATCH)
    )
    for sha256 in session.exec(query):
        path = stored_path(root, sha256)
        if not path.is_file():
            found.append((ProblemKind.MISSING, sha256))
            continue
        try:
            intact = file_sha256(path) == sha256
        except OSError:
            intact = False  # unreadable is as good as changed for the one who needs it
        if not intact:
            found.append((ProblemKind.CHANGED, sha256))
    uses = _uses(session, [sha256 for _, sha256 in found])
    return [
        EvidenceProblem(kind, sha256, stored_path(root, sha256), tuple(uses.get(sha256, [])))
        for kind, sha256 in found
    ]


def _uses(session: Session, digests: list[str]) -> dict[str, list[EvidenceUse]]:
    """The evidence rows of the files `digests`: the name given and the item, in order."""
    uses: dict[str, list[EvidenceUse]] = {}
    for batch in _batches(digests, BATCH):
        query = (
            select(Evidence.sha256, Evidence.path, Report.slug, Commitment.code)
            .join(Event, col(Evidence.event_id) == col(Event.id))
            .join(Commitment, col(Event.commitment_id) == col(Commitment.id))
            .join(Report, col(Commitment.report_id) == col(Report.id))
            .where(col(Evidence.sha256).in_(batch))
            .order_by(col(Report.slug), col(Commitment.sort_key), col(Evidence.id))
        )
        for sha256, path, slug, code in session.exec(query):
            uses.setdefault(sha256, []).append(EvidenceUse(original_name(path), path, slug, code))
    return uses


def original_name(path: str) -> str:
    """The file name of a recorded path, whichever system recorded it (C:\\a\\b.pdf -> b.pdf)."""
    return re.split(r"[\\/]", path)[-1] or path


def _batches(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
