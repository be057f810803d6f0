"""Gather what a printout shows. One function per kind; no formats here, and no Textual.

Renderers (one module per format) turn these dataclasses into text, HTML, Word, Excel or
PDF and never query the database: whatever a printout says is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import and_, exists, not_, or_, tuple_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from tracker.errors import TrackerError
from tracker.models import Commitment, Kind, Report, Status
from tracker.printouts.ledger_facts import evidence_names, outcomes
from tracker.schedule import Light
from tracker.services.asof import as_of_view, counts_on
from tracker.services.audit_ledger import current_anchor
from tracker.services.dashboard import SectionProgress, dashboard
from tracker.services.deadlines import Deadlines
from tracker.services.grid import VillageGrid, village_grid
from tracker.services.list_filter import ListFilter, filter_conditions
from tracker.services.listing import ItemRow, latest_values, rows_where
from tracker.services.lookup import get_report, get_unit
from tracker.services.overdue import UnitGroup, overdue_by_unit

# Working days a late unit has to answer a reminder notice (催办通知单).
REPLY_WORKDAYS = 5


class PrintKind(StrEnum):
    SUMMARY = "summary"  # 进展情况汇总
    LEDGER = "ledger"  # 台账
    NOTICE = "notice"  # 催办通知单


@dataclass(frozen=True)
class Scope:
    """What a printout covers: a report (or all), a unit, a section; as of a day."""

    report: str | None = None
    unit: str | None = None
    section: int | None = None


@dataclass(frozen=True)
class Heading:
    """The top of every printout: whose ledger, as of when, printed by whom and when."""

    kind: PrintKind
    town: str
    report_title: str
    as_of: date
    printed_by: str
    printed_at: datetime
    unit: str | None
    section: int | None
    # The audit chain's head when printed (tracker audit verify --anchor checks it later).
    anchor: str | None = None


@dataclass(frozen=True)
class IndicatorLine:
    """A figure of the 2021 report and what was logged for it in later years."""

    code: str
    title: str
    title_en: str | None
    baseline: float | None
    baseline_text: str | None
    measure: str | None
    values: dict[int, float | None]  # year -> the figure logged (None: not yet)


@dataclass(frozen=True)
class SummaryData:
    heading: Heading
    sections: list[SectionProgress]
    by_status: dict[Status, int]  # commitments
    by_light: dict[Light, int]  # commitments
    quotas: list[ItemRow]
    overdue: list[UnitGroup]
    villages: VillageGrid | None
    indicators: list[IndicatorLine]
    items_by_light: dict[Light, int] = field(default_factory=dict)  # periods, village items

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def items_total(self) -> int:
        return sum(self.items_by_light.values())


@dataclass(frozen=True)
class LedgerRow:
    """One line of the 台账: 序号, 事项, 责任单位, 分管领导, 时限, 状态/进展, 完成情况, 佐证材料."""

    number: int
    item: ItemRow
    leader: str | None
    progress: str  # 完成情况: the latest event's note, or the latest note
    evidence: list[str] = field(default_factory=list)  # file names
    folded: int = 0  # >1: this is the oldest of so many past periods still open


@dataclass(frozen=True)
class LedgerData:
    heading: Heading
    rows: list[LedgerRow]


@dataclass(frozen=True)
class Notice:
    """One unit's reminder: its red and yellow items, and the day it must reply by."""

    unit: str
    unit_en: str | None
    group: UnitGroup
    reply_by: date


@dataclass(frozen=True)
class NoticeData:
    heading: Heading
    notices: list[Notice]


def _heading(
    session: Session,
    kind: PrintKind,
    scope: Scope,
    deadlines: Deadlines,
    user: str,
    now: datetime,
) -> Heading:
    report = get_report(session=session, slug=scope.report)
    if scope.unit is not None:
        get_unit(session=session, name=scope.unit)  # an unknown unit is an error, not a blank page
    town = (
        report.town
        if report
        else "、".join(
            dict.fromkeys(session.exec(select(Report.town).order_by(col(Report.town))).all())
        )
    )
    return Heading(
        kind=kind,
        town=town,
        report_title=report.title if report else "",
        as_of=deadlines.as_of,
        printed_by=user,
        printed_at=now,
        unit=scope.unit,
        section=scope.section,
        anchor=current_anchor(session).printed(),
    )


def summary_data(
    *, session: Session, scope: Scope, deadlines: Deadlines, user: str, now: datetime
) -> SummaryData:
    """进展情况汇总: progress per section, quotas, lights, every late item, villages, figures."""
    heading = _heading(session, PrintKind.SUMMARY, scope, deadlines, user, now)
    # The printout shows neither the most overdue nor the next deadlines: its own late items
    # are the full review below.
    board = dashboard(session=session, deadlines=deadlines, report=scope.report, lists=False)
    overdue = overdue_by_unit(
        session=session, deadlines=deadlines, unit=scope.unit, report=scope.report
    )
    report = get_report(session=session, slug=scope.report)
    grid = village_grid(session=session, report=report, deadlines=deadlines) if report else None
    sections = [s for s in board.sections if scope.section in (None, s.number)]
    return SummaryData(
        heading=heading,
        sections=sections,
        by_status=board.by_status,
        by_light=board.by_light,
        quotas=board.quotas,
        overdue=overdue,
        villages=grid,
        indicators=_indicators(session, report, deadlines.as_of),
        items_by_light=board.items_by_light,
    )


