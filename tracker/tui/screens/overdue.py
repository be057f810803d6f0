"""逾期督办: red then yellow items grouped by responsible unit, with how late each is in
calendar and working days; open (Enter) or update (`s`, `l`, `n`) the item under the cursor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from sqlmodel import Session
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Header, Static
from textual.widgets.option_list import Option

from tracker.i18n import t
from tracker.labels import LIGHT_STYLE, folded_title, light_label, localized
from tracker.schedule import Light
from tracker.services.overdue import OverdueEntry, UnitGroup, overdue_by_unit
from tracker.tui import editing
from tracker.tui.screens.base import LedgerScreen
from tracker.tui.widgets.bars import Cell, FittedLine, LineList
from tracker.work import OpenLedger


class OverdueScreen(LedgerScreen[list[UnitGroup]]):
    """The supervisor's review (逾期督办), loaded in a worker and refreshed after every change."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "status", t("key.status"), id="status"),
        Binding("l", "log", t("key.log"), id="log"),
        Binding("n", "note", t("key.note"), id="note"),
    ]
    LOADING = "#overdue-list"

    def __init__(self) -> None:
        super().__init__()
        self.groups: list[UnitGroup] = []
        self._entries: dict[str, OverdueEntry] = {}  # option id -> entry

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="overdue-summary")
        yield Static(id="overdue-error")
        yield Static(id="overdue-header")
        yield LineList(id="overdue-list", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(LineList).focus()

    # --- loading and drawing ----------------------------------------------------------

    def read(self, session: Session, context: OpenLedger) -> list[UnitGroup]:
        """Red and yellow items by unit, from the database."""
        return overdue_by_unit(session=session, deadlines=context.deadlines, report=context.report)

    def show_error(self, message: str) -> None:
        error = self.query_one("#overdue-error", Static)
        error.update(t("tui.overdue.failed", reason=message))
        error.display = True

    def show(self, groups: list[UnitGroup]) -> None:
        """Draw the review, keeping the cursor on the item it was on when it is still late."""
        self.groups = groups
        self.query_one("#overdue-error", Static).display = False
        lines = self.query_one(LineList)
        before = lines.highlighted
        kept = lines.highlighted_option.id if lines.highlighted_option else None
        red = sum(group.red for group in groups)
        yellow = sum(group.yellow for group in groups)
        summary = t(
            "tui.overdue.summary",
            date=self.tracker.context.deadlines.as_of.isoformat(),
            red=red,
            yellow=yellow,
            units=len(groups),
            items=sum(group.red_items for group in groups),
        )
        self.query_one("#overdue-summary", Static).update(summary if groups else "")
        shape = _Shape.of(groups)
        header = self.query_one("#overdue-header", Static)
        header.update(shape.header())
        header.display = bool(groups)
        self._entries = {}
        options: list[Option] = []
        for group in groups:
            options.append(Option(_heading(group), disabled=True))
            for entry in group.entries:
                self._entries[entry.first_code] = entry
                options.append(Option(shape.line(entry), id=entry.first_code))
        if not groups:
            options.append(Option(Text(t("overdue_none"), style="green"), disabled=True))
        lines.set_options(options)
        if self.focused is None:
            lines.focus()
        if kept is not None and kept in self._entries:
            lines.highlighted = lines.get_option_index(kept)
        elif before is not None and self._entries:
            # The item left the review (done, say): stay near where the officer was.
            lines.highlighted = min(before, lines.option_count - 1)
            if lines.highlighted_option is not None and lines.highlighted_option.disabled:
                lines.action_cursor_down()
        else:
            lines.action_first()

    @property
    def current(self) -> OverdueEntry | None:
        """The entry under the cursor."""
        option = self.query_one(LineList).highlighted_option
        if option is None or option.id is None:
            return None
        return self._entries.get(option.id)

    # --- opening and changing ---------------------------------------------------------

    @on(LineList.OptionSelected, "#overdue-list")
    def _open(self, event: LineList.OptionSelected) -> None:
        entry = self._entries.get(event.option.id or "")
        if entry is not None:
            self.tracker.open_item(entry.first_code)

    # The oldest late item is the one to act on: for folded periods it is the first
    # period still open, and the detail screen shows the others.
    def action_status(self) -> None:
        if entry := self.current:
            editing.change_status(self, entry.first_code)

    def action_log(self) -> None:
        # An event on folded periods goes to the commitment, which files it under the period
        # containing its date (today's by default), rather than under the oldest period.
        if entry := self.current:
            editing.log_event(self, entry.code if entry.count > 1 else entry.first_code)

    def action_note(self) -> None:
        if entry := self.current:
            editing.add_note(self, entry.first_code)


def _heading(group: UnitGroup) -> Text:
    """A unit's line: its name and how many red and yellow items it has."""
    heading = Text(localized(group.unit, group.unit_en), style="bold")
    for light, count in ((Light.RED, group.red), (Light.YELLOW, group.yellow)):
        heading.append("   ")
        label = t("light_commitments", light=light_label(light), count=count)
        heading.append(label, style=LIGHT_STYLE[light])
    return heading


def _code(entry: OverdueEntry) -> str:
    return entry.first_code if entry.count == 1 else entry.code


def _due(entry: OverdueEntry) -> str:
    return entry.due.isoformat() if entry.count == 1 else t("oldest", date=entry.due.isoformat())


@dataclass(frozen=True)
class _Shape:
    """Column widths of the review, from its headings and its longest values."""

    code: int
    due: int
    days: int
    workdays: int

    @classmethod
    def of(cls, groups: list[UnitGroup]) -> _Shape:
        entries = [entry for group in groups for entry in group.entries]

        def widest(heading: str, values: list[str]) -> int:
            return max([cell_len(heading), *map(cell_len, values)])

        return cls(
            code=widest(t("col.code"), [_code(e) for e in entries]),
            due=widest(t("col.due"), [_due(e) for e in entries]),
            days=widest(
                t("tui.overdue.days"),
                [t("due_soon"), *(str(e.lateness.calendar_days) for e in entries)],
            ),
            workdays=widest(
                t("tui.overdue.workdays"), [str(e.lateness.working_days) for e in entries]
            ),
        )

    def _cells(
        self, light: Text, code: str, title: str, due: str, days: Text, work: str
    ) -> FittedLine:
        return FittedLine(
            [
                Cell(light, 1),
                Cell(code, self.code),
                Cell(title, flex=True),
                Cell(due, self.due),
                Cell(days, self.days, right=True),
                Cell(work, self.workdays, right=True),
            ]
        )

    def header(self) -> FittedLine:
        return self._cells(
            Text(""),
            t("col.code"),
            t("col.title"),
            t("col.due"),
            Text(t("tui.overdue.days")),
            t("tui.overdue.workdays"),
        )

    def line(self, entry: OverdueEntry) -> FittedLine:
        """One late item, or the late periods of one commitment folded (with their count)."""
        style = LIGHT_STYLE[entry.light]
        if entry.light is Light.RED:
            days = Text(str(entry.lateness.calendar_days), style=style)
            work = str(entry.lateness.working_days)
        else:
            days, work = Text(t("due_soon"), style=style), ""
        return self._cells(
            Text("●", style=style),
            _code(entry),
            folded_title(localized(entry.title, entry.title_en), entry.count),
            _due(entry),
            days,
            work,
        )
