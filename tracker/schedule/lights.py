"""Traffic lights (红黄绿灯) for supervision, and how late an overdue item is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from tracker.schedule.calendar import WorkCalendar

DEFAULT_WARN_DAYS = 3


class Light(StrEnum):
    """Supervision light of one commitment."""

    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Lateness:
    """How far past its due date an item is; both counts are 0 when it is not late."""

    calendar_days: int
    working_days: int


def yellow_limit(as_of: date, calendar: WorkCalendar, warn_days: int = DEFAULT_WARN_DAYS) -> date:
    """The latest due date still yellow on ``as_of`` (``warn_days`` working days ahead)."""
    return calendar.add_workdays(as_of, warn_days)


def traffic_light(
    *,
    due: date | None,
    closed: bool,
    as_of: date,
    calendar: WorkCalendar,
    warn_days: int = DEFAULT_WARN_DAYS,
) -> Light:
    """The light on ``as_of``.

    Must agree with the SQL filters ``due < as_of`` (red) and
    ``as_of <= due <= yellow_limit(as_of)`` (yellow), so keep these comparisons in sync.
    """
    if closed:
        return Light.NONE
    if due is None:
        return Light.GREEN
    if due < as_of:
        return Light.RED
    if due <= yellow_limit(as_of, calendar, warn_days):
        return Light.YELLOW
    return Light.GREEN


def lateness(due: date, as_of: date, calendar: WorkCalendar) -> Lateness:
    """Calendar and working days by which ``as_of`` is past ``due`` (0 when not late)."""
    return Lateness(
        calendar_days=max(0, (as_of - due).days),
        working_days=max(0, calendar.workdays_between(due, as_of)),
    )
