"""Rich renderings of rows, details and reviews for the terminal, in the current language."""

from __future__ import annotations

from rich.console import Group, OverflowMethod, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tracker.cli.ledger_table import Cell, Column, LedgerTable
from tracker.errors import printable
from tracker.i18n import get_language, t
from tracker.labels import (
    LIGHT_STYLE,
    folded_title,
    light_label,
    localized,
    progress_label,
    status_label,
    village_label,
)
from tracker.schedule import Light
from tracker.services.changes import HistoryLine, history_line
from tracker.services.detail import EventEntry, ItemDetail
from tracker.services.facts import Fact, event_words, evidence_words, item_facts, item_heading
from tracker.services.listing import ItemRow
from tracker.services.overdue import OverdueEntry, UnitGroup


def light_text(light: Light) -> Text:
    """A coloured dot and the light's name: ● 红."""
    return Text(f"● {light_label(light)}", style=LIGHT_STYLE[light])


def _overflow() -> OverflowMethod:
    """Chinese has no spaces to wrap at: fold it so titles keep their ends; English wraps
    between words."""
    return "fold" if get_language() == "zh" else "ellipsis"


def row_table(rows: list[ItemRow]) -> LedgerTable:
    """The ledger table of `list`."""
    table = LedgerTable(
        Column(t("col.code"), no_wrap=True),
        # On a narrow terminal an indicator's "12 / 2021年基数 15场次" wraps rather than
        # squeeze the title and unit to a character or two.
        Column(t("col.title"), overflow=_overflow(), min_width=8),
        Column(t("col.unit"), overflow=_overflow(), min_width=6),
        Column(t("col.due"), no_wrap=True),
        Column(t("col.status"), no_wrap=True),
        Column(t("col.light"), no_wrap=True),
        Column(t("col.progress"), overflow=_overflow(), justify="right"),
    )
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


def facts_grid(facts: list[Fact]) -> Table:
    """An item's facts, label beside value (built in `services.facts`, as the app's)."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for fact in facts:
        style = LIGHT_STYLE[fact.light] if fact.light else ("bold" if fact.strong else "")
        grid.add_row(fact.label, Text(printable(fact.value, keep_lines=True), style=style))
    return grid


def history_text(line: HistoryLine) -> Text:
    """A history row as `show` lists it (the same words as the app's detail screen)."""
    return Text(printable(f"  {line.text()}", keep_lines=True))


def detail_view(detail: ItemDetail) -> RenderableType:
    """Everything `show` prints about one item."""
    row = detail.row
    heading = Text(printable(item_heading(detail), keep_lines=True), style="bold")
    facts = facts_grid(item_facts(detail))
    parts: list[RenderableType] = [heading, facts]
    if detail.description:
        parts.append(Panel(detail.description, title=t("col.description"), title_align="left"))
    if detail.excerpt:
        parts.append(Panel(detail.excerpt, title=t("col.source"), title_align="left"))
    if detail.notes:
        parts.append(Panel(detail.notes, title=t("col.notes"), title_align="left"))
    if detail.instances:
        instances = t(
            "villages_heading" if detail.instances[0].village is not None else "instances_heading",
            shown=len(detail.instances),
            total=detail.instances_total,
            earlier=detail.instances_open_earlier,
        )
        parts.append(Text(instances, style="bold"))
        parts.append(row_table(detail.instances))
    parts.append(Text(t("events_heading", count=len(detail.events)), style="bold"))
    for event in detail.events:
        parts.append(event_line(event))
        parts += [Text(printable(f"    {evidence_words(file)}")) for file in event.evidence]
    parts.append(Text(t("history_heading", count=len(detail.history)), style="bold"))
    parts += [history_text(history_line(entry)) for entry in detail.history]
    return Panel(Group(*parts), title=Text(row.code, style="bold"), title_align="left")


def event_line(event: EventEntry) -> Text:
    """An event as `show` lists it (in the app's words), with the id that voids it:
    #12 2022-05-10  宪法专题讲座  王科员 2022-05-10 14:00; a voided one struck through and
    marked 已作废（原因，谁，何时）."""
    words = event_words(event)
    # Stored text is escaped before it is laid out (the console escapes it again on output).
    line = printable(f"{words.id} {words.day}  {words.body}", keep_lines=True)
    text = Text("  ")
    if not words.voided:
        return text.append(printable(f"{line}  {words.recorded}", keep_lines=True))
    text.append(line, style="strike dim")
    return text.append(printable(f"  {words.voided}", keep_lines=True))


def overdue_table(
    entries: list[OverdueEntry], *, title: str = "", unit: bool = False
) -> LedgerTable:
    """Late entries: light, code, title, due, lateness (with how many periods, when a
    commitment's late periods are folded into one entry)."""
    columns = [
        Column(t("col.light"), no_wrap=True),
        Column(t("col.code"), no_wrap=True),
        Column(t("col.title"), overflow=_overflow()),
    ]
    if unit:
        columns.append(Column(t("col.unit"), overflow=_overflow()))
    columns.append(Column(t("col.due"), no_wrap=True))
    columns.append(Column(t("col.late"), justify="right", no_wrap=True))
    table = LedgerTable(*columns, title=title or None)
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
        cells: list[Cell] = [light_text(entry.light), code, title]
        if unit:
            cells.append(localized(entry.unit, entry.unit_en))
        table.add_row(*cells, due, late)
    return table


def overdue_view(groups: list[UnitGroup], limit: int | None = None) -> RenderableType:
    """Red then yellow items per unit, periods of one commitment folded into one line; at
    most `limit` lines per unit (the oldest first), the unit's counts always complete."""
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
        shown = group.entries if limit is None else group.entries[:limit]
        parts.append(overdue_table(shown, title=heading))
        if len(shown) < group.total:
            more = t("overdue_unit_more", more=group.total - len(shown), shown=len(shown))
            parts.append(Text(more, style="dim"))
    return Group(*parts)
