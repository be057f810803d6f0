"""Gather what a printout shows. One function per kind; no formats here, and no Textual.

Renderers (one module per format) turn these dataclasses into text, HTML, Word, Excel or
PDF and never query the database: whatever a printout says is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Session, col, func, select

from tracker.errors import TrackerError
from tracker.models import Commitment, Event, Evidence, Kind, Report, Status
from tracker.schedule import Light
from tracker.services.dashboard import SectionProgress, dashboard
from tracker.services.deadlines import Deadlines
from tracker.services.grid import VillageGrid, village_grid
from tracker.services.listing import ItemRow, ListFilter, list_items
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
    by_status: dict[Status, int]
    by_light: dict[Light, int]
    quotas: list[ItemRow]
    overdue: list[UnitGroup]
    villages: VillageGrid | None
    indicators: list[IndicatorLine]


@dataclass(frozen=True)
class LedgerRow:
    """One line of the 台账: 序号, 事项, 责任单位, 分管领导, 时限, 状态/进展, 完成情况, 佐证材料."""

    number: int
    item: ItemRow
    leader: str | None
    progress: str  # 完成情况: the latest event's note, or the latest note
    evidence: list[str] = field(default_factory=list)  # file names


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
    )


def summary_data(
    *, session: Session, scope: Scope, deadlines: Deadlines, user: str, now: datetime
) -> SummaryData:
    """进展情况汇总: progress per section, quotas, lights, every late item, villages, figures."""
    heading = _heading(session, PrintKind.SUMMARY, scope, deadlines, user, now)
    board = dashboard(session=session, deadlines=deadlines, report=scope.report)
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
        indicators=_indicators(session, report),
    )


def _indicators(session: Session, report: Report | None) -> list[IndicatorLine]:
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
    lines: list[IndicatorLine] = []
    for parent in parents:
        years = session.exec(
            select(Commitment.period_key, func.max(Event.value))
            .join(Event, col(Event.commitment_id) == Commitment.id, isouter=True)
            .where(col(Commitment.parent_id) == parent.id)
            .group_by(col(Commitment.period_key))
            .order_by(col(Commitment.period_key))
        ).all()
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
    """台账: every commitment, and the periods that are current or still open on the as-of date
    (the list's default view: past periods that were done are summed up in their commitment)."""
    heading = _heading(session, PrintKind.LEDGER, scope, deadlines, user, now)
    flt = ListFilter(report=scope.report, unit=scope.unit, section=scope.section)
    page = list_items(session=session, flt=flt, deadlines=deadlines)
    ids = [row.id for row in page.rows]
    leaders = (
        dict(
            session.exec(
                select(Commitment.id, Commitment.leader).where(col(Commitment.id).in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    progress = _progress(session, ids)
    evidence = _evidence(session, ids)
    rows = [
        LedgerRow(
            number=number,
            item=row,
            leader=leaders.get(row.id),
            progress=progress.get(row.id, ""),
            evidence=evidence.get(row.id, []),
        )
        for number, row in enumerate(page.rows, start=1)
    ]
    return LedgerData(heading=heading, rows=rows)


def _progress(session: Session, ids: list[int]) -> dict[int, str]:
    """Each item's 完成情况: its latest event (date and note), else the last line of its notes."""
    found: dict[int, str] = {}
    if not ids:
        return found
    for commitment_id, day, note in session.exec(
        select(col(Event.commitment_id), col(Event.happened_on), col(Event.note))
        .where(col(Event.commitment_id).in_(ids))
        .order_by(col(Event.commitment_id), col(Event.happened_on), col(Event.id))
    ).all():
        found[commitment_id] = f"{day.isoformat()} {note}".strip()
    for item_id, notes in session.exec(
        select(Commitment.id, Commitment.notes).where(
            col(Commitment.id).in_(ids), col(Commitment.notes) != ""
        )
    ).all():
        if item_id is not None and item_id not in found:
            found[item_id] = notes.strip().splitlines()[-1]
    return found


def _evidence(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """Each item's evidence files by name (佐证材料)."""
    found: dict[int, list[str]] = {}
    if not ids:
        return found
    for commitment_id, path in session.exec(
        select(Event.commitment_id, Evidence.path)
        .join(Evidence, col(Evidence.event_id) == Event.id)
        .where(col(Event.commitment_id).in_(ids))
        .order_by(col(Evidence.id))
    ).all():
        found.setdefault(commitment_id, []).append(path.replace("\\", "/").rsplit("/", 1)[-1])
    return found


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
            kept.append(UnitGroup(unit=group.unit, unit_en=group.unit_en, entries=entries))
    return kept


def require_kind(value: str) -> PrintKind:
    try:
        return PrintKind(value.strip().lower())
    except ValueError as exc:
        raise TrackerError("print_kind_unknown", kind=value) from exc


# What a renderer turns into a file: one of the three printouts.
Printout = SummaryData | LedgerData | NoticeData
