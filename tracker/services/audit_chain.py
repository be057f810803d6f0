"""The audit chain's form, and reading it: canonical JSON, entry hashes, verifying the chain,
and one item's entries.

Each entry's hash is SHA-256 over the previous entry's hash, a newline, and the canonical
JSON of the entry's id, time (ISO, UTC), actor, action, target and detail text; the first
entry follows 64 zeros. Editing, deleting or reordering any entry breaks the chain at that
entry, which `verify_chain` names. Deleting the newest entries cannot be seen from the chain
alone: an anchor noted earlier tells (services.audit_ledger).

On PostgreSQL the database writes and verifies its own keyed chain (tracker/db_guard.sql);
entries written before it did are still checked here. Writing the chain on SQLite is
`tracker.services.audit`'s.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum, StrEnum
from functools import lru_cache
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy import text
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from tracker.errors import TrackerError
from tracker.models import AuditEntry, Commitment, Report

# The prev_hash of the first entry.
GENESIS = "0" * 64


class BreakReason(StrEnum):
    """Why a link of the chain is broken."""

    GAP = "gap"  # ids not consecutive: an entry is missing (or was renumbered)
    LINK = "link"  # prev_hash does not match the entry before
    HASH = "hash"  # hash does not match the entry's content


@dataclass(frozen=True)
class Break:
    """The first broken link: its position in the chain (1-based), id and why."""

    position: int
    id: int
    reason: BreakReason


@dataclass(frozen=True)
class VerifyResult:
    """What `verify_chain` found: how many entries are sound, and the first break if any."""

    checked: int
    broken: Break | None
    last_hash: str

    @property
    def intact(self) -> bool:
        return self.broken is None


@dataclass(frozen=True)
class AuditRecord:
    """One entry as read back, its time aware and in UTC and its detail parsed."""

    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any]


# --- Targets and canonical forms ---------------------------------------------------------


def commitment_target(slug: str, code: str) -> str:
    """The target of a commitment's or instance's entries: "baohe-2021:5.5a/2026"."""
    return f"{slug}:{code}"


def account_target(name: str) -> str:
    return f"account:{name}"


def village_target(town: str, number: int) -> str:
    return f"village:{town}:{number}"


def plain(value: Any) -> Any:
    """A JSON value for a column's value: dates as ISO text, enums as their value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def canonical_json(value: Any) -> str:
    """The one text of `value` that is hashed: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=plain
    )


def utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive one (SQLite stores no zone) is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@lru_cache(maxsize=64)
def _utc_iso(moment: datetime) -> str:
    # Cached: the entries of one transaction share their time, and verifying 200,000 entries
    # would otherwise spend a fifth of its time here.
    return utc(moment).isoformat()


def entry_hash(
    prev_hash: str, *, id: int, at: datetime, actor: str, action: str, target: str, detail: str
) -> str:
    """SHA-256 of the previous hash, a newline and the entry's canonical content.

    The id is part of it so that an entry cannot be moved; the time is hashed as UTC ISO
    text so that SQLite (naive) and PostgreSQL (aware, in the session's zone) agree.
    """
    content = {
        "id": id,
        "at": _utc_iso(at),
        "actor": actor,
        "action": action,
        "target": target,
        "detail": detail,
    }
    message = f"{prev_hash}\n{canonical_json(content)}"
    return hashlib.sha256(message.encode("utf-8")).hexdigest()


def database_keeps_chain(session: OrmSession) -> bool:
    """On PostgreSQL the database writes the chain itself (tracker.db_guard)."""
    return session.get_bind().dialect.name == "postgresql"


# --- Reading ---------------------------------------------------------------------------


_COLUMNS = (
    col(AuditEntry.id),
    col(AuditEntry.at),
    col(AuditEntry.actor),
    col(AuditEntry.action),
    col(AuditEntry.target),
    col(AuditEntry.detail),
    col(AuditEntry.prev_hash),
    col(AuditEntry.hash),
)


def verify_chain(session: Session, *, batch: int = 2000) -> VerifyResult:
    """Check every entry in id order; stop at the first broken link.

    On PostgreSQL the database checks its keyed entries itself (only it holds the key); the
    SHA-256 of entries written before it kept the chain are checked here. Entries this
    session has not written yet are not part of the chain.
    """
    if database_keeps_chain(session):
        return _verify_in_database(session, batch=batch)
    return _verify_sha256(session, batch=batch)


def _verify_in_database(session: Session, *, batch: int) -> VerifyResult:
    row = session.execute(text("SELECT * FROM tracker_audit_verify()")).mappings().one()
    keyed_from = int(row["keyed_from"])
    if keyed_from > 1:  # written by tracker before the database kept the chain
        before = _verify_sha256(session, batch=batch, stop_before=keyed_from)
        if not before.intact:
            return before
    if row["reason"] is not None:
        reason = BreakReason(row["reason"])
        broken = Break(int(row["broken_position"]), int(row["broken_id"]), reason)
        return VerifyResult(int(row["checked"]), broken, str(row["last_hash"]))
    return VerifyResult(int(row["checked"]), None, str(row["last_hash"]))


def _verify_sha256(session: Session, *, batch: int, stop_before: int | None = None) -> VerifyResult:
    """Check the SHA-256 chain, streaming `batch` entries at a time (a server-side cursor on
    PostgreSQL), so memory stays flat however long the chain is; up to `stop_before`."""
    query = sa_select(*_COLUMNS).order_by(col(AuditEntry.id)).execution_options(yield_per=batch)
    if stop_before is not None:
        query = query.where(col(AuditEntry.id) < stop_before)
    prev_hash, checked = GENESIS, 0
    result = session.execute(query)
    try:
        for position, row in enumerate(result, start=1):
            entry_id, at, actor, action, target, detail, stored_prev, stored_hash = row
            reason: BreakReason | None = None
            if entry_id != position:
                reason = BreakReason.GAP
            elif stored_prev != prev_hash:
                reason = BreakReason.LINK
            elif stored_hash != entry_hash(
                prev_hash,
                id=entry_id,
                at=at,
                actor=actor,
                action=action,
                target=target,
                detail=detail,
            ):
                reason = BreakReason.HASH
            if reason is not None:
                return VerifyResult(checked, Break(position, entry_id, reason), prev_hash)
            prev_hash, checked = stored_hash, position
    finally:
        result.close()
    return VerifyResult(checked, None, prev_hash)


def _parse(detail: str) -> dict[str, Any]:
    """An entry's detail; a tampered one that is no longer a JSON object is shown as is."""
    try:
        value = json.loads(detail)
    except ValueError:
        return {"text": detail}
    return value if isinstance(value, dict) else {"text": detail}


def item_history(*, session: Session, report: Report, code: str) -> list[AuditRecord]:
    """The audit entries of one commitment or instance (5.5a, 5.5a/2026, 3.3a-V07), oldest
    first; an unknown code is an error."""
    found = session.exec(
        select(Commitment.code).where(
            col(Commitment.report_id) == report.id, col(Commitment.code) == code.strip()
        )
    ).first()
    if found is None:
        raise TrackerError("code_unknown", code=code)
    query = (
        sa_select(*_COLUMNS[:6])
        .where(col(AuditEntry.target) == commitment_target(report.slug, found))
        .order_by(col(AuditEntry.id))
    )
    return [
        AuditRecord(
            id=entry_id,
            at=utc(at),
            actor=actor,
            action=action,
            target=target,
            detail=_parse(detail),
        )
        for entry_id, at, actor, action, target, detail in session.execute(query)
    ]
