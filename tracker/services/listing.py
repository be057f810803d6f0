"""Listing commitments and instances: filtered (tracker.services.list_filter), counted and
paged in SQL, each row with its light on the as-of date."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any, Protocol, overload

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
)
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from tracker.errors import TrackerError
from tracker.models import Commitment, Event, Kind, Report, Status, Unit, Village
from tracker.schedule import Lateness, Light
from tracker.services.asof import COUNTED_KINDS, AsOf, as_of_view, counts_now
from tracker.services.deadlines import Deadlines
from tracker.services.list_filter import (
    ListFilter,
    Order,
    earliest_open_due,
    effective_due,
    filter_conditions,
)

# The most ids one statement binds (event counts, figures): well under every backend's limit.
MAX_BOUND_IDS = 2000
# Rows an export reads from the database at a time (and so the ids it binds per batch).
STREAM_BATCH = 2000
# More rows than any ledger holds, as the LIMIT of "every row". Within a 32-bit integer:
# SQLAlchemy binds a larger one as a BIGINT, which is another statement to compile.
ALL_ROWS = 2**31 - 1


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
    # How many rows match in all; when not `counted`, only as many as this page reaches.
    total: int
    counted: bool = True


def list_items(
    *,
    session: Session,
    flt: ListFilter,
    deadlines: Deadlines,
    limit: int | None = None,
    offset: int = 0,
    count: bool = True,
) -> Page:
    """The rows matching `flt` in ledger order, one page of them, and how many match in all.

    Without `count`, a full page is not counted (the app shows the rows at once and counts
    them apart, `count_items`): its total is the rows up to the page's end, not `counted`.

    A negative limit is refused here, on every backend alike: SQLite would read LIMIT -1 as
    no limit at all, and PostgreSQL refuses it with an error of its own."""
    if limit is not None and limit < 0:
        raise TrackerError("limit_invalid", value=limit)
    view = as_of_view(session, deadlines)
    conditions = filter_conditions(session, flt, deadlines, view)
    rows = rows_where(
        session=session,
        conditions=conditions,
        deadlines=deadlines,
        limit=limit,
        offset=offset,
        order=flt.order,
        view=view,
    )
    # A page that is not full holds the last of the rows: they are counted without a second
    # pass (a search typed in the app finds a few rows, after reading a town's every row).
    if (limit is None or len(rows) < limit) and (rows or offset == 0):
        return Page(rows=rows, total=offset + len(rows))
    if not count:
        return Page(rows=rows, total=offset + len(rows), counted=False)
    return Page(rows=rows, total=_count(session, conditions))


def count_items(*, session: Session, flt: ListFilter, deadlines: Deadlines) -> int:
    """How many rows match `flt` (the total `list_items` gives)."""
    view = as_of_view(session, deadlines)
    return _count(session, filter_conditions(session, flt, deadlines, view))


def _count(session: Session, conditions: Sequence[ColumnElement[bool]]) -> int:
    return session.exec(select(func.count()).select_from(Commitment).where(*conditions)).one()


class Renderer(Protocol):
    """Writes streamed rows as text (tracker.services.export_text) straight from the
    database's tuples, without an ItemRow or a dict per row.

    A row's values come in two parts. Its own (id, status, due date, code, period, counts)
    are read for every row. The values it shares with the other rows of its group
    (`_group_key`: a commitment's title, unit, report, source… on each of its periods in a
    village) are read once a group, and handed to `share` before the first row of the group
    is rendered: a period's 13 shared columns cost more to read than to write its text."""

    def columns(self, parts: StreamColumns) -> list[Any]:
        """A row's own columns, its id first."""

    def shared_columns(self, parts: StreamColumns) -> list[Any]:
        """The columns a row shares with the rows of its group, as `share` takes them."""

    def unshared(self, keys: Iterable[Any]) -> set[Any]:
        """Which of the groups `keys` have not been shared (or have been forgotten since)."""

    def share(self, key: Any, values: Sequence[Any]) -> None:
        """The shared columns' `values` of the rows of group `key`."""

    def render(self, rows: Sequence[Any]) -> list[bytes]:
        """Each of a batch's rows (its own columns, then its group's key) as its text,
        printable, in UTF-8, in order."""


@dataclass(frozen=True)
class StreamColumns:
    """What a renderer builds its columns of: the statement's tables and computed columns."""

    parent: Any  # the aliased parent Commitment
    status: ColumnElement[str]
    due: ColumnElement[Any]
    # A period's counted events (None for a row that has no count) and an indicator
    # period's figure, as `event_counts` and `latest_values` give them.
    done: ColumnElement[Any]
    value: ColumnElement[Any]
    dialect: str
    deadlines: Deadlines
    # A past day's quota deadlines, which a row's due column does not hold (AsOf.quota_dues).
    quota_dues: dict[int, date]


