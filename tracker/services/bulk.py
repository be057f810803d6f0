"""Bulk logging (批量记录): a range of days' records of a recurring duty, in one go.

An officer who keeps the daily screening (日排查) on a paper register logs it at the end of
the month: `tracker log 3.2-D --from 2022-01-04 --to 2022-01-31 --evidence 排查登记表.pdf`.
Every period of the commitment in the range that has no record yet gets one event; periods
that already have a (not voided) event are left alone, so logging a range twice, or a range
overlapping an earlier one, adds nothing twice.

The evidence files are fingerprinted and copied into the store once; each event gets its
own evidence row pointing at that one stored copy (the store is content-addressed), so every
period shows and proves its evidence like an event logged on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from tracker.errors import TrackerError
from tracker.models import Commitment, Event, Report, Status
from tracker.schedule import Frequency, Period, WorkCalendar, periods_in_year
from tracker.services.access import require_item
from tracker.services.events import check_evidence, check_value, record_event, stored_copies
from tracker.services.evidence_store import session_evidence_root
from tracker.services.instances import first_year, frequency_of, instance_for_day
from tracker.services.recurring import is_recurring_parent
from tracker.services.updates import check_version

# The longest range logged at once: a year, leap day included. A longer one is far more
# likely a typo (2012 for 2022) than a register kept for years unlogged.
MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class BulkResult:
    """What bulk logging did: the periods logged, and those it left alone and why."""

    code: str
    logged: tuple[str, ...]  # codes of the periods that got an event
    recorded: int  # periods that already had a record
    cancelled: int  # periods cancelled, or stopped with their commitment


def check_range(*, session: Session, item: Commitment, start: date, end: date, today: date) -> None:
    """Refuse a range that cannot be logged on `item`, before anything is written."""
    if not is_recurring_parent(item):
        if item.parent_id is not None and item.period_key is not None:
            parent = session.get(Commitment, item.parent_id)
            assert parent is not None
            raise TrackerError("bulk_on_period", code=item.code, parent=parent.code)
        raise TrackerError("bulk_not_recurring", code=item.code)
    if start > end:
        raise TrackerError("bulk_range_reversed", start=start.isoformat(), end=end.isoformat())
    if end > today:
        raise TrackerError("bulk_range_future", end=end.isoformat(), today=today.isoformat())
    days = (end - start).days + 1
    if days > MAX_RANGE_DAYS:
        raise TrackerError(
            "bulk_range_too_long",
            start=start.isoformat(),
            end=end.isoformat(),
            days=days,
            max=MAX_RANGE_DAYS,
        )
    begins = starts_on(session, item)
    if start < begins:
        raise TrackerError(
            "bulk_before_start", code=item.code, begins=begins.isoformat(), start=start.isoformat()
        )


def starts_on(session: Session, item: Commitment) -> date:
    """The first day a periodic commitment has periods (as for an event logged on its own)."""
    report = session.get(Report, item.report_id)
    assert report is not None
    return date(first_year(item, report), 1, 1)


def periods_in_range(
    session: Session, item: Commitment, start: date, end: date, calendar: WorkCalendar
) -> list[Period]:
    """The periods of `item` that overlap [start, end]: working days for a daily duty, every
    week or month touching the range otherwise. Only the commitment's own periods: the ISO
    week that began in the December before it starts is not one."""
    frequency = frequency_of(item)
    first = starts_on(session, item).year
    # A week of ISO year Y can end in January of Y + 1, hence the year before the range's.
    years = range(max(first, start.year - 1), end.year + 1)
    return [
        period
        for year in years
        for period in periods_in_year(frequency, year, calendar)
        if period.start <= end and period.end >= start
    ]


def event_day(period: Period, start: date, end: date, calendar: WorkCalendar) -> date:
    """The date a period's event is logged on: a daily period's own day; otherwise the last
    working day of the period within the range (the range's last day when there is none),
    so a week or month is never logged after the day the officer said the range ends."""
    if period.frequency is Frequency.DAILY:
        return period.start
    first, last = max(period.start, start), min(period.end, end)
    return calendar.last_workday_in(first, last) or last


def log_range(
    *,
    session: Session,
    item: Commitment,
    start: date,
    end: date,
    note: str,
    evidence: list[Path],
    user: str,
    now: datetime,
    calendar: WorkCalendar,
    value: float | None = None,
    expected_version: int | None = None,
) -> BulkResult:
    """Log one event on every period of the recurring commitment `item` in [start, end] that
    has no record yet, within the caller's transaction.

    Each event is dated by `event_day`. Periods with a (not voided) event are counted as
    recorded; cancelled periods, and those a cancelled commitment no longer has, as
    cancelled; neither gets an event. A range that cannot be logged is refused whole (see
    `check_range`): nothing is written.
    """
    require_item(session, user, item)
    check_version(session, item, expected_version)
    check_value(item, value)
    check_range(session=session, item=item, start=start, end=end, today=now.date())
    files = check_evidence(evidence)
    # Where the files will be kept, found before anything is written.
    store = session_evidence_root(session) if files else None
    periods = periods_in_range(session, item, start, end, calendar)
    if not periods:  # a weekend of a daily duty: no period, nothing to log
        return BulkResult(item.code, (), 0, 0)
    instances = {
        row.period_key: row
        for row in session.exec(
            select(Commitment).where(
                col(Commitment.parent_id) == item.id,
                col(Commitment.period_start) >= periods[0].start,
                col(Commitment.period_start) <= end,
            )
        ).all()
    }
    recorded = _with_record(session, [row.id for row in instances.values() if row.id])
    stopped = Status(item.status) is Status.CANCELLED
    todo: list[Period] = []
    already = cancelled = 0
    for period in periods:
        row = instances.get(period.key)
        if (row is None and stopped) or (row is not None and row.status == Status.CANCELLED):
            cancelled += 1
        elif row is not None and row.id in recorded:
            already += 1
        else:
            todo.append(period)
    copies = stored_copies(store, files) if todo else []
    logged: list[str] = []
    for period in todo:
        row = instances.get(period.key) or instance_for_day(
            session=session, parent=item, day=period.start, calendar=calendar
        )
        record_event(
            session=session,
            target=row,
            day=event_day(period, start, end, calendar),
            note=note,
            copies=copies,
            user=user,
            now=now,
            calendar=calendar,
            value=value,
        )
        logged.append(row.code)
    return BulkResult(item.code, tuple(logged), already, cancelled)


def _with_record(session: Session, ids: list[int]) -> set[int]:
    """Those of the rows `ids` that have an event not voided."""
    if not ids:
        return set()
    return set(
        session.exec(
            select(Event.commitment_id)
            .where(col(Event.commitment_id).in_(ids), col(Event.voided_on).is_(None))
            .distinct()
        ).all()
    )
