"""Logging events: something happened on a day, with its evidence files and an indicator's
figure. On a periodic commitment an event counts for its period, and may move the period's
status along. Every event leaves a history row.

As in tracker.services.updates, each function does all its checks before it writes, and
writes within the caller's session: the caller commits once.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session

from tracker.errors import TrackerError
from tracker.failures import reason_of
from tracker.files import open_regular, resolved
from tracker.models import Commitment, Event, Evidence, History, HistoryKind, Kind, Report, Status
from tracker.schedule import Frequency, WorkCalendar, period_from_key
from tracker.services.access import require_item
from tracker.services.asof import counted_events
from tracker.services.asof import status_of as replayed_status
from tracker.services.evidence_store import StoredFile, session_evidence_root, store_file
from tracker.services.instances import (
    PERIODIC_KINDS,
    first_year,
    frequency_of,
    instance_deadline,
    instance_for_day,
)
from tracker.services.lookup import ensure_person
from tracker.services.updates import check_version, hold, starts_on, touch
from tracker.services.voids import find_repeat, refuse_duplicate


@dataclass(frozen=True)
class EvidenceFile:
    """A checked evidence file: where it is and its fingerprint."""

    path: Path
    sha256: str
    size: int


def check_evidence(paths: list[Path]) -> list[EvidenceFile]:
    """Fingerprint every evidence file; a missing or unreadable one is an error, and so is
    anything but a regular file (a folder, or a pipe or device that would be read forever)."""
    files: list[EvidenceFile] = []
    for path in paths:
        real = resolved(path)
        if not real.exists():
            raise TrackerError("evidence_missing", path=str(path))
        digest = hashlib.sha256()
        size = 0
        with open_regular(path.expanduser()) as handle:  # refusals name it as typed
            try:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
                    size += len(block)
            except OSError as exc:
                raise TrackerError(
                    "evidence_unreadable", path=str(path), reason=reason_of(exc)
                ) from exc
        files.append(EvidenceFile(real, digest.hexdigest(), size))
    return files


@dataclass(frozen=True)
class LoggedEvent:
    """What logging did: the event, the item it counts for, and any status it moved.
    `repeated`: the event was already recorded by the same command moments ago (its answer
    was lost), and nothing was written this time."""

    event: Event
    item: Commitment
    done_count: int | None
    status_changed: tuple[Status, Status] | None
    repeated: bool = False


def _event_target(
    session: Session, item: Commitment, day: date, calendar: WorkCalendar
) -> Commitment:
    """The row an event on `day` belongs to: a periodic commitment's period instance. An
    event before the row begins (starts_on: as a change's effective day) is refused."""
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
    begins = starts_on(session, item)
    if day < begins:
        raise TrackerError("event_before_start", code=item.code, start=begins.isoformat())
    return item


def check_value(item: Commitment, value: float | None) -> None:
    """Refuse an indicator's event without its figure (the figure is what an indicator
    tracks: a count of events says nothing), and a figure that is not a finite number
    (inf and nan parse as numbers, but no ledger holds them). A figure on another kind of
    item is kept, as it always was."""
    if value is None:
        if item.kind == Kind.INDICATOR:
            raise TrackerError("indicator_value_missing", code=item.code)
        return
    if not math.isfinite(value):
        raise TrackerError("indicator_value_not_finite", value=str(value))


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
    again: bool = False,
) -> LoggedEvent:
    """Record that something happened on `day`; on a periodic item it counts for its period.

    A period instance whose target is reached by this event is marked done (and one that
    gets its first event, in progress), with a history row saying the event did it.
    The same date and note as an event that counts is refused unless `again` says it
    really happened twice; but the very same event (evidence and figure too) that this
    officer recorded moments ago is the same command repeated after its answer was lost
    (voids.find_repeat): it is told as already recorded, and nothing is written.
    """
    require_item(session, user, item)
    check_version(session, item, expected_version)
    check_value(item, value)
    if day > now.date():
        raise TrackerError("event_in_future", date=day.isoformat())
    files = check_evidence(evidence)
    # Where the files will be kept, found before anything is written: a shared ledger with
    # no evidence folder configured refuses here, not halfway.
    store = session_evidence_root(session) if files else None
    target = _event_target(session, item, day, calendar)
    hold(session, target)
    if not again:
        assert target.id is not None
        hashes = [file.sha256 for file in files]
        twin = find_repeat(
            session, target.id, day, note, value=value, evidence=hashes, user=user, now=now
        )
        if twin is not None:
            count = counted_events(session, target.id, now.date()) if target.period_key else None
            return LoggedEvent(twin, target, count, None, repeated=True)
        refuse_duplicate(session, target.id, target.code, day, note)
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
    done_count, changed = settle_period(session, target, calendar, user, now, day)
    return LoggedEvent(event=event, item=target, done_count=done_count, status_changed=changed)


def settle_period(
    session: Session,
    item: Commitment,
    calendar: WorkCalendar,
    user: str,
    now: datetime,
    day: date,
    note: str = "",
) -> tuple[int | None, tuple[Status, Status] | None]:
    """Bring a period instance up to date after its events changed (logged on `day`, or
    voided): its next checkpoint, and its status as the replay gives it today, with a
    history row saying the events did it. Returns the count and any status change."""
    if item.period_key is None:
        return None, None
    assert item.id is not None
    session.flush()
    count = counted_events(session, item.id, now.date())
    old = Status(item.status)
    new = replayed_status(session, item.id, now.date())
    if item.kind == Kind.QUOTA:
        parent = session.get(Commitment, item.parent_id)
        assert parent is not None
        period = period_from_key(frequency_of(parent), item.period_key)
        deadline = instance_deadline(parent, period, calendar, count)
        item.due, item.stated_due = deadline.due, deadline.stated_if_moved
    session.add(item)
    if old is new:
        return count, None
    item.status = new
    session.add(
        History(
            commitment_id=item.id,
            kind=HistoryKind.AUTO_STATUS,
            old=old,
            new=new,
            note=note,
            changed_by=user,
            changed_at=now,
            effective_on=day,
        )
    )
    return count, (old, new)
