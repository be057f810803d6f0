"""事项清单: commitments and their periods, searched and filtered in SQL, drawn as they scroll."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from tracker.i18n import t
from tracker.labels import kind_label, light_label, status_label
from tracker.services.list_filter import ListFilter
from tracker.services.listing import Page, count_items, list_items
from tracker.tui import editing
from tracker.tui.widgets.filters import FilterDialog
from tracker.tui.widgets.item_list import ItemList, header_text

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp


class ItemsScreen(Screen[None]):
    """The ledger as a list: `/` search, `o` overdue only, `f` filters and order."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", t("key.search"), id="search", key_display="/"),
        Binding("o", "toggle_overdue", t("key.overdue_only"), id="overdue_only"),
        Binding("f", "filters", t("key.filters"), id="filters"),
        Binding("s", "status", t("key.status"), id="status"),
        Binding("l", "log", t("key.log"), id="log"),
        Binding("n", "note", t("key.note"), id="note"),
        Binding("escape", "leave_search", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = ListFilter()

    @property
    def tracker(self) -> TrackerApp:
        from tracker.tui.app import TrackerApp

        assert isinstance(self.app, TrackerApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="search-bar"):
            yield Input(placeholder=t("tui.search_placeholder"), id="search")
            yield Static(id="filters")
        yield Static(id="list-header")
        yield ItemList(id="items")
        yield Static(id="list-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.tracker.ledger_changed.subscribe(self, self._ledger_changed)
        self._show()
        self.query_one(ItemList).focus()

    # --- querying ---------------------------------------------------------------------

    def _show(self) -> None:
        flt = replace(self.filter, report=self.tracker.context.report)

        def fetch(offset: int, limit: int) -> Page:
            context = self.tracker.context
            with context.session() as session:
                return list_items(
                    session=session,
                    flt=flt,
                    deadlines=context.deadlines,
                    limit=limit,
                    offset=offset,
                    count=False,  # counted apart, after the rows are shown
                )

        def count() -> int:
            context = self.tracker.context
            with context.session() as session:
                return count_items(session=session, flt=flt, deadlines=context.deadlines)

        self.query_one(ItemList).show(fetch, count)
        self.query_one("#filters", Static).update(self._describe_filter())

    def _describe_filter(self) -> str:
        flt, parts = self.filter, []
        if flt.overdue:
            parts.append(t("tui.filter_overdue"))
        if flt.show_all:
            parts.append(t("tui.filter_all"))
        parts += [status_label(s) for s in flt.statuses]
        parts += [light_label(light) for light in flt.lights]
        if flt.unit:
            parts.append(flt.unit)
        if flt.section:
            parts.append(t("tui.filter_section", section=flt.section))
        if flt.kind:
            parts.append(kind_label(flt.kind))
        if flt.order.value != "ledger":
            parts.append(t(f"order.{flt.order.value}"))
        return " · ".join(parts)

    def _ledger_changed(self, _code: str) -> None:
        self.query_one(ItemList).reload()

    @on(ItemList.Loaded)
    def _count(self, event: ItemList.Loaded) -> None:
        self.query_one("#list-status", Static).update(t("list_count", total=event.total))
        self._header()

    @on(Resize)
    def _header(self) -> None:
        width = self.query_one(ItemList).row_width
        self.query_one("#list-header", Static).update(header_text(width))

    # --- search and filters -----------------------------------------------------------

    @on(Input.Changed, "#search")
    def _search(self, event: Input.Changed) -> None:
        self.filter = replace(self.filter, search=event.value.strip() or None)
        self._show()

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.query_one(ItemList).focus()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_leave_search(self) -> None:
        """Escape leaves the search box for the list, keeping what was typed; on the list
        it goes back to where the officer came from."""
        search = self.query_one("#search", Input)
        if search.has_focus:
            self.query_one(ItemList).focus()
        else:
            self.tracker.action_area_back()

    def action_toggle_overdue(self) -> None:
        self.filter = replace(self.filter, overdue=not self.filter.overdue)
        self._show()

    def action_filters(self) -> None:
        def chosen(result: ListFilter | None) -> None:
            if result is not None:
                self.filter = replace(result, search=self.filter.search)
                self._show()

        self.app.push_screen(FilterDialog(self.filter, self.tracker.context), chosen)

    # --- opening and changing ---------------------------------------------------------

    @on(ItemList.Opened)
    def _open(self, event: ItemList.Opened) -> None:
        self.tracker.open_item(event.row.code)

    def _current_code(self) -> str | None:
        row = self.query_one(ItemList).current
        return row.code if row is not None else None

    def action_status(self) -> None:
        if code := self._current_code():
            editing.change_status(self, code)

    def action_log(self) -> None:
        if code := self._current_code():
            editing.log_event(self, code)

    def action_note(self) -> None:
        if code := self._current_code():
            editing.add_note(self, code)
