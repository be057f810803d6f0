"""One rule for a deadline that falls on a rest day, used by every due date the tracker sets.

民法典第二百零三条第二款: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日。
(Civil Code art. 203: when the last day of a period is a statutory rest day, the period ends
on the day after the rest days end.) A rest day is a weekend or public holiday as the
calendar has it, so a 调休 make-up Saturday is a working day and a deadline on it stays put.

Every due date (a one-off item's, a village's copy of it, a period instance's, a quota
checkpoint's) is first *stated* — the report's date, the period's last day, the checkpoint —
and then moved by :func:`statutory_due`. Both are kept: officers see the stated date beside
the one that counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tracker.schedule.calendar import WorkCalendar

_ONE_DAY = timedelta(days=1)


def statutory_due(stated: date, calendar: WorkCalendar) -> date:
    """The deadline that counts: ``stated`` itself on a working day, else the first working
    day after it (民法典第二百零三条: forward, never back to the last working day before)."""
    day = stated
    while not calendar.is_workday(day):
        if day == date.max:  # no day after it to move to
            break
        day += _ONE_DAY
    return day


@dataclass(frozen=True, slots=True)
class DueDate:
    """A deadline as stated and as it counts under :func:`statutory_due`."""

    stated: date
    due: date

    @classmethod
    def of(cls, stated: date, calendar: WorkCalendar) -> DueDate:
        """The stated date and where the rule puts it."""
        return cls(stated=stated, due=statutory_due(stated, calendar))

    @property
    def moved(self) -> bool:
        """Whether the stated date was a rest day."""
        return self.stated != self.due

    @property
    def stated_if_moved(self) -> date | None:
        """What ``Commitment.stated_due`` keeps: the stated date only where it was moved."""
        return self.stated if self.moved else None
