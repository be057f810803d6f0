"""How the app reads a day typed in a dialog field: in one place, so that the dates people
type (2022/5/10, 2022年5月10日 …) are read alike everywhere once the ledger's one date
reader takes over here."""

from __future__ import annotations

from datetime import date

from tracker.errors import TrackerError
from tracker.work import require_not_before

EARLIEST_YEAR = 1900  # as the command line: a year before it is a typo
# As `--as-of`: viewing the ledger on a day makes the periods of every year up to it.
MAX_YEARS_AHEAD = 5


def typed_day(text: str, field: str) -> date:
    """The day typed in `field` (named as its label says); a TrackerError in one line for
    anything that is not a day."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError as exc:
        raise TrackerError("date_invalid", value=text.strip(), option=field) from exc
    return require_not_before(day, EARLIEST_YEAR, field)


def typed_as_of(text: str, field: str) -> date:
    """A day to view the ledger on: a day, and no further ahead than MAX_YEARS_AHEAD years."""
    day = typed_day(text, field)
    latest = date.today().year + MAX_YEARS_AHEAD
    if day.year > latest:
        raise TrackerError("tui.print.as_of_too_far", value=text.strip(), year=latest)
    return day
