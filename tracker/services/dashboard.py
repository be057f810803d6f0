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
from tracker.services.asof import AsOf, as_of_view, changed_after
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


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(cast(case((condition, 1), else_=0), Integer))


# The figures of one group of rows, in the order of `_row_figures`: rows, red, yellow,
# open, ended and closed, ended, finished, cancelled, blocked, moved.
Figures = list[int]
FIGURES = 10
# (commitment, report, part, whether the rows have a deadline of their own): the stored
# column, whatever the day; a row with one takes its light from it alone, so its light adds
# up like the other figures (see _items_by_light).
FigureKey = tuple[int, int, int, bool]


def _row_figures(view: AsOf) -> list[ColumnElement[int]]:
    """The sums that one pass over the tracked rows gathers for the whole overview: each
    commitment's light and status, each part's periods, and the items by light."""
    deadlines = view.deadlines
    as_of = deadlines.as_of
    status = view.status()
    due = view.due()
    is_open = view.is_open()
    # A period that has ended, or a village item or one-off: due to be done by now (the
    # current period is not yet late, and does not keep a commitment from being done).
    ended = or_(col(Commitment.period_end).is_(None), col(Commitment.period_end) < as_of)
    red = and_(is_open, due < as_of)
    yellow = and_(is_open, due >= as_of, due <= deadlines.yellow_limit)
    return [
        func.count(),
        _flag(red),
        _flag(yellow),
        _flag(is_open),
        _flag(and_(ended, not_(is_open))),
        _flag(ended),
        _flag(status.in_(FINISHED)),
        _flag(status == Status.CANCELLED.value),
        _flag(status == Status.BLOCKED.value),
        _flag(status != Status.TODO.value),
    ]


def _gather(
    session: Session, view: AsOf, scope: list[ColumnElement[bool]]
) -> dict[FigureKey, Figures]:
    """One grouped pass: `scope` is [tracked(as_of), and what else narrows it]."""
    group = func.coalesce(col(Commitment.parent_id), col(Commitment.id))
    dated = col(Commitment.due).is_not(None)
    keys = (group, col(Commitment.report_id), col(Commitment.section), dated)
    tracked_rows, *narrower = scope
    # Nearly every row is tracked: read in the table's order, not found through the indexes
    # of tracked()'s OR one by one (SQLite's multi-index OR: 2.4 s of CPU at a million rows,
    # the plain scan 0.8 s). A CASE is no term an index answers; a report or the changed set
    # in `narrower` still picks its rows by index.
    scanned = case((tracked_rows, 1), else_=0) == 1
    query = sa_select(*keys, *_row_figures(view)).where(scanned, *narrower).group_by(*keys)
    return {
        (int(g), int(report), int(section), bool(has_due)): [int(n or 0) for n in numbers]
        for g, report, section, has_due, *numbers in session.execute(query).all()
    }


def figures_of(
    session: Session, view: AsOf, scope: list[ColumnElement[bool]]
) -> dict[FigureKey, Figures]:
    """The figures of the rows in `scope` ([tracked(as_of), and what else narrows it]) on the
    view's day, by commitment, report and part.

    A past day's status and deadline are the stored ones except on the rows changed since
    (AsOf.status), and every figure is a sum over rows; so a past day is today's stored
    columns summed over every row, with the few changed rows' stored figures taken away and
    their replayed ones added. Replaying inside the pass over a million rows tested each row
    against the changed set a dozen times and spilled the GROUP BY to disk (2.6 s)."""
    if not view.past:
        return _gather(session, view, scope)
    as_of = view.deadlines.as_of
    stored = AsOf(view.deadlines, {})  # not replayed: the stored columns
    totals = _gather(session, stored, scope)
    changed = [*scope, col(Commitment.id).in_(changed_after(as_of))]
    for sign, side in ((-1, stored), (1, view)):
        for key, numbers in _gather(session, side, changed).items():
            row = totals[key]  # the changed rows are among all rows: the key is there
            for index, number in enumerate(numbers):
                row[index] += sign * number
    return totals


def commitment_states(
    *, session: Session, view: AsOf, report_id: int | None = None
) -> list[CommitmentState]:
    """Every commitment of the report (or of all reports) as it stood on the view's day."""
    return _states(session, view, report_id, figures_of(session, view, _scope(view, report_id)))


def _scope(view: AsOf, report_id: int | None) -> list[ColumnElement[bool]]:
    """[tracked(as_of), and the report when one is chosen]."""
    scope = [tracked(view.deadlines.as_of)]
    if report_id is not None:
        scope.append(col(Commitment.report_id) == report_id)
    return scope


