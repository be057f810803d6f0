"""总览: what officers see first — progress per section, counts by status and light, this
period's quotas, the most overdue items and the next deadlines; Enter opens a line's item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from sqlmodel import Session
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widgets import Footer, Header, Static
from textual.widgets.option_list import Option

from tracker.i18n import t
from tracker.labels import (
    LIGHT_STYLE,
    folded_title,
    items_text,
    light_label,
    localized,
    status_label,
    village_label,
)
from tracker.models import Status
from tracker.schedule import Light
from tracker.services.dashboard import Dashboard, dashboard
from tracker.services.listing import ItemRow
from tracker.services.overdue import OverdueEntry
from tracker.tui.app import AREA_KEYS
from tracker.tui.screens.base import LedgerScreen
from tracker.tui.widgets.bars import BarRow, Cell, FittedLine, LineList, ProgressBars
from tracker.work import OpenLedger


class DashboardScreen(LedgerScreen[Dashboard]):
    """The overview (总览), loaded in a worker and refreshed after every change."""

    BINDINGS: ClassVar[list[BindingType]] = AREA_KEYS
    LOADING = "#board"

    def __init__(self) -> None:
        super().__init__()
        self.board: Dashboard | None = None
        self._codes: dict[str, str] = {}  # option id -> the code it opens

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="board", can_focus=False):
            yield Static(id="board-error")
            yield Static(id="board-counts")
            yield Static(t("summary_sections"), classes="board-heading")
            yield ProgressBars(id="board-sections")
            yield LineList(id="board-lines", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(LineList).focus()

    # --- loading and drawing ----------------------------------------------------------

    def read(self, session: Session, context: OpenLedger) -> Dashboard:
        """Gather the overview from the database."""
        return dashboard(session=session, deadlines=context.deadlines, report=context.report)

    def show_error(self, message: str) -> None:
        error = self.query_one("#board-error", Static)
        error.update(t("tui.dash.failed", reason=message))
        error.display = True

    def show(self, board: Dashboard) -> None:
        """Draw `board`, keeping the cursor on the line it was on."""
        self.board = board
        self.query_one("#board-error", Static).display = False
        self.query_one("#board-counts", Static).update(_counts(board))
        self.query_one(ProgressBars).show(
            [
                BarRow(
                    f"{s.number} {localized(s.heading, s.heading_en)}".strip(),
                    s.done,
                    s.total,
                    f"{s.periods_done}/{s.periods_total}",
                )
                for s in board.sections
            ]
        )
        lines = self.query_one(LineList)
        kept = lines.highlighted_option.id if lines.highlighted_option else None
        options: list[Option] = []
        self._codes = {}

        def group(heading: str, entries: list[tuple[str, str, FittedLine]]) -> None:
            if options:
                options.append(Option(Text(" "), disabled=True))
            options.append(Option(Text(heading), disabled=True))
            if not entries:
                options.append(Option(Text("  " + t("tui.dash.none"), style="dim"), disabled=True))
            for option_id, code, line in entries:
                self._codes[option_id] = code
                options.append(Option(line, id=option_id))

        shape = _Shape.of(board)
        group(
            t("summary_quotas"),
            [(f"quota:{r.code}", r.code, shape.row(r)) for r in board.quotas],
        )
        group(
            t("summary_most_overdue"),
            [(f"late:{e.first_code}", e.first_code, shape.late(e)) for e in board.most_overdue],
        )
        group(
            t("summary_next"),
            [(f"next:{r.code}", r.code, shape.row(r, status=True)) for r in board.next_deadlines],
        )
        lines.set_options(options)
        if kept is not None and kept in self._codes:
            lines.highlighted = lines.get_option_index(kept)
        else:
            lines.action_first()

    @on(LineList.OptionHighlighted, "#board-lines")
    def _follow(self, event: LineList.OptionHighlighted) -> None:
        """Keep the chosen line in view: the list is as tall as its lines, the page scrolls."""
        board = self.query_one("#board", VerticalScroll)
        lines = event.option_list
        top = lines.virtual_region.y + lines.styles.gutter.top
        board.scroll_to_region(
            _line_region(top + event.option_index, board.size.width),
            animate=False,
            immediate=True,
        )

    @on(LineList.OptionSelected, "#board-lines")
    def _open(self, event: LineList.OptionSelected) -> None:
        code = self._codes.get(event.option.id or "")
        if code is not None:
            self.tracker.open_item(code)


def _line_region(y: int, width: int) -> Region:
    """One line of the page, with the line above it (its heading) when there is one."""
    return Region(0, max(y - 1, 0), max(width, 1), 2)


def _counts(board: Dashboard) -> Text:
    """Three lines: the commitments by light, coloured; by status (those with any); the
    total, and the periods and village items behind them by light."""
    text = Text(end="")
    text.append(f"{t('col.light')}  ", style="bold")
    for light in Light:
        label = t("light_commitments", light=light_label(light), count=board.by_light[light])
        text.append(label, style=LIGHT_STYLE[light])
        text.append("   ")
    text.append(f"\n{t('col.status')}  ", style="bold")
    for status, count in board.by_status.items():
        # Only the statuses some item has: six with their zeros do not fit 80 columns.
        if count:
            text.append(f"{status_label(status)} {count}   ")
    text.append("\n" + t("overview_total", total=board.total, items=board.items_total), style="dim")
    text.append("\n" + items_text(board.items_by_light), style="dim")
    return text


def _title(row: ItemRow) -> str:
    title = localized(row.title, row.title_en)
    if row.village is not None:
        title = f"{title}·{village_label(row.village, row.village_name)}"
    return title


def _folded_code(entry: OverdueEntry) -> str:
    return entry.first_code if entry.count == 1 else entry.code


def _late(entry: OverdueEntry) -> str:
    return t("late_days", days=entry.lateness.calendar_days, workdays=entry.lateness.working_days)


def _progress(row: ItemRow) -> str:
    if row.done_count is None:
        return ""
    return f"{row.done_count}/{row.target}" if row.target else str(row.done_count)


@dataclass(frozen=True)
class _Shape:
    """Column widths shared by every line of the overview, so the three lists align:
    light, code, title, due, then a measure (progress, status or lateness), then the unit."""

    code: int
    measure: int
    unit: int = 20

    @classmethod
    def of(cls, board: Dashboard) -> _Shape:
        codes = [r.code for r in board.quotas + board.next_deadlines]
        codes += [_folded_code(e) for e in board.most_overdue]
        measures = [_late(e) for e in board.most_overdue]
        measures += [_progress(r) for r in board.quotas]
        measures += [status_label(s) for s in Status]
        return cls(
            code=max(map(cell_len, codes), default=8),
            measure=max(map(cell_len, measures)),
        )

    def _line(
        self, light: Light, code: str, title: str, due: str, measure: Text, unit: str
    ) -> FittedLine:
        return FittedLine(
            [
                Cell(Text("●", style=LIGHT_STYLE[light]), 1),
                Cell(code, self.code),
                Cell(title, flex=True),
                Cell(due, 10),
                Cell(measure, self.measure, right=True),
                Cell(unit, self.unit, optional=True),
            ]
        )

    def row(self, row: ItemRow, *, status: bool = False) -> FittedLine:
        """A quota (with its progress) or a coming deadline (with its status)."""
        measure = Text(status_label(row.status)) if status else Text(_progress(row), style="bold")
        due = row.due.isoformat() if row.due else "-"
        unit = localized(row.unit, row.unit_en)
        return self._line(row.light, row.code, _title(row), due, measure, unit)

    def late(self, entry: OverdueEntry) -> FittedLine:
        """A late item (or several late periods of one commitment, oldest due): how late."""
        return self._line(
            entry.light,
            _folded_code(entry),
            folded_title(localized(entry.title, entry.title_en), entry.count),
            entry.due.isoformat(),
            Text(_late(entry), style=LIGHT_STYLE[entry.light]),
            localized(entry.unit, entry.unit_en),
        )