@overload
def stream_items(
    *,
    session: Session,
    flt: ListFilter,
    deadlines: Deadlines,
    limit: int | None = None,
    batch: int = STREAM_BATCH,
    render: None = None,
) -> Iterator[ItemRow]: ...


@overload
def stream_items(
    *,
    session: Session,
    flt: ListFilter,
    deadlines: Deadlines,
    limit: int | None = None,
    batch: int = STREAM_BATCH,
    render: Renderer,
) -> Iterator[list[bytes]]: ...


def stream_items(
    *,
    session: Session,
    flt: ListFilter,
    deadlines: Deadlines,
    limit: int | None = None,
    batch: int = STREAM_BATCH,
    render: Renderer | None = None,
) -> Iterator[ItemRow] | Iterator[list[bytes]]:
    """Every row matching `flt`, in the order of `list_items`, read `batch` rows at a time:
    an export of a million rows holds one batch, never the list (nor is it counted first).
    The first `limit` rows only, if given (a negative one refused, as by `list_items`).

    The same rows as `list_items` gives, built from plain columns rather than ORM objects
    (a million of those cost more than writing the export), each batch's event counts and
    figures read by `event_counts` and `latest_values` for its ids only. On PostgreSQL the
    rows come from a server-side cursor; SQLite's cursor steps through them as they are
    fetched.

    With `render`, each batch is yielded as its rows' texts instead (an export's JSON
    objects or CSV lines, tracker.services.export_text), made from the driver's own tuples
    on SQLite (the DB-API cursor's, not SQLAlchemy's rows), its event count and figure read
    by the same statement (`_counted_columns`): about half the time of the ItemRows. What a
    row shares with its group (`_group_key`) is read once a group on SQLite, where each
    column read costs as much as writing it (a third of a 100k export's time went on
    reading 13 columns that a few thousand groups share)."""
    if limit is not None and limit < 0:
        raise TrackerError("limit_invalid", value=limit)
    view = as_of_view(session, deadlines)
    conditions = filter_conditions(session, flt, deadlines, view)
    parent = aliased(Commitment)
    # A quota period's deadline on a past day is looked up here (`view.quota_dues`) rather
    # than in a CASE of every such period that each of a million rows would run through.
    due = func.coalesce(Commitment.due, earliest_open_due(view))
    status = view.status()
    if render is not None:
        dialect = session.get_bind().dialect.name
        done, value = _counted_columns(view.event_filter())
        parts = StreamColumns(parent, status, due, done, value, dialect, deadlines, view.quota_dues)
        own = render.columns(parts)
        shared = render.shared_columns(parts)
        # SQLite: each new group's shared columns are read by a statement of their own
        # (`_shared_rows`), which must see what the rows' statement sees: one read
        # transaction holds both. PostgreSQL reads them with every row, from one snapshot.
        columns = [*own, _group_key(parent), *(shared if dialect != "sqlite" else ())]
    else:
        columns = [
            col(Commitment.id),
            col(Commitment.code),
            col(Commitment.title),
            col(Commitment.title_en),
            col(Commitment.section),
            col(Commitment.kind),
            col(Commitment.parent_id),
            col(Commitment.period_key),
            col(Commitment.target),
            col(Commitment.excerpt),
            status,
            due,
            col(Report.slug),
            col(Unit.name),
            col(Unit.name_en),
            col(Village.number),
            col(Village.name),
            *_parent_columns(parent),
        ]
    leading = _leading_order(flt.order, effective_due(view), status)
    # Every row is LIMIT ALL_ROWS rather than no LIMIT: the statement is then the one
    # `--limit 1` compiles, which a warm ledger process rehearses (tracker.warm.ledger).
    query = _ledger_select(columns, parent, conditions, leading).limit(
        ALL_ROWS if limit is None else limit
    )
    # Options of this statement only: set on the connection, they would stay on it, and the
    # commit's own statements would go through a server-side cursor as well.
    # On SQLite, text rows come from the driver's cursor itself (below), which SQLAlchemy
    # must not have read ahead of, as its buffered (streaming) results do.
    raw = render is not None and session.get_bind().dialect.name == "sqlite"
    streamed = query if raw else query.execution_options(stream_results=True, yield_per=batch)
    if raw:
        _hold_snapshot(session)
    result = session.connection().execute(streamed)
    counted = view.event_filter()
    with result:
        if render is not None:
            # SQLite's cursor steps through the rows as they are fetched: its tuples, not a
            # Row of each with its values converted (a date stays SQLite's text, which is
            # what the export writes). PostgreSQL's server-side cursor is read through
            # SQLAlchemy's rows, which unpack as the tuples do.
            width = len(own) + 1
            if raw:
                cursor = result.cursor
                shared_rows = _shared_rows(session, shared, parent)
                for rows in iter(lambda: cursor.fetchmany(batch), []):
                    # (By C functions over the batch: a Python loop of them cost 5%.)
                    keys = list(map(itemgetter(-1), rows))
                    new = render.unshared(set(keys))
                    if new:
                        # A row of each new group stands for it (by its id).
                        stand_ins = dict(zip(keys, map(itemgetter(0), rows), strict=True))
                        groups = {stand_ins[key]: key for key in new}
                        for item_id, *values in shared_rows(list(groups)):
                            render.share(groups[item_id], values)
                    yield render.render(rows)
                return
            for rows in result.partitions():
                new = render.unshared(row[width - 1] for row in rows)
                for row in rows:
                    if row[width - 1] in new:
                        render.share(row[width - 1], row[width:])
                        new.discard(row[width - 1])
                yield render.render([row[:width] for row in rows])
            return
        build = _RowBuilder(deadlines, view.quota_dues)
        for rows in result.partitions():
            counts = event_counts(
                session=session, ids=_child_ids(rows, COUNTED_KINDS, 5, 6), view=view
            )
            values = latest_values(
                session=session, ids=_child_ids(rows, (INDICATOR,), 5, 6), counted=counted
            )
            for row in rows:
                yield build(row, counts, values)


