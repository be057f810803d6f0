"""村居: the town's villages against the per-village requirements (legal adviser, contract,
mediation centre, mediator …), one coloured cell each; Enter opens the cell's item."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.console import Console, OverflowMethod
from rich.text import Text
from sqlmodel import Session
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import Resize
from textual.widgets import DataTable, Footer, Header, Static

from tracker.i18n import get_language, t
from tracker.labels import LIGHT_STYLE, light_label, localized, status_label, village_label
from tracker.models import Status
from tracker.schedule import Light
from tracker.services.grid import GridRow, VillageGrid, village_grid
from tracker.services.listing import ItemRow
from tracker.tui import editing
from tracker.tui.screens.base import LedgerScreen
from tracker.work import OpenLedger

HEADER_LINES = 3  # the requirement's code, then its title on up to two lines
_PADDING = 1  # DataTable's cell padding on each side


def cell_text(row: ItemRow | None) -> Text:
    """A cell of the grid: the light's dot and the status, coloured by the light."""
    if row is None:
        return Text("—", style="dim")
    if row.light is Light.NONE:
        return Text.assemble(("● ", LIGHT_STYLE[Light.NONE]), status_label(row.status))
    return Text(f"● {status_label(row.status)}", style=LIGHT_STYLE[row.light])


def row_label(row: GridRow) -> Text:
    """A village as the grid names it: 07 name, or the placeholder that holds the number."""
    if row.name:
        return Text(f"{row.number:02d} {row.name}")
    return Text(village_label(row.number, None))


def column_label(code: str, title: str, width: int) -> Text:
    """The requirement's code over its title, folded to `width` and cut after two lines."""
    console = Console(width=max(width, 4))
    overflow: OverflowMethod = "fold" if get_language() == "zh" else "ellipsis"
    lines = Text(title).wrap(console, max(width, 4), overflow=overflow)
    shown = [line.plain for line in lines[: HEADER_LINES - 1]]
    if len(lines) > HEADER_LINES - 1:
        last = Text(shown[-1] + "…")
        last.truncate(max(width, 4), overflow="ellipsis")
        shown[-1] = last.plain
    label = Text(code, style="bold")
    for line in shown:
        label.append("\n" + line)
    return label


