"""Listing commitments and instances: filtered, counted and paged in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, not_, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from tracker.errors import TrackerError
from tracker.models import (
    Commitment,
    CoUnit,
    Event,
    Kind,
    Report,
    Status,
    Unit,
    Village,
)
from tracker.schedule import Light
from tracker.services.asof import COUNTED_KINDS, AsOf, as_of_view, counts_now
from tracker.services.deadlines import Deadlines
from tracker.services.lookup import get_report, get_unit, get_village


@dataclass(frozen=True)
class ItemRow:
    """One line of a list: a commitment or an instance, with its light on the as-of date."""

    id: int
    report: str
    code: str
    title: str
    title_en: str | None
    section: int
    kind: Kind
    unit: str | None
    unit_en: str | None
    status: Status
    due: date | None
    light: Light
    overdue: bool
    days_overdue: int
    workdays_overdue: int
    village: int | None
    village_name: str | None
    period: str | None
    target: int | None
    done_count: int | None
    source: str | None
    parent: str | None
    # An indicator period's figure: its latest counted event's value (None: none yet), and
    # the 2021 figure it is read against (an indicator's own, or its period's parent's).
    value: float | None = None
    baseline: float | None = None
    baseline_text: str | None = None
    measure: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The stable JSON shape of `list` and `show`."""
        return {
            "code": self.code,
            "report": self.report,
            "title": self.title,
            "title_en": self.title_en,
            "section": self.section,
            "kind": self.kind.value,
            "unit": self.unit,
            "status": self.status.value,
            "due": self.due.isoformat() if self.due else None,
            "light": self.light.value,
            "overdue": self.overdue,
            "days_overdue": self.days_overdue,
            "workdays_overdue": self.workdays_overdue,
            "village": self.village,
            "village_name": self.village_name,
            "period": self.period,
            "target": self.target,
            "done_count": self.done_count,
            "value": self.value,
            "baseline": self.baseline,
            "baseline_text": self.baseline_text,
            "measure": self.measure,
            "source": self.source,
            "parent": self.parent,
        }


class Order(StrEnum):
    """How a list is sorted; every order ends in ledger order so pages are stable."""

    LEDGER = "ledger"  # report, then code (5.9 before 5.10, periods in date order)
    DUE = "due"  # earliest deadline first, items without one last
    UNIT = "unit"
    STATUS = "status"


@dataclass(frozen=True)
class ListFilter:
    """What `tracker list` narrows by; every field is optional."""

    show_all: bool = False
    statuses: Sequence[Status] = ()
    unit: str | None = None
    section: int | None = None
    kind: Kind | None = None
    village: str | None = None
    overdue: bool = False
    due_within: int | None = None  # working days from the as-of date
    search: str | None = None
    report: str | None = None
    lights: Sequence[Light] = field(default=())
    order: Order = Order.LEDGER


@dataclass(frozen=True)
class Page:
    rows: list[ItemRow]
    total: int


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def effective_due(view: AsOf) -> ColumnElement[date | None]:
    """A row's own due date, or for a commitment with instances, the earliest due date among
    its open instances that have begun by the as-of date: what colours the commitment itself.

    COALESCE evaluates the subquery only for rows without a due date of their own, which
    are the few commitments with instances, so this stays cheap on 100k rows.
    """
    as_of = view.deadlines.as_of
    child = aliased(Commitment)
    earliest_open = (
        select(func.min(view.due(child)))
        .where(
            child.parent_id == Commitment.id,
            view.is_open(child),
            or_(col(child.period_start).is_(None), col(child.period_start) <= as_of),
        )
        .scalar_subquery()
    )
    return func.coalesce(view.due(Commitment), earliest_open)


def light_condition(lights: Sequence[Light], view: AsOf) -> ColumnElement[bool]:
    """SQL that is true exactly for rows whose light is one of `lights` on the view's day."""
    deadlines = view.deadlines
    is_open = view.is_open()
    due = effective_due(view)
    by_light = {
        Light.RED: and_(is_open, due < deadlines.as_of),
        Light.YELLOW: and_(is_open, due >= deadlines.as_of, due <= deadlines.yellow_limit),
        Light.GREEN: and_(is_open, or_(due.is_(None), due > deadlines.yellow_limit)),
        Light.NONE: not_(is_open),
    }
    return or_(false(), *(by_light[light] for light in lights))


