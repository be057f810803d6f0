"""The supervisor's review (督办): red then yellow items, grouped by responsible unit.

Period instances of one commitment are folded into one entry (日排查 late on 300 days is one
line with a count and the oldest date), so a unit's list stays readable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from tracker.models import Commitment, Unit
from tracker.schedule import Lateness, Light
from tracker.services.asof import AsOf, as_of_view
from tracker.services.deadlines import Deadlines
from tracker.services.lookup import get_report, get_unit
from tracker.services.overdue_scan import Bucket, period_counts, review_buckets

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
    """A unit's entries, red then yellow, oldest first: all of them, or the first few of a
    review with a limit; the counts are always the unit's whole."""

    unit: str
    unit_en: str | None
    entries: list[OverdueEntry]
    # How many of the unit's commitments are red (a commitment once, however many of its
    # periods are late), and yellow: due soon and nothing of them late (one with a late
    # period is red, whatever else of it is due soon).
    red: int
    yellow: int
    total: int  # the unit's entries, listed or not (a commitment red and yellow is two)

    @classmethod
    def of(cls, unit: str, unit_en: str | None, entries: list[OverdueEntry]) -> UnitGroup:
        """A group of every entry of a unit's review (or of a part of it), counted from
        them: a commitment by its code."""
        red = {e.code for e in entries if e.light is Light.RED}
        yellow = {e.code for e in entries if e.light is Light.YELLOW}
        return cls(unit, unit_en, entries, len(red), len(yellow - red), len(entries))

    @property
    def red_items(self) -> int:
        """How many periods and items are late behind the listed red entries."""
        return sum(e.count for e in self.entries if e.light is Light.RED)


def overdue_by_unit(
    *,
    session: Session,
    deadlines: Deadlines,
    unit: str | None = None,
    report: str | None = None,
    limit: int | None = None,
) -> list[UnitGroup]:
    """Red and yellow items on the as-of date, by unit; red first, oldest first. With
    `limit`, a unit lists only its first `limit` entries, its counts still whole: today's
    view then finds them without reading every late period (services.overdue_scan)."""
    view = as_of_view(session, deadlines)
    unit_id = None if unit is None else get_unit(session=session, name=unit).id
    found = get_report(session=session, slug=report)
    report_id = found.id if report is not None and found is not None else None
    if limit is not None and not view.past:
        groups = _first_entries(session, deadlines, unit_id, report_id, limit)
    else:
        groups = _every_entry(session, deadlines, view, unit_id, report_id)
        if limit is not None:
            groups = [replace(group, entries=group.entries[:limit]) for group in groups]
    return sorted(groups, key=lambda g: (-g.red, -g.yellow, g.unit))


def _entry_order(entry: OverdueEntry) -> tuple[bool, date, str]:
    return (entry.light is not Light.RED, entry.due, entry.code)


def _entry(
    first: Commitment,
    unit: tuple[str, str | None],
    *,
    red: bool,
    oldest: date,
    count: int,
    deadlines: Deadlines,
) -> OverdueEntry:
    """A bucket's entry, named by its first row (a period's commitment by its code)."""
    return OverdueEntry(
        code=first.code.split("/")[0] if first.period_key else first.code,
        unit=unit[0],
        unit_en=unit[1],
        title=first.title,
        title_en=first.title_en,
        light=Light.RED if red else Light.YELLOW,
        due=oldest,
        lateness=deadlines.lateness(oldest) if red else Lateness(0, 0),
        count=count,
        first_code=first.code,
    )


def _group(
    unit: tuple[str, str | None],
    entries: list[OverdueEntry],
    red_keys: set[int],
    yellow_keys: set[int],
) -> UnitGroup:
    """A unit's group: its entries (all or the first few) and the keys of all its red and
    yellow buckets (a commitment with late and due-soon periods counts as red)."""
    return UnitGroup(
        unit=unit[0],
        unit_en=unit[1],
        entries=entries,
        red=len(red_keys),
        yellow=len(yellow_keys - red_keys),
        total=len(red_keys) + len(yellow_keys),
    )