def _states(
    session: Session,
    view: AsOf,
    report_id: int | None,
    figures: dict[FigureKey, Figures],
) -> list[CommitmentState]:
    by_commitment: dict[int, Figures] = {}
    for (commitment_id, _report, _section, _dated), numbers in figures.items():
        total = by_commitment.setdefault(commitment_id, [0] * FIGURES)
        for index, number in enumerate(numbers):
            total[index] += number
    top: list[ColumnElement[bool]] = [col(Commitment.parent_id).is_(None)]
    if report_id is not None:
        top.append(col(Commitment.report_id) == report_id)
    states: list[CommitmentState] = []
    for commitment_id, section, kind, own, report in session.execute(
        sa_select(
            col(Commitment.id),
            col(Commitment.section),
            col(Commitment.kind),
            view.status(),
            col(Commitment.report_id),
        ).where(*top)
    ).all():
        own_figures = by_commitment.get(commitment_id)
        alone = kind in (Kind.ONE_OFF.value, Kind.RECTIFICATION.value)
        state = _state(commitment_id, section, Status(own), alone, own_figures)
        states.append(replace(state, report_id=report))
    return states


def _state(
    commitment_id: int,
    section: int,
    own: Status,
    alone: bool,
    numbers: Figures | None,
) -> CommitmentState:
    """A commitment's light and status from its own status (`alone`: a one-off, which is
    its own only item) or from the figures of its periods or villages."""
    if numbers is None:  # nothing due yet (its first period has not begun)
        light = Light.NONE if own.closed else Light.GREEN
        return CommitmentState(commitment_id, section, light, own, 0, 0, 0, 0)
    count, red, yellow, open_, closed_ended, ended, finished, cancelled, blocked, moved = numbers
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


def dashboard(
    *, session: Session, deadlines: Deadlines, report: str | None = None, lists: bool = True
) -> Dashboard:
    """Gather the overview as it stood on the as-of date.

    `lists=False` leaves out the most overdue and the next deadlines (empty), which the
    printed summary does not show: the most overdue alone is a review of every late period
    (0.7 s at a million)."""
    as_of = deadlines.as_of
    view = as_of_view(session, deadlines)
    found = get_report(session=session, slug=report)
    report_id = found.id if found is not None and report is not None else None
    scope = _scope(view, report_id)
    # One pass over the tracked rows for the lights, statuses, parts and items by light.
    figures = figures_of(session, view, scope)
    states = _states(session, view, report_id, figures)
    by_status = {status: 0 for status in Status}
    by_light = {light: 0 for light in Light}
    for state in states:
        by_status[state.status] += 1
        by_light[state.light] += 1
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
    most_overdue: list[OverdueEntry] = []
    upcoming: list[ItemRow] = []
    if lists:
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
        sections=_sections(session, states, figures, report_id),
        quotas=quotas,
        most_overdue=most_overdue,
        next_deadlines=upcoming,
        items_by_light=_items_by_light(session, scope, view, figures),
    )


def _items_by_light(
    session: Session,
    scope: list[ColumnElement[bool]],
    view: AsOf,
    figures: dict[FigureKey, Figures],
) -> dict[Light, int]:
    """The periods, village items and one-off commitments due by now, by light.

    A row with a deadline of its own is red, yellow or green by it: those are figures of the
    one pass (`figures_of`). A tracked row without one (rare: a one-off given no deadline)
    is coloured as light_case says, by the earliest open deadline of any items it has: no
    sum over its own row, so those few are counted here, found by the due index. Every
    other tracked row is closed."""
    counts = {light: 0 for light in Light}
    everything = 0
    for (_commitment, _report, _section, dated), numbers in figures.items():
        everything += numbers[0]
        if not dated:
            continue
        red, yellow, open_ = numbers[1:4]
        counts[Light.RED] += red
        counts[Light.YELLOW] += yellow
        counts[Light.GREEN] += open_ - red - yellow
    undated = sa_select(light_case(view).label("light")).where(
        *scope, col(Commitment.due).is_(None), view.is_open()
    )
    rows = undated.subquery()
    # Grouped outside: PostgreSQL does not see two renderings of the CASE (each with its own
    # parameters) as the same expression.
    query = sa_select(rows.c.light, func.count()).group_by(rows.c.light)
    for value, count in session.execute(query).all():
        counts[Light(value)] += count
    counts[Light.NONE] = everything - sum(counts.values())
    return counts


def _sections(
    session: Session,
    states: list[CommitmentState],
    figures: dict[FigureKey, Figures],
    report_id: int | None,
) -> list[SectionProgress]:
    # The periods and items of each part: those not cancelled, and of them those finished.
    items: dict[tuple[int, int], tuple[int, int]] = {}
    for (_commitment, report, number, _dated), numbers in figures.items():
        total, done = items.get((report, number), (0, 0))
        count, finished, cancelled = numbers[0], numbers[6], numbers[7]
        items[(report, number)] = (total + count - cancelled, done + finished)
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
