"""Changing the ledger: status, events with evidence, notes. Every change leaves a history row.

Each function does all its checks before it writes, and writes within the caller's session:
the caller commits once, so a change is whole or not at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, func, select

from tracker.errors import TrackerError
from tracker.models import (
    CLOSED_STATUSES,
    Commitment,
    Event,
    Evidence,
    History,
    HistoryKind,
    Kind,
    Report,
    Status,
)
from tracker.schedule import Frequency, WorkCalendar, period_from_key, quota_met
from tracker.services.access import require_item
from tracker.services.evidence_store import StoredFile, session_evidence_root, store_file
from tracker.services.instances import (
    PERIODIC_KINDS,
    checkpoints_of,
    first_year,
    frequency_of,
    instance_due,
    instance_for_day,
)
from tracker.services.lookup import ensure_person
from tracker.services.recurring import refuse_parent_status

# What officers type for a status, in either language.
STATUS_ALIASES: dict[str, Status] = {
    "未开始": Status.TODO,
    "待办": Status.TODO,
    "进行中": Status.IN_PROGRESS,
    "已完成": Status.DONE,
    "完成": Status.DONE,
    "已销号": Status.VERIFIED,
    "销号": Status.VERIFIED,
    "受阻": Status.BLOCKED,
    "已取消": Status.CANCELLED,
    "取消": Status.CANCELLED,
    "in-progress": Status.IN_PROGRESS,
    "inprogress": Status.IN_PROGRESS,
}


def parse_status(value: str) -> Status:
    """A status from its code (todo, in_progress …) or its Chinese name (未开始, 进行中 …)."""
    text = value.strip()
    if text in STATUS_ALIASES:
        return STATUS_ALIASES[text]
    try:
        return Status(text.lower())
    except ValueError as exc:
        raise TrackerError("status_unknown", status=value) from exc


def check_version(session: Session, item: Commitment, expected: int | None) -> None:
    """Refuse a change based on a stale read: the officer saw version `expected` of `item`
    (in the app, when the dialog opened), and someone has changed it since.

    A change racing another within the same moment is caught later, at the UPDATE, which
    checks the version too (the mapper's version_id_col): `stale_to_error` turns that into
    the same kind of refusal.
    """
    if expected is None or item.version == expected:
        return
    latest = session.exec(
        select(History)
        .where(col(History.commitment_id) == item.id)
        .order_by(col(History.changed_at).desc(), col(History.id).desc())
    ).first()
    raise TrackerError(
        "item_changed",
        code=item.code,
        by=latest.changed_by if latest else "?",
        at=f"{latest.changed_at:%Y-%m-%d %H:%M}" if latest else "?",
    )


def touch(item: Commitment) -> None:
    """Make the flush UPDATE `item` (and so check and bump its version) even when no column
    of its own changed, as when an event is logged on it."""
    flag_modified(item, "notes")


def set_status(
    *,
    session: Session,
    item: Commitment,
    status: Status,
    note: str,
    user: str,
    now: datetime,
    expected_version: int | None = None,
) -> bool:
    """Set `item`'s status; False (and nothing written) when it already had it and no note.

    Sign-off (销号) is not a status an officer sets: it goes through signoff.verify.
    """
    require_item(session, user, item)
    check_version(session, item, expected_version)
    refuse_parent_status(item, status)
    old = Status(item.status)
    if status is Status.VERIFIED and old is not Status.VERIFIED:
        raise TrackerError("status_verified_by_signoff", code=item.code)
    if old is status and not note:
        return False
    record_status(session, item, status, note, user, now)
    if status is Status.CANCELLED:
        stop_future_periods(session, item, now.date(), note, user, now)
    return True


def record_status(
    session: Session, item: Commitment, status: Status, note: str, user: str, now: datetime
) -> None:
    """Write a new status and its history row (the checks are the caller's)."""
    ensure_person(session=session, name=user)
    old = Status(item.status)
    item.status = status
    session.add(item)
    session.add(
        History(
            commitment_id=item.id,
            kind=HistoryKind.STATUS,
            old=old,
            new=status,
            note=note,
            changed_by=user,
            changed_at=now,
            effective_on=now.date(),
        )
    )


def stop_future_periods(
    session: Session, parent: Commitment, after: date, note: str, user: str, now: datetime
) -> int:
    """Cancel the open periods of a cancelled periodic commitment that begin after `after`,
    each with its history row; past and current periods stay as they are. How many."""
    if parent.parent_id is not None or parent.kind not in PERIODIC_KINDS:
        return 0
    periods = session.exec(
        select(Commitment).where(
            col(Commitment.parent_id) == parent.id,
            col(Commitment.period_start) > after,
            col(Commitment.status).not_in(list(CLOSED_STATUSES)),
        )
    ).all()
    why = f"{parent.code} 已取消，本期不再执行" + (f"：{note.strip()}" if note.strip() else "")
    for period in periods:
        record_status(session, period, Status.CANCELLED, why, user, now)
    return len(periods)


def add_note(
    *,
    session: Session,
    item: Commitment,
    text: str,
    user: str,
    now: datetime,
    expected_version: int | None = None,
) -> None:
    """Append a dated, signed note to `item`; earlier notes are kept."""
    require_item(session, user, item)
    check_version(session, item, expected_version)
    note = text.strip()
    if not note:
        raise TrackerError("note_empty")
    ensure_person(session=session, name=user)
    line = f"[{now:%Y-%m-%d %H:%M} {user}] {note}"
    item.notes = f"{item.notes}\n{line}" if item.notes else line
    session.add(item)
    session.add(
        History(
            commitment_id=item.id,
            kind=HistoryKind.NOTE,
            new=None,
            note=note,
            changed_by=user,
            changed_at=now,
            effective_on=now.date(),
        )
    )


@dataclass(frozen=True)
class EvidenceFile:
    """A checked evidence file: where it is and its fingerprint."""

    path: Path
    sha256: str
    size: int


def check_evidence(paths: list[Path]) -> list[EvidenceFile]:
    """Fingerprint every evidence file; a missing or unreadable one is an error."""
    files: list[EvidenceFile] = []
    for path in paths:
        resolved = path.expanduser().resolve()
        if not resolved.is_file():
            raise TrackerError("evidence_missing", path=str(path))
        digest = hashlib.sha256()
        try:
            with resolved.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        except OSError as exc:
            raise TrackerError("evidence_unreadable", path=str(path), reason=str(exc)) from exc
        files.append(EvidenceFile(resolved, digest.hexdigest(), resolved.stat().st_size))
    return files


@dataclass(frozen=True)
class LoggedEvent:
    """What logging did: the event, the item it counts for, and any status it moved."""

    event: Event
    item: Commitment
    done_count: int | None
    status_changed: tuple[Status, Status] | None


def _event_target(
    session: Session, item: Commitment, day: date, calendar: WorkCalendar
) -> Commitment:
    """The row an event on `day` belongs to: a periodic commitment's period instance."""
    if item.parent_id is None and item.kind in PERIODIC_KINDS:
        report = session.get(Report, item.report_id)
        assert report is not None
        begins = date(first_year(item, report), 1, 1)
        if day < begins:
            raise TrackerError("event_before_start", code=item.code, start=begins.isoformat())
        return instance_for_day(session=session, parent=item, day=day, calendar=calendar)
    if item.period_key is not None and item.frequency is not None:
        period = period_from_key(Frequency(item.frequency), item.period_key)
        if not period.start <= day <= period.end:
            raise TrackerError(
                "event_outside_period",
                code=item.code,
                start=period.start.isoformat(),
                end=period.end.isoformat(),
            )
    return item


def log_event(
    *,
    session: Session,
    item: Commitment,
    day: date,
    note: str,
    evidence: list[Path],
    user: str,
    now: datetime,
    calendar: WorkCalendar,
    value: float | None = None,
    expected_version: int | None = None,
) -> LoggedEvent:
    """Record that something happened on `day`; on a periodic item it counts for its period.

    A period instance whose target is reached by this event is marked done (and one that
    gets its first event, in progress), with a history row saying the event did it.
    """
    require_item(session, user, item)
    check_version(session, item, expected_version)
    if day > now.date():
        raise TrackerError("event_in_future", date=day.isoformat())
    files = check_evidence(evidence)
    # Where the files will be kept, found before anything is written: a shared ledger with
    # no evidence folder configured refuses here, not halfway.
    store = session_evidence_root(session) if files else None
    target = _event_target(session, item, day, calendar)
    copies = stored_copies(store, files)
    return record_event(
        session=session,
        target=target,
        day=day,
        note=note,
        copies=copies,
        user=user,
        now=now,
        calendar=calendar,
        value=value,
    )


@dataclass(frozen=True)
class StoredEvidence:
    """An evidence file as the officer named it, and its copy in the store."""

    path: Path
    copy: StoredFile


def stored_copies(store: Path | None, files: list[EvidenceFile]) -> list[StoredEvidence]:
    """Copy checked evidence files into the store (content-addressed: each as it was logged)."""
    if not files:
        return []
    assert store is not None
    return [StoredEvidence(file.path, store_file(store, file.path)) for file in files]


def record_event(
    *,
    session: Session,
    target: Commitment,
    day: date,
    note: str,
    copies: list[StoredEvidence],
    user: str,
    now: datetime,
    calendar: WorkCalendar,
    value: float | None = None,
) -> LoggedEvent:
    """Write an event on `target` (the row it counts for), one evidence row per stored file,
    its history row, and move a period along (the checks are the caller's)."""
    touch(target)
    ensure_person(session=session, name=user)
    assert target.id is not None
    event = Event(
        commitment_id=target.id,
        happened_on=day,
        note=note.strip(),
        value=value,
        recorded_by=user,
        recorded_at=now,
    )
    session.add(event)
    session.flush()
    assert event.id is not None
    for stored in copies:
        copy = stored.copy
        session.add(
            Evidence(event_id=event.id, path=str(stored.path), sha256=copy.sha256, size=copy.size)
        )
    session.add(
        History(
            commitment_id=target.id,
            kind=HistoryKind.EVENT,
            new=day.isoformat(),
            note=note.strip(),
            changed_by=user,
            changed_at=now,
            effective_on=day,
        )
    )
    done_count, changed = _advance(session, target, calendar, user, now, day)
    return LoggedEvent(event=event, item=target, done_count=done_count, status_changed=changed)


def _advance(
    session: Session,
    item: Commitment,
    calendar: WorkCalendar,
    user: str,
    now: datetime,
    day: date,
) -> tuple[int | None, tuple[Status, Status] | None]:
    """Move a period instance along after an event: next checkpoint, status."""
    if item.period_key is None:
        return None, None
    count = session.exec(
        select(func.count()).select_from(Event).where(Event.commitment_id == item.id)
    ).one()
    old = Status(item.status)
    met = count >= 1
    if item.kind == Kind.QUOTA:
        parent = session.get(Commitment, item.parent_id)
        assert parent is not None
        checkpoints = checkpoints_of(parent)
        met = quota_met(checkpoints, count)
        period = period_from_key(frequency_of(parent), item.period_key)
        item.due = instance_due(parent, period, calendar, count)
    new = Status.DONE if met else Status.IN_PROGRESS
    if old in CLOSED_STATUSES or old is new or (old is not Status.TODO and not met):
        session.add(item)
        return count, None
    item.status = new
    session.add(item)
    session.add(
        History(
            commitment_id=item.id,
            kind=HistoryKind.AUTO_STATUS,
            old=old,
            new=new,
            note="",
            changed_by=user,
            changed_at=now,
            effective_on=day,
        )
    )
    return count, (old, new)
