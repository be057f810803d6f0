"""A unit's review without reading its late rows (issue 15): the review's entries found by
index seeks, one or a few per entry, so that a unit with 78k late periods on a district's
ledger costs what one with 800 does.

An entry of the review (a bucket) is one of a unit's open rows that is late or due soon,
or, for period instances, all of one commitment's late ones (or due-soon ones) together:
the key of a row with a parent and no village is −parent, of any other row its own id
(services.overdue folds by the same key). The full review counts every bucket's rows; the
first page of it needs only each bucket's oldest deadline to order them, and counts the
rows of the few it shows. Those deadlines come from the index
`ix_commitment_open_parents` (status, unit, parent, village, due, …), walked as a loose
index scan: the next parent after the last one is one seek (a recursive CTE, the same SQL
on SQLite and PostgreSQL), its oldest late and due-soon deadlines one seek each.

Today's view only: a replayed past day (services.asof) counts its buckets in full.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    or_,
    union_all,
)
from sqlalchemy import select as sa_select
from sqlalchemy.sql.selectable import CTE, ScalarSelect
from sqlmodel import Session, col, func

from tracker.models import Commitment
from tracker.services.asof import OPEN_STATES
from tracker.services.deadlines import Deadlines


class Bucket(NamedTuple):
    """One entry of the review, before its rows are counted."""

    unit_id: int | None
    key: int  # −parent for a commitment's periods, otherwise the row's own id
    red: bool
    oldest: date
    code: str  # the commitment's code (periods) or the row's own: the review's order
    report_id: int


def review_buckets(
    session: Session,
    deadlines: Deadlines,
    unit_ids: Sequence[int | None] | None,
    report_id: int | None,
) -> list[Bucket]:
    """Every bucket of today's open rows of `unit_ids` (None: of every unit, and of rows
    without one), in `report_id` when given."""
    found: dict[tuple[int | None, int, bool], Bucket] = {}
    for status in OPEN_STATES:
        units = _units_with_open_rows(session, status) if unit_ids is None else unit_ids
        for unit_id in units:
            statement = _buckets(Shape(unit_id is None, report_id is not None))
            values = _values(deadlines, unit_id, report_id, status=status)
            for key, late, soon, code, report in session.execute(statement, values):
                for red, oldest in ((True, late), (False, soon)):
                    if oldest is None:
                        continue
                    bucket = Bucket(unit_id, key, red, _as_date(oldest), code, report)
                    # A commitment's periods in two open states are one bucket.
                    kept = found.get((unit_id, key, red))
                    if kept is None or bucket.oldest < kept.oldest:
                        found[(unit_id, key, red)] = bucket
    return list(found.values())


def period_counts(
    session: Session,
    deadlines: Deadlines,
    buckets: Iterable[Bucket],
    report_id: int | None,
) -> dict[tuple[int | None, int, bool], tuple[int, str]]:
    """For the given buckets of periods, by (unit, key, red): how many rows each holds, and
    its first sort key."""
    counts: dict[tuple[int | None, int, bool], tuple[int, str]] = {}
    wanted: dict[tuple[int | None, bool], list[int]] = {}
    for bucket in buckets:
        wanted.setdefault((bucket.unit_id, bucket.red), []).append(-bucket.key)
    for (unit_id, red), parents in wanted.items():
        shape = Shape(unit_id is None, report_id is not None)
        query = (
            sa_select(col(Commitment.parent_id), func.count(), func.min(Commitment.sort_key))
            .where(
                *shape.rows(any_status=True),
                col(Commitment.parent_id).in_(parents),
                col(Commitment.village_id).is_(None),
                _late() if red else _soon(),
            )
            .group_by(col(Commitment.parent_id))
        )
        values = _values(deadlines, unit_id, report_id)
        for parent_id, count, sort_key in session.execute(query, values):
            counts[(unit_id, -parent_id, red)] = (count, sort_key)
    return counts


def _values(
    deadlines: Deadlines, unit_id: int | None, report_id: int | None, status: str | None = None
) -> dict[str, object]:
    """The parameters of a scan's statements."""
    return {
        "status": status,
        "unit_id": unit_id,
        "report_id": report_id,
        "as_of": deadlines.as_of,
        "yellow_limit": deadlines.yellow_limit,
    }


_STATUS = bindparam("status", type_=String)
_UNIT = bindparam("unit_id", type_=Integer)
_REPORT = bindparam("report_id", type_=Integer)
_AS_OF = bindparam("as_of", type_=Date)
_YELLOW_LIMIT = bindparam("yellow_limit", type_=Date)


def _late() -> ColumnElement[bool]:
    return col(Commitment.due) < _AS_OF


def _soon() -> ColumnElement[bool]:
    return and_(col(Commitment.due) >= _AS_OF, col(Commitment.due) <= _YELLOW_LIMIT)


