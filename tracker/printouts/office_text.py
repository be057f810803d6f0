"""The printouts' words: titles, heading line, seal and signature lines, table headers and
the text of a ledger row, in the current language. `pages` lays them out; no renderer
builds words of its own."""

from __future__ import annotations

from datetime import date

from tracker.i18n import t
from tracker.labels import light_label, localized, progress_label, status_label
from tracker.models import Kind
from tracker.printouts.assembly import Heading, LedgerRow, PrintKind
from tracker.services.overdue import OverdueEntry


def title(kind: PrintKind) -> str:
    return t(f"print.title.{kind.value}")


def long_date(day: date) -> str:
    """2026年11月26日 (2026-11-26 in English), as dates are written on an official paper."""
    return t("print.date_long", year=day.year, month=day.month, day=day.day)


def heading_line(heading: Heading) -> str:
    """Town, report, as-of date, who printed it and when, and the audit chain's anchor then,
    on one line."""
    line = t(
        "print.heading",
        town=heading.town,
        report=heading.report_title or "-",
        as_of=heading.as_of.isoformat(),
        user=heading.printed_by,
        at=heading.printed_at.strftime("%Y-%m-%d %H:%M"),
    )
    if heading.anchor is None:
        return line
    return t("print.heading_anchor", heading=line, anchor=heading.anchor)


def seal_lines(heading: Heading) -> list[str]:
    """The foot of a paper the town sends (the summary, a notice): the town's seal and the
    as-of date, right-aligned where the format can."""
    if heading.kind is PrintKind.LEDGER:
        return []
    return [t("print.signature_unit", town=heading.town), long_date(heading.as_of)]


def maker_line(heading: Heading) -> str | None:
    """Who made the table and who checks it (制表人/审核人), under a summary or a ledger."""
    if heading.kind is PrintKind.NOTICE:
        return None
    return t(
        "print.signature_block",
        maker=heading.printed_by,
        date=long_date(heading.printed_at.date()),
    )


def numbered(index: int, text: str) -> str:
    """一、各部分进展情况: sections numbered the way official papers number them."""
    numerals = t("print.numerals").split(",")
    number = numerals[index - 1] if index <= len(numerals) else str(index)
    return t("print.section_numbered", number=number, title=text)


def ledger_header() -> list[str]:
    """序号 事项 责任单位 分管领导 时限 状态/进展 完成情况 佐证材料."""
    return [
        t("print.col.number"),
        t("col.title"),
        t("col.unit"),
        t("col.leader"),
        t("col.due"),
        t("print.col.status_progress"),
        t("print.col.outcome"),
        t("print.col.evidence"),
    ]


def item_text(row: LedgerRow) -> str:
    """Code and title; a folded row says how many past periods it stands for."""
    text = f"{row.item.code} {localized(row.item.title, row.item.title_en)}"
    return text + t("print.folded", count=row.folded) if row.folded > 1 else text


def status_progress(row: LedgerRow) -> str:
    """The status, a quota's count against its target (an indicator's figure against its
    2021 baseline), and how late the item is."""
    item = row.item
    parts = [status_label(item.status.value)]
    if item.kind is Kind.INDICATOR and item.done_count is not None:
        parts.append(progress_label(item))
    elif item.target:
        parts.append(f"{item.done_count or 0}/{item.target}")
    if item.overdue:
        parts.append(t("overdue_days", days=item.days_overdue, workdays=item.workdays_overdue))
    return t("list_separator").join(parts)


def evidence_text(row: LedgerRow) -> str:
    if not row.evidence:
        return ""
    return t(
        "print.evidence", count=len(row.evidence), names=t("list_separator").join(row.evidence)
    )


def notice_header() -> list[str]:
    return [
        t("print.col.number"),
        t("col.code"),
        t("col.title"),
        t("col.light"),
        t("col.due"),
        t("print.col.days_overdue"),
        t("print.col.workdays_overdue"),
        t("print.col.instances"),
    ]


def entry_title(entry: OverdueEntry) -> str:
    return localized(entry.title, entry.title_en)


def overdue_cells(entry: OverdueEntry) -> list[str | int | date]:
    """A late entry's cells after the first column (序号 on a notice, the unit in the
    summary): 编号, 事项, 亮灯, 时限, 逾期天数, 逾期工作日, 期次数."""
    return [
        entry.code,
        entry_title(entry),
        light_label(entry.light),
        entry.due,
        entry.lateness.calendar_days,
        entry.lateness.working_days,
        entry.count,
    ]