def filter_conditions(
    session: Session, flt: ListFilter, deadlines: Deadlines, view: AsOf | None = None
) -> list[ColumnElement[bool]]:
    """The WHERE clauses of `flt` on the commitment table (shared with the printed 台账)."""
    view = view or as_of_view(session, deadlines)
    conditions: list[ColumnElement[bool]] = []
    as_of = deadlines.as_of
    report = get_report(session=session, slug=flt.report)
    if report is not None and flt.report is not None:
        conditions.append(col(Commitment.report_id) == report.id)
    is_open = view.is_open()
    if flt.village is not None:
        village = get_village(
            session=session, town=report.town if report else None, key=flt.village
        )
        conditions.append(col(Commitment.village_id) == village.id)
    elif not flt.show_all:
        # The commitments themselves, open village items, and the periods that are
        # current on the as-of date or ended still open.
        current_period = and_(
            col(Commitment.period_start) <= as_of,
            or_(col(Commitment.period_end) >= as_of, is_open),
        )
        conditions.append(
            or_(
                col(Commitment.parent_id).is_(None),
                and_(col(Commitment.village_id).is_not(None), is_open),
                current_period,
            )
        )
    if flt.statuses:
        conditions.append(view.status().in_([s.value for s in flt.statuses]))
    if flt.unit is not None:
        conditions.append(_unit_condition(get_unit(session=session, name=flt.unit).id))
    if flt.section is not None:
        conditions.append(col(Commitment.section) == flt.section)
    if flt.kind is not None:
        conditions.append(col(Commitment.kind) == flt.kind.value)
    if flt.overdue:
        conditions.append(light_condition([Light.RED], view))
    if flt.lights:
        conditions.append(light_condition(flt.lights, view))
    if flt.due_within is not None:
        limit = deadlines.workday_after(flt.due_within)
        due = effective_due(view)
        conditions.append(and_(is_open, due >= as_of, due <= limit))
    if flt.search:
        conditions.append(_search_condition(session, flt.search))
    return conditions


def _unit_condition(unit_id: int | None) -> ColumnElement[bool]:
    """Items a unit leads, or co-operates on (配合单位): an officer of 司法所 expects both.
    An instance co-operates where its commitment does."""
    co_operates = select(CoUnit.commitment_id).where(col(CoUnit.unit_id) == unit_id)
    return or_(
        col(Commitment.unit_id) == unit_id,
        col(Commitment.id).in_(co_operates),
        col(Commitment.parent_id).in_(co_operates),
    )


def _search_condition(session: Session, text: str) -> ColumnElement[bool]:
    """Case-insensitive substring match on code, titles and description.

    SQLite's LIKE already ignores ASCII case, and lower() on every row would triple the cost
    of a search over 100k rows; PostgreSQL's LIKE does not, so it gets ILIKE.
    """
    pattern = f"%{_escape_like(text.strip())}%"
    columns = (
        col(Commitment.code),
        col(Commitment.title),
        col(Commitment.title_en),
        col(Commitment.description),
    )
    if session.get_bind().dialect.name == "sqlite":
        return or_(*(column.like(pattern, escape="\\") for column in columns))
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


def list_items(
    *,
    session: Session,
    flt: ListFilter,
    deadlines: Deadlines,
    limit: int | None = None,
    offset: int = 0,
) -> Page:
    """The rows matching `flt` in ledger order, one page of them, and how many match in all.

    A negative limit is refused here, on every backend alike: SQLite would read LIMIT -1 as
    no limit at all, and PostgreSQL refuses it with an error of its own."""
    if limit is not None and limit < 0:
        raise TrackerError("limit_invalid", value=limit)
    view = as_of_view(session, deadlines)
    conditions = filter_conditions(session, flt, deadlines, view)
    total = session.exec(select(func.count()).select_from(Commitment).where(*conditions)).one()
    rows = rows_where(
        session=session,
        conditions=conditions,
        deadlines=deadlines,
        limit=limit,
        offset=offset,
        order=flt.order,
        view=view,
    )
    return Page(rows=rows, total=total)


