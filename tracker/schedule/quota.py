"""Quotas: "at least N per period", with checkpoints spreading the target over the period."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from tracker.schedule.calendar import WorkCalendar
from tracker.schedule.due import DueDate
from tracker.schedule.periods import Frequency, Period

_MONTH_DAY = re.compile(r"([0-9]{2})-([0-9]{2})")
# Checkpoints are year-independent, so validate month-days against a leap year: "02-29"
# is allowed and means the last day of February.
_LEAP_YEAR = 2000


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """By month/day of the period's year, at least ``count`` events (cumulative)."""

    month: int
    day: int
    count: int


def default_checkpoints(target: int, frequency: Frequency) -> tuple[Checkpoint, ...]:
    """Checkpoints for "at least ``target`` per period".

    YEARLY spreads the target: checkpoint i (1..target) falls at the end of month
    ceil(12 * i / target), keeping the highest count when two land on the same month.
    Other frequencies get one checkpoint (12-31, clipped to the period end by
    :func:`checkpoint_dates`) requiring the whole target.
    """
    if target < 1:
        raise ValueError(f"target must be at least 1, got {target}")
    if frequency is not Frequency.YEARLY:
        return (Checkpoint(12, 31, target),)
    by_month: dict[int, int] = {}
    for i in range(1, target + 1):
        month = -(-12 * i // target)  # integer ceil(12 * i / target)
        by_month[month] = i  # i only grows, so the last write is the highest count
    return tuple(
        Checkpoint(month, _month_length(_LEAP_YEAR, month), count)
        for month, count in sorted(by_month.items())
    )


def parse_checkpoints(spec: Mapping[str, int]) -> tuple[Checkpoint, ...]:
    """Parse ``{"06-30": 1, "12-31": 2}`` into checkpoints sorted by date; ValueError if invalid."""
    if not spec:
        raise ValueError("no checkpoints given")
    parsed: list[Checkpoint] = []
    for key, count in spec.items():
        match = _MONTH_DAY.fullmatch(key) if isinstance(key, str) else None
        if match is None:
            raise ValueError(f"checkpoint {key!r} is not a month-day like 06-30")
        month, day = int(match[1]), int(match[2])
        if not 1 <= month <= 12 or not 1 <= day <= _month_length(_LEAP_YEAR, month):
            raise ValueError(f"checkpoint {key!r} is not a real date")
        # bool is an int subclass; True as a count is certainly a mistake.
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError(
                f"checkpoint {key!r}: count must be a whole number >= 1, got {count!r}"
            )
        parsed.append(Checkpoint(month, day, count))
    parsed.sort(key=lambda c: (c.month, c.day))
    for before, after in zip(parsed, parsed[1:], strict=False):
        if after.count <= before.count:
            raise ValueError(
                f"checkpoint counts must increase with the date: "
                f"{_fmt(before)} needs {before.count} but {_fmt(after)} needs {after.count}"
            )
    return tuple(parsed)


def checkpoint_dates(period: Period, checkpoints: Sequence[Checkpoint]) -> list[tuple[date, int]]:
    """Concrete (date, cumulative count) pairs inside ``period``, clipped to ``period.end``.

    Only YEARLY periods use every checkpoint; for other frequencies just the last (final,
    largest) count applies, at the period end.
    """
    if not checkpoints:
        return []
    if period.frequency is not Frequency.YEARLY:
        return [(period.end, max(checkpoint.count for checkpoint in checkpoints))]
    year = period.start.year
    result: list[tuple[date, int]] = []
    for checkpoint in checkpoints:
        # Clamp 02-29 to 02-28 in common years.
        day = min(checkpoint.day, _month_length(year, checkpoint.month))
        result.append((min(date(year, checkpoint.month, day), period.end), checkpoint.count))
    return result


def quota_deadline(
    period: Period, checkpoints: Sequence[Checkpoint], done_count: int, calendar: WorkCalendar
) -> DueDate | None:
    """The earliest checkpoint not yet reached, stated and as it counts; None once met.

    A checkpoint on a rest day moves forward by the one rule
    (:func:`~tracker.schedule.due.statutory_due`), like every deadline: 31 December 2022,
    a Saturday before the New Year holiday, counts as 3 January 2023.
    """
    for when, count in checkpoint_dates(period, checkpoints):
        if done_count < count:
            return DueDate.of(when, calendar)
    return None


def quota_due(
    period: Period, checkpoints: Sequence[Checkpoint], done_count: int, calendar: WorkCalendar
) -> date | None:
    """The date :func:`quota_deadline` counts from; None once the quota is met."""
    deadline = quota_deadline(period, checkpoints, done_count, calendar)
    return deadline.due if deadline is not None else None


def quota_met(checkpoints: Sequence[Checkpoint], done_count: int) -> bool:
    """Whether ``done_count`` reaches the final (largest) checkpoint count."""
    return all(done_count >= checkpoint.count for checkpoint in checkpoints)


def _month_length(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _fmt(checkpoint: Checkpoint) -> str:
    return f"{checkpoint.month:02d}-{checkpoint.day:02d}"
