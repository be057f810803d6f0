"""Reporting periods (日/周/月/季/半年/年): their bounds, keys, due dates and labels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from tracker.schedule.calendar import WorkCalendar
from tracker.schedule.due import DueDate

_ONE_DAY = timedelta(days=1)
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ZH_QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")
_ZH_HALVES = ("上半年", "下半年")


class Frequency(StrEnum):
    """How often a recurring commitment must be done."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"


@dataclass(frozen=True, slots=True)
class Period:
    """One occurrence of a frequency, with inclusive bounds and a stable text key."""

    frequency: Frequency
    start: date
    end: date
    key: str


# [0-9] rather than \d: \d also matches full-width and other Unicode digits.
_KEY_PATTERNS: dict[Frequency, re.Pattern[str]] = {
    Frequency.DAILY: re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"),
    Frequency.WEEKLY: re.compile(r"([0-9]{4})-W([0-9]{2})"),
    Frequency.MONTHLY: re.compile(r"([0-9]{4})-([0-9]{2})"),
    Frequency.QUARTERLY: re.compile(r"([0-9]{4})-Q([1-4])"),
    Frequency.HALF_YEARLY: re.compile(r"([0-9]{4})-H([12])"),
    Frequency.YEARLY: re.compile(r"([0-9]{4})"),
}


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - _ONE_DAY


def _daily(day: date) -> Period:
    return Period(Frequency.DAILY, day, day, day.isoformat())


def _weekly(iso_year: int, week: int) -> Period:
    start = date.fromisocalendar(iso_year, week, 1)
    return Period(Frequency.WEEKLY, start, start + timedelta(days=6), f"{iso_year:04d}-W{week:02d}")


def _monthly(year: int, month: int) -> Period:
    return Period(
        Frequency.MONTHLY, date(year, month, 1), _month_end(year, month), f"{year:04d}-{month:02d}"
    )


def _quarterly(year: int, quarter: int) -> Period:
    first_month = 3 * quarter - 2
    return Period(
        Frequency.QUARTERLY,
        date(year, first_month, 1),
        _month_end(year, first_month + 2),
        f"{year:04d}-Q{quarter}",
    )


def _half_yearly(year: int, half: int) -> Period:
    first_month = 6 * half - 5
    return Period(
        Frequency.HALF_YEARLY,
        date(year, first_month, 1),
        _month_end(year, first_month + 5),
        f"{year:04d}-H{half}",
    )


def _yearly(year: int) -> Period:
    return Period(Frequency.YEARLY, date(year, 1, 1), date(year, 12, 31), f"{year:04d}")


def period_containing(frequency: Frequency, day: date) -> Period:
    """The period of ``frequency`` that contains ``day``."""
    match frequency:
        case Frequency.DAILY:
            return _daily(day)
        case Frequency.WEEKLY:
            iso = day.isocalendar()
            return _weekly(iso.year, iso.week)
        case Frequency.MONTHLY:
            return _monthly(day.year, day.month)
        case Frequency.QUARTERLY:
            return _quarterly(day.year, (day.month + 2) // 3)
        case Frequency.HALF_YEARLY:
            return _half_yearly(day.year, 1 if day.month <= 6 else 2)
        case Frequency.YEARLY:
            return _yearly(day.year)
    raise ValueError(f"unknown frequency: {frequency!r}")


def period_from_key(frequency: Frequency, key: str) -> Period:
    """The period whose key is ``key``; ValueError when the key is malformed or impossible."""
    match = _KEY_PATTERNS[frequency].fullmatch(key)
    if match is None:
        raise ValueError(f"malformed {frequency.value} period key: {key!r}")
    numbers = [int(group) for group in match.groups()]
    try:
        match frequency:
            case Frequency.DAILY:
                return _daily(date(numbers[0], numbers[1], numbers[2]))
            case Frequency.WEEKLY:
                # fromisocalendar refuses week 0, and week 53 in years without one.
                return _weekly(numbers[0], numbers[1])
            case Frequency.MONTHLY:
                return _monthly(numbers[0], numbers[1])
            case Frequency.QUARTERLY:
                return _quarterly(numbers[0], numbers[1])
            case Frequency.HALF_YEARLY:
                return _half_yearly(numbers[0], numbers[1])
            case Frequency.YEARLY:
                return _yearly(numbers[0])
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"impossible {frequency.value} period key {key!r}: {exc}") from exc
    raise ValueError(f"unknown frequency: {frequency!r}")


def periods_in_year(frequency: Frequency, year: int, calendar: WorkCalendar) -> list[Period]:
    """All periods starting in ``year``.

    DAILY yields only the working days; WEEKLY yields the ISO weeks of ISO year ``year``
    (so week 1 may start in late December of the previous year).
    """
    match frequency:
        case Frequency.DAILY:
            # 日排查 (daily checks) happen on working days only.
            return [_daily(day) for day in _days_of_year(year) if calendar.is_workday(day)]
        case Frequency.WEEKLY:
            weeks = date(year, 12, 28).isocalendar().week  # 28 Dec is always in the last week
            return [_weekly(year, week) for week in range(1, weeks + 1)]
        case Frequency.MONTHLY:
            return [_monthly(year, month) for month in range(1, 13)]
        case Frequency.QUARTERLY:
            return [_quarterly(year, quarter) for quarter in range(1, 5)]
        case Frequency.HALF_YEARLY:
            return [_half_yearly(year, half) for half in (1, 2)]
        case Frequency.YEARLY:
            return [_yearly(year)]
    raise ValueError(f"unknown frequency: {frequency!r}")


def _days_of_year(year: int) -> list[date]:
    # Ordinals rather than date arithmetic so year 9999 does not overflow past 31 Dec.
    first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    return [date.fromordinal(n) for n in range(first, last + 1)]


def period_deadline(period: Period, calendar: WorkCalendar) -> DueDate:
    """A period is due on its last day, moved forward off a rest day by the one rule
    (:func:`~tracker.schedule.due.statutory_due`), so it may fall in the next period."""
    return DueDate.of(period.end, calendar)


def period_due(period: Period, calendar: WorkCalendar) -> date:
    """The date :func:`period_deadline` counts from."""
    return period_deadline(period, calendar).due


def period_label(period: Period, lang: str) -> str:
    """Human label; any ``lang`` starting with "zh" gives Chinese, everything else English."""
    chinese = lang.lower().startswith("zh")
    start = period.start
    match period.frequency:
        case Frequency.DAILY:
            if chinese:
                return f"{start.year}年{start.month}月{start.day}日"
            return f"{start.day} {_EN_MONTHS[start.month - 1]} {start.year}"
        case Frequency.WEEKLY:
            iso = start.isocalendar()
            return f"{iso.year}年第{iso.week}周" if chinese else f"{iso.year} week {iso.week}"
        case Frequency.MONTHLY:
            if chinese:
                return f"{start.year}年{start.month}月"
            return f"{_EN_MONTHS[start.month - 1]} {start.year}"
        case Frequency.QUARTERLY:
            quarter = (start.month + 2) // 3
            if chinese:
                return f"{start.year}年{_ZH_QUARTERS[quarter - 1]}"
            return f"{start.year} Q{quarter}"
        case Frequency.HALF_YEARLY:
            half = 1 if start.month <= 6 else 2
            return f"{start.year}年{_ZH_HALVES[half - 1]}" if chinese else f"{start.year} H{half}"
        case Frequency.YEARLY:
            return f"{start.year}年" if chinese else f"{start.year}"
    raise ValueError(f"unknown frequency: {period.frequency!r}")