@dataclass(frozen=True)
class Shape:
    """What a scan's statements are made of besides their parameters (_values): each
    shape's statement is built once, not on every call (building and keying it cost more
    than running it on a town's ledger)."""

    no_unit: bool  # the rows without a unit: IS NULL, not = :unit_id
    in_report: bool

    def prefix(self) -> list[ColumnElement[bool]]:
        """The index's leading columns alone: what a loose scan seeks by."""
        unit = col(Commitment.unit_id)
        return [
            col(Commitment.status) == _STATUS,
            unit.is_(None) if self.no_unit else unit == _UNIT,
        ]

    def rows(self, *, any_status: bool = False) -> list[ColumnElement[bool]]:
        """The rows that have begun (a period not begun is nobody's to chase yet)."""
        conditions = self.prefix()
        if any_status:
            conditions[0] = col(Commitment.status).in_(OPEN_STATES)
        begun = col(Commitment.period_start)
        conditions.append(or_(begun.is_(None), begun <= _AS_OF))
        if self.in_report:
            conditions.append(col(Commitment.report_id) == _REPORT)
        return conditions


@cache
def _buckets(shape: Shape) -> CompoundSelect[Any]:
    """The buckets of one open state and unit, a row a key: key, oldest late deadline,
    oldest due-soon deadline (either None), code, report."""
    parent_id = cast(ColumnElement[int | None], Commitment.parent_id)
    parents = _distinct(parent_id, shape.prefix(), "review_parents")
    return union_all(_folded(parents, shape), *_standalone(shape, parents))


def _folded(parents: CTE, shape: Shape) -> Select[tuple[int, date, date, str, int]]:
    """Each parent's periods: their oldest late and due-soon deadlines (a seek each), with
    the commitment's code and report."""

    def oldest(wanted: ColumnElement[bool]) -> ScalarSelect[date | None]:
        return (
            sa_select(func.min(Commitment.due))
            .where(
                *shape.rows(),
                col(Commitment.parent_id) == parents.c.value,
                col(Commitment.village_id).is_(None),
                wanted,
            )
            .scalar_subquery()
        )

    parent = col(Commitment.id) == parents.c.value
    code = sa_select(col(Commitment.code)).where(parent).scalar_subquery()
    report_id = sa_select(col(Commitment.report_id)).where(parent).scalar_subquery()
    return sa_select(
        (-parents.c.value).label("key"),
        oldest(_late()).label("late"),
        oldest(_soon()).label("soon"),
        code.label("code"),
        report_id.label("report_id"),
    ).where(parents.c.value.is_not(None))


def _standalone(shape: Shape, parents: CTE) -> list[Select[tuple[int, date, date, str, int]]]:
    """Rows that are buckets of their own, late or due soon: the commitments (no parent),
    one range of the index, and village instances, read parent by parent."""
    due = col(Commitment.due)
    commitments = sa_select(*_own_columns(_late(), _soon())).where(
        *shape.rows(),
        col(Commitment.parent_id).is_(None),
        col(Commitment.village_id).is_(None),
        due <= _YELLOW_LIMIT,
    )
    # A village instance's conditions are in its columns, not the WHERE clause: with a
    # range of deadlines to seek, SQLite reads the unit's every late row by the open rows'
    # index instead (10 s at a million periods), and a parent's village rows are few.
    wanted = shape.rows()
    villages = sa_select(*_own_columns(and_(*wanted, _late()), and_(*wanted, _soon()))).where(
        *shape.prefix(),
        col(Commitment.parent_id) == parents.c.value,
        col(Commitment.village_id).is_not(None),
    )
    return [commitments, villages]


def _own_columns(late: ColumnElement[bool], soon: ColumnElement[bool]) -> list[ColumnElement[Any]]:
    """A row's own bucket: its id, its deadline as late or as due soon, code, report."""
    due = col(Commitment.due)
    return [
        col(Commitment.id).label("key"),
        case((late, due)).label("late"),
        case((soon, due)).label("soon"),
        col(Commitment.code).label("code"),
        col(Commitment.report_id).label("report_id"),
    ]


def _distinct(
    column: ColumnElement[int | None], prefix: list[ColumnElement[bool]], name: str
) -> CTE:
    """The distinct values of `column` among the rows meeting `prefix`, one index seek
    each (a loose index scan): the least value, then the least above it, until none."""
    first = sa_select(func.min(column).label("value")).where(*prefix)
    found = first.cte(name, recursive=True)
    following = sa_select(func.min(column)).where(*prefix, column > found.c.value)
    return found.union_all(sa_select(following.scalar_subquery()).where(found.c.value.is_not(None)))


def _units_with_open_rows(session: Session, status: str) -> list[int | None]:
    """The units that have rows in `status`, and None if rows without a unit have."""
    prefix = [col(Commitment.status) == status]
    units = _distinct(cast(ColumnElement[int | None], Commitment.unit_id), prefix, "review_units")
    found: list[int | None] = [
        value for (value,) in session.execute(sa_select(units.c.value)) if value is not None
    ]
    unowned = (
        sa_select(col(Commitment.id)).where(*prefix, col(Commitment.unit_id).is_(None)).limit(1)
    )
    if session.execute(unowned).first() is not None:
        found.append(None)
    return found


def _as_date(value: date | str) -> date:
    """A date from a union's column: SQLite hands back the text it stores."""
    return value if isinstance(value, date) else date.fromisoformat(value)
