"""Pure date logic: working days, reporting periods, quotas and traffic lights."""

from __future__ import annotations

from tracker.schedule.calendar import CalendarFileError, WorkCalendar
from tracker.schedule.due import DueDate, statutory_due
from tracker.schedule.lights import (
    DEFAULT_WARN_DAYS,
    Lateness,
    Light,
    lateness,
    traffic_light,
    yellow_limit,
)
from tracker.schedule.periods import (
    Frequency,
    Period,
    period_containing,
    period_deadline,
    period_due,
    period_from_key,
    period_label,
    periods_in_year,
)
from tracker.schedule.quota import (
    Checkpoint,
    checkpoint_dates,
    default_checkpoints,
    parse_checkpoints,
    quota_deadline,
    quota_due,
    quota_met,
)

__all__ = [
    "DEFAULT_WARN_DAYS",
    "CalendarFileError",
    "Checkpoint",
    "DueDate",
    "Frequency",
    "Lateness",
    "Light",
    "Period",
    "WorkCalendar",
    "checkpoint_dates",
    "default_checkpoints",
    "lateness",
    "parse_checkpoints",
    "period_containing",
    "period_deadline",
    "period_due",
    "period_from_key",
    "period_label",
    "periods_in_year",
    "quota_deadline",
    "quota_due",
    "quota_met",
    "statutory_due",
    "traffic_light",
    "yellow_limit",
]
