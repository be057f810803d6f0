"""Working-day calendar: the official Chinese calendar plus officer-supplied overrides."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar  # type: ignore[import-untyped]

from tracker.errors import TrackerError
from tracker.files import MB, read_limited

_ONE_DAY = timedelta(days=1)
_FILE_KEYS = ("holidays", "workdays")
# A holidays file lists a few dozen dates a year: a larger file is the wrong one.
MAX_CALENDAR_BYTES = 1 * MB


class CalendarFileError(TrackerError, ValueError):
    """A holidays file could not be read: a message of the catalogs (`holidays.*`) naming the
    file, the line and the reason, in the officer's language."""

    def __str__(self) -> str:
        return self.message()


# The years the official data covers. chinese_calendar refuses any other year rather than
# guess; its own is_workday re-derives this range on every call, which costs more than the
# lookup itself, so the same rule is applied here to its published tables.
_OFFICIAL_YEARS = range(
    min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1
)


def _official_is_workday(day: date) -> bool | None:
    """What the State Council notices say of `day`; None when there is no data for its year."""
    if day.year not in _OFFICIAL_YEARS:
        return None
    if day in chinese_calendar.workdays:
        return True
    return day.weekday() < 5 and day not in chinese_calendar.holidays


# Each year's working-day prefix (WorkCalendar._prefix), by the officer's days in it.
_YEAR_PREFIXES: dict[tuple[int, frozenset[date], frozenset[date]], list[int]] = {}


def _day_of_year(day: date) -> int:
    """1 for 1 January (date.timetuple().tm_yday, without building the struct)."""
    return day.toordinal() - date(day.year, 1, 1).toordinal() + 1


