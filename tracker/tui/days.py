"""How the print dialog reads the day a printout is as of: as every date field does
(tracker.dates: 2022/5/10, 2022年5月10日, 今天 …), and as `--as-of` limits it."""

from __future__ import annotations

from datetime import date

from tracker.dates import parse_day
from tracker.errors import TrackerError
from tracker.services.lookup import now
from tracker.work import require_not_before

EARLIEST_YEAR = 1900  # as the command line: a year before it is a typo
# As `--as-of`: viewing the ledger on a day makes the periods of every year up to it.
MAX_YEARS_AHEAD = 5


def typed_day(text: str, field: str, year: int | None = None) -> date:
    """The day typed in `field` (named as its label says; a day without a year is in
    `year`, by default this one); a TrackerError in one line for anything that is not a day."""
    today = now().date()
    day = parse_day(text, field=field, today=today, year=year)
    return require_not_before(day, EARLIEST_YEAR, field)


def typed_as_of(text: str, field: str, year: int | None = None) -> date:
    """A day to view the ledger on: a day, and no further ahead than MAX_YEARS_AHEAD years."""
    day = typed_day(text, field, year)
    latest = date.today().year + MAX_YEARS_AHEAD
    if day.year > latest:
        raise TrackerError("tui.print.as_of_too_far", value=text.strip(), year=latest)
    return day
