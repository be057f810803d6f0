"""Rich renderings of rows, details and reviews for the terminal, in the current language."""

from __future__ import annotations

from rich.console import Group, OverflowMethod, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tracker.errors import printable
from tracker.i18n import get_language, t
from tracker.labels import (
    LIGHT_STYLE,
    baseline_label,
    due_text,
    figure,
    folded_title,
    history_change,
    history_when,
    kind_label,
    light_label,
    localized,
    progress_label,
    status_label,
    village_label,
)
from tracker.schedule import Light
from tracker.services.detail import EventEntry, ItemDetail
from tracker.services.listing import ItemRow
from tracker.services.overdue import OverdueEntry, UnitGroup


def light_text(light: Light) -> Text:
    """A coloured dot and the light's name: ● 红."""
    return Text(f"● {light_label(light)}", style=LIGHT_STYLE[light])


def _overflow() -> OverflowMethod:
    """Chinese has no spaces to wrap at: fold it so titles keep their ends; English wraps
    between words."""
    return "fold" if get_language() == "zh" else "ellipsis"


def row_table(rows: list[ItemRow]) -> Table:
    """The ledger table of `list`."""
    table = Table(show_lines=False, header_style="bold", pad_edge=False)
    table.add_column(t("col.code"), no_wrap=True)
    # On a narrow terminal an indicator's "12 / 2021年基数 15场次" wraps rather than squeeze
    # the title and unit to a character or two.
    table.add_column(t("col.title"), overflow=_overflow(), ratio=3, min_width=8)
    table.add_column(t("col.unit"), overflow=_overflow(), ratio=2, min_width=6)
    table.add_column(t("col.due"), no_wrap=True)
    table.add_column(t("col.status"), no_wrap=True)
    table.add_column(t("col.light"), no_wrap=True)
    table.add_column(t("col.progress"), overflow=_overflow(), justify="right")
    for row in rows:
        title = localized(row.title, row.title_en)
        if row.village is not None:
            title = f"{title}（{village_label(row.village, row.village_name)}）"
        table.add_row(
            row.code,
            title,
            localized(row.unit, row.unit_en),
            row.due.isoformat() if row.due else "-",
            status_label(row.status),
            light_text(row.light),
            progress_label(row),
        )
    return table


def detail_view(detail: ItemDetail) -> RenderableType:
    """Everything `show` prints about one item."""
    row = detail.row
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column()
    facts.add_row(t("col.title"), localized(row.title, row.title_en))
    heading = localized(detail.section_heading, detail.section_heading_en)
    section = f"{row.section} {heading if detail.section_heading else ''}".strip()
    facts.add_row(t("col.section"), section)
    facts.add_row(t("col.kind"), kind_label(row.kind))
    facts.add_row(t("col.unit"), localized(row.unit, row.unit_en))
    if detail.co_units:
        names = map(localized, detail.co_units, detail.co_units_en)
        facts.add_row(t("col.co_units"), t("list_separator").join(names))
    if detail.leader:
        facts.add_row(t("col.leader"), detail.leader)
    if row.village is not None:
        facts.add_row(t("col.village"), village_label(row.village, row.village_name))
    if row.period:
        facts.add_row(t("col.period"), row.period)
    facts.add_row(t("col.status"), status_label(row.status))
    due = due_text(
        row.due,
        detail.extended_due,
        detail.extension_asked,
        detail.stated_due,
        period=bool(row.period),
    )
    facts.add_row(t("col.due"), due)
    light = light_text(row.light)
    if row.overdue:
        light.append("  " + t("overdue_days", days=row.days_overdue, workdays=row.workdays_overdue))
    facts.add_row(t("col.light"), light)
    if row.done_count is not None:
        facts.add_row(t("col.progress"), progress_label(row))
    for when, count in detail.checkpoints:
        facts.add_row(t("col.checkpoint"), t("checkpoint", date=when.isoformat(), count=count))
    if detail.baseline is not None:
        baseline = baseline_label(detail.baseline, detail.baseline_text, detail.measure)
        facts.add_row(t("col.baseline"), baseline)
    if detail.linked:
        facts.add_row(t("col.linked"), "、".join(detail.linked))
    parts: list[RenderableType] = [facts]
    if detail.description:
        parts.append(Panel(detail.description, title=t("col.description"), title_align="left"))
    if detail.excerpt:
        parts.append(Panel(detail.excerpt, title=t("col.source"), title_align="left"))
    if detail.notes:
        parts.append(Panel(detail.notes, title=t("col.notes"), title_align="left"))
    if detail.instances:
        heading = t(
            "villages_heading" if detail.instances[0].village is not None else "instances_heading",
            shown=len(detail.instances),
            total=detail.instances_total,
            earlier=detail.instances_open_earlier,
        )
        parts.append(Text(heading, style="bold"))
        parts.append(row_table(detail.instances))
    parts.append(Text(t("events_heading", count=len(detail.events)), style="bold"))
    for event in detail.events:
        parts.append(event_line(event))
        for file in event.evidence:
            line = f"    {file.path}  sha256:{file.sha256[:12]}…  {file.size} B"
            parts.append(Text(printable(line)))
    parts.append(Text(t("history_heading", count=len(detail.history)), style="bold"))
    for entry in detail.history:
        # The day it took effect first; a late entry (补录) ends with when it was recorded.
        lead, late = history_when(entry)
        note = f"  {entry.note}" if entry.note else ""
        mark = f"  {late}" if late else ""
        parts.append(
            Text(printable(f"  {lead}  {history_change(entry)}{note}{mark}", keep_lines=True))
        )
    return Panel(Group(*parts), title=Text(row.code, style="bold"), title_align="left")