def _indicators(session: Session, report: Report | None, as_of: date) -> list[IndicatorLine]:
    if report is None:
        return []
    parents = session.exec(
        select(Commitment)
        .where(
            col(Commitment.report_id) == report.id,
            col(Commitment.parent_id).is_(None),
            col(Commitment.kind) == Kind.INDICATOR.value,
        )
        .order_by(col(Commitment.sort_key))
    ).all()
    # Every year of every indicator, and its figure as the lists show it: the latest
    # counted event's value on the day (a voided or later figure is not yet the year's).
    periods = session.exec(
        select(Commitment.id, Commitment.parent_id, Commitment.period_key)
        .where(
            col(Commitment.parent_id).in_([parent.id for parent in parents]),
            col(Commitment.period_key).is_not(None),
        )
        .order_by(col(Commitment.period_key))
    ).all()
    ids = [item_id for item_id, _, _ in periods if item_id is not None]
    figures = latest_values(session=session, ids=ids, counted=counts_on(as_of))
    lines: list[IndicatorLine] = []
    for parent in parents:
        years = [
            (key, figures.get(item_id) if item_id is not None else None)
            for item_id, parent_id, key in periods
            if parent_id == parent.id
        ]
        lines.append(
            IndicatorLine(
                code=parent.code,
                title=parent.title,
                title_en=parent.title_en,
                baseline=parent.baseline,
                baseline_text=parent.baseline_text,
                measure=parent.measure,
                values={int(key): value for key, value in years if key is not None},
            )
        )
    return lines


def ledger_data(
    *, session: Session, scope: Scope, deadlines: Deadlines, user: str, now: datetime
) -> LedgerData:
    """台账: every commitment (a duty with periods as its periods: the current one and any
    still open), and its open village items.

    Past periods still open are folded: one row per commitment for the oldest of them, with
    how many there are (日排查 missed on 300 days is one row, as in the overdue review),
    so a district's ledger stays a few thousand rows while every late period is counted.
    """
    heading = _heading(session, PrintKind.LEDGER, scope, deadlines, user, now)
    flt = ListFilter(report=scope.report, unit=scope.unit, section=scope.section)
    view = as_of_view(session, deadlines)
    conditions = filter_conditions(session, flt, deadlines, view)
    past_open = and_(
        col(Commitment.period_key).is_not(None),
        col(Commitment.period_end) < deadlines.as_of,
        view.is_open(),
    )
    folds = [
        (parent_id, count, key)
        for parent_id, count, key in session.execute(
            sa_select(col(Commitment.parent_id), func.count(), func.min(Commitment.sort_key))
            .where(*conditions, past_open)
            .group_by(col(Commitment.parent_id))
        ).all()
    ]
    oldest = [(parent_id, sort_key) for parent_id, _count, sort_key in folds]
    # A duty with periods is printed as its periods: its own row would say the same twice.
    period = aliased(Commitment)
    has_periods = exists().where(
        col(period.parent_id) == col(Commitment.id), col(period.period_key).is_not(None)
    )
    conditions = [*conditions, not_(has_periods)]
    shown = not_(past_open)
    if oldest:
        shown = or_(shown, tuple_(col(Commitment.parent_id), col(Commitment.sort_key)).in_(oldest))
    items = rows_where(
        session=session, conditions=[*conditions, shown], deadlines=deadlines, view=view
    )
    ids = [row.id for row in items]
    # Each row's leader, and where it stands among its commitment's periods: a row that is
    # the oldest of a fold stands for that many (read here, not by one more query by keys).
    count_of = {(parent_id, key): count for parent_id, count, key in folds}
    leaders: dict[int, str | None] = {}
    folded: dict[int, int] = {}
    for item_id, leader, parent_id, key in (
        session.execute(
            sa_select(
                col(Commitment.id),
                col(Commitment.leader),
                col(Commitment.parent_id),
                col(Commitment.sort_key),
            ).where(col(Commitment.id).in_(ids))
        ).all()
        if ids
        else []
    ):
        leaders[item_id] = leader
        if (parent_id, key) in count_of:
            folded[item_id] = count_of[(parent_id, key)]
    progress = outcomes(session, ids, view)
    evidence = evidence_names(session, ids, view)
    rows = [
        LedgerRow(
            number=number,
            item=row,
            leader=leaders.get(row.id),
            progress=progress.get(row.id, ""),
            evidence=evidence.get(row.id, []),
            folded=folded.get(row.id, 0),
        )
        for number, row in enumerate(items, start=1)
    ]
    return LedgerData(heading=heading, rows=rows)


def notice_data(
    *, session: Session, scope: Scope, deadlines: Deadlines, user: str, now: datetime
) -> NoticeData:
    """催办通知单: one notice per responsible unit with red or yellow items."""
    heading = _heading(session, PrintKind.NOTICE, scope, deadlines, user, now)
    groups = overdue_by_unit(
        session=session, deadlines=deadlines, unit=scope.unit, report=scope.report
    )
    if scope.section is not None:
        groups = _in_section(session, groups, scope.section)
    reply_by = deadlines.workday_after(REPLY_WORKDAYS)
    notices = [Notice(unit=g.unit, unit_en=g.unit_en, group=g, reply_by=reply_by) for g in groups]
    return NoticeData(heading=heading, notices=notices)


def _in_section(session: Session, groups: list[UnitGroup], section: int) -> list[UnitGroup]:
    """Keep the entries of one section (codes start with the section's number)."""
    kept: list[UnitGroup] = []
    for group in groups:
        entries = [e for e in group.entries if e.code.split(".", 1)[0] == str(section)]
        if entries:
            kept.append(UnitGroup.of(group.unit, group.unit_en, entries))
    return kept


def require_kind(value: str) -> PrintKind:
    try:
        return PrintKind(value.strip().lower())
    except ValueError as exc:
        raise TrackerError("print_kind_unknown", kind=value) from exc


# What a renderer turns into a file: one of the three printouts.
Printout = SummaryData | LedgerData | NoticeData