class VillageTable(DataTable[Text]):
    """The grid's table; Enter is shown in the footer as opening the cell's item."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", t("key.open"), id="open"),
    ]


class VillagesScreen(LedgerScreen[VillageGrid]):
    """Villages × per-village requirements, loaded in a worker, refreshed after every change."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "status", t("key.status"), id="status"),
        Binding("l", "log", t("key.log"), id="log"),
        Binding("n", "note", t("key.note"), id="note"),
    ]
    LOADING = "#village-grid"

    def __init__(self) -> None:
        super().__init__()
        self.grid: VillageGrid | None = None
        self._laid_out_at = 0  # the screen width the columns were fitted to

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="village-summary")
        yield VillageTable(
            id="village-grid", cursor_type="cell", header_height=HEADER_LINES, zebra_stripes=True
        )
        yield Static(id="village-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(VillageTable).focus()

    # --- loading and drawing ----------------------------------------------------------

    def read(self, session: Session, context: OpenLedger) -> VillageGrid:
        """The grid and its lights."""
        report = context.the_report(session)
        return village_grid(session=session, report=report, deadlines=context.deadlines)

    def show_error(self, message: str) -> None:
        self.query_one("#village-summary", Static).update(
            Text(t("tui.villages.failed", reason=message), style="bold red")
        )

    def show(self, grid: VillageGrid) -> None:
        """Draw `grid`, keeping the cursor on the cell it was on."""
        self.grid = grid
        self.query_one("#village-summary", Static).update(_summary(grid))
        self._fill()

    @on(Resize)
    def _refit(self) -> None:
        if self.grid is not None and self.size.width != self._laid_out_at:
            self._fill()

    def _fill(self) -> None:
        """(Re)build the table's columns for its width, then its rows."""
        assert self.grid is not None
        grid, table = self.grid, self.query_one(VillageTable)
        where = table.cursor_coordinate
        self._laid_out_at = self.size.width
        labels = [row_label(row) for row in grid.rows]
        label_width = max((cell_len(label.plain) for label in labels), default=4)
        widest_cell = max(
            [cell_len(cell_text(c).plain) for row in grid.rows for c in row.cells] or [4]
        )
        columns = max(len(grid.columns), 1)
        # The table's width, less the row labels, each column's padding and the scrollbar.
        free = self.size.width - label_width - 2 * _PADDING * (columns + 1) - 2
        width = max(free // columns, widest_cell, 6)
        table.clear(columns=True)
        for column in grid.columns:
            title = localized(column.title, column.title_en)
            table.add_column(column_label(column.code, title, width), width=width, key=column.code)
        for row, label in zip(grid.rows, labels, strict=True):
            table.add_row(*(cell_text(c) for c in row.cells), key=str(row.number), label=label)
        if grid.rows and grid.columns:
            table.move_cursor(
                row=min(where.row, len(grid.rows) - 1),
                column=min(where.column, len(grid.columns) - 1),
                animate=False,
            )
            self._describe()

    # --- the cell under the cursor ----------------------------------------------------

    @property
    def current(self) -> ItemRow | None:
        """The item of the cell under the cursor (None where a village has no such item)."""
        where = self._where()
        if self.grid is None or where is None:
            return None
        return self.grid.rows[where[0]].cells[where[1]]

    def _where(self) -> tuple[int, int] | None:
        """(village row, requirement column) of the cursor, when it is on a cell of the grid."""
        if self.grid is None:
            return None
        row, column = self.query_one(VillageTable).cursor_coordinate
        if 0 <= row < len(self.grid.rows) and 0 <= column < len(self.grid.columns):
            return row, column
        return None

    @on(DataTable.CellHighlighted, "#village-grid")
    def _describe(self) -> None:
        where = self._where()
        if self.grid is None or where is None:
            return
        village, column = self.grid.rows[where[0]], self.grid.columns[where[1]]
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(row_label(village).plain + " · ")
        line.append(f"{column.code} {localized(column.title, column.title_en)}")
        cell = village.cells[where[1]]
        if cell is not None:
            line.append("  ")
            line.append_text(cell_text(cell))
            line.append(f"  {cell.due.isoformat() if cell.due else '-'}")
            if cell.overdue:
                overdue = t("overdue_days", days=cell.days_overdue, workdays=cell.workdays_overdue)
                line.append(f"  {overdue}", style=LIGHT_STYLE[cell.light])
        self.query_one("#village-status", Static).update(line)

    @on(DataTable.CellSelected, "#village-grid")
    def _open(self) -> None:
        if (cell := self.current) is not None:
            self.tracker.open_item(cell.code)

    def action_status(self) -> None:
        if (cell := self.current) is not None:
            editing.change_status(self, cell.code)

    def action_log(self) -> None:
        if (cell := self.current) is not None:
            editing.log_event(self, cell.code)

    def action_note(self) -> None:
        if (cell := self.current) is not None:
            editing.add_note(self, cell.code)


def _summary(grid: VillageGrid) -> Text:
    """保和镇 · 23 个村(社区) × 4 项要求, then how many cells are red, yellow, not done."""
    cells = [c for row in grid.rows for c in row.cells if c is not None]
    line = Text(
        t(
            "tui.villages.summary",
            town=grid.town,
            villages=len(grid.rows),
            requirements=len(grid.columns),
        ),
        no_wrap=True,
        overflow="ellipsis",
    )
    for light in (Light.RED, Light.YELLOW):
        count = sum(1 for c in cells if c.light is light)
        if count:
            line.append(f"  ● {light_label(light)} {count}", style=LIGHT_STYLE[light])
    done = sum(1 for c in cells if c.status in (Status.DONE, Status.VERIFIED))
    line.append("  " + t("tui.villages.done", done=done, total=len(cells)))
    return line