def _child_ids(rows: Sequence[Any], kinds: Sequence[str], kind: int, parent: int) -> list[int]:
    """The ids (column 0) of the period and village instances of `kinds` among streamed
    rows, whose kind and parent id are the columns `kind` and `parent`."""
    return [row[0] for row in rows if row[parent] is not None and row[kind] in kinds]


def _counted_columns(
    counted: ColumnElement[bool],
) -> tuple[ColumnElement[int | None], ColumnElement[float | None]]:
    """A row's count of `counted` events (a period of a counted kind; else NULL) and its
    figure (an indicator period's latest counted event with one; else NULL): what
    `event_counts` and `latest_values` give, as correlated subqueries of the row's own
    events (an index lookup each), not a statement per batch binding 2,000 ids."""
    child = col(Commitment.parent_id).is_not(None)
    mine = col(Event.commitment_id) == Commitment.id
    count = sa_select(func.count()).where(mine, _opaque(counted)).scalar_subquery()
    latest = (
        sa_select(col(Event.value))
        .where(mine, col(Event.value).is_not(None), _opaque(counted))
        .order_by(col(Event.happened_on).desc(), col(Event.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    done = case((and_(child, col(Commitment.kind).in_(COUNTED_KINDS)), count), else_=None)
    value = case((and_(child, col(Commitment.kind) == INDICATOR), latest), else_=None)
    return done, value


# A row's parent id is multiplied by this in its group key, and its village id added: a
# key of (parent, village) in one integer (ids are SQLite's and PostgreSQL's 32-bit ones).
_GROUP_SPAN = 2**32


def _group_key(parent: Any) -> ColumnElement[int]:
    """A row's group: the rows that share every value an export takes from the commitment
    (its title, unit, report, section, kind, source, baseline, its parent's code) and its
    village. A period or village instance whose own values are its commitment's (as the
    seed and `instances` make them: equal, or none where the commitment's stands) shares them
    with the commitment's other instances in its village: key parent × 2³² + village. Any
    other row (a commitment, or an instance whose title has been changed) is a group of its
    own: key −id."""
    same = [
        col(Commitment.report_id) == parent.report_id,
        col(Commitment.title) == parent.title,
        col(Commitment.title_en).is_not_distinct_from(parent.title_en),
        col(Commitment.section) == parent.section,
        col(Commitment.kind) == parent.kind,
        col(Commitment.unit_id).is_not_distinct_from(parent.unit_id),
    ]
    # An instance's own baseline, measure and source stand where its commitment has none.
    inherited = [
        or_(own.is_(None), own.is_not_distinct_from(theirs))
        for own, theirs in (
            (col(Commitment.baseline), parent.baseline),
            (col(Commitment.baseline_text), parent.baseline_text),
            (col(Commitment.measure), parent.measure),
            (col(Commitment.excerpt), parent.excerpt),
        )
    ]
    shared = and_(col(Commitment.parent_id).is_not(None), *same, *inherited)
    village = func.coalesce(Commitment.village_id, 0)
    span = literal(_GROUP_SPAN, BigInteger)
    return case((shared, Commitment.parent_id * span + village), else_=-col(Commitment.id))


def _hold_snapshot(session: Session) -> None:
    """Begin a read transaction on `session`'s SQLite connection, unless one is open: the
    statements that follow then all read the ledger as it stood at the first of them.
    (Python's sqlite3 begins a transaction only before a write; between two reads, another
    process's commit would show.)"""
    connection = session.connection()
    if not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN")


def _shared_rows(
    session: Session, shared: Sequence[Any], parent: Any
) -> Callable[[list[int]], Sequence[Any]]:
    """A reader of the `shared` columns of rows by id: each as (id, *shared)."""
    ids: BindParameter[list[int]] = bindparam("ids", expanding=True)
    query = _ledger_select([col(Commitment.id), *shared], parent, [col(Commitment.id).in_(ids)], [])
    connection = session.connection()
    return lambda chosen: connection.execute(query, {"ids": chosen}).all()


INDICATOR = Kind.INDICATOR.value


def _new_row(**fields: Any) -> ItemRow:
    """An ItemRow of `fields` (every field given), made without the frozen dataclass's
    __init__, which sets each of its 26 fields through object.__setattr__: a third of the
    time of building a million rows. The row is the same frozen, comparable value."""
    row = object.__new__(ItemRow)
    row.__dict__.update(fields)
    return row


_KINDS = {kind.value: kind for kind in Kind}
_STATUSES = {status.value: status for status in Status}


class _RowBuilder:
    """Makes an ItemRow of a streamed row, the light and lateness of each (due, status)
    worked out once: a district's million rows share a few thousand of them."""

    def __init__(self, deadlines: Deadlines, quota_dues: dict[int, date]) -> None:
        self.deadlines = deadlines
        self.quota_dues = quota_dues
        self.lights: dict[tuple[date | None, str], tuple[Light, Lateness | None]] = {}

    def light(self, due: date | None, status: str) -> tuple[Light, Lateness | None]:
        key = (due, status)
        found = self.lights.get(key)
        if found is None:
            light = self.deadlines.light(due, status)
            late = self.deadlines.lateness(due) if light is Light.RED else None
            found = self.lights[key] = (light, late)
        return found

    def __call__(self, row: Any, counts: dict[int, int], values: dict[int, float]) -> ItemRow:
        (
            item_id, code, title, title_en, section, kind, parent_id, period_key, target,
            excerpt, status, due, report, unit, unit_en, village, village_name, parent_code,
            parent_excerpt, baseline, baseline_text, measure,
        ) = row  # fmt: skip
        due = self.quota_dues.get(item_id, due)
        light, late = self.light(due, status)
        child = parent_id is not None
        return _new_row(
            id=item_id,
            report=report,
            code=code,
            title=title,
            title_en=title_en,
            section=section,
            kind=_KINDS[kind],
            unit=unit,
            unit_en=unit_en,
            status=_STATUSES[status],
            due=due,
            light=light,
            overdue=light is Light.RED,
            days_overdue=late.calendar_days if late else 0,
            workdays_overdue=late.working_days if late else 0,
            village=village,
            village_name=village_name or None if village is not None else None,
            period=period_key,
            target=target if child else None,
            done_count=counts.get(item_id, 0) if child and kind in COUNTED_KINDS else None,
            source=excerpt if excerpt is not None else parent_excerpt,
            parent=parent_code,
            value=values.get(item_id),
            baseline=baseline,
            baseline_text=baseline_text,
            measure=measure,
        )


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
    columns = [
        Commitment,
        status,
        due,
        col(Report.slug),
        col(Unit.name),
        col(Unit.name_en),
        Village,
        *_parent_columns(parent),
    ]
    leading = _leading_order(order, due, status)
    if limit is None:
        query = _ledger_select(columns, parent, conditions, leading).offset(offset)
    else:
        page = _page_ids(conditions, leading, order, limit, offset)
        query = _ledger_select(columns, parent, [col(Commitment.id).in_(page)], leading)
    results = session.execute(query).all()
    ids = [row[0].id for row in results if row[0].id is not None]
    counts = event_counts(session=session, ids=ids, view=view)
    indicators = [
        row[0].id for row in results if row[0].kind == Kind.INDICATOR and row[0].parent_id
    ]
    values = latest_values(session=session, ids=indicators, counted=view.event_filter())
    return [_row(*result, counts=counts, values=values, deadlines=deadlines) for result in results]


def _parent_columns(parent: Any) -> list[Any]:
    """What a period or village item takes from its commitment (`parent`): its code and
    excerpt, and the baseline and measure unless the item has its own."""
    return [
        col(parent.code),
        col(parent.excerpt),
        func.coalesce(parent.baseline, Commitment.baseline),
        func.coalesce(parent.baseline_text, Commitment.baseline_text),
        func.coalesce(parent.measure, Commitment.measure),
    ]


def _ledger_select(
    columns: Sequence[Any],
    parent: Any,
    conditions: Sequence[ColumnElement[bool]],
    leading: Sequence[Any],
) -> Any:
    """`columns` of each item meeting `conditions`, joined to its report, unit, village and
    commitment (`parent`), in `leading` order and then the ledger's own."""
    return (
        sa_select(*columns)
        .select_from(Commitment)
        .join(Report, col(Report.id) == Commitment.report_id)
        .outerjoin(Unit, col(Unit.id) == Commitment.unit_id)
        .outerjoin(Village, col(Village.id) == Commitment.village_id)
        .outerjoin(parent, col(parent.id) == Commitment.parent_id)
        .where(*conditions)
        .order_by(*leading, col(Commitment.report_id), col(Commitment.sort_key))
    )


def _page_ids(
    conditions: Sequence[ColumnElement[bool]],
    leading: Sequence[Any],
    order: Order,
    limit: int,
    offset: int,
) -> Any:
    """The ids of one page's rows, in the list's order: a statement of its own, so the
    joins and the columns shown are worked out for the page alone, not for every row that
    matches (at a million periods, 28 ms instead of 200 for the first page of late rows,
    whose ids the open rows' index holds)."""
    query = sa_select(col(Commitment.id)).select_from(Commitment)
    if order is Order.UNIT:
        query = query.outerjoin(Unit, col(Unit.id) == Commitment.unit_id)
    return (
        query.where(*conditions)
        .order_by(*leading, col(Commitment.report_id), col(Commitment.sort_key))
        .limit(limit)
        .offset(offset)
        # Always a statement over its own rows, never tied to the outer one's commitment.
        .correlate(None)
    )


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
    counted = _opaque(view.event_filter() if view is not None else counts_now())
    query = (
        sa_select(col(Event.commitment_id), func.count())
        .where(col(Event.commitment_id).in_(_IDS), counted)
        .group_by(col(Event.commitment_id))
    )
    counts: dict[int, int] = {}
    for chunk in _chunks(ids):
        counts.update(session.connection().execute(query, {"ids": chunk}).all())
    return counts


def _opaque(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """`condition` in a form no index answers: SQLite (without statistics) would otherwise
    read "voided_on IS NULL" through the index on voided_on, which every live event is in,
    rather than look up the ids through the index on commitment_id (2 s of an export)."""
    return case((condition, 1), else_=0) == 1


def latest_values(
    *, session: Session, ids: Sequence[int], counted: ColumnElement[bool]
) -> dict[int, float]:
    """The figure of each of `ids`: the value of its latest event (by day, then as recorded)
    among those that are `counted` and carry one. An event logged without a figure (before
    indicators required one) does not blank out the figure before it."""
    latest_first = func.row_number().over(
        partition_by=col(Event.commitment_id),
        order_by=(col(Event.happened_on).desc(), col(Event.id).desc()),
    )
    ranked = (
        sa_select(col(Event.commitment_id), col(Event.value), latest_first.label("rank"))
        .where(
            col(Event.commitment_id).in_(_IDS),
            col(Event.value).is_not(None),
            _opaque(counted),
        )
        .subquery()
    )
    query = sa_select(ranked.c.commitment_id, ranked.c.value).where(ranked.c.rank == 1)
    values: dict[int, float] = {}
    for chunk in _chunks(ids):
        values.update(session.connection().execute(query, {"ids": chunk}).all())
    return values


# The ids of one chunk, bound as one list the driver expands: the statement is compiled once
# (and cached), not once per chunk with a parameter of its own for each id.
_IDS: BindParameter[Sequence[int]] = bindparam("ids", expanding=True)


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    """`ids` a bounded slice at a time: one IN (…) of them all binds a parameter each, and
    SQLite refuses a statement past 250,000 of them, PostgreSQL past 65,535."""
    for start in range(0, len(ids), MAX_BOUND_IDS):
        yield ids[start : start + MAX_BOUND_IDS]


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
