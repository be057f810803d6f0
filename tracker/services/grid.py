"""The village roster as a grid: every village × every per-village requirement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from tracker.models import Commitment, Kind, Report
from tracker.services.deadlines import Deadlines
from tracker.services.listing import ItemRow, rows_where
from tracker.services.villages import list_villages


@dataclass(frozen=True)
class GridColumn:
    """A per-village requirement, e.g. 3.3a 每村配备1名法律顾问."""

    code: str
    title: str
    title_en: str | None


@dataclass(frozen=True)
class GridRow:
    number: int
    name: str  # empty until the town names its villages
    cells: list[ItemRow | None]  # one per column; None where a village has no such item
    retired_on: date | None = None  # a retired village stays, marked, for its history


@dataclass(frozen=True)
class VillageGrid:
    town: str
    columns: list[GridColumn]
    rows: list[GridRow]


def village_grid(*, session: Session, report: Report, deadlines: Deadlines) -> VillageGrid:
    """Every village of `report`'s town against its per-village commitments."""
    parents = session.exec(
        select(Commitment)
        .where(
            col(Commitment.report_id) == report.id,
            col(Commitment.parent_id).is_(None),
            col(Commitment.kind) == Kind.PER_VILLAGE.value,
        )
        .order_by(col(Commitment.sort_key))
    ).all()
    columns = [GridColumn(p.code, p.title, p.title_en) for p in parents]
    cells = rows_where(
        session=session,
        conditions=[
            col(Commitment.report_id) == report.id,
            col(Commitment.village_id).is_not(None),
        ],
        deadlines=deadlines,
    )
    by_place = {(row.village, row.parent): row for row in cells}
    rows = [
        GridRow(
            number=village.number,
            name=village.name,
            cells=[by_place.get((village.number, column.code)) for column in columns],
            retired_on=village.retired_on,
        )
        for village in list_villages(session=session, town=report.town)
    ]
    return VillageGrid(town=report.town, columns=columns, rows=rows)
