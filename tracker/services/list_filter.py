"""What a list narrows by, as SQL: the filter of `tracker list` and the app's item list, and
the conditions it makes on the commitment table (shared with the printed 台账)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    column,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    table,
)
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from tracker import search_index
from tracker.errors import TrackerError
from tracker.models import Commitment, CoUnit, Kind, Status
from tracker.schedule import Light
from tracker.services.asof import AsOf, as_of_view
from tracker.services.deadlines import Deadlines
from tracker.services.lookup import get_report, get_unit, get_village

# The kinds by their Chinese names, as the app and the printouts show them.
KIND_ALIASES = {
    "一次性": Kind.ONE_OFF,
    "周期性": Kind.RECURRING,
    "定量": Kind.QUOTA,
    "分村": Kind.PER_VILLAGE,
    "整改": Kind.RECTIFICATION,
    "指标": Kind.INDICATOR,
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


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def effective_due(view: AsOf) -> ColumnElement[date | None]:
    """A row's own due date, or for a commitment with instances, the earliest due date among
    its open instances that have begun by the as-of date: what colours the commitment itself.

    COALESCE evaluates the subquery only for rows without a due date of their own, which
    are the few commitments with instances, so this stays cheap on 100k rows.
    """
    return func.coalesce(view.due(Commitment), earliest_open_due(view))


def earliest_open_due(view: AsOf) -> ColumnElement[date | None]:
    """The earliest due date among a commitment's open instances begun by the as-of date (a
    correlated subquery): the second half of `effective_due`."""
    as_of = view.deadlines.as_of
    child = aliased(Commitment)
    return (
        select(func.min(view.due(child)))
        .where(
            child.parent_id == Commitment.id,
            view.is_open(child),
            or_(col(child.period_start).is_(None), col(child.period_start) <= as_of),
        )
        .scalar_subquery()
    )


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


def light_case(view: AsOf) -> ColumnElement[str]:
    """A row's light on the view's day as one expression (the light's value), agreeing with
    light_condition: for counting every light in one pass over the rows."""
    deadlines = view.deadlines
    due = effective_due(view)
    return case(
        (not_(view.is_open()), Light.NONE.value),
        (due < deadlines.as_of, Light.RED.value),
        (due <= deadlines.yellow_limit, Light.YELLOW.value),
        else_=Light.GREEN.value,
    )


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
    of a search over 100k rows; PostgreSQL's LIKE does not, so it gets ILIKE. LIKE decides
    what matches; on SQLite the FTS5 index first narrows the rows it checks to those that can
    (tracker.search_index), and on PostgreSQL ILIKE uses the pg_trgm indexes itself.
    """
    query = text.strip()
    pattern = f"%{_escape_like(query)}%"
    columns = (
        col(Commitment.code),
        col(Commitment.title),
        col(Commitment.title_en),
        col(Commitment.description),
    )
    if session.get_bind().dialect.name != "sqlite":
        matches = or_(*(field.ilike(pattern, escape="\\") for field in columns))
        short = search_index.PG_SHORT.get(len(query))
        if short is None or not search_index.has_pg_index(session.connection(), short[1]):
            return matches  # ILIKE reads the pg_trgm indexes itself
        wanted = postgresql.array([func.lower(query)])
        body: ColumnElement[str] = literal_column(search_index.PG_BODY)
        holds = getattr(func, short[0])(body).op("@>")(wanted)
        # ILIKE checks the few rows the character or pair index gives, on `column || ''`
        # (the same text, NULL staying NULL) so that the planner does not also ask the
        # trigram indexes, which hold nothing this short and answer with every row (2.7 s
        # at 1M).
        rechecked = or_(
            *(field.op("||")(literal("")).ilike(pattern, escape="\\") for field in columns)
        )
        return and_(holds, rechecked)
    matches = or_(*(field.like(pattern, escape="\\") for field in columns))
    candidates = _indexed_candidates(session, query)
    return matches if candidates is None else and_(col(Commitment.id).in_(candidates), matches)


def _indexed_candidates(session: Session, query: str) -> Select[tuple[int]] | None:
    """The ids of the rows that may hold `query`, from the FTS5 index; None when the index
    cannot narrow them (a ledger without the index) or would not narrow them much (a query
    most rows hold: search_index.is_common)."""
    connection = session.connection()
    if not search_index.has_fts(connection) or search_index.is_common(connection, query):
        return None
    if len(query) >= 3:
        fts = table(search_index.FTS_TABLE, column("rowid"))
        match = literal_column(search_index.FTS_TABLE).op("MATCH")(search_index.fts_phrase(query))
        return sa_select(fts.c.rowid).where(match)
    bounds = search_index.term_range(query)
    if bounds is None:
        return None
    terms = table(search_index.TERMS_TABLE, column("term"), column("doc"))
    return sa_select(terms.c.doc).where(terms.c.term >= bounds[0], terms.c.term < bounds[1])


def require_kind(value: str) -> Kind:
    """A kind from its code (one_off, quota …) or its Chinese name (一次性, 定量 …)."""
    text = value.strip()
    if text in KIND_ALIASES:
        return KIND_ALIASES[text]
    try:
        return Kind(text.lower())
    except ValueError as exc:
        raise TrackerError("kind_unknown", kind=value) from exc
