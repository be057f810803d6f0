"""The overview (总览): commitments by light and status, progress per section, this period's
quotas, the most overdue commitments and the next deadlines.

What is counted is the report's commitments (66 in 保和镇's), each once: a commitment with
periods or villages takes the worst light of those that are due (red when any is late), and
the figures for the periods and village items themselves stand beside it. A daily duty left
unlogged for 300 days is one red commitment "with 300 late periods", not 300 red lights.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import ColumnElement, Integer, and_, case, cast, not_, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from tracker.models import Commitment, Kind, Report, Section, Status
from tracker.schedule import Light
from tracker.services.asof import AsOf, as_of_view
from tracker.services.deadlines import Deadlines
from tracker.services.list_filter import Order, light_case
from tracker.services.listing import ItemRow, rows_where
from tracker.services.lookup import get_report
from tracker.services.overdue import OverdueEntry, overdue_by_unit

TOP = 5
# Done counts as finished whether or not a supervisor has signed it off yet.
FINISHED = [Status.DONE.value, Status.VERIFIED.value]


@dataclass(frozen=True)
class SectionProgress:
    """A section's commitments finished of those not cancelled, and the same for the
    periods and village items that are due by the as-of date."""

    number: int
    heading: str
    heading_en: str | None
    done: int
    total: int
    periods_done: int = 0
    periods_total: int = 0


@dataclass(frozen=True)
class CommitmentState:
    """One commitment on the as-of date: its light and status, and its periods' figures."""

    id: int
    section: int
    light: Light
    status: Status
    due_items: int  # periods begun and village items (or the commitment itself): what is due
    late_items: int
    finished_items: int
    cancelled_items: int
    # Its report: on a database of several, a report's parts are its own (part 1 of one
    # town's report is not part 1 of another's).
    report_id: int = 0


@dataclass(frozen=True)
class Dashboard:
    as_of: date
    by_status: dict[Status, int]  # commitments
    by_light: dict[Light, int]  # commitments
    sections: list[SectionProgress]
    quotas: list[ItemRow]
    most_overdue: list[OverdueEntry]  # periods of one commitment folded into one entry
    next_deadlines: list[ItemRow]
    # The periods and village items behind the commitments, by light.
    items_by_light: dict[Light, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """How many commitments the report makes."""
        return sum(self.by_status.values())

    @property
    def items_total(self) -> int:
        """How many periods and village items (and one-off commitments) are due by now."""
        return sum(self.items_by_light.values())


def tracked(as_of: date) -> ColumnElement[bool]:
    """The items that are each one thing to do by the as-of date: one-off commitments and
    the instances that have begun. Commitments with instances are counted through them."""
    return or_(*tracked_parts(as_of))


def tracked_parts(as_of: date) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """`tracked` as its two disjoint halves (instances; one-off commitments), each of which
    an index answers alone: counting their OR read every row of a district's table."""
    return (
        and_(
            col(Commitment.parent_id).is_not(None),
            or_(col(Commitment.period_start).is_(None), col(Commitment.period_start) <= as_of),
        ),
        and_(
            col(Commitment.parent_id).is_(None),
            col(Commitment.kind).in_([Kind.ONE_OFF.value, Kind.RECTIFICATION.value]),
        ),
    )


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(cast(case((condition, 1), else_=0), Integer))


def commitment_states(
    *, session: Session, view: AsOf, report_id: int | None = None
) -> list[CommitmentState]:
    """Every commitment of the report (or of all reports) as it stood on the view's day."""
    deadlines = view.deadlines
    as_of = deadlines.as_of
    status = view.status()
    due = view.due()
    is_open = view.is_open()
    # A period that has ended, or a village item or one-off: due to be done by now (the
    # current period is not yet late, and does not keep a commitment from being done).
    ended = or_(col(Commitment.period_end).is_(None), col(Commitment.period_end) < as_of)
    group = func.coalesce(col(Commitment.parent_id), col(Commitment.id))
    scope = [tracked(as_of)]
    if report_id is not None:
        scope.append(col(Commitment.report_id) == report_id)
    figures = {
        row[0]: row[1:]
        for row in session.execute(
            sa_select(
                group,
                func.count(),
                _flag(and_(is_open, due < as_of)),
                _flag(and_(is_open, due >= as_of, due <= deadlines.yellow_limit)),
                _flag(is_open),
                _flag(and_(ended, not_(is_open))),
                _flag(ended),
                _flag(status.in_(FINISHED)),
                _flag(status == Status.CANCELLED.value),
                _flag(status == Status.BLOCKED.value),
                _flag(status != Status.TODO.value),
            )
            .where(*scope)
            .group_by(group)
        ).all()
    }
    top: list[ColumnElement[bool]] = [col(Commitment.parent_id).is_(None)]
    if report_id is not None:
        top.append(col(Commitment.report_id) == report_id)
    states: list[CommitmentState] = []
    for commitment_id, section, kind, own, report in session.execute(
        sa_select(
            col(Commitment.id),
            col(Commitment.section),
            col(Commitment.kind),
            status,
            col(Commitment.report_id),
        ).where(*top)
    ).all():
        numbers = figures.get(commitment_id)
        alone = kind in (Kind.ONE_OFF.value, Kind.RECTIFICATION.value)
        state = _state(commitment_id, section, Status(own), alone, numbers)
        states.append(replace(state, report_id=report))
    return states


def _state(
    commitment_id: int,
    section: int,
    own: Status,
    alone: bool,
    numbers: tuple[int, ...] | None,
) -> CommitmentState:
    """A commitment's light and status from its own status (`alone`: a one-off, which is
    its own only item) or from the figures of its periods or villages."""
    if numbers is None:  # nothing due yet (its first period has not begun)
        light = Light.NONE if own.closed else Light.GREEN
        return CommitmentState(commitment_id, section, light, own, 0, 0, 0, 0)
    count, red, yellow, open_, closed_ended, ended, finished, cancelled, blocked, moved = (
        int(n or 0) for n in numbers
    )
    if red:
        light = Light.RED
    elif yellow:
        light = Light.YELLOW
    elif open_:
        light = Light.GREEN
    else:
        light = Light.NONE
    if alone or own is Status.CANCELLED:
        status = own  # a one-off commitment, or one cancelled as a whole
    elif ended and closed_ended == ended and finished and not red:
        status = Status.DONE  # every period (or village) due by now is done
    elif blocked:
        status = Status.BLOCKED
    elif moved - cancelled > 0:
        status = Status.IN_PROGRESS
    else:
        status = Status.TODO
    return CommitmentState(commitment_id, section, light, status, count, red, finished, cancelled)


def dashboard(*, session: Session, deadlines: Deadlines, report: str | None = None) -> Dashboard:
    """Gather the overview as it stood on the as-of date."""
    as_of = deadlines.as_of
    view = as_of_view(session, deadlines)
    found = get_report(session=session, slug=report)
    report_id = found.id if found is not None and report is not None else None
    states = commitment_states(session=session, view=view, report_id=report_id)
    by_status = {status: 0 for status in Status}
    by_light = {light: 0 for light in Light}
    for state in states:
        by_status[state.status] += 1
        by_light[state.light] += 1
    scope = [tracked(as_of)]
    if report_id is not None:
        scope.append(col(Commitment.report_id) == report_id)
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
        limit=TOP,
        order=Order.DUE,
        view=view,
    )
    return Dashboard(
        as_of=as_of,
        by_status=by_status,
        by_light=by_light,
        sections=_sections(session, states, scope, view, report_id),
        quotas=quotas,
        most_overdue=most_overdue,
        next_deadlines=upcoming,
        items_by_light=_items_by_light(session, scope, view),
    )


