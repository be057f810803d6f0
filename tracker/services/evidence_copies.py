"""Evidence back by name: an item's stored files, written out under the names the officer
gave them, for `tracker evidence get` and the app's evidence dialog.

The store keeps a file under its SHA-256 only; the ledger's `Evidence.path` keeps the path
the officer gave when logging it, whose last part is the file's original name. A copy is
written only after the stored file has been hashed again and found to be what was logged,
and never over a file already in the folder: a name that is taken gets " (2)", " (3)"…
before its extension, unless the file there already is this one (same content), which is
then left as it is.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session, col, or_, select

from tracker.errors import TrackerError
from tracker.files import open_regular, path_error
from tracker.i18n import t
from tracker.models import Commitment, Event, Evidence
from tracker.services.evidence_store import BLOCK, file_sha256, original_name, stored_path

# Characters no file name may hold on one of the systems officers use (Windows the
# strictest): replaced, so that a name saved on Linux opens the same on Windows.
_FORBIDDEN = set('<>:"|?*/\\')
# Categories of characters that would hide or reorder a name: controls, formatting
# (bidi overrides, zero-width), line and paragraph separators.
_HIDDEN = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co"}
# A folder full of 纪要 (2)…纪要 (9999).pdf is a mistake somewhere else; stop there.
MAX_SUFFIX = 9999


@dataclass(frozen=True)
class EvidenceFile:
    """A file of one event: the name to give it back under, and how to find and check it."""

    event_id: int
    day: date
    code: str  # the item the event is logged on (a period, a village's item)
    name: str
    sha256: str
    size: int
    voided: bool


@dataclass(frozen=True)
class ItemEvidence:
    """The files an item's events hold, and how many more belong to voided events (left
    out unless one event was named)."""

    files: list[EvidenceFile]
    voided_left_out: int


class CopyKind(StrEnum):
    WRITTEN = "written"  # under its own name
    RENAMED = "renamed"  # the name was taken: 纪要 (2).pdf
    SAME = "same"  # the folder already holds this very file under that name


@dataclass(frozen=True)
class SavedCopy:
    kind: CopyKind
    path: Path


def file_name(path: str, sha256: str) -> str:
    """The name to write a file back under: the last part of the path the officer gave,
    without characters that would hide or reorder it or that a system refuses in a name."""
    name = "".join(
        "_" if ch in _FORBIDDEN or unicodedata.category(ch) in _HIDDEN else ch
        for ch in original_name(path)
    ).strip()
    if not name.strip("._"):  # "", "..", a path that ends in a separator: no name left
        return sha256[:16]
    return name


def item_evidence(
    *, session: Session, item: Commitment, event_id: int | None = None, voided: bool = False
) -> ItemEvidence:
    """The evidence files of `item` and of its periods or villages, in the order their events
    happened; or of its one event `event_id` (voided or not).

    Events that were voided are left out (counted) unless named or `voided` asks for them
    (the app lists them, marked): they no longer prove anything. A file attached to many
    events under one name (a register logged for a month of daily periods) is given once.
    """
    assert item.id is not None
    belongs = or_(col(Commitment.id) == item.id, col(Commitment.parent_id) == item.id)
    query = (
        select(Event, Evidence, Commitment.code)
        .join(Evidence, col(Evidence.event_id) == col(Event.id))
        .join(Commitment, col(Event.commitment_id) == col(Commitment.id))
        .where(belongs)
        .order_by(col(Event.happened_on), col(Event.id), col(Evidence.id))
    )
    if event_id is not None:
        _require_event_of(session, item, event_id)
        query = query.where(col(Event.id) == event_id)
    files: list[EvidenceFile] = []
    seen: set[tuple[str, str]] = set()
    left_out = 0
    for event, evidence, code in session.exec(query):
        is_void = event.voided_on is not None
        if is_void and event_id is None and not voided:
            left_out += 1
            continue
        name = file_name(evidence.path, evidence.sha256)
        if (name, evidence.sha256) in seen:
            continue
        seen.add((name, evidence.sha256))
        assert event.id is not None
        files.append(
            EvidenceFile(
                event.id, event.happened_on, code, name, evidence.sha256, evidence.size, is_void
            )
        )
    return ItemEvidence(files, left_out)


def _require_event_of(session: Session, item: Commitment, event_id: int) -> None:
    """Refuse an event that does not exist, or is another item's."""
    found = session.exec(
        select(Commitment.id, Commitment.parent_id, Commitment.code)
        .join(Event, col(Event.commitment_id) == col(Commitment.id))
        .where(col(Event.id) == event_id)
    ).first()
    if found is None:
        raise TrackerError("evidence_event_unknown", event=event_id)
    owner, parent, code = found
    if item.id not in (owner, parent):
        raise TrackerError("evidence_event_elsewhere", event=event_id, code=item.code, other=code)


