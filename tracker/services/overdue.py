"""The supervisor's review (督办): red then yellow items, grouped by responsible unit.

Period instances of one commitment are folded into one entry (日排查 late on 300 days is one
line with a count and the oldest date), so a unit's list stays readable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from tracker.models import Commitment, Unit
from tracker.schedule import Lateness, Light
from tracker.services.asof import as_of_view
from tracker.services.deadlines import Deadlines
from tracker.services.lookup import get_report, get_unit

# (unit name, unit name in English, report id, commitment or item, red)
BucketKey = tuple[Any, ...]


@dataclass(frozen=True)
class OverdueEntry:
    """One late item, or several late periods of one commitment (count > 1)."""

    code: str  # the item, or the commitment whose periods these are
    unit: str
    unit_en: str | None
    title: str
    title_en: str | None
    light: Light
    due: date  # the oldest due date among them
    lateness: Lateness
    count: int
    first_code: str  # the oldest item's own code


@dataclass(frozen=True)
class UnitGroup:
    unit: str
    unit_en: str | None
    entries: list[OverdueEntry]

    @property
    def red(self) -> int:
        """How many of the unit's commitments are red (a commitment once, however many of
        its periods are late)."""
        return sum(1 for e in self.entries if e.light is Light.RED)

    @property
    def yellow(self) -> int:
        """How many of the unit's commitments are yellow: due soon and nothing of them late
        (one with a late period is red, whatever else of it is due soon)."""
        red = {e.code for e in self.entries if e.light is Light.RED}
        return len({e.code for e in self.entries if e.light is Light.YELLOW} - red)

    @property
    def red_items(self) -> int:
        """How many periods and items are late behind the red commitments."""
        return sum(e.count for e in self.entries if e.light is Light.RED)


def overdue_by_unit(
    *,
    session: Session,
    deadlines: Deadlines,
    unit: str | None = None,
    report: str | None = None,
) -> list[UnitGroup]:
    """Red and yellow items on the as-of date, by unit; red first, oldest first."""
    view = as_of_view(session, deadlines)
    narrowing = []
    if unit is not None:
        narrowing.append(col(Commitment.unit_id) == get_unit(session=session, name=unit).id)
    found = get_report(session=session, slug=report)
    if report is not None and found is not None:
        narrowing.append(col(Commitment.report_id) == found.id)
    # Each part of the open rows is read by its own index (AsOf.open_parts); the buckets
    # of one commitment found in both parts are put together.
    buckets: dict[BucketKey, tuple[int, date, str]] = {}
    items: dict[tuple[int, str], Commitment] = {}
    for is_open, due in view.open_parts():
        conditions = [
            is_open,
            # A period that has not begun is not yet anyone's to chase, even if due soon.
            or_(
                col(Commitment.period_start).is_(None),
                col(Commitment.period_start) <= deadlines.as_of,
            ),
            due.is_not(None),
            due <= deadlines.yellow_limit,
            *narrowing,
        ]
        part = _buckets(session, conditions, due, deadlines)
        for key, (count, oldest, sort_key) in part.items():
            kept = buckets.get(key)
            if kept is not None:
                count, oldest, sort_key = (
                    kept[0] + count,
                    min(kept[1], oldest),
                    min(kept[2], sort_key),
                )
            buckets[key] = (count, oldest, sort_key)
        items |= _first_items(session, conditions, part.values(), {key[2] for key in part})
    groups: dict[str, UnitGroup] = {}
    for (unit_name, unit_en, report_id, _key, red), (count, oldest, sort_key) in buckets.items():
        first = items[(report_id, sort_key)]
        name = unit_name or "-"
        group = groups.setdefault(name, UnitGroup(unit=name, unit_en=unit_en, entries=[]))
        parent_code = first.code.split("/")[0] if first.period_key else first.code
        group.entries.append(
            OverdueEntry(
                code=parent_code,
                unit=name,
                unit_en=unit_en,
                title=first.title,
                title_en=first.title_en,
                light=Light.RED if red else Light.YELLOW,
                due=oldest,
                lateness=deadlines.lateness(oldest) if red else Lateness(0, 0),
                count=count,
                first_code=first.code,
            )
        )
    for group in groups.values():
        group.entries.sort(key=lambda e: (e.light is not Light.RED, e.due, e.code))
    return sorted(groups.values(), key=lambda g: (-g.red, -g.yellow, g.unit))


def _buckets(
    session: Session,
    conditions: list[ColumnElement[bool]],
    due: ColumnElement[date | None],
    deadlines: Deadlines,
) -> dict[BucketKey, tuple[int, date, str]]:
    """The late and due-soon rows meeting `conditions`, by unit, report, commitment and
    light: how many, the oldest deadline, the first sort key."""
    is_red = due < deadlines.as_of
    # Period instances fold into their commitment; everything else stands alone.
    group_key = case(
        (col(Commitment.period_key).is_not(None), -col(Commitment.parent_id)),
        else_=col(Commitment.id),
    )
    keys = (col(Unit.name), col(Unit.name_en), col(Commitment.report_id), group_key, is_red)
    query = (
        sa_select(*keys, func.count(), func.min(due), func.min(Commitment.sort_key))
        .join(Unit, col(Unit.id) == Commitment.unit_id, isouter=True)
        .where(*conditions)
        .group_by(*keys)
    )
    return {
        (name, name_en, report_id, key, bool(red)): (count, oldest, sort_key)
        for name, name_en, report_id, key, red, count, oldest, sort_key in session.execute(query)
    }


def _first_items(
    session: Session,
    conditions: list[ColumnElement[bool]],
    buckets: Iterable[tuple[int, date, str]],
    report_ids: set[int],
) -> dict[tuple[int, str], Commitment]:
    """The first item of each bucket, for its code and title: one more small query, by
    both columns of the (report_id, sort_key) index: by sort key alone PostgreSQL reads the
    whole index for every key on a district's ledger (1.2 s at 100k periods)."""
    sort_keys = list({sort_key for _count, _oldest, sort_key in buckets})
    if not sort_keys:
        return {}
    query = select(Commitment).where(
        col(Commitment.report_id).in_(list(report_ids)),
        col(Commitment.sort_key).in_(sort_keys),
        *conditions,
    )
    return {(c.report_id, c.sort_key): c for c in session.exec(query).all()}