def rows_where(
    *,
    session: Session,
    conditions: Sequence[ColumnElement[bool]],
    deadlines: Deadlines,
    limit: int | None = None,
    offset: int = 0,
    order: Order = Order.LEDGER,
    view: AsOf | None = None,
) -> list[ItemRow]:
    """The rows meeting `conditions`, in `order`, as they stood on the as-of date."""
    view = view or as_of_view(session, deadlines)
    parent = aliased(Commitment)
    due = effective_due(view)
    status = view.status()
    query = (
        sa_select(
            Commitment,
            status,
            due,
            col(Report.slug),
            col(Unit.name),
            col(Unit.name_en),
            Village,
            col(parent.code),
            col(parent.excerpt),
            func.coalesce(parent.baseline, Commitment.baseline),
            func.coalesce(parent.baseline_text, Commitment.baseline_text),
            func.coalesce(parent.measure, Commitment.measure),
        )
        .join(Report, col(Report.id) == Commitment.report_id)
        .outerjoin(Unit, col(Unit.id) == Commitment.unit_id)
        .outerjoin(Village, col(Village.id) == Commitment.village_id)
        .outerjoin(parent, col(parent.id) == Commitment.parent_id)
        .where(*conditions)
        .order_by(
            *_leading_order(order, due, status),
            col(Commitment.report_id),
            col(Commitment.sort_key),
        )
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    results = session.execute(query).all()
    ids = [row[0].id for row in results if row[0].id is not None]
    counts = event_counts(session=session, ids=ids, view=view)
    indicators = [
        row[0].id for row in results if row[0].kind == Kind.INDICATOR and row[0].parent_id
    ]
    values = latest_values(session=session, ids=indicators, counted=view.event_filter())
    return [_row(*result, counts=counts, values=values, deadlines=deadlines) for result in results]


def row_of(*, session: Session, item_id: int, deadlines: Deadlines) -> ItemRow:
    """One item's row, as the lists show it (for what a change says it did)."""
    return rows_where(
        session=session, conditions=[col(Commitment.id) == item_id], deadlines=deadlines
    )[0]


def _leading_order(
    order: Order, due: ColumnElement[date | None], status: ColumnElement[str]
) -> list[Any]:
    if order is Order.DUE:
        return [due.is_(None), due]
    if order is Order.UNIT:
        return [col(Unit.name)]
    if order is Order.STATUS:
        return [status]
    return []


def event_counts(
    *, session: Session, ids: Sequence[int], view: AsOf | None = None
) -> dict[int, int]:
    """How many events of each of `ids` count (on the view's day; else today: not voided)."""
    if not ids:
        return {}
    counted = view.event_filter() if view is not None else counts_now()
    query = (
        select(Event.commitment_id, func.count())
        .where(col(Event.commitment_id).in_(ids), counted)
        .group_by(col(Event.commitment_id))
    )
    return {commitment_id: count for commitment_id, count in session.exec(query).all()}


def latest_values(
    *, session: Session, ids: Sequence[int], counted: ColumnElement[bool]
) -> dict[int, float]:
    """The figure of each of `ids`: the value of its latest event (by day, then as recorded)
    among those that are `counted` and carry one. An event logged without a figure (before
    indicators required one) does not blank out the figure before it."""
    if not ids:
        return {}
    latest_first = func.row_number().over(
        partition_by=col(Event.commitment_id),
        order_by=(col(Event.happened_on).desc(), col(Event.id).desc()),
    )
    ranked = (
        sa_select(col(Event.commitment_id), col(Event.value), latest_first.label("rank"))
        .where(col(Event.commitment_id).in_(ids), col(Event.value).is_not(None), counted)
        .subquery()
    )
    query = sa_select(ranked.c.commitment_id, ranked.c.value).where(ranked.c.rank == 1)
    return {commitment_id: value for commitment_id, value in session.execute(query).all()}


def _row(
    item: Commitment,
    stored_status: str,
    due: date | None,
    report: str,
    unit: str | None,
    unit_en: str | None,
    village: Village | None,
    parent_code: str | None,
    parent_excerpt: str | None,
    baseline: float | None,
    baseline_text: str | None,
    measure: str | None,
    *,
    counts: dict[int, int],
    values: dict[int, float],
    deadlines: Deadlines,
) -> ItemRow:
    assert item.id is not None
    kind = Kind(item.kind)
    status = Status(stored_status)
    light = deadlines.light(due, status)
    late = deadlines.lateness(due) if light is Light.RED else None
    counted = item.parent_id is not None and kind in COUNTED_KINDS
    return ItemRow(
        id=item.id,
        report=report,
        code=item.code,
        title=item.title,
        title_en=item.title_en,
        section=item.section,
        kind=kind,
        unit=unit,
        unit_en=unit_en,
        status=status,
        due=due,
        light=light,
        overdue=light is Light.RED,
        days_overdue=late.calendar_days if late else 0,
        workdays_overdue=late.working_days if late else 0,
        village=village.number if village else None,
        village_name=village.name or None if village else None,
        period=item.period_key,
        target=item.target if item.parent_id is not None else None,
        done_count=counts.get(item.id, 0) if counted else None,
        source=item.excerpt if item.excerpt is not None else parent_excerpt,
        parent=parent_code,
        value=values.get(item.id),
        baseline=baseline,
        baseline_text=baseline_text,
        measure=measure,
    )


def require_kind(value: str) -> Kind:
    """A kind from what the user typed."""
    try:
        return Kind(value.strip().lower())
    except ValueError as exc:
        raise TrackerError("kind_unknown", kind=value) from exc
