"""The overview's one pass over the tracked rows (issue 15): on a past day it sums today's
stored columns over every row and replays only the rows changed since; every figure must be
what replaying each row on that day gives, and the parts' periods, the items by light and
the printed summary's leaner overview must be what they were when each had its own query.

The ledger is tests/test_asof.py's: statuses set late and back-dated, events of a quota
logged years after they happened; plus a period cancelled after the fact.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from tests.test_asof import TODAY, at, build_ledger, item
from tracker.models import Commitment, Status
from tracker.schedule import Light, WorkCalendar
from tracker.services.asof import AsOf, as_of_view, changed_after
from tracker.services.dashboard import FigureKey, Figures, dashboard, figures_of, tracked
from tracker.services.deadlines import Deadlines
from tracker.services.list_filter import light_condition
from tracker.services.updates import set_status

DAYS = [
    date(2022, 6, 1),
    date(2023, 7, 3),
    date(2024, 6, 1),
    date(2025, 6, 2),
    date(2026, 11, 19),  # the day before 1.4c was done
    TODAY,  # today: the stored columns alone
]
FINISHED = {Status.DONE, Status.VERIFIED}


def worked(session: Session, calendar: WorkCalendar) -> None:
    build_ledger(session, calendar)
    set_status(
        session=session, item=item(session, "3.2-M/2023-10"), status=Status.CANCELLED,
        note="补录：并入季度排查", user="王科员", now=at(date(2026, 11, 24)),
        effective_on=date(2024, 1, 5),
    )  # fmt: skip
    session.flush()


def as_date(value: date | str | None) -> date | None:
    """A deadline as read back (SQLite gives a CASE's date as text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def replayed_figures(session: Session, view: AsOf) -> dict[FigureKey, Figures]:
    """Every tracked row's status and deadline replayed on the view's day (no stored column
    taken on trust), its figures counted in Python."""
    deadlines = view.deadlines
    as_of = deadlines.as_of
    rows = session.execute(
        sa_select(
            func.coalesce(col(Commitment.parent_id), col(Commitment.id)),
            col(Commitment.report_id),
            col(Commitment.section),
            col(Commitment.due),
            col(Commitment.period_end),
            view.status(),
            view.due(),
        ).where(tracked(as_of))
    ).all()
    figures: dict[FigureKey, Figures] = {}
    for group, report, section, stored_due, period_end, value, due_value in rows:
        status = Status(value)
        due = as_date(due_value)
        is_open = not status.closed
        ended = period_end is None or as_date(period_end) < as_of
        red = is_open and due is not None and due < as_of
        yellow = is_open and due is not None and as_of <= due <= deadlines.yellow_limit
        numbers = [
            True, red, yellow, is_open, ended and not is_open, ended, status in FINISHED,
            status is Status.CANCELLED, status is Status.BLOCKED, status is not Status.TODO,
        ]  # fmt: skip
        key = (group, report, section, stored_due is not None)
        sums = figures.setdefault(key, [0] * len(numbers))
        for index, flag in enumerate(numbers):
            sums[index] += int(flag)
    return figures


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_pass_on_a_past_day_equals_replaying_every_row(
    session: Session, calendar: WorkCalendar, day: date
) -> None:
    worked(session, calendar)
    deadlines = Deadlines(as_of=day, calendar=calendar, today=TODAY)
    view = as_of_view(session, deadlines)
    if day < TODAY:  # the ledger has rows changed since the day, or this proves nothing
        changed = session.exec(select(func.count()).select_from(changed_after(day).subquery()))
        assert changed.one() > 0
    figures = figures_of(session, view, [tracked(day)])
    assert figures == replayed_figures(session, view)
    assert sum(numbers[7] for numbers in figures.values()) == (day >= date(2024, 1, 5))


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_parts_and_items_by_light_agree_with_their_own_queries(
    session: Session, calendar: WorkCalendar, day: date
) -> None:
    worked(session, calendar)
    deadlines = Deadlines(as_of=day, calendar=calendar, today=TODAY)
    view = as_of_view(session, deadlines)
    board = dashboard(session=session, deadlines=deadlines)
    status = view.status()
    scope = [tracked(day), status != Status.CANCELLED.value]
    totals = Counter(
        dict(
            session.execute(
                sa_select(col(Commitment.section), func.count())
                .where(*scope)
                .group_by(col(Commitment.section))
            ).all()
        )
    )
    done = Counter(
        dict(
            session.execute(
                sa_select(col(Commitment.section), func.count())
                .where(*scope, status.in_([s.value for s in FINISHED]))
                .group_by(col(Commitment.section))
            ).all()
        )
    )
    assert [(s.number, s.periods_done, s.periods_total) for s in board.sections] == [
        (s.number, done[s.number], totals[s.number]) for s in board.sections
    ]
    assert sum(s.periods_total for s in board.sections) == sum(totals.values())
    for light in Light:
        query = select(func.count()).select_from(Commitment)
        expected = session.exec(query.where(tracked(day), light_condition([light], view))).one()
        assert board.items_by_light[light] == expected, light


@pytest.mark.parametrize("day", [date(2023, 7, 3), TODAY], ids=str)
def test_the_printed_summarys_overview_leaves_out_only_the_two_lists(
    session: Session, calendar: WorkCalendar, day: date
) -> None:
    worked(session, calendar)
    deadlines = Deadlines(as_of=day, calendar=calendar, today=TODAY)
    full = dashboard(session=session, deadlines=deadlines)
    lean = dashboard(session=session, deadlines=deadlines, lists=False)
    assert full.most_overdue and full.next_deadlines  # so that leaving them out shows
    assert (lean.most_overdue, lean.next_deadlines) == ([], [])
    same = ("by_status", "by_light", "sections", "quotas", "items_by_light")
    assert all(getattr(lean, name) == getattr(full, name) for name in same)