def event_line(event: EventEntry) -> Text:
    """An event as `show` lists it, with the id that voids it: #12 2022-05-10 宪法专题讲座;
    a voided one struck through and marked 已作废（原因，谁，何时）."""
    # Stored text is escaped before it is laid out (the console escapes it again on output).
    line = printable(f"#{event.id} {event.day.isoformat()}  {event.note or '-'}", keep_lines=True)
    if event.value is not None:
        line += f"  [{figure(event.value)}]"
    text = Text("  ")
    if event.voided_on is None:
        return text.append(printable(f"{line}  ({event.by})", keep_lines=True))
    text.append(line, style="strike dim")
    when = event.voided_on.isoformat()
    mark = t("event_voided_mark", reason=event.void_reason, by=event.voided_by, date=when)
    return text.append(printable(f"  {mark}", keep_lines=True))


def overdue_table(entries: list[OverdueEntry], *, title: str = "", unit: bool = False) -> Table:
    """Late entries: light, code, title, due, lateness (with how many periods, when a
    commitment's late periods are folded into one entry)."""
    table = Table(title=title or None, title_justify="left", header_style="bold", pad_edge=False)
    table.add_column(t("col.light"), no_wrap=True)
    table.add_column(t("col.code"), no_wrap=True)
    table.add_column(t("col.title"), overflow=_overflow(), ratio=3)
    if unit:
        table.add_column(t("col.unit"), overflow=_overflow(), ratio=2)
    table.add_column(t("col.due"), no_wrap=True)
    table.add_column(t("col.late"), justify="right", no_wrap=True)
    for entry in entries:
        code = entry.first_code if entry.count == 1 else entry.code
        if entry.light is Light.RED:
            late = t(
                "late_days", days=entry.lateness.calendar_days, workdays=entry.lateness.working_days
            )
        else:
            late = t("due_soon")
        due = entry.due.isoformat() if entry.count == 1 else t("oldest", date=entry.due.isoformat())
        title = folded_title(localized(entry.title, entry.title_en), entry.count)
        cells: list[RenderableType] = [light_text(entry.light), code, title]
        if unit:
            cells.append(localized(entry.unit, entry.unit_en))
        table.add_row(*cells, due, late)
    return table


def overdue_view(groups: list[UnitGroup]) -> RenderableType:
    """Red then yellow items per unit, periods of one commitment folded into one line."""
    if not groups:
        return Text(t("overdue_none"), style="green")
    parts: list[RenderableType] = []
    for group in groups:
        heading = t(
            "overdue_unit",
            unit=localized(group.unit, group.unit_en),
            red=group.red,
            yellow=group.yellow,
        )
        table = overdue_table(group.entries, title=heading)
        parts.append(table)
    return Group(*parts)