def _items_by_light(
    session: Session, scope: list[ColumnElement[bool]], view: AsOf
) -> dict[Light, int]:
    """The periods, village items and one-off commitments due by now, by light.

    One COUNT per light read a district's rows four times (3.5 s of the summary's 9.7 s at a
    million periods). Now the open rows, which the (status, due) index finds, are counted by
    light in one pass, and the rest (nearly every past period: done) are the closed ones.
    `scope` is [tracked(as_of), and what else narrows it (a report)]."""
    open_rows = sa_select(light_case(view).label("light")).where(*scope, view.is_open())
    rows = open_rows.subquery()
    # Grouped outside: PostgreSQL does not see two renderings of the CASE (each with its own
    # parameters) as the same expression.
    query = sa_select(rows.c.light, func.count()).group_by(rows.c.light)
    counts = {Light(value): count for value, count in session.execute(query).all()}
    count = select(func.count()).select_from(Commitment)
    everything = sum(
        session.exec(count.where(part, *scope[1:])).one()
        for part in tracked_parts(view.deadlines.as_of)
    )
    counts[Light.NONE] = everything - sum(counts.values())
    return {light: counts.get(light, 0) for light in Light}


def _sections(
    session: Session,
    states: list[CommitmentState],
    scope: list[ColumnElement[bool]],
    view: AsOf,
    report_id: int | None,
) -> list[SectionProgress]:
    status = view.status()
    items = {
        (report, number): (int(total), int(done or 0))
        for report, number, total, done in session.exec(
            select(
                Commitment.report_id,
                Commitment.section,
                func.count(),
                func.sum(case((status.in_(FINISHED), 1), else_=0)),
            )
            .where(*scope, status != Status.CANCELLED.value)
            .group_by(col(Commitment.report_id), col(Commitment.section))
        ).all()
    }
    commitments: dict[tuple[int, int], list[int]] = {}
    for state in states:
        if state.status is Status.CANCELLED:
            continue
        counts = commitments.setdefault((state.report_id, state.section), [0, 0])
        counts[0] += 1
        counts[1] += state.status.value in FINISHED
    heading_query = select(Section)
    if report_id is not None:
        heading_query = heading_query.where(Section.report_id == report_id)
    headings = {(s.report_id, s.number): s for s in session.exec(heading_query).all()}
    # Several reports (a district, or a town's years): each part under its own report's
    # heading, named by the report, never merged with another's part of the same number.
    reports = {report for report, _ in commitments}
    slugs = (
        dict(session.exec(select(Report.id, Report.slug).where(col(Report.id).in_(reports))).all())
        if len(reports) > 1
        else {}
    )

    def named(report: int, heading: str | None) -> str | None:
        if heading is None or report not in slugs:
            return heading
        return f"{slugs[report]} · {heading}"

    ordered = sorted(commitments.items(), key=lambda pair: (slugs.get(pair[0][0], ""), pair[0]))
    return [
        SectionProgress(
            number=number,
            heading=named(report, headings[key].heading if key in headings else "") or "",
            heading_en=named(report, headings[key].heading_en if key in headings else None),
            done=done,
            total=total,
            periods_done=items.get(key, (0, 0))[1],
            periods_total=items.get(key, (0, 0))[0],
        )
        for key, (total, done) in ordered
        for report, number in [key]
    ]