def save_copy(root: Path, file: EvidenceFile, folder: Path) -> SavedCopy:
    """Write the stored copy of `file` from the store at `root` into `folder` under its
    name, checked against its fingerprint first; never over another file."""
    source = stored_path(root, file.sha256)
    words = {"name": file.name, "event": file.event_id, "date": file.day.isoformat()}
    if not source.is_file():
        raise TrackerError("evidence_get_missing", store=str(root), **words)
    try:
        intact = file_sha256(source) == file.sha256
    except OSError:
        intact = False  # unreadable is as good as changed to the one who needs it
    if not intact:
        raise TrackerError("evidence_get_changed", **words)
    for candidate in _candidates(folder, file.name):
        try:
            taken = candidate.exists() or candidate.is_symlink()
        except OSError as exc:  # a name too long for the file system, once numbered
            raise path_error(candidate, exc, write=True) from exc
        if taken:
            if _holds(candidate, file.sha256):
                return SavedCopy(CopyKind.SAME, candidate)
            continue
        try:
            target = candidate.open("xb")  # exclusive: a file made meanwhile is not replaced
        except FileExistsError:
            continue
        except OSError as exc:
            raise path_error(candidate, exc, write=True) from exc
        _copy_checked(source, target, candidate, file.sha256, words)
        kind = CopyKind.WRITTEN if candidate.name == file.name else CopyKind.RENAMED
        return SavedCopy(kind, candidate)
    raise TrackerError("evidence_get_names_taken", folder=str(folder), **words)


def saved_words(saved: SavedCopy, file: EvidenceFile) -> str:
    """One line on a copy: where it went (or that it was there already), and what it is."""
    key = {
        CopyKind.WRITTEN: "evidence_get_written",
        CopyKind.RENAMED: "evidence_get_renamed",
        CopyKind.SAME: "evidence_get_same",
    }[saved.kind]
    words = {"name": file.name, "event": file.event_id, "date": file.day.isoformat()}
    return t(key, path=str(saved.path), **words)


def _candidates(folder: Path, name: str) -> list[Path]:
    stem, suffix = Path(name).stem, Path(name).suffix
    if not stem:  # ".bashrc": all stem, no extension
        stem, suffix = name, ""
    return [folder / name] + [
        folder / f"{stem} ({number}){suffix}" for number in range(2, MAX_SUFFIX + 1)
    ]


def _holds(path: Path, sha256: str) -> bool:
    """Whether `path` is a regular file with this content (a pipe is never read)."""
    try:
        with open_regular(path) as handle:
            digest = hashlib.sha256()
            for block in iter(lambda: handle.read(BLOCK), b""):
                digest.update(block)
    except (TrackerError, OSError):
        return False
    return digest.hexdigest() == sha256


def _copy_checked(
    source: Path, out: BinaryIO, path: Path, sha256: str, words: dict[str, object]
) -> None:
    """Copy `source` into the open new file `target` at `path`, hashing on the way; a copy
    that is not what was logged (the store changed since it was checked), or that could not
    be finished, is deleted."""
    digest = hashlib.sha256()
    try:
        with out, source.open("rb") as handle:
            for block in iter(lambda: handle.read(BLOCK), b""):
                digest.update(block)
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise path_error(path, exc, write=True) from exc
    if digest.hexdigest() != sha256:
        path.unlink(missing_ok=True)
        raise TrackerError("evidence_get_changed", **words)
