"""The view of deadlines on one day: the as-of date, the working calendar and warn days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tracker.models import CLOSED_STATUSES, Status
from tracker.schedule import Lateness, Light, WorkCalendar, lateness, traffic_light, yellow_limit
from tracker.schedule.lights import DEFAULT_WARN_DAYS


@dataclass(frozen=True)
class Deadlines:
    """Everything needed to colour a deadline as it stood on `as_of`."""

    as_of: date
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    warn_days: int = DEFAULT_WARN_DAYS
    # The real today: changes take effect no later than this, so a view of an earlier day
    # must replay the history (services.asof) while today's reads the stored columns.
    today: date = field(default_factory=date.today)

    @property
    def past(self) -> bool:
        """Whether the as-of day is before today: the ledger is then replayed."""
        return self.as_of < self.today

    @property
    def yellow_limit(self) -> date:
        """The latest due date that is yellow on the as-of date."""
        return yellow_limit(self.as_of, self.calendar, self.warn_days)

    def light(self, due: date | None, status: str) -> Light:
        """The traffic light of an item due on `due` with `status`."""
        closed = Status(status) in CLOSED_STATUSES
        return traffic_light(
            due=due,
            closed=closed,
            as_of=self.as_of,
            calendar=self.calendar,
            warn_days=self.warn_days,
        )

    def lateness(self, due: date | None) -> Lateness:
        """How late an item due on `due` is (zero when not late)."""
        if due is None:
            return Lateness(calendar_days=0, working_days=0)
        return lateness(due, self.as_of, self.calendar)

    def workday_after(self, days: int) -> date:
        """The date `days` working days after the as-of date."""
        return self.calendar.add_workdays(self.as_of, days)
