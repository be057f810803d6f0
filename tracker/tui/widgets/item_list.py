"""A list of commitments that is a window onto a query: only visible rows are fetched and drawn.

Rows come in pages from the database through a `fetch(offset, limit)` function given by the
screen, loaded in a thread worker; a district ledger of 100k rows costs no more to show than a
town's. The cursor row is highlighted; Enter posts `ItemList.Opened`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tracker.errors import printable_copy
from tracker.i18n import get_language, t
from tracker.labels import (
    LIGHT_STYLE,
    figure,
    localized,
    progress_label,
    status_label,
    village_label,
)
from tracker.models import Kind
from tracker.services.listing import ItemRow, Page

PAGE_SIZE = 100
Fetch = Callable[[int, int], Page]
# How many rows the query matches: asked apart when a page comes uncounted (Page.counted).
Count = Callable[[], int]


@dataclass(frozen=True)
class Columns:
    """Cell widths of the list's columns for a given total width."""

    code: int
    title: int
    unit: int
    due: int
    status: int
    progress: int

    @classmethod
    def fit(cls, width: int) -> Columns:
        """The columns for `width` cells in the current language (computed once per pair:
        every visible row asks on every redraw)."""
        return _fit(width, get_language())


@lru_cache(maxsize=32)
def _fit(width: int, _language: str) -> Columns:
    status = max(cell_len(status_label(s)) for s in _STATUSES)
    due, progress, light = 10, 5, 2
    if width >= 100:
        # Room for an indicator's figure against its baseline: 12 / 2021年基数 15场次.
        progress = cell_len(t("indicator_progress", value="9999", baseline="16000 sessions"))
    code = 17 if width >= 100 else 14
    fixed = light + code + due + status + progress + 5  # five single spaces between
    rest = max(width - fixed, 12)
    unit = max(min(rest // 3, 20), 6)
    return Columns(code, rest - unit, unit, due, status, progress)


_STATUSES = ("todo", "in_progress", "done", "blocked", "cancelled")


def _cell(text: str, width: int) -> Text:
    """`text` cut or padded to exactly `width` cells (CJK characters are two cells wide)."""
    cell = Text(text, no_wrap=True, overflow="ellipsis")
    cell.truncate(width, overflow="ellipsis", pad=True)
    return cell


def header_text(width: int) -> Text:
    """The column headings, aligned with the rows."""
    columns = Columns.fit(width)
    line = Text(style="bold")
    for text, cell_width in (
        ("", 2),
        (t("col.code"), columns.code),
        (t("col.title"), columns.title),
        (t("col.unit"), columns.unit),
        (t("col.due"), columns.due),
        (t("col.status"), columns.status),
        (t("col.progress"), columns.progress),
    ):
        line.append_text(_cell(text, cell_width))
        if cell_width != 2:
            line.append(" ")
    return line


def row_text(row: ItemRow, width: int) -> Text:
    """One row: coloured light, code, title (with its village), unit, due, status, progress."""
    columns = Columns.fit(width)
    title = localized(row.title, row.title_en)
    if row.village is not None:
        title = f"{title}·{village_label(row.village, row.village_name)}"
    progress = progress_label(row)
    if row.kind is Kind.INDICATOR and cell_len(progress) > columns.progress:
        # A narrow terminal has room for the figure only; the detail shows the baseline.
        progress = figure(row.value) if row.value is not None else "-"
    line = Text()
    line.append("● ", style=LIGHT_STYLE[row.light])
    line.append_text(_cell(row.code, columns.code))
    line.append(" ")
    line.append_text(_cell(title, columns.title))
    line.append(" ")
    line.append_text(_cell(localized(row.unit, row.unit_en), columns.unit))
    line.append(" ")
    line.append_text(_cell(row.due.isoformat() if row.due else "-", columns.due))
    line.append(" ")
    line.append_text(_cell(status_label(row.status), columns.status))
    line.append(" ")
    line.append_text(_cell(progress, columns.progress))
    return line


class ItemList(ScrollView, can_focus=True):
    """The rows of a query, drawn line by line as they scroll into view."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", show=False),
        Binding("down,j", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "jump(0)", show=False),
        Binding("end", "jump(-1)", show=False),
        Binding("enter", "open", t("key.open"), id="open"),
    ]

    DEFAULT_CSS = """
    /* The scrollbar is always there, so rows and the heading above them keep one width
       whether a query fills the screen or not. */
    ItemList { height: 1fr; overflow-y: scroll; overflow-x: hidden; }
    ItemList > .item-list--cursor { background: $accent 40%; }
    """
    COMPONENT_CLASSES = {"item-list--cursor"}

    cursor: reactive[int] = reactive(0)

    class Opened(Message):
        """The officer pressed Enter (or clicked twice) on a row."""

        def __init__(self, row: ItemRow) -> None:
            super().__init__()
            self.row = row

    class Loaded(Message):
        """A fresh query's first page has arrived: `total` rows match."""

        def __init__(self, total: int) -> None:
            super().__init__()
            self.total = total

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._fetch: Fetch | None = None
        self._count: Count | None = None
        self._counted = False  # whether `total` is the query's count, not a lower bound
        self._pages: dict[int, list[ItemRow]] = {}
        self._pending: set[int] = set()
        self._generation = 0  # bumped by every new query, so late pages of old ones are dropped
        self.total = 0

    # --- data -------------------------------------------------------------------------

    def show(self, fetch: Fetch, count: Count | None = None) -> None:
        """Show the rows of a new query (new filters, new search), from the top. A page that
        `fetch` gives uncounted is shown at once, and `count` asked for the total after."""
        self._fetch, self._count = fetch, count
        self._generation += 1
        self._pages.clear()
        self._pending.clear()
        self._request(0, first=True)

    def reload(self) -> None:
        """Fetch the same query again (after a change), keeping the cursor where it was."""
        if self._fetch is not None:
            self._generation += 1
            self._pages.clear()
            self._pending.clear()
            self._request(self.cursor // PAGE_SIZE, first=True)

    @property
    def row_width(self) -> int:
        """Cells a row may use: the widget's width less its scrollbar."""
        return self.scrollable_content_region.width

    @property
    def current(self) -> ItemRow | None:
        """The row under the cursor, if it has been loaded."""
        page = self._pages.get(self.cursor // PAGE_SIZE)
        index = self.cursor % PAGE_SIZE
        return page[index] if page is not None and index < len(page) else None

    def rows_loaded(self) -> list[ItemRow]:
        """Every row fetched so far, in order (for tests and for printing what is shown)."""
        return [row for number in sorted(self._pages) for row in self._pages[number]]

    def _request(self, number: int, *, first: bool = False) -> None:
        if self._fetch is None or number in self._pending:
            return
        self._pending.add(number)
        fetch, generation = self._fetch, self._generation

        def load() -> None:
            page = fetch(number * PAGE_SIZE, PAGE_SIZE)
            self.app.call_from_thread(self._arrived, generation, number, page, first)

        self.run_worker(load, thread=True, group="item-pages", exit_on_error=False)

    def _arrived(self, generation: int, number: int, page: Page, first: bool) -> None:
        if generation != self._generation:
            return
        self._pending.discard(number)
        self._pages[number] = printable_copy(page.rows)  # stored text shown, never obeyed
        if page.counted:
            self._counted = True
            self._set_total(page.total)
            if first:
                self.post_message(self.Loaded(self.total))
        elif first:
            # The rows now, the count when it comes (_request_count): a full page of a
            # common word would wait for a count over the town's every row.
            self._counted = False
            self._set_total(page.total)
            self._request_count()
        elif not self._counted:
            self._set_total(max(self.total, page.total))
        self.refresh()

    def _set_total(self, total: int) -> None:
        self.total = total
        self.virtual_size = Size(self.row_width, self.total)
        if self.cursor >= self.total:
            self.cursor = max(self.total - 1, 0)

    def _request_count(self) -> None:
        count, generation = self._count, self._generation
        if count is None:
            return

        def load() -> None:
            total = count()
            self.app.call_from_thread(self._count_arrived, generation, total)

        self.run_worker(load, thread=True, group="item-count", exit_on_error=False)

    def _count_arrived(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return
        self._counted = True
        self._set_total(total)
        self.post_message(self.Loaded(self.total))
        self.refresh()

    # --- drawing ----------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_offset.y) + y
        width = self.row_width
        if index >= self.total:
            return Strip.blank(width, self.rich_style)
        page = self._pages.get(index // PAGE_SIZE)
        if page is None:
            self._request(index // PAGE_SIZE)
            return Strip([Segment("…".ljust(width), self.rich_style)], width)
        offset = index % PAGE_SIZE
        if offset >= len(page):
            return Strip.blank(width, self.rich_style)
        text = row_text(page[offset], width)
        if index == self.cursor:
            text.stylize(self.get_component_rich_style("item-list--cursor"))
        strip = Strip(list(text.render(self.app.console))).adjust_cell_length(width)
        return strip.apply_style(self.rich_style)

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old - round(self.scroll_offset.y))
        self.refresh_line(new - round(self.scroll_offset.y))
        self.scroll_to_region(Region(0, new, 1, 1), animate=False, force=True)

    # --- keys and mouse ---------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        if self.total:
            self.cursor = min(max(self.cursor + step, 0), self.total - 1)

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(self.size.height - 1, 1))

    def action_jump(self, where: int) -> None:
        if self.total:
            self.cursor = 0 if where == 0 else self.total - 1

    def action_open(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Opened(row))

    def on_click(self, event: events.Click) -> None:
        index = round(self.scroll_offset.y) + event.y
        if 0 <= index < self.total:
            if index == self.cursor and event.chain >= 2:
                self.action_open()
            self.cursor = index
