"""Listing commitments and instances: filtered (tracker.services.list_filter), counted and
paged in SQL, each row with its light on the as-of date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from tracker.errors import TrackerError
from tracker.models import Commitment, Event, Kind, Report, Status, Unit, Village
from tracker.schedule import Light
from tracker.services.asof import COUNTED_KINDS, AsOf, as_of_view, counts_now
from tracker.services.deadlines import Deadlines
from tracker.services.list_filter import ListFilter, Order, effective_due, filter_conditions


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


@dataclass(frozen=True)
class Page:
    rows: list[ItemRow]
    total: int


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
