"""Changing the ledger: status and notes, and the checks every change of an item passes (a
stale read, the day it takes effect, the row lock). Every change leaves a history row;
events are logged by tracker.services.events.

Each function does all its checks before it writes, and writes within the caller's session:
the caller commits once, so a change is whole or not at all.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from tracker.errors import TrackerError
from tracker.models import CLOSED_STATUSES, Commitment, History, HistoryKind, Report, Status
from tracker.services.access import require_item
from tracker.services.asof import status_of as replayed_status
from tracker.services.instances import PERIODIC_KINDS, first_year
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


def hold(session: Session, item: Commitment) -> None:
    """Lock `item`'s row to the end of the transaction and read it afresh, before an append
    reads what it builds on (the events it counts, a twin to refuse).

    On PostgreSQL a writer that gets there second waits for the first to commit and then
    reads its version, rather than reading the old one and colliding at the UPDATE. SQLite
    has no row locks (the rendered SELECT has no FOR UPDATE): there a writer's unit of work
    holds the file's write lock from its start (db.begin_writing).
    """
    session.refresh(item, with_for_update=True)


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
    effective_on: date | None = None,
) -> bool:
    """Set `item`'s status from `effective_on` (today by default; earlier for a late entry);
    False (and nothing written) when it already had it that day and there is no note.

    Sign-off (销号) is not a status an officer sets: it goes through signoff.verify.
    """
    require_item(session, user, item)
    check_version(session, item, expected_version)
    refuse_parent_status(item, status)
    day = change_day(session, item, effective_on, now)
    old = status_of(session, item, day)
    if status is Status.VERIFIED and old is not Status.VERIFIED:
        raise TrackerError("status_verified_by_signoff", code=item.code)
    if old is status and not note:
        return False
    record_status(session, item, status, note, user, now, day)
    if status is Status.CANCELLED:
        stop_future_periods(session, item, day, note, user, now)
    return True


def change_day(
    session: Session, item: Commitment, effective_on: date | None, now: datetime
) -> date:
    """The day a change of `item` takes effect: `effective_on` for a late entry (补录), else
    today; never in the future, nor before the item begins."""
    today = now.date()
    day = effective_on or today
    if day > today:
        raise TrackerError("effective_in_future", date=day.isoformat())
    begins = starts_on(session, item)
    if day < begins:
        raise TrackerError(
            "effective_before_start", code=item.code, date=day.isoformat(), start=begins.isoformat()
        )
    return day


def starts_on(session: Session, item: Commitment) -> date:
    """The first day anything can happen to `item`: its own start, a periodic commitment's
    first period, else the first day of its report's year."""
    if item.start is not None:
        return item.start
    report = session.get(Report, item.report_id)
    assert report is not None
    if item.parent_id is None and item.kind in PERIODIC_KINDS:
        return date(first_year(item, report), 1, 1)
    return date(report.year, 1, 1)


def status_of(session: Session, item: Commitment, day: date) -> Status:
    """`item`'s status on `day` by the replay every view uses (services.asof)."""
    assert item.id is not None
    session.flush()
    return replayed_status(session, item.id, day)


def record_status(
    session: Session,
    item: Commitment,
    status: Status,
    note: str,
    user: str,
    now: datetime,
    effective_on: date | None = None,
) -> None:
    """Write a new status effective on `effective_on` (today by default) and its history
    row (the checks are the caller's). A late entry keeps the status of today as the newer
    changes make it: the stored status is the replay of the history on today."""
    ensure_person(session=session, name=user)
    day = effective_on or now.date()
    old = status_of(session, item, day)
    session.add(
        History(
            commitment_id=item.id,
            kind=HistoryKind.STATUS,
            old=old,
            new=status,
            note=note,
            changed_by=user,
            changed_at=now,
            effective_on=day,
        )
    )
    item.status = status_of(session, item, now.date())
    session.add(item)


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
        record_status(session, period, Status.CANCELLED, why, user, now, after)
    return len(periods)


def add_note(
    *,
    session: Session,
    item: Commitment,
    text: str,
    user: str,
    now: datetime,
    expected_version: int | None = None,
    effective_on: date | None = None,
) -> None:
    """Append a dated, signed note to `item` (effective today, or earlier for a late entry);
    earlier notes are kept."""
    require_item(session, user, item)
    hold(session, item)
    check_version(session, item, expected_version)
    note = text.strip()
    if not note:
        raise TrackerError("note_empty")
    day = change_day(session, item, effective_on, now)
    ensure_person(session=session, name=user)
    # The notes keep the ledger's language, as its history does.
    late = f"，补录 {day.isoformat()}" if day != now.date() else ""
    line = f"[{now:%Y-%m-%d %H:%M} {user}{late}] {note}"
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
            effective_on=day,
        )
    )