class WorkCalendar:
    """Decides which days are working days (工作日), including 调休 make-up days.

    Precedence: the officer's extra holidays / workdays, then the official calendar when it
    covers the year, else plain Monday–Friday (recorded in :attr:`fallback_years`, unless the
    officer's file lists days of that year: it is then taken to hold that year's notice).
    """

    def __init__(
        self, extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()
    ) -> None:
        self._extra_holidays = frozenset(extra_holidays)
        self._extra_workdays = frozenset(extra_workdays)
        clash = self._extra_holidays & self._extra_workdays
        if clash:
            days = ", ".join(d.isoformat() for d in sorted(clash))
            raise ValueError(f"days listed both as holiday and as workday: {days}")
        self._workday_cache: dict[date, bool] = {}
        self._year_covered: dict[int, bool] = {}
        # Per year, prefix[i] = working days among the first i days of the year; makes
        # workdays_between O(years) instead of O(days) on hot paths.
        self._year_prefix: dict[int, list[int]] = {}
        self._fallback_years: set[int] = set()
        self._file_years = {day.year for day in self._extra_holidays | self._extra_workdays}

    @classmethod
    def from_file(cls, path: Path) -> WorkCalendar:
        """Build a calendar from a TOML file with ``holidays = [...]`` and ``workdays = [...]``."""
        holidays, workdays = _read_calendar_file(path)
        return cls(extra_holidays=holidays, extra_workdays=workdays)

    def is_workday(self, day: date) -> bool:
        """Whether people work on ``day``."""
        cached = self._workday_cache.get(day)
        if cached is not None:
            return cached
        result = self._compute_is_workday(day)
        self._workday_cache[day] = result
        return result

    def _compute_is_workday(self, day: date) -> bool:
        if day in self._extra_holidays:
            return False
        if day in self._extra_workdays:
            return True
        official = _official_is_workday(day) if self._official_covers(day.year) else None
        if official is not None:
            return official
        if day.year not in self._file_years:
            self._fallback_years.add(day.year)
        return day.weekday() < 5

    def _official_covers(self, year: int) -> bool:
        covered = self._year_covered.get(year)
        if covered is None:
            covered = _official_is_workday(date(year, 1, 1)) is not None
            self._year_covered[year] = covered
        return covered

    def covers(self, day: date) -> bool:
        """Whether ``day`` is decided by real data (official calendar or the officer's file)."""
        return (
            day in self._extra_holidays
            or day in self._extra_workdays
            or self._official_covers(day.year)
        )

    @property
    def fallback_years(self) -> frozenset[int]:
        """Years for which :meth:`is_workday` has had to assume Monday–Friday so far."""
        return frozenset(self._fallback_years)

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after ``start``; ``start`` itself when n == 0."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day = start
        remaining = n
        while remaining:
            day += _ONE_DAY
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end; the negated mirror count when end < start."""
        if end < start:
            return -self.workdays_between(end, start)
        start_index = _day_of_year(start)
        end_index = _day_of_year(end)
        if start.year == end.year:
            prefix = self._prefix(start.year)
            return prefix[end_index] - prefix[start_index]
        first = self._prefix(start.year)
        total = first[-1] - first[start_index]
        for year in range(start.year + 1, end.year):
            total += self._prefix(year)[-1]
        return total + self._prefix(end.year)[end_index]

    def _prefix(self, year: int) -> list[int]:
        prefix = self._year_prefix.get(year)
        if prefix is None:
            # A year's count is the same for every calendar with the same days of the
            # officer's in it: kept for the process, a command forked from a warm ledger
            # process (tracker.warm) finds the years its rehearsal counted.
            key = (
                year,
                frozenset(day for day in self._extra_holidays if day.year == year),
                frozenset(day for day in self._extra_workdays if day.year == year),
            )
            prefix = _YEAR_PREFIXES.get(key)
            if prefix is None:
                prefix = _YEAR_PREFIXES[key] = self._count_year(year)
            elif not self._official_covers(year) and year not in self._file_years:
                self._fallback_years.add(year)  # as counting it would have
            self._year_prefix[year] = prefix
        return prefix

    def _count_year(self, year: int) -> list[int]:
        """prefix[i] = working days among the first i days of `year`."""
        prefix = [0]
        day = date(year, 1, 1)
        while day.year == year:
            prefix.append(prefix[-1] + self.is_workday(day))
            if day == date.max:
                break
            day += _ONE_DAY
        return prefix

    def last_workday_in(self, first: date, last: date) -> date | None:
        """The latest working day in [first, last], or None when there is none."""
        day = last
        while day >= first:
            if self.is_workday(day):
                return day
            if day == date.min:
                break
            day -= _ONE_DAY
        return None


def _read_calendar_file(path: Path) -> tuple[list[date], list[date]]:
    """Parse and validate a holidays file; every problem becomes a CalendarFileError."""
    try:
        raw = read_limited(path, MAX_CALENDAR_BYTES)  # never a pipe or device, nor unbounded
    except TrackerError as exc:
        raise CalendarFileError(
            "holidays.unreadable", path=str(path), reason=exc.message()
        ) from exc
    try:
        # utf-8-sig: files saved by Windows Notepad start with a byte-order mark.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CalendarFileError("holidays.not_utf8", path=str(path), line=line) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message is English and ends with "(at line L, column C)": only where is kept.
        found = re.search(r"at line (\d+), column (\d+)", str(exc))
        where = found.groups() if found else ("1", "1")
        raise CalendarFileError(
            "holidays.not_toml", path=str(path), line=where[0], column=where[1]
        ) from exc

    unknown = sorted(key for key in data if key not in _FILE_KEYS)
    if unknown:
        key = unknown[0]
        raise CalendarFileError("holidays.unknown_key", **_where(path, text, key), key=key)
    holidays = _dates_under(path, text, data, "holidays")
    workdays = _dates_under(path, text, data, "workdays")
    clash = sorted(set(holidays) & set(workdays))
    if clash:
        raise CalendarFileError(
            "holidays.both", **_where(path, text, "workdays"), date=clash[0].isoformat()
        )
    return holidays, workdays


def _dates_under(path: Path, text: str, data: dict[str, object], key: str) -> list[date]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise CalendarFileError("holidays.not_a_list", **_where(path, text, key), key=key)
    result: list[date] = []
    for index, item in enumerate(value, start=1):
        # tomllib gives datetime (a date subclass) for 2027-01-01T08:00; a time of day
        # makes no sense here, so only a bare date is accepted.
        if not isinstance(item, date) or isinstance(item, datetime):
            # A date in quotes is text to TOML: the commonest slip, told as such.
            problem = "holidays.quoted_date" if isinstance(item, str) else "holidays.not_a_date"
            raise CalendarFileError(
                problem, **_where(path, text, key), key=key, index=index, item=repr(item)
            )
        result.append(item)
    return result


def _where(path: Path, text: str, key: str) -> dict[str, str | int]:
    """The file and the line where ``key`` is defined (the first line if not found)."""
    pattern = re.compile(rf"""^\s*(\[\s*)?["']?{re.escape(key)}["']?\s*(=|\.|\])""")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return {"path": str(path), "line": number}
    return {"path": str(path), "line": 1}
