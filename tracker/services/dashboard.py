"""The overview (总览): progress per section, counts by status and light, this period's
quotas, the most overdue items and the next deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, or_
from sqlmodel import Session, col, func, select

from tracker.models import Commitment, Kind, Section, Status
from tracker.schedule import Light
from tracker.services.asof import as_of_view
from tracker.services.deadlines import Deadlines
from tracker.services.listing import ItemRow, Order, light_condition, rows_where
from tracker.services.lookup import get_report
from tracker.services.overdue import OverdueEntry, overdue_by_unit

TOP = 5


@dataclass(frozen=True)
class SectionProgress:
    number: int
    heading: str
    heading_en: str | None
    done: int
    total: int


@dataclass(frozen=True)
class Dashboard:
    as_of: date
    by_status: dict[Status, int]
    by_light: dict[Light, int]
    sections: list[SectionProgress]
    quotas: list[ItemRow]
    most_overdue: list[OverdueEntry]  # periods of one commitment folded into one entry
    next_deadlines: list[ItemRow]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def tracked(as_of: date) -> ColumnElement[bool]:
    """The items that are each one thing to do by the as-of date: one-off commitments and
    the instances that have begun. Commitments with instances are counted through them."""
    return or_(
        and_(
            col(Commitment.parent_id).is_not(None),
            or_(col(Commitment.period_start).is_(None), col(Commitment.period_start) <= as_of),
        ),
        and_(
            col(Commitment.parent_id).is_(None),
            col(Commitment.kind).in_([Kind.ONE_OFF.value, Kind.RECTIFICATION.value]),
        ),
    )


def dashboard(*, session: Session, deadlines: Deadlines, report: str | None = None) -> Dashboard:
    """Gather the overview as it stood on the as-of date."""
    as_of = deadlines.as_of
    scope = [tracked(as_of)]
    found = get_report(session=session, slug=report)
    if report is not None and found is not None:
        scope.append(col(Commitment.report_id) == found.id)
    view = as_of_view(session, deadlines)
    status = view.status()
    count = select(func.count()).select_from(Commitment)
    statuses = session.exec(select(status, func.count()).where(*scope).group_by(status)).all()
    by_status = {status: 0 for status in Status}
    by_status.update({Status(s): n for s, n in statuses})
    by_light = {
        light: session.exec(count.where(*scope, light_condition([light], view))).one()
        for light in Light
    }
    quotas = rows_where(
        session=session,
        conditions=[
            *scope[1:],
            col(Commitment.kind) == Kind.QUOTA.value,
            col(Commitment.period_start) <= as_of,
            col(Commitment.period_end) >= as_of,
        ],
        deadlines=deadlines,
        view=view,
    )
    late = [
        entry
        for group in overdue_by_unit(session=session, deadlines=deadlines, report=report)
        for entry in group.entries
        if entry.light is Light.RED
    ]
    most_overdue = sorted(late, key=lambda entry: (entry.due, entry.code))[:TOP]
    upcoming = rows_where(
        session=session,
        conditions=[*scope, view.is_open(), view.due() >= as_of],
        deadlines=deadlines,
        view=view,
        limit=TOP,
        order=Order.DUE,
    )
    return Dashboard(
        as_of=as_of,
        by_status=by_status,
        by_light=by_light,
        sections=_sections(session, scope, status, found.id if found and report else None),
        quotas=quotas,
        most_overdue=most_overdue,
        next_deadlines=upcoming,
    )


# Done counts as finished whether or not a supervisor has signed it off yet.
FINISHED = [Status.DONE.value, Status.VERIFIED.value]


def _sections(
    session: Session,
    scope: list[ColumnElement[bool]],
    status: ColumnElement[str],
    report_id: int | None,
) -> list[SectionProgress]:
    counts = session.exec(
        select(
            Commitment.section,
            func.count(),
            func.sum(case((status.in_(FINISHED), 1), else_=0)),
        )
        .where(*scope, status != Status.CANCELLED.value)
        .group_by(col(Commitment.section))
    ).all()
    heading_query = select(Section).order_by(col(Section.report_id))
    if report_id is not None:
        heading_query = heading_query.where(Section.report_id == report_id)
    headings: dict[int, Section] = {}
    for section in session.exec(heading_query).all():
        headings.setdefault(section.number, section)
    return [
        SectionProgress(
            number=number,
            heading=headings[number].heading if number in headings else "",
            heading_en=headings[number].heading_en if number in headings else None,
            done=int(done or 0),
            total=total,
        )
        for number, total, done in sorted(counts)
    ]