def _first_entries(
    session: Session, deadlines: Deadlines, unit_id: int | None, report_id: int | None, limit: int
) -> list[UnitGroup]:
    """Each unit's first `limit` entries and its counts, from each bucket's oldest deadline;
    only the listed buckets' rows are counted."""
    units = None if unit_id is None else [unit_id]
    by_unit: dict[int | None, list[Bucket]] = {}
    for bucket in review_buckets(session, deadlines, units, report_id):
        by_unit.setdefault(bucket.unit_id, []).append(bucket)
    listed = {
        unit: sorted(found, key=lambda b: (not b.red, b.oldest, b.code))[:limit]
        for unit, found in by_unit.items()
    }
    shown = [bucket for buckets in listed.values() for bucket in buckets]
    counts = period_counts(session, deadlines, [b for b in shown if b.key < 0], report_id)
    firsts = _rows_by_sort_key(
        session,
        [(-b.key, b.report_id, counts[(b.unit_id, b.key, b.red)][1]) for b in shown if b.key < 0],
    )
    rows = _rows_by_id(session, [b.key for b in shown if b.key > 0])
    names = _unit_names(session, by_unit)
    groups = []
    for unit, found in by_unit.items():
        entries = []
        for bucket in listed[unit]:
            if bucket.key < 0:
                count, sort_key = counts[(bucket.unit_id, bucket.key, bucket.red)]
                first = firsts[(bucket.report_id, sort_key)]
            else:
                count, first = 1, rows[bucket.key]
            entries.append(
                _entry(
                    first,
                    names[unit],
                    red=bucket.red,
                    oldest=bucket.oldest,
                    count=count,
                    deadlines=deadlines,
                )
            )
        red = {b.key for b in found if b.red}
        yellow = {b.key for b in found if not b.red}
        groups.append(_group(names[unit], entries, red, yellow))
    return groups


def _every_entry(
    session: Session, deadlines: Deadlines, view: AsOf, unit_id: int | None, report_id: int | None
) -> list[UnitGroup]:
    """Every unit's every entry, each bucket's rows counted."""
    narrowing = []
    if unit_id is not None:
        narrowing.append(col(Commitment.unit_id) == unit_id)
    if report_id is not None:
        narrowing.append(col(Commitment.report_id) == report_id)
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
    entries: dict[tuple[str, str | None], list[OverdueEntry]] = {}
    keys: dict[tuple[str, str | None], tuple[set[int], set[int]]] = {}
    for (unit_name, unit_en, report_id_, key, red), (count, oldest, sort_key) in buckets.items():
        unit = (unit_name or "-", unit_en)
        first = items[(report_id_, sort_key)]
        entry = _entry(first, unit, red=red, oldest=oldest, count=count, deadlines=deadlines)
        entries.setdefault(unit, []).append(entry)
        keys.setdefault(unit, (set(), set()))[0 if red else 1].add(key)
    return [
        _group(unit, sorted(found, key=_entry_order), *keys[unit])
        for unit, found in entries.items()
    ]


def _buckets(
    session: Session,
    conditions: list[ColumnElement[bool]],
    due: ColumnElement[date | None],
    deadlines: Deadlines,
) -> dict[BucketKey, tuple[int, date, str]]:
    """The late and due-soon rows meeting `conditions`, by unit, report, commitment and
    light: how many, the oldest deadline, the first sort key."""
    is_red = due < deadlines.as_of
    # Period instances (a parent, no village) fold into their commitment; everything else
    # stands alone. services.overdue_scan keys its buckets the same way.
    group_key = case(
        (
            and_(col(Commitment.parent_id).is_not(None), col(Commitment.village_id).is_(None)),
            -col(Commitment.parent_id),
        ),
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


def _rows_by_sort_key(
    session: Session, wanted: list[tuple[int, int, str]]
) -> dict[tuple[int, str], Commitment]:
    """Periods by (parent, report, sort key), read by both columns of the (report_id,
    sort_key) index. A period's sort key recurs in every town's report: the parents keep
    the other towns' periods out. (IN lists, not one condition a row: the statement is the
    same whatever the number of rows, so a warm process has it compiled.)"""
    if not wanted:
        return {}
    query = select(Commitment).where(
        col(Commitment.report_id).in_({report_id for _, report_id, _ in wanted}),
        col(Commitment.sort_key).in_({sort_key for _, _, sort_key in wanted}),
        col(Commitment.parent_id).in_({parent_id for parent_id, _, _ in wanted}),
    )
    return {(c.report_id, c.sort_key): c for c in session.exec(query).all()}


def _rows_by_id(session: Session, ids: list[int]) -> dict[int, Commitment]:
    if not ids:
        return {}
    query = select(Commitment).where(col(Commitment.id).in_(ids))
    return {c.id: c for c in session.exec(query).all() if c.id is not None}


def _unit_names(
    session: Session, unit_ids: Iterable[int | None]
) -> dict[int | None, tuple[str, str | None]]:
    """Each unit's names; rows without a unit are under "-"."""
    names: dict[int | None, tuple[str, str | None]] = {None: ("-", None)}
    wanted = [unit_id for unit_id in unit_ids if unit_id is not None]
    if wanted:
        for unit in session.exec(select(Unit).where(col(Unit.id).in_(wanted))):
            names[unit.id] = (unit.name, unit.name_en)
    return names
