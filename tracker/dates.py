"""Dates as officers type them, read one way by the command line and the app alike.

2022-05-10, 2022-5-10, 2022/5/10, 2022.5.10, 20220510, 2022年5月10日 (日 optional),
5月10日 (the year is the one being viewed), 今天/today and 昨天/yesterday; full-width digits
and punctuation as a Chinese input method types them (２０２２／５／１０) too. Anything else
is a TrackerError naming the field, with the forms that are accepted.

Pure: no database, no clock (today is passed in), no interface. Whether a day is allowed
for a change (not in the future, not before the item begins) is the ledger's to say.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from tracker.errors import TrackerError

# Before this year a date is a typo (0001-01-01, 1022 for 2022), never a day of the ledger.
EARLIEST_YEAR = 1900

# Full-width ASCII (U+FF01–U+FF5E) as typed with a Chinese input method, and the
# ideographic space, to their ASCII forms; 。 is a full stop typed for a dot.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALF_WIDTH.update({0x3000: 0x20, ord("。"): ord(".")})

# Year, month and day with one separator used twice (2022-5-10, 2022/5/10, 2022.5.10).
_NUMERIC = re.compile(r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})")
# The same written together, as ISO 8601 allows (20220510).
_COMPACT = re.compile(r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})")
# 2022年5月10日, 2022年5月10, 5月10日: spaces allowed around the characters.
_CHINESE = re.compile(
    r"(?:(?P<year>\d{4})\s*年\s*)?(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日?"
)

# How far ahead a day to view the ledger on may be (--as-of, the print dialog's 截至日期).
# Viewing the ledger on a day creates the periods of every year up to it: a typo such as
# 2062 for 2026 would write 36 years of daily periods.
MAX_YEARS_AHEAD = 5

TODAY_WORDS = frozenset({"今天", "今日", "today"})
YESTERDAY_WORDS = frozenset({"昨天", "昨日", "yesterday"})


def parse_day(text: str, *, field: str, today: date, year: int | None = None) -> date:
    """The day `text` names, for the field or option `field` (named in any refusal).

    `today` is what 今天 and 昨天 count from; `year` is the year of a day written without
    one (5月10日): the year being viewed, by default `today`'s. A day that does not exist
    (2月30日) or is before 1900 is refused with a line saying so.
    """
    typed = text.strip()
    cleaned = typed.translate(_HALF_WIDTH).strip()
    word = cleaned.lower()
    if word in TODAY_WORDS:
        return today
    if word in YESTERDAY_WORDS:
        return today - timedelta(days=1)
    for pattern in (_NUMERIC, _COMPACT, _CHINESE):
        match = pattern.fullmatch(cleaned)
        if match:
            given = match["year"]
            the_year = int(given) if given else (year if year is not None else today.year)
            return _day(the_year, int(match["month"]), int(match["day"]), typed, field)
    raise TrackerError("date_invalid", value=typed, option=field)


def parse_view_day(text: str, *, field: str, today: date, year: int | None = None) -> date:
    """A day to view the ledger on, read as `parse_day` reads it, and no further ahead than
    MAX_YEARS_AHEAD years."""
    day = parse_day(text, field=field, today=today, year=year)
    latest = today.year + MAX_YEARS_AHEAD
    if day.year > latest:
        raise TrackerError("as_of_too_far", value=text.strip(), year=latest, option=field)
    return day


def _day(year: int, month: int, day: int, typed: str, field: str) -> date:
    """The date, or a refusal saying why it is none (month 13, 2月30日, year 0022)."""
    if year < EARLIEST_YEAR:
        raise TrackerError("date_too_early", value=typed, option=field, year=EARLIEST_YEAR)
    if not 1 <= month <= 12:
        raise TrackerError("date_no_such_month", value=typed, option=field, month=month)
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise TrackerError(
            "date_no_such_day", value=typed, option=field, year=year, month=month, days=days
        )
    return date(year, month, day)
